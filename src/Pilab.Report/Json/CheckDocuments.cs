using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Pilab.Report.Json;

/// <summary>
/// One check's result in schema <c>pilab.check/2</c> (docs/json.md, docs/schema/pilab.check-2.schema.json),
/// the same fields for every design. A member of <see cref="CheckListDocument.Results"/>; printed alone
/// as a <see cref="CheckDocument"/>.
/// </summary>
public record CheckResultJson
{
    public required VariantJson Variant { get; init; }
    public required ConfigurationJson Configuration { get; init; }
    public required string Verdict { get; init; }
    public required long States { get; init; }
    public required long Transitions { get; init; }
    public required long Terminals { get; init; }
    public required int MaxDepth { get; init; }
    public required double Seconds { get; init; }
    public required ReductionsJson Reductions { get; init; }
    public required int Workers { get; init; }
    public required long RemoteMessages { get; init; }
    public required int MessageBytes { get; init; }
    public required bool HashCompaction { get; init; }
    public required string? Store { get; init; }
    public required double OmissionProbability { get; init; }
    public required double BytesPerState { get; init; }
    public required string? Bound { get; init; }
    public required TraceJson? Trace { get; init; }
}

/// <summary><c>pilab check &lt;variant&gt; --json</c> and <c>pilab explain --json</c>: one result with the schema and pilab's version first.</summary>
public record CheckDocument : CheckResultJson
{
    [SetsRequiredMembers] public CheckDocument(CheckResultJson result) : base(result) { }

    [JsonPropertyOrder(-2)] public string Schema => PilabJson.CheckSchema;
    [JsonPropertyOrder(-1)] public string PilabVersion => PilabJson.Version;
}

/// <summary><c>pilab check --cost --json</c>: the result with a <c>cost</c> member last (null for a losing check).</summary>
public sealed record CheckCostDocument : CheckDocument
{
    [SetsRequiredMembers] public CheckCostDocument(CheckResultJson result, CostJson? cost) : base(result) => Cost = cost;

    [JsonPropertyOrder(1)] public CostJson? Cost { get; init; }
}

/// <summary><c>pilab check --json</c> with no variant: every check of the table.</summary>
public sealed record CheckListDocument(ImmutableArray<CheckResultJson> Results)
{
    [JsonPropertyOrder(-2)] public string Schema => PilabJson.CheckSchema;
    [JsonPropertyOrder(-1)] public string PilabVersion => PilabJson.Version;
}

/// <summary>The variant checked; the design-dependent fields are absent where the design has none.</summary>
public sealed record VariantJson(
    string Name,
    string Description,
    string Design,
    string Model,
    bool Finding,
    string Entry,
    string Injector)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? OnAlreadySet { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Requests { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Block { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SchedIn { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? SchedOutBlock { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? WakeupVector { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? BlockedNdst { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? OnRecompute { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? IommuSn { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Preempted { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? PreemptPut { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? HostPreempt { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? CpuSender { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? Ipiv { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? UnblockLoad { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? IrteAssign { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public bool? BlockingPreemptible { get; init; }
}

public sealed record ConfigurationJson(
    string MemoryModel,
    int Injectors,
    int Iommu,
    int Ipiv,
    bool SameVector,
    int Posts,
    int Exits,
    int Halts,
    int Preemptions,
    int Migrations,
    bool IrqPriority);

public sealed record ReductionsJson(bool PartialOrder, bool Symmetry, bool Chains);

/// <summary>The losing run: its steps as data, the diagnosis in words and as data.</summary>
public sealed record TraceJson(
    int Length,
    ImmutableArray<string> HostCpus,
    ImmutableArray<StepJson> Steps,
    string Diagnosis,
    string Ending,
    ImmutableArray<string> Causes);

public sealed record StepJson(
    int Index,
    string? Cpu,
    string Actor,
    string ActorKind,
    int Instance,
    string Step,
    string? Seed,
    string Access,
    string? Target,
    IpiJson? Ipi,
    string Outcome,
    ImmutableArray<ReadJson> Reads,
    ImmutableArray<ChangeJson> Changes,
    bool PostDone,
    ImmutableArray<string> Effects);

public sealed record IpiJson(string Vector, string Target);

/// <summary>
/// A value read: <see cref="Value"/> is a vector set as an array of vectors, a flag as 0 or 1, a CPU
/// that is none as null, anything else by its name (JsonReport.Value).
/// </summary>
public sealed record ReadJson(
    string Field,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Cpu,
    JsonNode? Value);

public sealed record ChangeJson(
    string Field,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Cpu,
    JsonNode? Before,
    JsonNode? After,
    bool Buffered);

/// <summary>
/// <c>pilab check --cost</c>'s figures: per run, each metric's fewest and most (null when a cycle makes
/// it unbounded), and the posts to divide by; or, where the graph is too large, why not.
/// </summary>
public sealed record CostJson(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Posts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CostPerRunJson? PerRun,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? NotComputed);

/// <summary>One member per metric, named as the metric (Pilab.Analysis.CostMetric), in its order.</summary>
public sealed record CostPerRunJson(
    [property: JsonPropertyName("NotifyIpi")] CostRangeJson NotifyIpi,
    [property: JsonPropertyName("ReschedIpi")] CostRangeJson ReschedIpi,
    [property: JsonPropertyName("CancelledEntry")] CostRangeJson CancelledEntry,
    [property: JsonPropertyName("VmExit")] CostRangeJson VmExit,
    [property: JsonPropertyName("HostHandler")] CostRangeJson HostHandler,
    [property: JsonPropertyName("EventRequest")] CostRangeJson EventRequest);

public sealed record CostRangeJson(int Min, int? Max, bool Unbounded);
