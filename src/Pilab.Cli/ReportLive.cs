using System.Diagnostics;
using System.Globalization;
using HdrHistogram;
using Pilab.Live;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary>
/// <c>pilab report --live seconds</c>: runs the live runtime (src/Pilab.Live, as <c>pilab live</c> with
/// its defaults: one injector posting as fast as it can, a 1000 Hz guest tick) on one variant and maps
/// its HdrHistogram of post-to-guest-handler latency to the report's <see cref="LatencyHistogram"/>.
/// </summary>
internal static class ReportLive
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static (LatencyHistogram Histogram, LiveResult Result) Run(Variant variant, double seconds)
    {
        var options = new LiveOptions(variant) { Seconds = seconds };
        var run = new LiveRun(options);
        run.Start();
        while (run.Elapsed.TotalSeconds < seconds && !run.PostsDone && !Interrupt.Requested) Thread.Sleep(20);
        var result = run.Finish();
        return (Histogram(result, run.LatencyHistogram), result);
    }

    /// <summary>The recorded values (Stopwatch ticks) in doubling microsecond buckets, with the run's percentiles and figures.</summary>
    public static LatencyHistogram Histogram(LiveResult r, LongHistogram h)
    {
        double nsPerTick = 1e9 / Stopwatch.Frequency;
        var buckets = LatencyHistogram.DoublingMicroseconds(h.RecordedValues().Select(v => (v.ValueIteratedTo * nsPerTick, v.CountAtValueIteratedTo)));
        var percentiles = r.Latency is { } l
            ? [new("p50", l.P50 / 1000), new("p99", l.P99 / 1000), new("p99.9", l.P999 / 1000), new LatencyPercentile("max", l.Max / 1000)]
            : System.Collections.Immutable.ImmutableArray<LatencyPercentile>.Empty;
        var o = r.Options;
        string verdict = r.LostInterrupt ? $"LOST INTERRUPTS: {r.StrandsDetected:N0} strand(s) found while running, {r.StrandedAtEnd.Count} left at the end"
            : r.Settled ? "no lost interrupt" : "no verdict (did not settle)";
        string note = string.Create(C,
            $"{o.Injectors} injector thread(s) posting as fast as they can, guest exits {o.ExitRate:N0}/s, {Environment.ProcessorCount} cores: posted {r.Posted:N0}, delivered {r.Delivered:N0} ({r.Unstamped:N0} without a latency sample: their stamp raced with a merge), NOTIFY {r.NotifyIpis:N0}, RESCHED {r.ReschedIpis:N0}, VM exits {r.VmExits:N0}; {verdict}. Figures depend on the machine; verdicts do not (pilab live).");
        return new LatencyHistogram($"post to guest handler, {r.Variant} (pilab live, {r.Elapsed.TotalSeconds.ToString("0.#", C)} s)", "µs",
            buckets, percentiles, r.Elapsed.TotalSeconds, note);
    }
}
