namespace Pilab.Live;

/// <summary>The figures of a live run (or of the run so far, for the progress display).</summary>
public sealed record LiveResult
{
    public required string Variant { get; init; }
    public required LiveOptions Options { get; init; }
    public required TimeSpan Elapsed { get; init; }

    public long Posted { get; init; }
    public long CoalescedInPir { get; init; }
    public long MergedInVIrr { get; init; }
    public long OnAlreadySet { get; init; }
    public long Delivered { get; init; }
    public long NotifyIpis { get; init; }
    public long ReschedIpis { get; init; }
    public long VmExits { get; init; }
    public long GuestExits { get; init; }
    public long ExtIntExits { get; init; }
    public long Entries { get; init; }
    public long CancelledEntries { get; init; }
    public long DummyHandlerRuns { get; init; }
    public long PiProcess { get; init; }
    public long SyncDrains { get; init; }
    public long Unstamped { get; init; }

    /// <summary>Strands the watchdog found while running (each reported once).</summary>
    public long StrandsDetected { get; init; }
    /// <summary>VM exits the watchdog forced to recover from a strand (not counted in <see cref="ReschedIpis"/>).</summary>
    public long Rescues { get; init; }
    public double? FirstStrandSeconds { get; init; }
    public IReadOnlyList<StrandEvent> Strands { get; init; } = [];

    /// <summary>End of run: the grace period reached a terminal state (guest running, nothing pending).</summary>
    public bool Settled { get; init; }
    /// <summary>End of run: vectors left in PIR or in vIRR undelivered.</summary>
    public IReadOnlyList<int> StrandedAtEnd { get; init; } = [];
    public bool OnLeftSet { get; init; }
    public string? EndState { get; init; }

    public LatencySummary? Latency { get; init; }

    /// <summary>The aligned mode's figures (null for a free-running run).</summary>
    public AlignedFigures? Aligned { get; init; }

    /// <summary>Which CPU each thread was pinned to and where the shared lines lie.</summary>
    public LivePlacement? Placement { get; init; }

    /// <summary>Posts that set a vector not already in PIR.</summary>
    public long Accepted => Posted - CoalescedInPir;

    public bool LostInterrupt => StrandsDetected > 0 || StrandedAtEnd.Count > 0 || OnLeftSet;


    public double PostsPerSecond => Elapsed.TotalSeconds > 0 ? Posted / Elapsed.TotalSeconds : 0;

    public double DeliveriesPerSecond => Elapsed.TotalSeconds > 0 ? Delivered / Elapsed.TotalSeconds : 0;
}

/// <summary>A stranded interrupt as reported: seconds into the run, how long it had been stuck, the vectors, the state (mode, ON, PIR, pending).</summary>
public sealed record StrandEvent(double AtSeconds, double StuckMilliseconds, IReadOnlyList<int> Vectors, string State, string Detail);

/// <summary>Post-to-handler latency in nanoseconds (HdrHistogram, 3 significant digits).</summary>
public sealed record LatencySummary(long Count, double P50, double P99, double P999, double Max, double Mean);

/// <summary>A run's placement: how the threads were pinned (a sentence), each thread's CPU, and the shared lines' alignment.</summary>
public sealed record LivePlacement(string Pinning, IReadOnlyList<ThreadPlacement> Threads, MemoryPlacement Memory);

/// <summary>One thread's CPU (-1: left to the scheduler) and, when pinning it failed, why.</summary>
public sealed record ThreadPlacement(string Thread, int Cpu, string? Error);

/// <summary>
/// The aligned mode's figures: rounds judged, their rate, stranded rounds per million, the vectors
/// the resets cleared (each round's strand; accepted = delivered + merged in vIRR + these + left at the
/// end), and the jitter the rounds ran with.
/// </summary>
public sealed record AlignedFigures(long Rounds, double RoundsPerSecond, double StrandsPerMillionRounds, long VectorsClearedByReset, int Jitter);

/// <summary>
/// What the checker says of the variant the aligned mode runs (as many injectors as its rounds, the variant's own
/// configuration otherwise), for the report to put next to what this CPU showed: the verdict and
/// shortest losing run under x86-TSO and under SC, in the vocabulary of every command's JSON.
/// </summary>
public sealed record CheckerPrediction(string TsoVerdict, int TsoRunLength, string ScVerdict, int ScRunLength);
