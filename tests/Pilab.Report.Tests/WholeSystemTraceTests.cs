using System.Text.Json;
using System.Xml.Linq;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Report.Tests;

/// <summary>The whole-system model's runs through the same renderers as section 2-6's: the diagram and the JSON.</summary>
public sealed class WholeSystemTraceTests
{
    /// <summary>ndst-blocked-migration in the configuration that loses it: k=0 j=1 h=1 p=1 m=1 (its own check configuration).</summary>
    public static CheckResult NdstBlockedMigration(MemoryModel mm = MemoryModel.SC) =>
        SystemChecker.Check(Builtins.NdstBlockedMigration, Builtins.NdstBlockedMigration.Check with { Memory = mm });

    [Fact]
    public void Diagram_HasTheWholeSystemsLifelines_AndTheModelsCells()
    {
        var r = NdstBlockedMigration();
        var layout = SequenceLayout.Build(r.Trace!);
        Assert.Equal(["IOMMU 1", "memory", "vCPU thread", "P0 processor", "P2 processor", "guest"], layout.Lifelines.Select(l => l.Title));
        Assert.Equal(SystemNarrator.Cells, r.Trace!.Cells);
        Assert.Equal("PIR · ON · SN · NV · NDST · vIRR · P0 wake list · P2 wake list · thread's CPU · thread state · mode", layout.Lifelines[layout.MemoryLine].Subtitle);
        // The IOMMU's WAKEUP goes to P2 (NDST), whose handler finds nobody on its wake list.
        var notify = layout.Steps.Single(d => d.Step.Step == "iommu.notify");
        Assert.Equal("Ipi:IOMMU 1->P2 processor:WAKEUP IPI", string.Join(";", notify.Arrows.Select(a => $"{a.Kind}:{layout.Lifelines[a.From].Title}->{layout.Lifelines[a.To].Title}:{a.Label}")));
        Assert.Equal(layout.ProcessorLines[2], layout.Steps[^1].Lifeline);

        var doc = XDocument.Parse(SequenceDiagram.ToFile(SequenceDiagram.Render(r)));
        var steps = Runs.WithClass(doc, "step").ToList();
        Assert.Equal(r.Trace.Steps.Select(s => s.Step), steps.Select(g => (string?)g.Attribute("data-step")));
        var heads = Runs.WithClass(doc, "head").Select(h => h.Descendants(Runs.Svg + "text").First().Value).ToList();
        Assert.Equal(layout.Lifelines.Select(l => l.Title), heads);
        // Every step draws all eleven cells; the end row marks v1 stranded in PIR.
        Assert.All(steps, g => Assert.Equal(11, Runs.WithClass(g, "cell").Count()));
        var end = Runs.WithClass(doc, "end").Single();
        Assert.Contains(end.Descendants(Runs.Svg + "text"), t => t.Value == "P0 list: vCPU");
        Assert.Contains(end.Descendants(Runs.Svg + "text"), t => t.Value == "asleep");
        Assert.Equal("v1", (string?)Runs.WithClass(end, "stranded").First().Attribute("data-vectors"));
    }

    [Fact]
    public void Diagram_Tso_DrawsTheThreadsStoreBuffer()
    {
        var r = SystemChecker.Check(Builtins.HaltWithoutWakeupVector, new Configuration(Injectors: 0, Iommu: 1, Halts: 1, Memory: MemoryModel.TSO));
        var layout = SequenceLayout.Build(r.Trace!);
        Assert.Contains(layout.Lifelines, l => l.Kind == LifelineKind.StoreBuffer);
        Assert.Contains(layout.Steps, d => d.Step.Step == "flush" && d.Arrows.Single().Kind == ArrowKind.Flush);
        Assert.Equal(["IOMMU 1", "memory", "store buffer", "vCPU thread", "P0 processor", "P2 processor", "guest"], layout.Lifelines.Select(l => l.Title));
    }

    /// <summary>The field names of every trace step object and of the trace object, over a JSON document.</summary>
    private static (HashSet<string> Trace, HashSet<string> Step) Shape(string json)
    {
        var trace = JsonDocument.Parse(json).RootElement.GetProperty("trace");
        var steps = trace.GetProperty("steps").EnumerateArray().Select(s => s.EnumerateObject().Select(p => p.Name).ToHashSet()).ToList();
        Assert.All(steps, s => Assert.Equal(steps[0], s));
        return (trace.EnumerateObject().Select(p => p.Name).ToHashSet(), steps[0]);
    }

    [Fact]
    public void Json_TraceOfBothModels_HasOneSchema()
    {
        var section26 = Shape(JsonReport.Write(Runs.Get("patch-v1", MemoryModel.SC, 1)));
        var whole = Shape(JsonReport.Write(NdstBlockedMigration()));
        Assert.Equal(section26.Trace, whole.Trace);
        Assert.Equal(section26.Step, whole.Step);
        Assert.Superset(new HashSet<string> { "index", "cpu", "actor", "actorKind", "step", "seed", "access", "ipi", "outcome", "reads", "changes", "effects" }, section26.Step);

        var root = JsonDocument.Parse(JsonReport.Write(NdstBlockedMigration())).RootElement.GetProperty("trace");
        var notify = root.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == "iommu.notify");
        Assert.Equal("WAKEUP", notify.GetProperty("ipi").GetProperty("vector").GetString());
        Assert.Equal("P2", notify.GetProperty("ipi").GetProperty("target").GetString());
        var desc = root.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("step").GetString() == "sched.in: desc.update");
        var ndst = desc.GetProperty("changes").EnumerateArray().Single();
        Assert.Equal(("NDST", "P0", "P2"), (ndst.GetProperty("field").GetString(), ndst.GetProperty("before").GetString(), ndst.GetProperty("after").GetString()));
        Assert.Equal("lost", root.GetProperty("ending").GetString());
    }
}
