using Pilab.Live;
using Pilab.Report.Json;

namespace Pilab.Cli;

/// <summary><c>pilab live --json</c>: a live run's figures (schema <c>pilab.live/1</c>) and a calibration's (<c>pilab.calibration/1</c>), docs/json.md.</summary>
internal static class LiveJson
{
    public static string Write(LiveResult r, CalibrationResult? calibration, string? interrupted)
    {
        var o = r.Options;
        return PilabJson.Write(new LiveDocument
        {
            Variant = r.Variant,
            // The verdict in the vocabulary of every command's JSON (Pilab.Checker.Verdicts): a run that did not settle has none, as a bound.
            Verdict = r.LostInterrupt ? "violation" : r.Settled ? "safe" : "bound-reached",
            Options = new LiveOptionsJson(o.Seconds, o.Injectors, o.Rate, o.ExitRate, o.Chaos, o.Seed, o.MaxPosts, o.VectorsPerInjector, o.StallMilliseconds),
            Cores = Environment.ProcessorCount,
            Seconds = r.Elapsed.TotalSeconds,
            Posted = r.Posted,
            Accepted = r.Accepted,
            CoalescedInPir = r.CoalescedInPir,
            MergedInVIrr = r.MergedInVIrr,
            OnAlreadySet = r.OnAlreadySet,
            Delivered = r.Delivered,
            PostsPerSecond = r.PostsPerSecond,
            DeliveriesPerSecond = r.DeliveriesPerSecond,
            NotifyIpis = r.NotifyIpis,
            ReschedIpis = r.ReschedIpis,
            VmExits = r.VmExits,
            GuestExits = r.GuestExits,
            ReschedExits = r.ExtIntExits,
            Entries = r.Entries,
            CancelledEntries = r.CancelledEntries,
            DummyHandlerRuns = r.DummyHandlerRuns,
            PiProcess = r.PiProcess,
            SyncDrains = r.SyncDrains,
            UnstampedDeliveries = r.Unstamped,
            LatencyNs = r.Latency is { } l ? new LatencyJson(l.Count, l.P50, l.P99, l.P999, l.Max, l.Mean) : null,
            RoundTripNs = calibration?.MedianNanoseconds,
            P50InRoundTrips = calibration is { } cal && r.Latency is { } l2 ? l2.P50 / cal.MedianNanoseconds : null,
            StrandsDetected = r.StrandsDetected,
            Rescues = r.Rescues,
            FirstStrandSeconds = r.FirstStrandSeconds,
            Strands = [.. r.Strands.Select(e => new StrandJson(e.AtSeconds, e.StuckMilliseconds, [.. e.Vectors], e.State, e.Detail))],
            Settled = r.Settled,
            StrandedAtEnd = [.. r.StrandedAtEnd],
            OnLeftSet = r.OnLeftSet,
            EndState = r.EndState,
            LostInterrupt = r.LostInterrupt,
            Interrupted = interrupted,
        });
    }

    /// <summary><c>pilab live --calibrate --json</c> alone: the round trip to a tenth of a nanosecond.</summary>
    public static string Write(CalibrationResult c) => PilabJson.Write(new CalibrationDocument(
        Math.Round(c.MedianNanoseconds, 1), Math.Round(c.MinNanoseconds, 1), c.Batches, c.RoundTripsPerBatch, c.LitmusRounds, c.LitmusReorders, Environment.ProcessorCount));
}
