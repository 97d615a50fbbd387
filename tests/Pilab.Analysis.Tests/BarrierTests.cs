using CsCheck;
using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis.Tests;

public sealed class BarrierTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void FixedNoMb_NeedsExactlyTheMbAfterModeIn(int k)
    {
        var r = BarrierSearch.Run(Builtins.FixedNoMb, new Configuration(Injectors: k));
        var set = Assert.Single(r.Minimal);
        var place = Assert.Single(set.Places);
        Assert.Equal(new BarrierPlace(true, 2), place);
        Assert.Equal("entry: mb after mode.in (before on.read)", place.Describe(Builtins.FixedNoMb));
        Assert.True(set.Variant.SameProtocol(Builtins.Fixed));
    }

    [Fact]
    public void PatchV1_NoBarrierHelps_BecauseItLosesUnderSc()
    {
        var r = BarrierSearch.Run(Builtins.PatchV1, new Configuration());
        Assert.True(r.Impossible);
        Assert.Empty(r.Minimal);
        Assert.Equal(Verdict.Violation, r.Sc.Verdict);
    }

    [Fact]
    public void Fixed_IsAlreadySafe_AndItsMbIsNeeded()
    {
        var r = BarrierSearch.Run(Builtins.Fixed, new Configuration());
        Assert.Empty(Assert.Single(r.Minimal).Places);
        Assert.Equal([(2, true)], r.ExistingEntryBarriers);
    }

    [Fact]
    public void Candidates_LeaveOutSyncInsidesNotifyKickAndNeighboursOfMb()
    {
        var places = BarrierSearch.Candidates(Builtins.Fixed);
        // fixed: irq.off mode.in mb on.read on.clear pir.drain check enter
        Assert.Equal([0, 1, 6, 7], places.Where(p => p.InEntry).Select(p => p.Index));
        // injector: pir.set on.set mode.read notify kick; not before pir.set, not between notify and kick
        Assert.Equal([1, 2, 3, 5], places.Where(p => !p.InEntry).Select(p => p.Index));
    }

    [Fact]
    public void AddingABarrier_NeverMakesASafeOrderLose_AndNeverChangesTheScVerdict()
    {
        // The law the search's shortcuts rest on: a barrier only removes TSO behaviours, and changes
        // nothing under SC.
        var orders = OrderSynthesis.Orders().ToList();
        Gen.Int[0, orders.Count - 1].Select(Gen.Int[0, 31]).Sample(t =>
        {
            var (o, c) = t;
            var v = Builtins.Fixed with { Entry = OrderSynthesis.Entry(orders[o]) };
            var places = BarrierSearch.Candidates(v);
            var with = BarrierSearch.With(v, [places[c % places.Length]]);
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            {
                var before = ModelChecker.Check(v, new Configuration(Memory: mm)).Verdict;
                var after = ModelChecker.Check(with, new Configuration(Memory: mm)).Verdict;
                if (mm == MemoryModel.SC) Assert.Equal(before, after);
                else if (before == Verdict.Safe) Assert.Equal(Verdict.Safe, after);
            }
        }, iter: 60, threads: 1);
    }
}
