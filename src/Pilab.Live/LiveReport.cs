using System.Globalization;
using System.Text;
using HdrHistogram;

namespace Pilab.Live;

/// <summary>A live run's figures as text, and its latency in HdrHistogram's text format (the JSON: src/Pilab.Cli/LiveJson.cs).</summary>
public static class LiveReport
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>One line of progress: what a terminal-less run prints every second.</summary>
    public static string ProgressLine(LiveResult r) =>
        string.Create(C, $"{r.Elapsed.TotalSeconds,6:F1}s {(r.Aligned is { } a ? $"rounds {a.Rounds:N0} " : "")}posted {r.Posted:N0} coalesced {r.CoalescedInPir + r.MergedInVIrr:N0} delivered {r.Delivered:N0} NOTIFY {r.NotifyIpis:N0} RESCHED {r.ReschedIpis:N0} exits {r.VmExits:N0} stranded {r.StrandsDetected:N0}");

    public static string Text(LiveResult r, CalibrationResult? calibration = null, CheckerPrediction? prediction = null)
    {
        var o = r.Options;
        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        if (o.Aligned)
            Line(string.Create(C, $"pilab live {r.Variant} --aligned: rounds of P0's entry against {(o.Injectors == 1 ? "one post" : $"{o.Injectors} posts (one per injector)")}, jitter {o.Jitter:N0} (seed {o.Seed}), guest exits none (each round ends settled), {Environment.ProcessorCount} cores"));
        else
            Line($"pilab live {r.Variant}: {o.Injectors} injector(s), rate {(o.Rate > 0 ? string.Create(C, $"{o.Rate:N0}/s each") : "unlimited")}, guest exits {(o.ExitRate > 0 ? string.Create(C, $"{o.ExitRate:N0}/s") : "none (tickless)")}, chaos {(o.Chaos ? $"on (seed {o.Seed})" : "off")}, {Environment.ProcessorCount} cores");
        if (r.Placement is { } pl) Line($"  placement    {PlacementText(pl)}");
        Line(string.Create(C, $"  run          {r.Elapsed.TotalSeconds:F2} s, {r.PostsPerSecond:N0} posts/s, {r.DeliveriesPerSecond:N0} deliveries/s"));
        if (r.Aligned is { } al)
            Line(string.Create(C, $"  rounds       {al.Rounds:N0} judged, {al.RoundsPerSecond:N0} rounds/s, {al.StrandsPerMillionRounds:F1} strands per million rounds ({r.StrandsDetected:N0} stranded rounds, {al.VectorsClearedByReset:N0} vector(s) cleared by the resets)"));
        Line(string.Create(C, $"  posted       {r.Posted:N0} (accepted {r.Accepted:N0}, coalesced in PIR {r.CoalescedInPir:N0}, ON already set {r.OnAlreadySet:N0})"));
        Line(string.Create(C, $"  delivered    {r.Delivered:N0} guest handler runs (+ {r.MergedInVIrr:N0} posts merged in vIRR)"));
        string per(long x) => r.Delivered > 0 ? string.Create(C, $"{(double)x / r.Delivered:F4}") : "-";
        Line(string.Create(C, $"  per delivery NOTIFY {per(r.NotifyIpis)}  RESCHED {per(r.ReschedIpis)}  VM exits {per(r.VmExits)}  cancelled entries {per(r.CancelledEntries)}  dummy handler {per(r.DummyHandlerRuns)}"));
        Line(string.Create(C, $"  totals       NOTIFY {r.NotifyIpis:N0}, RESCHED {r.ReschedIpis:N0}, VM exits {r.VmExits:N0} (guest {r.GuestExits:N0}, RESCHED {r.ExtIntExits:N0}), entries {r.Entries:N0}, cancelled {r.CancelledEntries:N0}, dummy handler {r.DummyHandlerRuns:N0}, pi.process {r.PiProcess:N0}, sync drains {r.SyncDrains:N0}"));
        if (r.Latency is { } l)
        {
            Line(string.Create(C, $"  latency      post -> guest handler, {l.Count:N0} samples: p50 {Ns(l.P50)}  p99 {Ns(l.P99)}  p99.9 {Ns(l.P999)}  max {Ns(l.Max)}"));
            if (calibration is { } cal)
                Line(string.Create(C, $"               p50 = {l.P50 / cal.MedianNanoseconds:F1} x the cross-core round trip ({cal.MedianNanoseconds:F0} ns)"));
        }
        if (o.Aligned)
            Line(string.Create(C, $"  strands      {r.StrandsDetected:N0} round(s) settled with a vector in PIR{(r.FirstStrandSeconds is { } f0 ? $", first after {f0:F3} s" : "")}{(r.Rescues > 0 ? $"; {r.Rescues:N0} cleared by the next round's reset" : "")}"));
        else
            Line(string.Create(C, $"  watchdog     {r.StrandsDetected:N0} stranded interrupt(s) found while running{(r.FirstStrandSeconds is { } f ? $", first after {f:F3} s" : "")}{(r.Rescues > 0 ? $"; {r.Rescues:N0} forced VM exit(s) to recover" : "")}"));
        foreach (var s in r.Strands.Take(5))
        {
            string stuck = o.Aligned ? "" : string.Create(C, $", stuck >= {s.StuckMilliseconds:F1} ms");
            Line(string.Create(C, $"    at {s.AtSeconds:F3} s{stuck}: vector(s) {string.Join(", ", s.Vectors.Select(v => $"0x{v:x2}"))} with {s.State}"));
            Line($"      ({s.Detail})");
        }
        if (r.Strands.Count > 5) Line($"    ... {r.StrandsDetected - 5:N0} more (--json lists up to 1000)");
        if (prediction is { } pr && r.Aligned is { } ap)
        {
            string shown = r.StrandsDetected > 0
                ? string.Create(C, $"shown: {r.StrandsDetected:N0} stranded round(s) in {ap.Rounds:N0} ({ap.StrandsPerMillionRounds:F1} per million)")
                : string.Create(C, $"not shown in {ap.Rounds:N0} rounds");
            Line($"  prediction   checker ({o.Injectors} injector{(o.Injectors == 1 ? "" : "s")}): x86-TSO {Run(pr.TsoVerdict, pr.TsoRunLength)}, SC {Run(pr.ScVerdict, pr.ScRunLength)}; on this CPU {shown}");
            if (calibration is { } lc && lc.LitmusRounds > 0)
                Line(string.Create(C, $"               store-buffering litmus on this CPU, this run: {lc.LitmusReorders * 1e6 / lc.LitmusRounds:F1} reorders per million rounds ({lc.LitmusReorders:N0} of {lc.LitmusRounds:N0})"));
        }
        string end = !r.Settled ? "did NOT reach a terminal state in the grace period"
            : r.StrandedAtEnd.Count == 0 && !r.OnLeftSet ? "0 stranded (PIR empty, ON=0, vIRR empty)"
            : $"{r.StrandedAtEnd.Count} STRANDED";
        Line($"  end of run   {end}; {r.EndState}");
        Line(r.LostInterrupt ? "=> LOST INTERRUPTS" : r.Settled ? "=> no lost interrupt" : "=> no verdict (did not settle)");
        return sb.ToString();
    }

    private static string Run(string verdict, int length) => length > 0 ? $"{verdict} (shortest run {length} steps)" : verdict;

    /// <summary>The placement in one line: the pinning, each thread's CPU, the lines' alignment.</summary>
    public static string PlacementText(LivePlacement p)
    {
        string threads = string.Join(", ", p.Threads.Select(t => t.Cpu >= 0 ? $"{t.Thread} CPU {t.Cpu}" : $"{t.Thread} unpinned"));
        string errors = string.Concat(p.Threads.Where(t => t.Error is not null).Select(t => $"; {t.Thread}: {t.Error}"));
        var m = p.Memory;
        string lines = m.LinesAligned
            ? $"descriptor, mode/requests, pending, P0's and each injector's counters each start a 64-byte line (native block aligned to {m.BlockAlignment})"
            : $"NOT line-aligned: address mod 64 of descriptor {m.Descriptor}, mode {m.ModeAndRequests}, pending {m.Pending}, P0 counters {m.P0Counters}";
        return $"{p.Pinning}: {threads}{errors}; {lines}";
    }

    private static string Ns(double ns) =>
        ns >= 1e6 ? string.Create(C, $"{ns / 1e6:F2} ms") : ns >= 1e3 ? string.Create(C, $"{ns / 1e3:F2} us") : string.Create(C, $"{ns:F0} ns");

    /// <summary>
    /// The latency histogram in HdrHistogram's percentile distribution format (what its
    /// <c>outputPercentileDistribution</c> prints, the <c>.hgrm</c> text that HdrHistogram's plotter reads):
    /// a header, one line per percentile step (5 steps per half of the distance to 100 %) with the
    /// value in microseconds, the percentile, the count up to it and 1/(1-percentile), the last line
    /// (100 %) without that column, then the mean, standard deviation, maximum, total count and the
    /// histogram's buckets and sub-buckets. Written by HdrHistogram itself, in the invariant culture.
    /// </summary>
    /// <param name="latency">the values, in units of <paramref name="unitsPerMicrosecond"/> (Stopwatch ticks for <see cref="LiveRun.LatencyHistogram"/>)</param>
    public static string PercentileDistribution(HistogramBase latency, double unitsPerMicrosecond)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        latency.OutputPercentileDistribution(w, percentileTicksPerHalfDistance: 5, outputValueUnitScalingRatio: unitsPerMicrosecond);
        return w.ToString();
    }

    /// <summary>Stopwatch ticks per microsecond: the scale of <see cref="LiveRun.LatencyHistogram"/>'s values.</summary>
    public static double TicksPerMicrosecond => System.Diagnostics.Stopwatch.Frequency / 1e6;

    public static string CalibrationText(CalibrationResult c) =>
        $"calibration placement: {c.Placement}\n" +
        string.Create(C, $"cross-core round trip (cache-line ping-pong): median {c.MedianNanoseconds:F0} ns, best {c.MinNanoseconds:F0} ns ({c.Batches} batches of {c.RoundTripsPerBatch:N0}, {Environment.ProcessorCount} cores)\n") +
        string.Create(C, $"store buffering (SB litmus, no fence, rounds aligned as --aligned's, jitter {c.LitmusJitter:N0}, seed {c.LitmusSeed}): a store passed a later load in {c.LitmusReorders:N0} of {c.LitmusRounds:N0} rounds ({(c.LitmusRounds > 0 ? c.LitmusReorders * 1e6 / c.LitmusRounds : 0):F1} per million)\n");
}
