using System.Text.RegularExpressions;
using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Export.Tests;

/// <summary><c>pilab export --litmus</c>: the prediction for each built-in, and that the test it writes states
/// the race pilab finds: its <c>exists</c> outcome is reachable under SC or x86-TSO (read independently by
/// <see cref="LitmusRunner"/>) exactly when pilab's checker loses through the memory steps.</summary>
public sealed class LitmusExportTests
{
    [Theory]
    [InlineData("prepatch", LitmusPrediction.Never, Verdict.Safe, Verdict.Safe)]
    [InlineData("patch-v1", LitmusPrediction.Sometimes, Verdict.Violation, Verdict.Violation)]
    [InlineData("irq-late", LitmusPrediction.NotCaptured, Verdict.Violation, Verdict.Violation)]
    [InlineData("fixed", LitmusPrediction.Never, Verdict.Safe, Verdict.Safe)]
    [InlineData("fixed-nomb", LitmusPrediction.Sometimes, Verdict.Violation, Verdict.Safe)]
    public void EntryBuiltins_HaveTheirPrediction(string name, LitmusPrediction prediction, Verdict tso, Verdict sc)
    {
        var (p, t, s, recompute) = LitmusExporter.Predict(Builtins.Find(name)!);
        Assert.Equal((prediction, tso, sc, false), (p, t, s, recompute));
        string text = LitmusExporter.Export(Builtins.Find(name)!);
        Assert.StartsWith($"C pilab-{name}\n", text);
        Assert.Contains($" * Result: {(prediction == LitmusPrediction.Sometimes ? "Sometimes" : "Never")}\n", text);
        if (prediction == LitmusPrediction.NotCaptured)
            Assert.Contains("this litmus test does not capture irq-late's race", text);
    }

    [Theory]
    [InlineData("prepatch")]
    [InlineData("patch-v1")]
    [InlineData("irq-late")]
    [InlineData("fixed")]
    [InlineData("fixed-nomb")]
    public void TheOutcome_IsReachable_ExactlyWhenPilabPredictsIt(string name)
    {
        var variant = Builtins.Find(name)!;
        string text = LitmusExporter.Export(variant);
        var (prediction, _, sc, _) = LitmusExporter.Predict(variant);
        Assert.Equal(prediction == LitmusPrediction.Sometimes, LitmusRunner.Reachable(text, tso: true));
        Assert.Equal(prediction == LitmusPrediction.Sometimes && sc == Verdict.Violation, LitmusRunner.Reachable(text, tso: false));
    }

    [Fact]
    public void FixedNoMb_IsTheStoreBufferingShape()
    {
        string text = LitmusExporter.Export(Builtins.FixedNoMb);
        Assert.Contains("\tWRITE_ONCE(*mode, 1);\t/* mode.in: vcpu->mode = IN_GUEST_MODE */\n\tr0 = READ_ONCE(*on);", text);
        Assert.DoesNotContain("smp_mb();", text.Split("P1(")[0]);
        Assert.Contains("\t\tr1 = xchg(on, 1);\t/* on.set: pi_test_and_set_on (test_and_set_bit) */\n", text);
        Assert.Contains("\t\t\tr2 = READ_ONCE(*mode);", text);
        Assert.EndsWith("exists (pir=1 /\\ ~0:r3=2 /\\ ~1:r2=1 /\\ ~1:r3=1)\n", text);
        // With the barrier back (the built-in fixed), the same test is the SB+fencembonceonces shape.
        Assert.Contains("\tWRITE_ONCE(*mode, 1);\t/* mode.in: vcpu->mode = IN_GUEST_MODE */\n\tsmp_mb();", LitmusExporter.Export(Builtins.Fixed));
    }

    [Theory]
    [InlineData("kvm-2021-unarmed-migration")]
    [InlineData("kvm-2019-cpu-injector")]
    public void TheFindings_AreTheRecomputeCore_ReachableEvenUnderSc(string name)
    {
        var variant = Builtins.Find(name)!;
        var (prediction, tso, _, recompute) = LitmusExporter.Predict(variant);
        Assert.Equal((LitmusPrediction.Sometimes, Verdict.Violation, true), (prediction, tso, recompute));
        string text = LitmusExporter.Export(variant);
        Assert.Contains("if (!pi_is_pir_empty(pi_desc))", text);
        Assert.Contains("exists (0:r0=0 /\\ 1:r1=1 /\\ pir=1)", text);
        Assert.True(LitmusRunner.Reachable(text, tso: false));
    }

    [Fact]
    public void TheWholeSystemDesignToday_HasTheEntryCore_AndNoOutcome()
    {
        var variant = Builtins.Find("kvm-2021")!;
        Assert.Equal(LitmusPrediction.Never, LitmusExporter.Predict(variant).Prediction);
        string text = LitmusExporter.Export(variant);
        Assert.Contains("wake: kvm_vcpu_wake_up", text);
        Assert.False(LitmusRunner.Reachable(text, tso: true));
    }

    [Fact]
    public void EveryLoadedRegister_IsDeclared_AndTheRunnerRejectsWhatItCannotRead()
    {
        foreach (var v in Builtins.All.Where(v => !v.IsAvic))
        {
            string text = LitmusExporter.Export(v);
            foreach (var thread in text.Split("\nP")[1..])
            {
                var declared = Regex.Matches(thread, @"\tint (r\d+);").Select(m => m.Groups[1].Value).ToHashSet();
                var used = Regex.Matches(thread.Split("\nexists")[0], @"\b(r\d+) =").Select(m => m.Groups[1].Value);
                Assert.All(used, r => Assert.Contains(r, declared));
            }
        }
        Assert.Throws<FormatException>(() => LitmusRunner.Reachable("P0(int *x)\n{\n\tsmp_rmb();\n}\n\nexists (x=0)\n", tso: false));
    }

    [Fact]
    public void DesignAvic_IsRefusedByTheExporterItself_NamingTheDesign()
    {
        Assert.NotEmpty(Builtins.AvicDesigns);
        foreach (var v in Builtins.AvicDesigns)
        {
            var export = Assert.Throws<NotSupportedException>(() => LitmusExporter.Export(v));
            Assert.Equal($"export --litmus cannot serve {v.Name}: it is of design avic (AVIC model), and {LitmusExporter.AvicReason}", export.Message);
            Assert.Equal(export.Message, Assert.Throws<NotSupportedException>(() => LitmusExporter.Predict(v)).Message);
        }
    }
}
