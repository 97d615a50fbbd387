using Pilab.Live;
using Pilab.Report.Json;

namespace Pilab.Cli;

/// <summary><c>pilab live --json</c>: a live run's figures (schema <c>pilab.live/1</c>) and a calibration's (<c>pilab.calibration/1</c>), docs/json.md.</summary>
internal static class LiveJson
{
    public static string Write(LiveResult r, CalibrationResult? calibration, string? interrupted, CheckerPrediction? prediction = null)
    {
        var o = r.Options;
        return PilabJson.Write(new LiveDocument
        {
            Variant = r.Variant,
            // The verdict in the vocabulary of every command's JSON (Pilab.Checker.Verdicts): a run that did not settle has none, as a bound.
            Verdict = r.LostInterrupt ? "violation" : r.Settled ? "safe" : "bound-reached",
            Options = new LiveOptionsJson(o.Seconds, o.Injectors, o.Rate, o.ExitRate, o.Chaos, o.Seed, o.MaxPosts, o.VectorsPerInjector, o.StallMilliseconds, o.Pin, o.Aligned, o.Jitter),
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
            Placement = r.Placement is { } p ? Placement(p) : null,
            Aligned = r.Aligned is { } a && prediction is { } pr ? new LiveAlignedJson(a.Rounds, a.RoundsPerSecond, a.StrandsPerMillionRounds, a.VectorsClearedByReset, a.Jitter,
                pr.TsoVerdict, pr.TsoRunLength, pr.ScVerdict, pr.ScRunLength, r.StrandsDetected > 0,
                calibration is { LitmusRounds: > 0 } c ? c.LitmusReorders * 1e6 / c.LitmusRounds : null) : null,
        });
    }

    private static LivePlacementJson Placement(LivePlacement p) => new(
        p.Pinning,
        [.. p.Threads.Select(t => new LiveThreadJson(t.Thread, t.Cpu >= 0 ? t.Cpu : null, t.Error))],
        p.Memory.BlockAlignment,
        p.Memory.LinesAligned,
        new LiveLineOffsetsJson(p.Memory.Descriptor, p.Memory.ModeAndRequests, p.Memory.Pending, p.Memory.P0Published, p.Memory.P0Counters, [.. p.Memory.InjectorCounters]));

    /// <summary><c>pilab live --calibrate --json</c> alone: the round trip to a tenth of a nanosecond.</summary>
    public static string Write(CalibrationResult c) => PilabJson.Write(new CalibrationDocument(
        Math.Round(c.MedianNanoseconds, 1), Math.Round(c.MinNanoseconds, 1), c.Batches, c.RoundTripsPerBatch, c.LitmusRounds, c.LitmusReorders, c.LitmusJitter, c.LitmusSeed, Environment.ProcessorCount,
        new CalibrationPlacementJson(c.Placement.Pinning, [.. c.Placement.Threads.Select(t => new LiveThreadJson(t.Thread, t.Cpu >= 0 ? t.Cpu : null, t.Error))])));
}
