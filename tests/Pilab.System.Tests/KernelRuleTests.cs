using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Report;
using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>
/// docs/whole-system.md, "Designs by kernel version" and "Rules a patch may change": every design and every
/// rule key, each flipped alone from the real code's rule, with the verdict (and for small configurations
/// the state count) it must give; docs/findings.md's claims about the mainline finding and the candidate fix.
/// </summary>
public sealed class KernelRuleTests
{
    /// <summary>The mainline finding's configuration: one CPU injector, one HLT, one preemption, one migration.</summary>
    private static readonly Configuration Finding = new(Injectors: 1, Iommu: 0, Halts: 1, Preemptions: 1, Migrations: 1);

    private static CheckResult Check(Variant v, Configuration c) => SystemChecker.Check(v, c);

    // Designs by kernel version.

    [Theory]
    [InlineData("kvm-2019", "v5.5-v5.13")]
    [InlineData("kvm-2021", "v5.17-v6.16")]
    [InlineData("kvm-2025", "v6.17")]
    public void Design_NamesTheKernelVersionsItCovers(string name, string versions)
    {
        var v = Builtins.Find(name)!;
        Assert.Contains(versions, v.Description);
        Assert.Contains("vmx_vcpu_pi_", v.Source);
    }

    [Fact]
    public void Kvm2025_IsKvm2021_WithTheV617Put_AndIsSafeAtItsOwnConfiguration()
    {
        Assert.True((Builtins.Kvm2021 with { PreemptPut = PreemptPut.Sn, Name = "kvm-2025" }).SameProtocol(Builtins.Kvm2025));
        var sc = Check(Builtins.Kvm2025, Builtins.Kvm2025.Check with { Memory = MemoryModel.SC });
        var tso = Check(Builtins.Kvm2025, Builtins.Kvm2025.Check);
        Assert.Equal(Verdict.Safe, sc.Verdict);
        Assert.Equal(Verdict.Safe, tso.Verdict);
        Assert.Equal(30_979, sc.Exploration.States);
        Assert.Equal(42_678, tso.Exploration.States);
    }

    [Fact]
    public void Kvm2025_Unarmed_StillLosesTheMainlineFinding()
    {
        // vmx_vcpu_pi_put returns at once when vmx_needs_pi_wakeup is false, in v6.17 as in v5.17.
        var r = Check(Builtins.Kvm2025 with { WakeupVector = WakeupVector.Off }, Finding);
        Assert.Equal(Verdict.Violation, r.Verdict);
        Assert.Equal(24, r.TraceLength);
        Assert.Contains("on.recompute set ON for a post still in flight", TraceText.Diagnosis(r.Trace!));
    }

    // preempted: kvm_sched_out's rule (v5.14: on_rq).

    [Fact]
    public void Preempted_OnRq_MakesKvm2019LoseWithoutMigration()
    {
        // v5.14-v5.16: a thread preempted between block.check and schedule() is marked preempted though
        // INTERRUPTIBLE: SN = 1; the IOMMU posts without ON; the load on the same CPU clears SN and recomputes
        // ON; the thread sleeps on P0's wake list with ON = 1 and nothing ever sends WAKEUP.
        var c = new Configuration(Injectors: 0, Iommu: 1, Halts: 1, Preemptions: 1);
        var before = Check(Builtins.Kvm2019, c);
        Assert.Equal(Verdict.Safe, before.Verdict);
        var r = Check(Builtins.Kvm2019 with { Preempted = PreemptedRule.OnRq }, c);
        Assert.Equal(Verdict.Violation, r.Verdict);
        Assert.Equal(23, r.TraceLength);
        Assert.Contains(r.Trace!.Steps, s => s.Step == "sched.out.preempt" && TraceText.Text(r.Trace, s).Contains("SN 0->1"));
        Assert.StartsWith("vCPU asleep on P0's wake list with v1 in PIR", TraceText.Diagnosis(r.Trace));
    }

    [Fact]
    public void Preempted_Running_OnKvm2021_ChangesNoVerdictAtItsOwnConfiguration()
    {
        // 5.17's put enables the wake-up handler for a blocking vCPU whether or not it counts as preempted.
        var v = Builtins.Kvm2021 with { Preempted = PreemptedRule.Running };
        Assert.Equal(Verdict.Safe, Check(v, Builtins.Kvm2021.Check with { Memory = MemoryModel.SC }).Verdict);
    }

    // preempt-put: vmx_vcpu_pi_put for a preempted vCPU (v6.17: SN only).

    [Fact]
    public void PreemptPut_Sn_ChangesTheGraphButNoVerdict()
    {
        // The voluntary put that follows a preemption in the block loop runs the whole wake-up handler,
        // its ON test included, so what the preempted put did is redone there: same verdicts, fewer states.
        foreach (var (c, full, sn) in new[]
        {
            (Builtins.Kvm2021.Check with { Memory = MemoryModel.SC }, 45_578L, 30_979L),
            (new Configuration(Injectors: 0, Iommu: 1, Halts: 1, Preemptions: 2, Migrations: 1), 0L, 0L),
        })
        {
            var a = Check(Builtins.Kvm2021, c);
            var b = Check(Builtins.Kvm2021 with { PreemptPut = PreemptPut.Sn }, c);
            Assert.Equal(Verdict.Safe, a.Verdict);
            Assert.Equal(Verdict.Safe, b.Verdict);
            if (full > 0)
            {
                Assert.Equal(full, a.Exploration.States);
                Assert.Equal(sn, b.Exploration.States);
            }
        }
    }

    // on-recompute: the candidate fix.

    [Theory]
    [InlineData(MemoryModel.SC, 1_332)]
    [InlineData(MemoryModel.TSO, 1_799)]
    public void OnRecompute_SnWasSet_MakesTheMainlineFindingSafe(MemoryModel mm, long states)
    {
        var finding = Builtins.Kvm2021UnarmedMigration;
        Assert.Equal(Verdict.Violation, Check(finding, Finding with { Memory = mm }).Verdict);
        var r = Check(finding with { OnRecompute = OnRecompute.SnWasSet }, Finding with { Memory = mm });
        Assert.Equal(Verdict.Safe, r.Verdict);
        Assert.Equal(states, r.Exploration.States);
    }

    [Fact]
    public void RecomputeIfSnSet_IsKvm2025WithTheFix_SafeAtTheFindingsConfiguration()
    {
        var fix = Builtins.RecomputeIfSnSet;
        Assert.True((Builtins.Kvm2025 with { OnRecompute = OnRecompute.SnWasSet }).SameProtocol(fix));
        Assert.Equal(Finding, fix.Check);
        Assert.False(fix.WakeupArmed(fix.Check));
        Assert.Equal(Verdict.Safe, Check(fix, fix.Check).Verdict);
        Assert.Equal(Verdict.Violation, Check(fix with { OnRecompute = OnRecompute.Always }, fix.Check).Verdict);
    }

    [Fact]
    public void SnNoRecompute_LosesWithoutTheRecompute_AndNotUnderTheFix()
    {
        // The race the recompute was added for (c112b5f50232): without it, loses; with the fix's recompute
        // (the load cleared the SN the preemption set), safe; with the old rule, safe.
        var race = Builtins.SnNoRecompute;
        Assert.Equal(Verdict.Violation, Check(race, race.Check).Verdict);
        var withRecompute = race with { SchedIn = [SchedInStep.DescUpdate, SchedInStep.Mb, SchedInStep.OnRecompute] };
        Assert.Equal(Verdict.Safe, Check(withRecompute, race.Check).Verdict);
        var fixedRule = Check(withRecompute with { OnRecompute = OnRecompute.SnWasSet }, race.Check);
        Assert.Equal(Verdict.Safe, fixedRule.Verdict);
        Assert.Equal(106, fixedRule.Exploration.States);
    }

    [Fact]
    public void OnRecompute_SnWasSet_FixesTheKvm2019Finding_BeforeV514Only()
    {
        var c = Builtins.Kvm2019CpuInjector.Check;
        var fix = Builtins.Kvm2019CpuInjector with { OnRecompute = OnRecompute.SnWasSet };
        Assert.Equal(Verdict.Violation, Check(Builtins.Kvm2019CpuInjector, c).Verdict);
        Assert.Equal(Verdict.Safe, Check(fix, c).Verdict);
        // v5.14-v5.16: the preempted thread has SN = 1, the load cleared it, so the fix recomputes too: loses.
        Assert.Equal(Verdict.Violation, Check(fix with { Preempted = PreemptedRule.OnRq }, c).Verdict);
    }

    // iommu-sn: what SN is for.

    [Fact]
    public void IommuSn_Ignore_MakesSnNoRecomputeSafe()
    {
        var race = Builtins.SnNoRecompute;
        Assert.Equal(Verdict.Violation, Check(race, race.Check).Verdict);
        var r = Check(race with { IommuSn = IommuSn.Ignore }, race.Check);
        Assert.Equal(Verdict.Safe, r.Verdict);
        Assert.Equal(94, r.Exploration.States);
    }

    // host-preempt and IPIv: the finding's preconditions.

    [Theory]
    [InlineData(MemoryModel.SC)]
    [InlineData(MemoryModel.TSO)]
    public void NonPreemptibleHost_MakesTheMainlineFindingSafe(MemoryModel mm)
    {
        var v = Builtins.Kvm2021UnarmedMigration with { HostPreempt = HostPreempt.None };
        var r = Check(v, Finding with { Memory = mm });
        Assert.Equal(Verdict.Safe, r.Verdict);
        // more of everything: still no preemption point between block.check and schedule()
        Assert.Equal(Verdict.Safe, Check(v, new(Injectors: 2, Halts: 2, Preemptions: 2, Migrations: 2, Memory: mm)).Verdict);
        Assert.Equal(Verdict.Safe, Check(Builtins.Kvm2025 with { WakeupVector = WakeupVector.Off, HostPreempt = HostPreempt.None }, Finding with { Memory = mm }).Verdict);
    }

    [Fact]
    public void HostPreempt_None_LeavesOnlyTheTopOfTheEntry()
    {
        var program = new SystemProgram(Builtins.Kvm2021 with { HostPreempt = HostPreempt.None }, Builtins.Kvm2021.Check);
        Assert.Equal([0], program.Thread.Select((ins, pc) => (ins, pc)).Where(x => x.ins.Preemptible).Select(x => x.pc));
        var full = new SystemProgram(Builtins.Kvm2021, Builtins.Kvm2021.Check);
        Assert.Equal(4, full.Thread.Count(ins => ins.Preemptible)); // kvm-2021 has no pre.block: the loop starts the block path
    }

    [Theory]
    [InlineData(MemoryModel.SC)]
    [InlineData(MemoryModel.TSO)]
    public void Ipiv_ArmsTheWakeupVector_SoTheMainlineFindingsConfigurationIsSafe(MemoryModel mm)
    {
        // The finding's configuration on an IPIv host: KVM arms the wake-up vector for every VM (vmx_needs_pi_wakeup).
        foreach (var design in new[] { Builtins.Kvm2021, Builtins.Kvm2025 })
        {
            Assert.Equal(Verdict.Violation, Check(design, Finding with { Memory = mm }).Verdict);
            var withIpiv = Finding with { Memory = mm, Ipiv = 1 };
            Assert.True(design.WakeupArmed(withIpiv));
            Assert.Equal(Verdict.Safe, Check(design, withIpiv).Verdict);
        }
    }

    [Fact]
    public void IpivPoster_PostsAsTheIommuDoes()
    {
        // Without the wake-up vector an IPIv post to a sleeping vCPU goes to the dummy handler, as the IOMMU's did
        // before a2486020a82e; the same run, with ipiv.post / ipiv.notify for iommu.post / iommu.notify.
        var v = Builtins.HaltWithoutWakeupVector;
        var iommu = Check(v, v.Check);
        var ipiv = Check(v, v.Check with { Iommu = 0, Ipiv = 1 });
        Assert.Equal(Verdict.Violation, ipiv.Verdict);
        Assert.Equal(iommu.Exploration.States, ipiv.Exploration.States);
        Assert.Equal(iommu.Trace!.Steps.Select(s => s.Step.Replace("iommu.", "ipiv.")), ipiv.Trace!.Steps.Select(s => s.Step));
        Assert.Equal("IPIv 1", TraceText.Actor(ipiv.Trace, ipiv.Trace.Steps.First(s => s.Step == "ipiv.post")));
        // IPIv respects SN whatever iommu-sn says (the key is the IOMMU's)
        var race = Builtins.SnNoRecompute with { IommuSn = IommuSn.Ignore };
        Assert.Equal(Verdict.Violation, Check(race, race.Check with { Iommu = 0, Ipiv = 1 }).Verdict);
    }

    [Fact]
    public void Ipiv_WithIommuAndInjector_Kvm2025AndTheFix_AreSafe()
    {
        var c = new Configuration(Injectors: 1, Iommu: 1, Ipiv: 1, Halts: 1, Preemptions: 1, Migrations: 1);
        Assert.Equal(Verdict.Safe, Check(Builtins.Kvm2025, c).Verdict);
        Assert.Equal(Verdict.Safe, Check(Builtins.RecomputeIfSnSet, c).Verdict);
    }

    [Fact]
    public void Configuration_CountsIpivPostersAmongTheFour()
    {
        Assert.NotNull(new Configuration(Injectors: 2, Iommu: 1, Ipiv: 2).Problem(KvmDesign.Kvm2021));
        Assert.Null(new Configuration(Injectors: 0, Ipiv: 1).Problem(KvmDesign.Kvm2021));
        Assert.NotNull(new Configuration(Ipiv: 1).Problem(KvmDesign.Entry));
        var c = new Configuration(Injectors: 1, Iommu: 1, Ipiv: 1);
        Assert.Equal([false, true, false], Enumerable.Range(0, 3).Select(c.IsIommu));
        Assert.Equal([false, false, true], Enumerable.Range(0, 3).Select(c.IsIpiv));
        Assert.Equal("SC k=1 j=1 i=1 n=1 e=0 h=0 p=0 m=0", c.Text(KvmDesign.Kvm2021));
        Assert.Equal("SC k=1 j=1 n=1 e=0 h=0 p=0 m=0", (c with { Ipiv = 0 }).Text(KvmDesign.Kvm2021));
    }

    // The keys in the file format.

    [Theory]
    [InlineData("on-recompute: sn-was-set", "OnRecompute", "SnWasSet")]
    [InlineData("iommu-sn: ignore", "IommuSn", "Ignore")]
    [InlineData("preempted: running", "Preempted", "Running")]
    [InlineData("preempt-put: sn", "PreemptPut", "Sn")]
    [InlineData("host-preempt: none", "HostPreempt", "None")]
    public void RuleKey_ReadsAndRoundTrips(string line, string property, string value)
    {
        var parsed = VariantFile.Parse($"base: kvm-2021\n{line}\n", "x.variant");
        Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
        var v = parsed.Variant!;
        Assert.Equal(value, typeof(Variant).GetProperty(property)!.GetValue(v)!.ToString());
        Assert.False(v.SameProtocol(Builtins.Kvm2021));
        var back = VariantFile.Parse(VariantFile.Format(v), "y.variant").Variant!;
        Assert.True(back.SameProtocol(v));
    }

    [Fact]
    public void RuleKeys_DefaultToTheRealCode()
    {
        var v = VariantFile.Parse("design: kvm-2021\n", "x.variant").Variant!;
        Assert.Equal((OnRecompute.Always, IommuSn.Respect, PreemptedRule.OnRq, PreemptPut.WakeupAndSn, HostPreempt.Full),
            (v.OnRecompute, v.IommuSn, v.Preempted, v.PreemptPut, v.HostPreempt));
        // kvm-2019 keeps its own kvm_sched_out rule, also on a kvm-2021 base
        var old = VariantFile.Parse("base: kvm-2021\ndesign: kvm-2019\nsched-in: desc.update mb on.recompute\ninjector: pir.set on.set mode.read notify wake kick\n", "x.variant").Variant!;
        Assert.Equal(PreemptedRule.Running, old.Preempted);
        Assert.Equal(PreemptedRule.Running, VariantFile.Parse("design: kvm-2019\n", "x.variant").Variant!.Preempted);
    }

    [Theory]
    [InlineData("base: kvm-2021\non-recompute: sometimes\n", "x.variant:2:15: found 'sometimes', expected always or sn-was-set")]
    [InlineData("base: kvm-2019\npreempt-put: sn\n", "x.variant:2:1: found preempt-put on design kvm-2019, expected no preempt-put line in kvm-2019 (its vmx_vcpu_pi_put only sets SN for a preempted vCPU; pre_block arms the wake-up vector)")]
    [InlineData("base: fixed\nhost-preempt: none\n", "x.variant:2:1: found key 'host-preempt' in a variant of design entry, expected a whole-system design for it ('design: kvm-2021' or 'base: kvm-2021')")]
    [InlineData("base: kvm-2021\ncheck: k=1 i=9\n", "x.variant:2:14: found '9', expected a number 0 to 4 for i")]
    public void BadRuleLine_GivesLineColumnFoundAndExpected(string text, string error)
    {
        var r = VariantFile.Parse(text, "x.variant");
        Assert.False(r.Ok);
        Assert.Equal(error, r.Errors[0].ToString());
    }
}
