using CsCheck;
using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>The grown variant format: round trips, the races as changes to kvm-2021, and precise errors.</summary>
public sealed class SystemVariantFileTests
{
    [Fact]
    public void EveryWholeSystemBuiltin_RoundTripsThroughTheFileFormat()
    {
        foreach (var v in Builtins.WholeSystemDesigns)
        {
            var back = VariantFile.Parse(VariantFile.Format(v), v.Name + ".variant");
            Assert.True(back.Ok, string.Join("\n", back.Errors));
            Assert.True(v.SameProtocol(back.Variant!), v.Name);
            Assert.Equal(v.Name, back.Variant!.Name);
        }
    }

    [Fact]
    public void RandomSubStepOrders_RoundTrip()
    {
        // Law: any valid choice of sched.in and sched.out.block sub-steps survives Format then Parse.
        var schedIn = Gen.Shuffle(new[] { SchedInStep.WakelistDel, SchedInStep.DescUpdate, SchedInStep.Mb, SchedInStep.OnRecompute })
            .SelectMany(a => Gen.Int[1, 4].Select(n => a.Take(n).ToArray()))
            .Where(a => a.Contains(SchedInStep.DescUpdate));
        var schedOut = Gen.Shuffle(new[] { SchedOutStep.WakelistAdd, SchedOutStep.NvWakeup, SchedOutStep.OnTest })
            .SelectMany(a => Gen.Int[0, 3].Select(n => a.Take(n).ToArray()));
        Gen.Select(schedIn, schedOut, Gen.Enum<WakeupVector>()).Sample((i, o, w) =>
        {
            var v = Builtins.Kvm2021 with { SchedIn = [.. i], SchedOutBlock = [.. o], WakeupVector = w };
            var back = VariantFile.Parse(VariantFile.Format(v), "r.variant");
            return back.Ok && v.SameProtocol(back.Variant!);
        });
    }

    [Fact]
    public void EachRace_IsAChangeToKvm2021()
    {
        var sn = VariantFile.Parse("base: kvm-2021\nsched-in: wakelist.del desc.update mb\n", "sn.variant").Variant!;
        Assert.Equal([SchedInStep.WakelistDel, SchedInStep.DescUpdate, SchedInStep.Mb], sn.SchedIn);
        var halt = VariantFile.Parse("base: kvm-2021\nwakeup-vector: off\n", "halt.variant").Variant!;
        Assert.True(halt.SameProtocol(Builtins.HaltWithoutWakeupVector));
        var ndst = VariantFile.Parse(
            "base: kvm-2021\ndesign: kvm-2019\ninjector: pir.set on.set mode.read notify wake kick\nsched-in: desc.update mb on.recompute\nblocked-ndst: follow\n", "ndst.variant").Variant!;
        Assert.True(ndst.SameProtocol(Builtins.NdstBlockedMigration));
    }

    [Theory]
    [InlineData("design: kvm-2021\nsched-in: desc.update mb on.recomput\n", "x.variant:2:26: found step 'on.recomput', expected a sched.in sub-step: wakelist.del, desc.update, mb, on.recompute, or none")]
    [InlineData("design: kvm-2022\n", "x.variant:1:9: found 'kvm-2022', expected one design: entry, kvm-2019, kvm-2021, avic")]
    [InlineData("design: kvm-2019\nsched-out-block: wakelist.add\n", "x.variant:2:18: found sched.out.block sub-step 'wakelist.add', expected none in kvm-2019 (its sched.out.block leaves the descriptor alone; pre_block arms the wake-up vector)")]
    [InlineData("base: kvm-2021\nblock: wait.prepare sched.out.block block.check\n", "x.variant:2:21: found block step 'sched.out.block', expected sched.out.block only as the last block step")]
    [InlineData("base: kvm-2021\nsched-in: mb on.recompute\n", "x.variant:2:1: found sched-in 'mb on.recompute', expected a desc.update (clearing SN is what sched.in is for)")]
    [InlineData("base: kvm-2021\ninjector: pir.set on.set mode.read notify\n", "x.variant:2:1: found injector 'pir.set on.set mode.read notify', expected a wake step (kvm_vcpu_wake_up), or a sleeping vCPU could never be woken by a CPU injector")]
    [InlineData("base: kvm-2021\nblocked-ndst: follow\n", "x.variant:2:1: found blocked-ndst on design kvm-2021, expected no blocked-ndst line in kvm-2021 (its sched.in always moves a blocked vCPU off the wake list)")]
    [InlineData("base: kvm-2021\ndesign: kvm-2019\n", "x.variant:2:1: found design kvm-2019 on base kvm-2021 (kvm-2021), expected a sched-in line as well, or a base of the same design")]
    [InlineData("design: kvm-2021\nwakeup: off\n", "x.variant:2:1: found key 'wakeup', expected one of name, description, source, base, design, check, expect, finding, entry, injector, on-already-set, requests, block, sched-in, sched-out-block, wakeup-vector, blocked-ndst, on-recompute, iommu-sn, preempted, preempt-put, host-preempt, cpu-sender, ipiv, unblock-load, irte-assign, blocking-preemptible")]
    [InlineData("base: kvm-2021\nentry: irq.off mode.in mb sync enter check\n", "x.variant:2:32: found entry step 'enter', expected enter only as the last entry step")]
    public void BadFile_GivesLineColumnFoundAndExpected(string text, string error)
    {
        var r = VariantFile.Parse(text, "x.variant");
        Assert.False(r.Ok);
        Assert.Equal(error, r.Errors.First().ToString());
    }

    [Fact]
    public void OneParser_PicksTheDesign_FromTheDesignLine_TheBase_OrAWholeSystemKey()
    {
        KvmDesign Design(string text) => VariantFile.Parse(text, "x.variant").Variant!.Design;
        Assert.Equal(KvmDesign.Entry, Design("base: fixed\nentry: irq.off mode.in mb sync check enter\n"));
        Assert.Equal(KvmDesign.Kvm2021, Design("base: kvm-2021 # today\n"));
        Assert.Equal(KvmDesign.Kvm2019, Design("design: kvm-2019\n"));
    }

    [Theory]
    [InlineData("base: fixed\nblock: wait.prepare block.check sched.out.block\n", "x.variant:2:1: found key 'block' in a variant of design entry, expected a whole-system design for it ('design: kvm-2021' or 'base: kvm-2021')")]
    [InlineData("base: kvm-2021\nrequests: prepatch\n", "x.variant:2:1: found key 'requests' in a variant of design kvm-2021, expected no on-already-set or requests line: the whole-system designs use the patched injector (done) and no KVM_REQ_EVENT")]
    [InlineData("base: fixed\ncheck: mm=tso j=1\n", "x.variant:2:1: found check 'mm=tso k=1 n=1 e=0', expected a configuration design entry can check: --iommu, --ipiv, --halts, --preemptions and --migrations need a whole-system design (kvm-2019, kvm-2021, avic); design entry has no IOMMU, no HLT and no scheduler")]
    [InlineData("base: kvm-2021\ncheck: mm=arm k=1\n", "x.variant:2:11: found 'arm', expected sc or tso")]
    [InlineData("base: kvm-2021\ncheck: k=9\n", "x.variant:2:10: found '9', expected a number 0 to 4 for k")]
    [InlineData("base: kvm-2021\ncheck: k=1 k=2\n", "x.variant:2:12: found a second 'k', expected each key of the check line once")]
    [InlineData("base: kvm-2021\ncheck: h=1 p=0 m=2\n", "x.variant:2:1: found check 'mm=sc k=1 n=1 e=0 j=0 h=1 p=0 m=2', expected a configuration design kvm-2021 can check: --migrations 2 can never be used: the thread only moves when it is loaded again after a preemption or a sleep (--preemptions plus --halts is 1)")]
    public void BadDesignOrCheckLine_GivesLineColumnFoundAndExpected(string text, string error)
    {
        var r = VariantFile.Parse(text, "x.variant");
        Assert.False(r.Ok);
        Assert.Equal(error, r.Errors.First().ToString());
    }

    [Fact]
    public void CheckLine_GivesTheVariantsConfiguration_AndRoundTrips()
    {
        var v = VariantFile.Parse("base: kvm-2021\ncheck: mm=tso k=2 j=1 n=2 e=1 h=1 p=2 m=1 same-vector irq-priority\n", "x.variant").Variant!;
        var c = new Configuration(Injectors: 2, Posts: 2, Exits: 1, SameVector: true, Memory: MemoryModel.TSO, IrqPriority: true, Iommu: 1, Halts: 1, Preemptions: 2, Migrations: 1);
        Assert.Equal(c, v.Check);
        Assert.Equal(c, VariantFile.Parse(VariantFile.Format(v), "y.variant").Variant!.Check);
        // without a check line: the base's
        Assert.Equal(Builtins.SnNoRecompute.Check, VariantFile.Parse("base: sn-no-recompute\n", "z.variant").Variant!.Check);
    }

    [Fact]
    public void LoneCarriageReturn_EndsALine()
    {
        // A comment ending in a bare CR must not swallow the next line: every editor shows two lines.
        var v = VariantFile.Parse("base: fixed\n# drop the barrier:\rentry: irq.off mode.in sync check enter\n", "cr.variant").Variant!;
        Assert.True(Builtins.FixedNoMb.SameProtocol(v));
    }
}
