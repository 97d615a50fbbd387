using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Pilab.Report.Json;

/// <summary><c>pilab synthesize --json</c>, schema <c>pilab.synthesize/1</c> (docs/json.md).</summary>
public sealed record SynthesizeDocument(
    string Injector,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OnAlreadySet,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Requests,
    int Injectors,
    int Posts,
    int Exits,
    bool SameVector,
    bool IrqPriority,
    int SafeSc,
    int SafeTso,
    ImmutableArray<ReasonRuleJson> Rules,
    ImmutableArray<OrderJson> Orders,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Interrupted)
{
    [JsonPropertyOrder(-2)] public string Schema => PilabJson.SynthesizeSchema;
    [JsonPropertyOrder(-1)] public string PilabVersion => PilabJson.Version;

    /// <summary>Design avic only: "avic" (absent for the vCPU-entry design's synthesis).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Design { get; init; }
    /// <summary>Design avic only: what the CPU posters are (cpu-sender: avic or kvm).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sender { get; init; }
    /// <summary>Design avic only: the rest of the configuration.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Iommu { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Halts { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Preemptions { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public int? Migrations { get; init; }
}

public sealed record ReasonRuleJson(string Id, string Meaning, string Rule);

/// <summary>An order; <see cref="Sender"/> (design avic only) is the CPU poster's order it was checked against.</summary>
public sealed record OrderJson(string Order, bool HasMb, OrderOutcomeJson Sc, OrderOutcomeJson Tso)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sender { get; init; }
}

/// <summary>An order under one memory model: the verdict, the reason class of its shortest run and the step where its rule matched.</summary>
public sealed record OrderOutcomeJson(string Verdict, string? Reason, int? ReasonStep, int TraceSteps, long States);

/// <summary><c>pilab barriers --json</c>, schema <c>pilab.barriers/1</c> (docs/json.md).</summary>
public sealed record BarriersDocument(
    string Variant,
    string Design,
    string Configuration,
    string TsoVerdict,
    int TsoRunLength,
    string ScVerdict,
    int ScRunLength,
    bool Impossible,
    bool Bounded,
    int MaxBarriers,
    ImmutableArray<string> Candidates,
    ImmutableArray<BarrierSetJson> Minimal,
    ImmutableArray<ExistingBarrierJson> Existing,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Interrupted)
{
    [JsonPropertyOrder(-2)] public string Schema => PilabJson.BarriersSchema;
    [JsonPropertyOrder(-1)] public string PilabVersion => PilabJson.Version;
}

/// <summary>A minimal set of added barriers and the sequences with them; <see cref="Block"/> for the whole-system designs only.</summary>
public sealed record BarrierSetJson(
    ImmutableArray<string> Places,
    string Entry,
    string Injector,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Block);

public sealed record ExistingBarrierJson(string Place, string? Kernel, bool Needed, bool NoOp, string VerdictWithout, int RunLength);

/// <summary><c>pilab live --json</c>, schema <c>pilab.live/1</c> (docs/json.md).</summary>
public sealed record LiveDocument
{
    [JsonPropertyOrder(-2)] public string Schema => PilabJson.LiveSchema;
    [JsonPropertyOrder(-1)] public string PilabVersion => PilabJson.Version;
    public required string Variant { get; init; }
    public required string Verdict { get; init; }
    public required LiveOptionsJson Options { get; init; }
    public required int Cores { get; init; }
    public required double Seconds { get; init; }
    public required long Posted { get; init; }
    public required long Accepted { get; init; }
    public required long CoalescedInPir { get; init; }
    public required long MergedInVIrr { get; init; }
    public required long OnAlreadySet { get; init; }
    public required long Delivered { get; init; }
    public required double PostsPerSecond { get; init; }
    public required double DeliveriesPerSecond { get; init; }
    public required long NotifyIpis { get; init; }
    public required long ReschedIpis { get; init; }
    public required long VmExits { get; init; }
    public required long GuestExits { get; init; }
    public required long ReschedExits { get; init; }
    public required long Entries { get; init; }
    public required long CancelledEntries { get; init; }
    public required long DummyHandlerRuns { get; init; }
    public required long PiProcess { get; init; }
    public required long SyncDrains { get; init; }
    public required long UnstampedDeliveries { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public LatencyJson? LatencyNs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? RoundTripNs { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? P50InRoundTrips { get; init; }
    public required long StrandsDetected { get; init; }
    public required long Rescues { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public double? FirstStrandSeconds { get; init; }
    public required ImmutableArray<StrandJson> Strands { get; init; }
    public required bool Settled { get; init; }
    public required ImmutableArray<int> StrandedAtEnd { get; init; }
    public required bool OnLeftSet { get; init; }
    public required string? EndState { get; init; }
    public required bool LostInterrupt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Interrupted { get; init; }
    /// <summary>Where the threads and the shared lines were (docs/live.md, placement).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public LivePlacementJson? Placement { get; init; }
    /// <summary>The aligned mode's figures (with --aligned only; docs/live.md).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public LiveAlignedJson? Aligned { get; init; }
}

/// <summary>How the threads were pinned (a sentence), each thread's CPU (null: unpinned), and each shared group's offset in its 64-byte line.</summary>
public sealed record LivePlacementJson(string Pinning, ImmutableArray<LiveThreadJson> Threads, int BlockAlignment, bool LinesAligned, LiveLineOffsetsJson OffsetInLine);

/// <summary>Where <c>pilab live --calibrate</c>'s two threads ran: pinned as a live run's P0 (A) and first injector (B), or why not.</summary>
public sealed record CalibrationPlacementJson(string Pinning, ImmutableArray<LiveThreadJson> Threads);

public sealed record LiveThreadJson(
    string Thread,
    int? Cpu,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

public sealed record LiveLineOffsetsJson(long Descriptor, long Mode, long Pending, long P0Published, long P0Counters, ImmutableArray<long> InjectorCounters);

/// <summary>The aligned mode: rounds, their rate, stranded rounds per million, the checker's verdicts next to them, and with --calibrate the litmus rate.</summary>
public sealed record LiveAlignedJson(
    long Rounds,
    double RoundsPerSecond,
    double StrandsPerMillionRounds,
    long VectorsClearedByReset,
    int Jitter,
    string CheckerTso,
    int CheckerTsoRunLength,
    string CheckerSc,
    int CheckerScRunLength,
    bool ShownOnThisCpu,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? LitmusReordersPerMillion);

public sealed record LiveOptionsJson(
    double? Seconds,
    int Injectors,
    double Rate,
    double ExitRate,
    bool Chaos,
    ulong Seed,
    long MaxPosts,
    int VectorsPerInjector,
    double StallMs,
    bool Pin,
    bool Aligned,
    int Jitter);

/// <summary>Post-to-guest-handler latency in nanoseconds.</summary>
public sealed record LatencyJson(long Count, double P50, double P99, double P999, double Max, double Mean);

public sealed record StrandJson(double AtSeconds, double StuckMs, ImmutableArray<int> Vectors, string State, string Detail);

/// <summary><c>pilab live --calibrate --json</c> with no variant, schema <c>pilab.calibration/1</c> (docs/json.md).</summary>
public sealed record CalibrationDocument(
    double RoundTripNs,
    double BestRoundTripNs,
    int Batches,
    int RoundTripsPerBatch,
    long LitmusRounds,
    long LitmusReorders,
    int LitmusJitter,
    ulong LitmusSeed,
    int Cores,
    CalibrationPlacementJson Placement)
{
    [JsonPropertyOrder(-2)] public string Schema => PilabJson.CalibrationSchema;
    [JsonPropertyOrder(-1)] public string PilabVersion => PilabJson.Version;
}
