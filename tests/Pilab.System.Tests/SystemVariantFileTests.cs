using CsCheck;
using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>The grown variant format: round trips, the races as changes to kvm-2021, and precise errors.</summary>
public sealed class SystemVariantFileTests
{
    [Fact]
    public void EveryWholeSystemBuiltin_RoundTripsThroughTheFileFormat()
    {
        foreach (var v in SystemBuiltins.WholeSystem)
        {
            var back = SystemVariantFile.Parse(SystemVariantFile.Format(v), v.Name + ".variant");
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
            var v = SystemBuiltins.Kvm2021 with { SchedIn = [.. i], SchedOutBlock = [.. o], WakeupVector = w };
            var back = SystemVariantFile.Parse(SystemVariantFile.Format(v), "r.variant");
            return back.Ok && v.SameProtocol(back.Variant!);
        });
    }

    [Fact]
    public void EachRace_IsAChangeToKvm2021()
    {
        var sn = SystemVariantFile.Parse("base: kvm-2021\nsched-in: wakelist.del desc.update mb\n", "sn.variant").Variant!;
        Assert.Equal([SchedInStep.WakelistDel, SchedInStep.DescUpdate, SchedInStep.Mb], sn.SchedIn);
        var halt = SystemVariantFile.Parse("base: kvm-2021\nwakeup-vector: off\n", "halt.variant").Variant!;
        Assert.True(halt.SameProtocol(SystemBuiltins.HaltWithoutWakeupVector));
        var ndst = SystemVariantFile.Parse(
            "base: kvm-2021\ndesign: kvm-2019\ninjector: pir.set on.set mode.read notify wake kick\nsched-in: desc.update mb on.recompute\nblocked-ndst: follow\n", "ndst.variant").Variant!;
        Assert.True(ndst.SameProtocol(SystemBuiltins.NdstBlockedMigration));
    }

    [Theory]
    [InlineData("design: kvm-2021\nsched-in: desc.update mb on.recomput\n", "x.variant:2:26: found step 'on.recomput', expected a sched.in sub-step: wakelist.del, desc.update, mb, on.recompute, or none")]
    [InlineData("design: kvm-2022\n", "x.variant:1:9: found 'kvm-2022', expected kvm-2019 or kvm-2021")]
    [InlineData("design: kvm-2019\nsched-out-block: wakelist.add\n", "x.variant:2:18: found sched.out.block sub-step 'wakelist.add', expected none in kvm-2019 (its sched.out.block leaves the descriptor alone; pre_block arms the wake-up vector)")]
    [InlineData("base: kvm-2021\nblock: wait.prepare sched.out.block block.check\n", "x.variant:2:21: found block step 'sched.out.block', expected sched.out.block only as the last block step")]
    [InlineData("base: kvm-2021\nsched-in: mb on.recompute\n", "x.variant:2:1: found sched-in 'mb on.recompute', expected a desc.update (clearing SN is what sched.in is for)")]
    [InlineData("base: kvm-2021\ninjector: pir.set on.set mode.read notify\n", "x.variant:2:1: found injector 'pir.set on.set mode.read notify', expected a wake step (kvm_vcpu_wake_up), or a sleeping vCPU could never be woken by a CPU injector")]
    [InlineData("base: kvm-2021\nblocked-ndst: follow\n", "x.variant:2:1: found blocked-ndst on design kvm-2021, expected no blocked-ndst line in kvm-2021 (its sched.in always moves a blocked vCPU off the wake list)")]
    [InlineData("base: kvm-2021\ndesign: kvm-2019\n", "x.variant:2:1: found design kvm-2019 on base kvm-2021 (kvm-2021), expected a sched-in line as well, or a base of the same design")]
    [InlineData("design: kvm-2021\nwakeup: off\n", "x.variant:2:1: found key 'wakeup', expected one of name, description, source, base, entry, injector, design, block, sched-in, sched-out-block, wakeup-vector, blocked-ndst")]
    [InlineData("base: kvm-2021\nentry: irq.off mode.in mb sync enter check\n", "x.variant:2:32: found entry step 'enter', expected enter only as the last entry step")]
    public void BadFile_GivesLineColumnFoundAndExpected(string text, string error)
    {
        var r = SystemVariantFile.Parse(text, "x.variant");
        Assert.False(r.Ok);
        Assert.Equal(error, r.Errors.First().ToString());
    }

    [Fact]
    public void Section4File_IsNotAWholeSystemFile()
    {
        Assert.False(SystemVariantFile.Applies("base: fixed\nentry: irq.off mode.in mb sync check enter\n"));
        Assert.True(SystemVariantFile.Applies("base: kvm-2021 # today\n"));
        Assert.True(SystemVariantFile.Applies("design: kvm-2019\n"));
    }
}
