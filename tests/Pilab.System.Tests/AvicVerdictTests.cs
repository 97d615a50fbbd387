using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.Avic;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.System.Tests;

/// <summary>docs/avic.md: KVM's AVIC today is safe; each historical race loses with its shortest run, and
/// its fix is safe in the same configuration.</summary>
public sealed class AvicVerdictTests
{
    private static CheckResult Check(Variant v, Configuration c) => Models.Check(v, c);

    [Fact]
    public void Seam_PicksTheAvicModel()
    {
        Assert.Equal("AVIC", Models.For(Builtins.Avic).Name);
        Assert.False(Models.For(Builtins.Avic).Reductions);
        Assert.Equal(["avic", "avic-erratum-1235", "avic-set-running-stale-cpu", "avic-irte-not-running"], Builtins.AvicDesigns.Select(v => v.Name));
        Assert.All(Builtins.AvicDesigns, v => Assert.Equal(KvmDesign.Avic, v.Design));
        Assert.Throws<ArgumentException>(() => new AvicModel(Builtins.Kvm2021, Builtins.Kvm2021.Check));
    }

    /// <summary>Exact state and transition counts of the full graph: every actor once (a guest IPI the
    /// hardware sends, an IOMMU poster, a HLT, a preemption, a migration) and the KVM injector in its place.</summary>
    [Theory]
    [InlineData(AvicSender.Hardware, MemoryModel.SC, 9_740, 26_614)]
    [InlineData(AvicSender.Hardware, MemoryModel.TSO, 13_818, 39_180)]
    [InlineData(AvicSender.Kvm, MemoryModel.SC, 6_674, 17_890)]
    [InlineData(AvicSender.Kvm, MemoryModel.TSO, 9_516, 26_523)]
    public void Avic_IsSafe_WithEveryActorOnce(AvicSender sender, MemoryModel mm, long states, long transitions)
    {
        var v = Builtins.Avic with { Avic = Builtins.Avic.Avic with { Sender = sender } };
        var r = Check(v, Builtins.Avic.Check with { Memory = mm });
        Assert.Equal(Verdict.Safe, r.Verdict);
        Assert.Equal(states, r.Exploration.States);
        Assert.Equal(transitions, r.Exploration.Transitions);
        Assert.Equal(9, r.Exploration.Terminals);
    }

    [Theory]
    [InlineData(MemoryModel.SC)]
    [InlineData(MemoryModel.TSO)]
    public void Avic_StaysSafe_WithMoreOfEverything(MemoryModel mm)
    {
        var c = Builtins.Avic.Check with { Memory = mm };
        Assert.Equal(Verdict.Safe, Check(Builtins.Avic, c with { Exits = 1, Halts = 2, Preemptions = 2 }).Verdict);
        Assert.Equal(Verdict.Safe, Check(Builtins.Avic, c with { Injectors = 2 }).Verdict);
        Assert.Equal(Verdict.Safe, Check(Builtins.Avic, c with { Posts = 2 }).Verdict);
        Assert.Equal(Verdict.Safe, Check(Builtins.Avic, c with { SameVector = true, Iommu = 2 }).Verdict);
        Assert.Equal(Verdict.Safe, Check(Builtins.Avic with { Avic = Builtins.Avic.Avic with { Ipiv = false } }, c).Verdict);
    }

    /// <summary>Every AVIC built-in at its own configuration under both memory models: verdict and shortest run.</summary>
    [Theory]
    [InlineData("avic", MemoryModel.SC, Verdict.Safe, 0)]
    [InlineData("avic", MemoryModel.TSO, Verdict.Safe, 0)]
    [InlineData("avic-erratum-1235", MemoryModel.SC, Verdict.Violation, 17)]
    [InlineData("avic-erratum-1235", MemoryModel.TSO, Verdict.Violation, 22)]
    [InlineData("avic-set-running-stale-cpu", MemoryModel.SC, Verdict.Violation, 26)]
    [InlineData("avic-set-running-stale-cpu", MemoryModel.TSO, Verdict.Violation, 32)]
    [InlineData("avic-irte-not-running", MemoryModel.SC, Verdict.Violation, 7)]
    [InlineData("avic-irte-not-running", MemoryModel.TSO, Verdict.Violation, 8)]
    public void Builtin_AtItsOwnConfiguration_HasItsVerdictAndShortestRun(string name, MemoryModel mm, Verdict verdict, int traceLength)
    {
        var v = Builtins.Find(name)!;
        var r = Check(v, v.Check with { Memory = mm });
        Assert.Equal(verdict, r.Verdict);
        Assert.Equal(traceLength, r.TraceLength);
        Assert.False(v.Finding);
    }

    /// <summary>Each race's fix, in the race's own configuration: safe, with the exact counts of the full graph.</summary>
    [Theory]
    [InlineData("avic-erratum-1235", "ipiv: off", 216, 377)]
    [InlineData("avic-erratum-1235", "cpu-sender: avic", 205, 352)]
    [InlineData("avic-set-running-stale-cpu", "unblock-load: this-cpu", 2_164, 5_171)]
    [InlineData("avic-irte-not-running", "irte-assign: from-entry", 25, 38)]
    public void Fix_IsSafe_InTheRacesConfiguration(string race, string fix, long states, long transitions)
    {
        var parsed = VariantFile.Parse($"base: {race}\n{fix}\n", "fix.variant");
        Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
        var r = Check(parsed.Variant!, parsed.Variant!.Check);
        Assert.Equal(Verdict.Safe, r.Verdict);
        Assert.Equal(states, r.Exploration.States);
        Assert.Equal(transitions, r.Exploration.Transitions);
    }

    /// <summary>Each race needs a hardware poster: KVM's injector in its place (k=1, j=0) is safe; the
    /// stale-CPU race also loses with a guest IPI.</summary>
    [Theory]
    [InlineData("avic-erratum-1235", AvicSender.Kvm, 1, Verdict.Safe, 0, 170)]
    [InlineData("avic-set-running-stale-cpu", AvicSender.Kvm, 2, Verdict.Safe, 0, 2_927)]
    [InlineData("avic-set-running-stale-cpu", AvicSender.Hardware, 2, Verdict.Violation, 28, 0)]
    [InlineData("avic-irte-not-running", AvicSender.Kvm, 1, Verdict.Safe, 0, 34)]
    public void Race_NeedsAHardwarePoster(string race, AvicSender sender, int posts, Verdict verdict, int traceLength, long states)
    {
        var v = Builtins.Find(race)!;
        var r = Check(v with { Avic = v.Avic with { Sender = sender } }, v.Check with { Injectors = 1, Iommu = 0, Posts = posts });
        Assert.Equal(verdict, r.Verdict);
        Assert.Equal(traceLength, r.TraceLength);
        if (verdict == Verdict.Safe) Assert.Equal(states, r.Exploration.States);
    }

    [Fact]
    public void IrteNotRunning_Loses_InSevenSteps_ByHand()
    {
        // The device is assigned while the vCPU runs: the IRTE says IsRun=0 (GALogIntr=1). The guest is
        // entered; the IOMMU sets v1 in the IRR and, IsRun being 0, logs and raises the GA-log interrupt;
        // avic_ga_log_notifier's kvm_vcpu_wake_up finds no blocking vCPU; no doorbell ever reaches P0.
        var r = Check(Builtins.AvicIrteNotRunning, Builtins.AvicIrteNotRunning.Check);
        Assert.Equal(["irq.off", "mode.in", "mb", "enter", "iommu.post", "iommu.notify", "galog.irq"], r.Trace!.Steps.Select(s => s.Step));
        Assert.StartsWith("guest running on P0 with v1 in IRR; the GA-log interrupt's wake-up found no blocking vCPU (a stranded interrupt", TraceText.Diagnosis(r.Trace));
    }

    [Fact]
    public void Erratum1235_Loses_TheSenderSeesIsRunningAndTheVcpuSleeps()
    {
        var r = Check(Builtins.AvicErratum1235, Builtins.AvicErratum1235.Check);
        var steps = r.Trace!.Steps.Select(s => s.Step).ToList();
        Assert.True(steps.IndexOf("isrunning.read") < steps.IndexOf("avic.blocking"));
        Assert.True(steps.IndexOf("irr.check") < steps.IndexOf("irr.set"));
        Assert.Equal("doorbell", steps[^1]);
        Assert.StartsWith("vCPU asleep with v1 in IRR; the guest IPI read IsRunning=1 and rang a doorbell instead of taking the incomplete-IPI exit", TraceText.Diagnosis(r.Trace));
    }

    [Fact]
    public void SetRunningStaleCpu_Loses_TheDoorbellGoesToTheOldCpu()
    {
        var r = Check(Builtins.AvicSetRunningStaleCpu, Builtins.AvicSetRunningStaleCpu.Check);
        var t = r.Trace!;
        int load = t.Steps.ToList().FindIndex(s => s.Step == "avic.load");
        Assert.Equal("sched.in", t.Steps[load - 1].Step);
        Assert.Equal(2, t.Steps[load].Cpu);
        Assert.Equal(0, t.Steps[load].Value(Field.HostId));
        Assert.StartsWith("guest running on P2 with v1 in IRR; the doorbell went to P0", TraceText.Diagnosis(t));
    }

    /// <summary>The window mainline's kvm_vcpu_block closes with preempt_disable(): preempted between
    /// avic_vcpu_blocking and prepare_to_rcuwait, the thread is reloaded as running (it is not yet
    /// "blocking"), and a guest IPI or an IOMMU post rings a doorbell nobody hears.</summary>
    [Theory]
    [InlineData(AvicSender.Hardware, 1, 0, Verdict.Violation, 19)]
    [InlineData(AvicSender.Kvm, 0, 1, Verdict.Violation, 18)]
    [InlineData(AvicSender.Kvm, 1, 0, Verdict.Safe, 0)]
    public void PreemptibleBlocking_Loses_WithAHardwarePoster(AvicSender sender, int k, int j, Verdict verdict, int traceLength)
    {
        var v = Builtins.Avic with { Avic = new AvicPolicy(Sender: sender, BlockingPreemptible: true) };
        var r = Check(v, new(Injectors: k, Iommu: j, Halts: 1, Preemptions: 1));
        Assert.Equal(verdict, r.Verdict);
        Assert.Equal(traceLength, r.TraceLength);
        Assert.Equal(Verdict.Safe, Check(Builtins.Avic with { Avic = new AvicPolicy(Sender: sender) }, new(Injectors: k, Iommu: j, Halts: 1, Preemptions: 1)).Verdict);
    }

    [Fact]
    public void Configuration_RefusesIrqPriority_ForAvic()
    {
        Assert.Contains("no meaning for design avic", new Configuration(IrqPriority: true).Problem(KvmDesign.Avic));
        Assert.Null(Builtins.Avic.Check.Problem(KvmDesign.Avic));
    }
}
