using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Report;

/// <summary>
/// The machine-readable result, schema <c>pilab.check/1</c> (documented in docs/json.md). Fields
/// are only ever added, never renamed or removed, within a schema version.
/// </summary>
public static class JsonReport
{
    public const string Schema = "pilab.check/2";

    /// <summary>pilab check's table: one result per check, of every design.</summary>
    public static string Write(IEnumerable<CheckResult> results) =>
        Indented(w =>
        {
            w.WriteStartObject();
            w.WriteString("schema", Schema);
            w.WriteStartArray("results");
            foreach (var r in results) WriteResult(w, r);
            w.WriteEndArray();
            w.WriteEndObject();
        });

    public static string Write(CheckResult result) => Indented(w => WriteResult(w, result, withSchema: true));

    private static string Indented(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
            write(w);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>The engine's figures, the same fields for both models (docs/json.md).</summary>
    private static void WriteExploration(Utf8JsonWriter w, ExplorationResult x)
    {
        w.WriteString("verdict", VerdictName(x.Verdict));
        w.WriteNumber("states", x.States);
        w.WriteNumber("transitions", x.Transitions);
        w.WriteNumber("terminals", x.Terminals);
        w.WriteNumber("maxDepth", x.MaxDepth);
        w.WriteNumber("seconds", Math.Round(x.Elapsed.TotalSeconds, 4));
        w.WriteStartObject("reductions");
        w.WriteBoolean("partialOrder", x.PartialOrder);
        w.WriteBoolean("symmetry", x.Symmetry);
        w.WriteEndObject();
        w.WriteNumber("workers", x.Workers);
        w.WriteBoolean("hashCompaction", x.HashCompaction);
        w.WriteNumber("omissionProbability", x.OmissionProbability);
        w.WriteNumber("bytesPerState", Math.Round(x.BytesPerState, 1));
        if (x.BoundMessage is null) w.WriteNull("bound"); else w.WriteString("bound", x.BoundMessage);
    }

    /// <summary>
    /// The losing run, or null when there is none, in one schema for both models: its length, one
    /// object a step (who, on which CPU, the step's name and seed number, the access, the IPI, what it
    /// read and decided, the fields it changed, and its effects in words) and the diagnosis, in words
    /// and as data.
    /// </summary>
    private static void WriteTrace(Utf8JsonWriter w, Trace? trace)
    {
        if (trace is null) { w.WriteNull("trace"); return; }
        w.WriteStartObject("trace");
        w.WriteNumber("length", trace.Steps.Length);
        w.WriteStartArray("hostCpus");
        foreach (int c in trace.HostCpus) w.WriteStringValue(TraceText.Cpu(c));
        w.WriteEndArray();
        w.WriteStartArray("steps");
        foreach (var s in trace.Steps)
        {
            w.WriteStartObject();
            w.WriteNumber("index", s.Index);
            if (s.Cpu is { } cpu) w.WriteString("cpu", TraceText.Cpu(cpu)); else w.WriteNull("cpu");
            w.WriteString("actor", TraceText.Actor(trace, s));
            w.WriteString("actorKind", Kebab(s.Actor.ToString()));
            w.WriteNumber("instance", s.Instance);
            w.WriteString("step", s.Step);
            if (s.Seed is null) w.WriteNull("seed"); else w.WriteString("seed", s.Seed);
            w.WriteString("access", Kebab(s.Access.ToString()));
            if (s.Target is { } target) w.WriteString("target", TraceText.Name(target)); else w.WriteNull("target");
            if (s.Ipi is { } ipi)
            {
                w.WriteStartObject("ipi");
                w.WriteString("vector", TraceText.Vector(ipi.Vector));
                w.WriteString("target", TraceText.Cpu(ipi.TargetCpu));
                w.WriteEndObject();
            }
            else w.WriteNull("ipi");
            w.WriteString("outcome", Kebab(s.Outcome.ToString()));
            w.WriteStartArray("reads");
            foreach (var r in s.Reads)
            {
                w.WriteStartObject();
                WriteField(w, r.Field, r.Cpu);
                WriteValue(w, "value", r.Field, r.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("changes");
            foreach (var c in s.Changes)
            {
                w.WriteStartObject();
                WriteField(w, c.Field, c.Cpu);
                WriteValue(w, "before", c.Field, c.Before);
                WriteValue(w, "after", c.Field, c.After);
                w.WriteBoolean("buffered", c.Buffered);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("postDone", s.PostDone);
            w.WriteStartArray("effects");
            foreach (var e in TraceText.Effects(trace, s)) w.WriteStringValue(e.Text);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("diagnosis", TraceText.Diagnosis(trace));
        w.WriteString("ending", Kebab(trace.Diagnosis.Ending.ToString()));
        w.WriteStartArray("causes");
        foreach (var c in trace.Diagnosis.Causes) w.WriteStringValue(Kebab(c.Kind.ToString()));
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteField(Utf8JsonWriter w, Field f, int cpu)
    {
        w.WriteString("field", TraceText.Name(f));
        if (cpu >= 0) w.WriteString("cpu", TraceText.Cpu(cpu));
    }

    /// <summary>A value as data: a vector set as an array of vectors, a flag as 0/1, a mode, vector or CPU by its name.</summary>
    private static void WriteValue(Utf8JsonWriter w, string name, Field f, int v)
    {
        switch (f)
        {
            case Field.Pir or Field.VIrr or Field.Delivered:
                w.WriteStartArray(name);
                for (int i = 0; i < PiState.VectorCount; i++)
                    if ((v & (1 << i)) != 0) w.WriteStringValue($"v{i + 1}");
                w.WriteEndArray();
                break;
            case Field.On or Field.Sn or Field.Waiter or Field.EventRequest or Field.IF or Field.Halted or Field.Guest:
                w.WriteNumber(name, v);
                break;
            case Field.Ndst or Field.ThreadCpu or Field.VcpuCpu or Field.Wakelist when v < 0:
                w.WriteNull(name);
                break;
            default:
                w.WriteString(name, TraceText.Value(f, v));
                break;
        }
    }

    /// <summary>PascalCase to kebab-case: LockedRmw to locked-rmw.</summary>
    private static string Kebab(string pascal) =>
        string.Concat(pascal.Select((ch, i) => char.IsUpper(ch) ? (i > 0 ? "-" : "") + char.ToLowerInvariant(ch) : ch.ToString()));

    /// <summary>The one verdict vocabulary of every command's JSON (check, explain, synthesize, barriers, live).</summary>
    public static string VerdictName(Verdict v) => Verdicts.Name(v);

    private static void WriteResult(Utf8JsonWriter w, CheckResult r, bool withSchema = false)
    {
        var v = r.Variant;
        var c = r.Configuration;
        w.WriteStartObject();
        if (withSchema) w.WriteString("schema", Schema);
        w.WriteStartObject("variant");
        w.WriteString("name", v.Name);
        w.WriteString("description", v.Description);
        w.WriteString("design", DesignNames.Name(v.Design));
        w.WriteString("model", r.Model.Name);
        w.WriteBoolean("finding", v.Finding);
        w.WriteString("entry", v.EntryText);
        w.WriteString("injector", v.InjectorText);
        if (v.IsAvic)
        {
            w.WriteString("cpuSender", AvicPolicy.Name(v.Avic.Sender));
            w.WriteBoolean("ipiv", v.Avic.Ipiv);
            w.WriteString("unblockLoad", AvicPolicy.Name(v.Avic.UnblockLoad));
            w.WriteString("irteAssign", AvicPolicy.Name(v.Avic.IrteAssign));
            w.WriteBoolean("blockingPreemptible", v.Avic.BlockingPreemptible);
        }
        else if (!v.WholeSystem)
        {
            w.WriteString("onAlreadySet", StepNames.Name(v.OnAlreadySet));
            w.WriteString("requests", StepNames.Name(v.Requests));
        }
        else
        {
            w.WriteString("block", v.BlockText);
            w.WriteString("schedIn", v.SchedInText);
            w.WriteString("schedOutBlock", v.SchedOutBlockText);
            w.WriteString("wakeupVector", StepNames.Name(v.WakeupVector));
            w.WriteString("blockedNdst", StepNames.Name(v.BlockedNdst));
        }
        w.WriteEndObject();
        w.WriteStartObject("configuration");
        w.WriteString("memoryModel", c.Memory == MemoryModel.SC ? "sc" : "tso");
        w.WriteNumber("injectors", c.Injectors);
        w.WriteNumber("iommu", c.Iommu);
        w.WriteBoolean("sameVector", c.SameVector);
        w.WriteNumber("posts", c.Posts);
        w.WriteNumber("exits", c.Exits);
        w.WriteNumber("halts", c.Halts);
        w.WriteNumber("preemptions", c.Preemptions);
        w.WriteNumber("migrations", c.Migrations);
        w.WriteBoolean("irqPriority", c.IrqPriority);
        w.WriteEndObject();
        WriteExploration(w, r.Exploration);
        WriteTrace(w, r.Trace);
        w.WriteEndObject();
    }
}
