using System.Text.Json.Nodes;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Report.Json;

namespace Pilab.Report;

/// <summary>
/// A check's result as the records of schema <c>pilab.check/2</c> (docs/json.md), the same fields for
/// every design; <see cref="PilabJson"/> writes them.
/// </summary>
public static class JsonReport
{
    /// <summary>pilab check's table: one result per check, of every design.</summary>
    public static string Write(IEnumerable<CheckResult> results) => PilabJson.Write(new CheckListDocument([.. results.Select(Result)]));

    public static string Write(CheckResult result) => PilabJson.Write(Document(result));

    /// <summary>One check, with the schema and pilab's version.</summary>
    public static CheckDocument Document(CheckResult r) => new(Result(r));

    /// <summary>One check, as a member of the table's <c>results</c>.</summary>
    public static CheckResultJson Result(CheckResult r)
    {
        var x = r.Exploration;
        return new CheckResultJson
        {
            Variant = Variant(r),
            Configuration = Configuration(r.Configuration),
            Verdict = VerdictName(x.Verdict),
            States = x.States,
            Transitions = x.Transitions,
            Terminals = x.Terminals,
            MaxDepth = x.MaxDepth,
            Seconds = Math.Round(x.Elapsed.TotalSeconds, 4),
            Reductions = new ReductionsJson(x.PartialOrder, x.Symmetry, x.Chains),
            Workers = x.Workers,
            RemoteMessages = x.RemoteMessages,
            MessageBytes = x.MessageBytes,
            HashCompaction = x.HashCompaction,
            Store = x.Store is { } store ? StateStores.Name(store) : null,
            OmissionProbability = x.OmissionProbability,
            BytesPerState = Math.Round(x.BytesPerState, 1),
            Bound = x.BoundMessage,
            Trace = r.Trace is { } t ? Trace(t) : null,
        };
    }

    private static VariantJson Variant(CheckResult r)
    {
        var v = r.Variant;
        var json = new VariantJson(v.Name, v.Description, DesignNames.Name(v.Design), r.Model.Name, v.Finding, v.EntryText, v.InjectorText);
        if (v.IsAvic)
            return json with
            {
                CpuSender = AvicPolicy.Name(v.Avic.Sender),
                Ipiv = v.Avic.Ipiv,
                UnblockLoad = AvicPolicy.Name(v.Avic.UnblockLoad),
                IrteAssign = AvicPolicy.Name(v.Avic.IrteAssign),
                BlockingPreemptible = v.Avic.BlockingPreemptible,
            };
        return v.WholeSystem
            ? json with
            {
                Block = v.BlockText,
                SchedIn = v.SchedInText,
                SchedOutBlock = v.SchedOutBlockText,
                WakeupVector = StepNames.Name(v.WakeupVector),
                BlockedNdst = StepNames.Name(v.BlockedNdst),
                OnRecompute = KernelRuleNames.Name(v.OnRecompute),
                IommuSn = KernelRuleNames.Name(v.IommuSn),
                Preempted = KernelRuleNames.Name(v.Preempted),
                PreemptPut = KernelRuleNames.Name(v.PreemptPut),
                HostPreempt = KernelRuleNames.Name(v.HostPreempt),
            }
            : json with { OnAlreadySet = StepNames.Name(v.OnAlreadySet), Requests = StepNames.Name(v.Requests) };
    }

    private static ConfigurationJson Configuration(Configuration c) => new(
        c.Memory == MemoryModel.SC ? "sc" : "tso", c.Injectors, c.Iommu, c.Ipiv, c.SameVector, c.Posts, c.Exits,
        c.Halts, c.Preemptions, c.Migrations, c.IrqPriority);

    /// <summary>
    /// The losing run in one schema for both models: its length, one record a step (who, on which CPU,
    /// the step's name and seed number, the access, the IPI, what it read and decided, the fields it
    /// changed, and its effects in words) and the diagnosis, in words and as data.
    /// </summary>
    private static TraceJson Trace(Trace trace) => new(
        trace.Steps.Length,
        [.. trace.HostCpus.Select(TraceText.Cpu)],
        [.. trace.Steps.Select(s => Step(trace, s))],
        TraceText.Diagnosis(trace),
        Kebab(trace.Diagnosis.Ending.ToString()),
        [.. trace.Diagnosis.Causes.Select(c => Kebab(c.Kind.ToString()))]);

    private static StepJson Step(Trace trace, TraceEvent s) => new(
        s.Index,
        s.Cpu is { } cpu ? TraceText.Cpu(cpu) : null,
        TraceText.Actor(trace, s),
        Kebab(s.Actor.ToString()),
        s.Instance,
        s.Step,
        s.Seed,
        Kebab(s.Access.ToString()),
        s.Target is { } target ? TraceText.Name(target) : null,
        s.Ipi is { } ipi ? new IpiJson(TraceText.Vector(ipi.Vector), TraceText.Cpu(ipi.TargetCpu)) : null,
        Kebab(s.Outcome.ToString()),
        [.. s.Reads.Select(r => new ReadJson(TraceText.Name(r.Field), Cpu(r.Cpu), Value(r.Field, r.Value)))],
        [.. s.Changes.Select(c => new ChangeJson(TraceText.Name(c.Field), Cpu(c.Cpu), Value(c.Field, c.Before), Value(c.Field, c.After), c.Buffered))],
        s.PostDone,
        [.. TraceText.Effects(trace, s).Select(e => e.Text)]);

    /// <summary>The CPU of a per-CPU field, or null (the member is then absent) for a field of the descriptor or the vCPU.</summary>
    private static string? Cpu(int cpu) => cpu >= 0 ? TraceText.Cpu(cpu) : null;

    /// <summary>A value as data: a vector set as an array of vectors, a flag as 0/1, a CPU that is none as null, a mode, vector or CPU by its name.</summary>
    public static JsonNode? Value(Field f, int v) => f switch
    {
        Field.Pir or Field.VIrr or Field.Delivered or Field.Irr or Field.Recognized =>
            new JsonArray([.. Enumerable.Range(0, PiState.VectorCount).Where(i => (v & (1 << i)) != 0).Select(i => (JsonNode)JsonValue.Create($"v{i + 1}"))]),
        Field.On or Field.Sn or Field.Waiter or Field.EventRequest or Field.IF or Field.Halted or Field.Guest
            or Field.IsRunning or Field.IrteIsRun or Field.GaLogIntr or Field.Doorbell or Field.GaLogPending => JsonValue.Create(v),
        Field.Ndst or Field.ThreadCpu or Field.VcpuCpu or Field.Wakelist or Field.HostId or Field.IrteDest when v < 0 => null,
        _ => JsonValue.Create(TraceText.Value(f, v)),
    };

    /// <summary>PascalCase to kebab-case: LockedRmw to locked-rmw.</summary>
    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(ch) : ch.ToString()));

    /// <summary>The one verdict vocabulary of every command's JSON (check, explain, synthesize, barriers, live).</summary>
    public static string VerdictName(Verdict v) => Verdicts.Name(v);
}
