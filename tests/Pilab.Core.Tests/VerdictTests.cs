using Pilab.Report;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>docs/model.md section 4's expected verdicts, for every built-in under SC and TSO, k = 1 and 2.</summary>
public sealed class VerdictTests
{
    public static TheoryData<string, MemoryModel, int, Verdict> Table()
    {
        var data = new TheoryData<string, MemoryModel, int, Verdict>();
        foreach (int k in new[] { 1, 2 })
        {
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            {
                data.Add("prepatch", mm, k, Verdict.Safe);
                data.Add("patch-v1", mm, k, Verdict.Violation);
                data.Add("irq-late", mm, k, Verdict.Violation);
                data.Add("fixed", mm, k, Verdict.Safe);
            }
            data.Add("fixed-nomb", MemoryModel.SC, k, Verdict.Safe);
            data.Add("fixed-nomb", MemoryModel.TSO, k, Verdict.Violation);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void BuiltinVerdict_MatchesSpec(string name, MemoryModel mm, int k, Verdict expected)
    {
        var r = ModelChecker.Check(Builtins.Find(name)!, new Configuration(Injectors: k, Memory: mm));
        Assert.Equal(expected, r.Verdict);
    }

    [Theory]
    [MemberData(nameof(Table))]
    public void IrqPriority_ChangesNoVerdict(string name, MemoryModel mm, int k, Verdict expected)
    {
        var r = ModelChecker.Check(Builtins.Find(name)!, new Configuration(Injectors: k, Memory: mm, IrqPriority: true));
        Assert.Equal(expected, r.Verdict);
    }

    [Theory]
    [InlineData("prepatch")]
    [InlineData("fixed")]
    public void SafeVariants_StaySafe_WithExitsPostsAndSameVector(string name)
    {
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
        {
            Assert.Equal(Verdict.Safe, ModelChecker.Check(Builtins.Find(name)!, new(Injectors: 2, Posts: 2, Exits: 1, Memory: mm)).Verdict);
            Assert.Equal(Verdict.Safe, ModelChecker.Check(Builtins.Find(name)!, new(Injectors: 2, Posts: 2, SameVector: true, Memory: mm)).Verdict);
        }
    }

    [Fact]
    public void PatchV1_LosesInterrupt_WhenInjectorReadsOutsideAfterSync()
    {
        // By hand: the vCPU disables IRQs (1) and reads ON = 0, skipping the sync (2). The injector
        // then sets PIR (3) and ON (4), reads mode = OUTSIDE (5), so notify sends nothing (6) and its
        // kick's cmpxchg fails (7). The vCPU sets IN_GUEST (8), fences (9), finds no request (10) and
        // enters (11) with v1 in PIR and no IPI coming: 11 steps, and nothing shorter can strand v1
        // (the injector's five steps and the vCPU's six up to enter are all needed).
        var r = ModelChecker.Check(Builtins.PatchV1, new Configuration());
        Assert.Equal(Verdict.Violation, r.Verdict);
        Assert.Equal(11, r.Trace!.Steps.Length);
        Assert.Equal(["irq.off", "on.read", "pir.set", "on.set", "mode.read", "notify", "kick", "mode.in", "mb", "check", "enter"],
            r.Trace.Steps.Select(s => s.Step));
        Assert.Equal("guest running, PIR={v1}, ON=1, vIRR={}, nothing pending at P0: v1 is stranded", TraceText.Diagnosis(r.Trace));
    }

    [Fact]
    public void IrqLate_LosesInterrupt_WhenDummyHandlerEatsNotify()
    {
        // By hand: mode.in (1), mb (2), on.read = 0 (3); the injector's pir.set, on.set, mode.read =
        // IN_GUEST and notify (4-7) make NOTIFY pending while P0.IF = 1; the host's dummy handler runs
        // (8); irq.off (9), check (10), enter (11): v1 stays in PIR with ON = 1. 11 steps.
        var r = ModelChecker.Check(Builtins.IrqLate, new Configuration());
        Assert.Equal(Verdict.Violation, r.Verdict);
        Assert.Equal(11, r.Trace!.Steps.Length);
        Assert.Contains(r.Trace.Steps, s => s.Step == "host.irq" && TraceText.Text(r.Trace!, s).Contains("dummy handler ate NOTIFY"));
        Assert.EndsWith("v1 is stranded", TraceText.Diagnosis(r.Trace));
    }

    [Fact]
    public void FixedNoMb_LosesUnderTso_BecauseModeInWaitsInTheStoreBuffer()
    {
        var r = ModelChecker.Check(Builtins.FixedNoMb, new Configuration(Memory: MemoryModel.TSO));
        Assert.Equal(Verdict.Violation, r.Verdict);
        Assert.Equal(11, r.Trace!.Steps.Length);
        Assert.Contains(r.Trace.Steps, s => s.Step == "mode.in" && TraceText.Text(r.Trace!, s).Contains("(buffered)"));
        Assert.Contains(r.Trace.Steps, s => s.Step == "mode.read" && TraceText.Text(r.Trace!, s).Contains("mode=OUTSIDE"));
    }
}
