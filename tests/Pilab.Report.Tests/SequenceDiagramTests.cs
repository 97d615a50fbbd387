using System.Xml.Linq;
using CsCheck;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Report.Tests;

public sealed class SequenceDiagramTests
{
    [Theory]
    [MemberData(nameof(Runs.Losing), MemberType = typeof(Runs))]
    public void Diagram_DrawsOneStepPerTraceStep_InOrder_WithSpecNames(string variant, MemoryModel mm, int k)
    {
        var r = Runs.Get(variant, mm, k);
        var doc = Runs.ParseSvg(r);
        var steps = Runs.WithClass(doc, "step").ToList();
        Assert.Equal(r.Trace!.Steps.Length, steps.Count);
        Assert.Equal(Enumerable.Range(1, steps.Count), steps.Select(g => (int)g.Attribute("data-index")!));
        Assert.Equal(r.Trace.Steps.Select(s => s.Step), steps.Select(g => (string)g.Attribute("data-step")!));
        Assert.Equal(r.Trace.Steps.Length.ToString(), (string?)doc.Root!.Attribute("data-steps"));
        // Every step shows its docs/model.md name in its box.
        foreach (var (g, s) in steps.Zip(r.Trace.Steps))
            Assert.Contains(Runs.WithClass(g, "step-name"), t => t.Value == s.Step);
    }

    [Theory]
    [MemberData(nameof(Runs.Losing), MemberType = typeof(Runs))]
    public void Diagram_MarksTheStrandedVectors_AndEndsWithTheDiagnosis(string variant, MemoryModel mm, int k)
    {
        var r = Runs.Get(variant, mm, k);
        var doc = Runs.ParseSvg(r);
        var last = r.Trace!.Steps[^1].After;
        var stranded = Runs.WithClass(doc, "stranded").Where(e => e.Name == Runs.Svg + "g").ToList();
        Assert.Single(stranded);
        Assert.Equal(SequenceLayout.Bits(Trace.Find(last, Field.Pir)), (string?)stranded[0].Attribute("data-vectors"));
        Assert.Contains(Runs.WithClass(stranded[0], "cell"), c => Runs.HasClass(c, "stranded"));
        string diagnosis = string.Concat(Runs.WithClass(doc, "diag-text").Single().Descendants(Runs.Svg + "tspan").Select(t => t.Value + " "));
        Assert.Equal("⇒ " + TraceText.Diagnosis(r.Trace), diagnosis.Trim().Replace("  ", " "));
    }

    [Fact]
    public void PatchV1_TellsTheSeedRace_StepByStep()
    {
        // The seed's race: P0 reads ON = 0 (2) before the injector sets PIR (1) and ON (2); the injector
        // then reads mode = OUTSIDE (3), so notify (4a) sends nothing and the kick's cmpxchg (4b) fails;
        // P0 sets IN_GUEST (3), checks (4b) and enters with v1 stranded. No IPI anywhere.
        var r = Runs.Get("patch-v1", MemoryModel.SC, 1);
        var layout = SequenceLayout.Build(r.Trace!);
        Assert.Equal(["P1 injector", "memory", "P0 vCPU thread", "P0 processor", "guest"], layout.Lifelines.Select(l => l.Title));
        Assert.Equal(1, layout.StrandedVectors);
        var arrows = layout.Steps.Select(d => string.Join(";", d.Arrows.Select(a => $"{a.Kind}:{layout.Lifelines[a.From].Title}->{layout.Lifelines[a.To].Title}:{a.Label}"))).ToList();
        Assert.Equal(
        [
            "",
            "Load:memory->P0 vCPU thread:ON = 0",
            "Locked:P1 injector->memory:set v1 in PIR",
            "Locked:P1 injector->memory:set ON",
            "Load:memory->P1 injector:mode = OUTSIDE",
            "",
            "Locked:P1 injector->memory:cmpxchg fails",
            "Store:P0 vCPU thread->memory:mode = IN_GUEST",
            "",
            "Load:memory->P0 vCPU thread:mode = IN_GUEST",
            "Transition:P0 vCPU thread->guest:VM entry",
        ], arrows);
        Assert.Equal("mode was OUTSIDE: no IPI", layout.Steps[5].Note);
        // Only the pir.set that posted v1 is drawn as the post of the stranded vector.
        Assert.Equal([3], layout.Steps.Where(d => d.PostsStranded).Select(d => d.Step.Index));
        Assert.DoesNotContain(Runs.WithClass(Runs.ParseSvg(r), "a-ipi"), InStep);
    }

    [Fact]
    public void IrqLate_DrawsTheNotifyIpi_ThatTheDummyHandlerEats()
    {
        var r = Runs.Get("irq-late", MemoryModel.SC, 1);
        var doc = Runs.ParseSvg(r);
        var ipi = Runs.WithClass(doc, "a-ipi").Where(InStep).ToList();
        Assert.Single(ipi);
        var notify = ipi[0].Ancestors(Runs.Svg + "g").First(g => Runs.HasClass(g, "step"));
        Assert.Equal("notify", (string?)notify.Attribute("data-step"));
        Assert.Contains(Runs.WithClass(doc, "note"), n => n.Value == "dummy handler eats NOTIFY");
    }

    /// <summary>Arrows drawn for a step (the legend draws one of each kind too).</summary>
    private static bool InStep(XElement e) => e.Ancestors().Any(g => Runs.HasClass(g, "step"));

    [Fact]
    public void Tso_DrawsP0StoreBuffer_AndTheBufferedModeStore()
    {
        var tso = SequenceLayout.Build(Runs.Get("fixed-nomb", MemoryModel.TSO, 1).Trace!);
        Assert.Contains(tso.Lifelines, l => l.Kind == LifelineKind.StoreBuffer);
        var modeIn = tso.Steps.Single(d => d.Step.Step == "mode.in");
        Assert.Equal(tso.BufferLine, modeIn.Arrows.Single().To);
        Assert.Contains(tso.Steps, d => d.Step.Step == "flush" && d.Arrows.Single().Kind == ArrowKind.Flush);
        // check reads mode from P0's own buffer (store forwarding), on.read reads ON from memory.
        Assert.Equal(tso.BufferLine, tso.Steps.Single(d => d.Step.Step == "check").Arrows.Single().From);
        Assert.Equal(tso.MemoryLine, tso.Steps.Single(d => d.Step.Step == "on.read").Arrows.Single().From);

        var sc = SequenceLayout.Build(Runs.Get("patch-v1", MemoryModel.SC, 1).Trace!);
        Assert.DoesNotContain(sc.Lifelines, l => l.Kind == LifelineKind.StoreBuffer);
        Assert.Equal(-1, sc.BufferLine);
    }

    [Theory]
    [MemberData(nameof(Runs.Losing), MemberType = typeof(Runs))]
    public void SeedBadges_OnePerNumberedStep_WithTheSeedsNumber(string variant, MemoryModel mm, int k)
    {
        var r = Runs.Get(variant, mm, k);
        var badges = Runs.ParseSvg(r).Descendants(Runs.Svg + "g")
            .Where(g => Runs.HasClass(g, "step"))
            .SelectMany(g => Runs.WithClass(g, "seed").Select(b => b.Value)).ToList();
        Assert.Equal(r.Trace!.Steps.Where(s => s.Seed is not null).Select(s => s.Seed!), badges);
    }

    [Fact]
    public void MarkerIds_CarryThePrefix_SoSeveralDiagramsShareAPage()
    {
        var svg = SequenceDiagram.Render(Runs.Get("patch-v1", MemoryModel.SC, 1), "run-x");
        var ids = svg.Descendants().Select(e => (string?)e.Attribute("id")).Where(i => i is not null).ToList();
        Assert.NotEmpty(ids);
        Assert.All(ids, id => Assert.StartsWith("run-x-", id));
        Assert.All(svg.Descendants().Select(e => (string?)e.Attribute("marker-end")).Where(m => m is not null),
            m => Assert.Contains(m!.Substring(5, m.Length - 6), ids));
    }

    [Fact]
    public void PrePatchDesign_ShowsTheEventRequest_InMemory_FromReqSetToTheEnd()
    {
        // A pre-patch variant that loses (irq.off after check, so the dummy handler eats NOTIFY): its
        // injector's req.set must show up as EVENT in the memory row and stay to the end.
        var loaded = VariantFile.Parse("""
            name: prepatch-late
            entry: mode.in mb check irq.off enter
            injector: pir.set on.set req.set mode.read notify kick
            on-already-set: kick
            requests: prepatch
            """, "test.variant");
        Assert.True(loaded.Ok, string.Join("; ", loaded.Errors));
        var r = ModelChecker.Check(loaded.Variant!, new Configuration());
        Assert.Equal(Verdict.Violation, r.Verdict);
        var doc = Runs.ParseSvg(r);
        var steps = Runs.WithClass(doc, "step").ToList();
        int reqSet = steps.FindIndex(g => (string?)g.Attribute("data-step") == "req.set");
        Assert.True(reqSet > 0);
        for (int i = 0; i < steps.Count; i++)
        {
            var cells = Runs.WithClass(steps[i], "cell-text").Select(t => t.Value).ToList();
            Assert.Equal(4, cells.Count);
            Assert.Equal(i >= reqSet ? "EVENT" : "-", cells[3]);
        }
        var end = Runs.WithClass(doc, "end").Single();
        Assert.Contains(Runs.WithClass(end, "cell-text"), t => t.Value == "EVENT");
    }

    [Fact]
    public void SafeResult_HasNoDiagram_AndSaysWhy()
    {
        var e = Assert.Throws<ArgumentException>(() => SequenceDiagram.Render(Runs.Get("fixed", MemoryModel.TSO, 2)));
        Assert.Contains("no trace", e.Message);
    }

    /// <summary>
    /// Law: for any losing run in any configuration, the drawing has exactly one step group per trace
    /// step, is well-formed XML, and every arrow joins two distinct lifelines of the diagram.
    /// </summary>
    [Fact]
    public void AnyLosingRun_DrawsEveryStep_AsWellFormedSvg()
    {
        var losing = Builtins.EntryDesigns.Where(v => v.Name is "patch-v1" or "irq-late" or "fixed-nomb").ToArray();
        var gen = Gen.Select(Gen.Int[0, losing.Length - 1], Gen.Int[1, 3], Gen.Int[1, 2], Gen.Int[0, 1], Gen.Bool, Gen.Bool,
            (v, k, n, e, same, tso) => (Variant: losing[v], Config: new Configuration(k, n, e, same, tso ? MemoryModel.TSO : MemoryModel.SC)));
        gen.Sample(c =>
        {
            var r = ModelChecker.Check(c.Variant, c.Config);
            if (r.Trace is null) return true; // fixed-nomb under SC loses nothing: nothing to draw
            var layout = SequenceLayout.Build(r.Trace!);
            var doc = XDocument.Parse(SequenceDiagram.ToFile(SequenceDiagram.Render(r)));
            return layout.Steps.Length == r.Trace.Steps.Length
                && Runs.WithClass(doc, "step").Count() == r.Trace.Steps.Length
                && layout.Steps.All(d => d.Arrows.All(a => a.From != a.To && a.From >= 0 && a.To >= 0 && a.From < layout.Lifelines.Length && a.To < layout.Lifelines.Length));
        }, iter: 40);
    }
}
