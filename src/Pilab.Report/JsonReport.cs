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

    /// <summary>The losing run, or null when there is none: its length, one object a step (the fields
    /// <paramref name="writeStep"/> writes, which differ between the two models) and the diagnosis.</summary>
    private static void WriteTrace<TStep>(Utf8JsonWriter w, ImmutableArray<TStep>? steps, string? diagnosis, Action<TStep> writeStep)
    {
        if (steps is not { } all) { w.WriteNull("trace"); return; }
        w.WriteStartObject("trace");
        w.WriteNumber("length", all.Length);
        w.WriteStartArray("steps");
        foreach (var s in all)
        {
            w.WriteStartObject();
            writeStep(s);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("diagnosis", diagnosis);
        w.WriteEndObject();
    }

    private static void WriteEffects(Utf8JsonWriter w, ImmutableArray<string> effects)
    {
        w.WriteStartArray("effects");
        foreach (var e in effects) w.WriteStringValue(e);
        w.WriteEndArray();
    }

    /// <summary>The one verdict vocabulary of every command's JSON (check, explain, synthesize, barriers, live).</summary>
    public static string VerdictName(Verdict v) => v switch
    {
        Verdict.Safe => "safe",
        Verdict.Violation => "violation",
        Verdict.Stuck => "stuck",
        Verdict.BoundReached => "bound-reached",
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };

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
        if (!v.WholeSystem)
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
        if (r.SystemTrace is { } st)
            WriteTrace<Pilab.Model.WholeSystem.SystemStep>(w, st.Steps, st.Diagnosis, s =>
            {
                w.WriteNumber("index", s.Index);
                w.WriteString("actor", s.Actor);
                w.WriteString("step", s.Step);
                WriteEffects(w, s.Effects);
            });
        else
            WriteTrace(w, r.Trace?.Steps, r.Trace?.Diagnosis, s =>
            {
                w.WriteNumber("index", s.Index);
                w.WriteString("cpu", $"P{s.Cpu}");
                w.WriteString("actor", s.Actor);
                w.WriteString("step", s.Step);
                if (s.Seed is null) w.WriteNull("seed"); else w.WriteString("seed", s.Seed);
                WriteEffects(w, s.Effects);
            });
        w.WriteEndObject();
    }
}
