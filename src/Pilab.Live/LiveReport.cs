using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pilab.Live;

/// <summary>A live run's figures as text (for people) and JSON (for scripts).</summary>
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
            Line(string.Create(C, $"pilab live {r.Variant} --aligned: rounds of P0's entry against one post, jitter {o.Jitter:N0} (seed {o.Seed}), guest exits none (each round ends settled), {Environment.ProcessorCount} cores"));
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
            Line($"  prediction   checker (1 injector): x86-TSO {Run(pr.TsoVerdict, pr.TsoRunLength)}, SC {Run(pr.ScVerdict, pr.ScRunLength)}; on this CPU {shown}");
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

    /// <summary>The "placement" object of the JSON (see docs/live.md).</summary>
    private static void WritePlacement(Utf8JsonWriter w, LivePlacement p)
    {
        w.WriteStartObject("placement");
        w.WriteString("pinning", p.Pinning);
        w.WriteStartArray("threads");
        foreach (var t in p.Threads)
        {
            w.WriteStartObject();
            w.WriteString("thread", t.Thread);
            if (t.Cpu >= 0) w.WriteNumber("cpu", t.Cpu); else w.WriteNull("cpu");
            if (t.Error is not null) w.WriteString("error", t.Error);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("blockAlignment", p.Memory.BlockAlignment);
        w.WriteBoolean("linesAligned", p.Memory.LinesAligned);
        w.WriteStartObject("offsetInLine");
        w.WriteNumber("descriptor", p.Memory.Descriptor);
        w.WriteNumber("mode", p.Memory.ModeAndRequests);
        w.WriteNumber("pending", p.Memory.Pending);
        w.WriteNumber("p0Published", p.Memory.P0Published);
        w.WriteNumber("p0Counters", p.Memory.P0Counters);
        w.WriteStartArray("injectorCounters");
        foreach (long x in p.Memory.InjectorCounters) w.WriteNumberValue(x);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The "aligned" object of the JSON (aligned mode only; see docs/live.md).</summary>
    private static void WriteAligned(Utf8JsonWriter w, AlignedFigures a, CheckerPrediction? p, CalibrationResult? c, long strands)
    {
        w.WriteStartObject("aligned");
        w.WriteNumber("rounds", a.Rounds);
        w.WriteNumber("roundsPerSecond", a.RoundsPerSecond);
        w.WriteNumber("strandsPerMillionRounds", a.StrandsPerMillionRounds);
        w.WriteNumber("vectorsClearedByReset", a.VectorsClearedByReset);
        w.WriteNumber("jitter", a.Jitter);
        if (p is not null)
        {
            w.WriteString("checkerTso", p.TsoVerdict);
            w.WriteNumber("checkerTsoRunLength", p.TsoRunLength);
            w.WriteString("checkerSc", p.ScVerdict);
            w.WriteNumber("checkerScRunLength", p.ScRunLength);
            w.WriteBoolean("shownOnThisCpu", strands > 0);
        }
        if (c is { LitmusRounds: > 0 }) w.WriteNumber("litmusReordersPerMillion", c.LitmusReorders * 1e6 / c.LitmusRounds);
        w.WriteEndObject();
    }

    private static string Ns(double ns) =>
        ns >= 1e6 ? string.Create(C, $"{ns / 1e6:F2} ms") : ns >= 1e3 ? string.Create(C, $"{ns / 1e3:F2} us") : string.Create(C, $"{ns:F0} ns");

    public static string Json(LiveResult r, CalibrationResult? calibration = null, CheckerPrediction? prediction = null)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            var o = r.Options;
            w.WriteStartObject();
            w.WriteString("variant", r.Variant);
            // The verdict in the vocabulary of every command's JSON (Pilab.Checker.Verdicts): a run that did not settle has none, as a bound.
            w.WriteString("verdict", r.LostInterrupt ? "violation" : r.Settled ? "safe" : "bound-reached");
            w.WriteStartObject("options");
            if (o.Seconds is { } s) w.WriteNumber("seconds", s); else w.WriteNull("seconds");
            w.WriteNumber("injectors", o.Injectors);
            w.WriteNumber("rate", o.Rate);
            w.WriteNumber("exitRate", o.ExitRate);
            w.WriteBoolean("chaos", o.Chaos);
            w.WriteNumber("seed", o.Seed);
            w.WriteNumber("maxPosts", o.MaxPosts);
            w.WriteNumber("vectorsPerInjector", o.VectorsPerInjector);
            w.WriteNumber("stallMs", o.StallMilliseconds);
            w.WriteBoolean("pin", o.Pin);
            w.WriteBoolean("aligned", o.Aligned);
            w.WriteNumber("jitter", o.Jitter);
            w.WriteEndObject();
            w.WriteNumber("cores", Environment.ProcessorCount);
            if (r.Placement is { } pl) WritePlacement(w, pl);
            if (r.Aligned is { } al) WriteAligned(w, al, prediction, calibration, r.StrandsDetected);
            w.WriteNumber("seconds", r.Elapsed.TotalSeconds);
            w.WriteNumber("posted", r.Posted);
            w.WriteNumber("accepted", r.Accepted);
            w.WriteNumber("coalescedInPir", r.CoalescedInPir);
            w.WriteNumber("mergedInVIrr", r.MergedInVIrr);
            w.WriteNumber("onAlreadySet", r.OnAlreadySet);
            w.WriteNumber("delivered", r.Delivered);
            w.WriteNumber("postsPerSecond", r.PostsPerSecond);
            w.WriteNumber("deliveriesPerSecond", r.DeliveriesPerSecond);
            w.WriteNumber("notifyIpis", r.NotifyIpis);
            w.WriteNumber("reschedIpis", r.ReschedIpis);
            w.WriteNumber("vmExits", r.VmExits);
            w.WriteNumber("guestExits", r.GuestExits);
            w.WriteNumber("reschedExits", r.ExtIntExits);
            w.WriteNumber("entries", r.Entries);
            w.WriteNumber("cancelledEntries", r.CancelledEntries);
            w.WriteNumber("dummyHandlerRuns", r.DummyHandlerRuns);
            w.WriteNumber("piProcess", r.PiProcess);
            w.WriteNumber("syncDrains", r.SyncDrains);
            w.WriteNumber("unstampedDeliveries", r.Unstamped);
            if (r.Latency is { } l)
            {
                w.WriteStartObject("latencyNs");
                w.WriteNumber("count", l.Count);
                w.WriteNumber("p50", l.P50);
                w.WriteNumber("p99", l.P99);
                w.WriteNumber("p999", l.P999);
                w.WriteNumber("max", l.Max);
                w.WriteNumber("mean", l.Mean);
                w.WriteEndObject();
            }
            if (calibration is { } cal)
            {
                w.WriteNumber("roundTripNs", cal.MedianNanoseconds);
                if (r.Latency is { } l2) w.WriteNumber("p50InRoundTrips", l2.P50 / cal.MedianNanoseconds);
            }
            w.WriteNumber("strandsDetected", r.StrandsDetected);
            w.WriteNumber("rescues", r.Rescues);
            if (r.FirstStrandSeconds is { } f) w.WriteNumber("firstStrandSeconds", f);
            w.WriteStartArray("strands");
            foreach (var e in r.Strands)
            {
                w.WriteStartObject();
                w.WriteNumber("atSeconds", e.AtSeconds);
                w.WriteNumber("stuckMs", e.StuckMilliseconds);
                w.WriteStartArray("vectors");
                foreach (int v in e.Vectors) w.WriteNumberValue(v);
                w.WriteEndArray();
                w.WriteString("state", e.State);
                w.WriteString("detail", e.Detail);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("settled", r.Settled);
            w.WriteStartArray("strandedAtEnd");
            foreach (int v in r.StrandedAtEnd) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteBoolean("onLeftSet", r.OnLeftSet);
            w.WriteString("endState", r.EndState);
            w.WriteBoolean("lostInterrupt", r.LostInterrupt);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    public static string CalibrationText(CalibrationResult c) =>
        string.Create(C, $"cross-core round trip (cache-line ping-pong): median {c.MedianNanoseconds:F0} ns, best {c.MinNanoseconds:F0} ns ({c.Batches} batches of {c.RoundTripsPerBatch:N0}, {Environment.ProcessorCount} cores)\n") +
        string.Create(C, $"store buffering (SB litmus, no fence): a store passed a later load in {c.LitmusReorders:N0} of {c.LitmusRounds:N0} rounds\n");
}
