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

    // The whole-system designs (docs/analysis.md): places in the entry and the block loop, and the
    // fences a safe variant has, each taken away alone.

    private static readonly Configuration NoWaitFenceConfig = new(Memory: MemoryModel.TSO, Injectors: 1, Halts: 1);

    private static Variant Library(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string path = Path.Combine(d.FullName, "variants", relative);
            if (File.Exists(path))
            {
                var loaded = VariantFile.Load(path);
                Assert.True(loaded.Ok, string.Join("; ", loaded.Errors));
                return loaded.Variant!;
            }
        }
        throw new FileNotFoundException("variants/" + relative);
    }

    [Fact]
    public void Kvm2021_AtItsOwnConfiguration_NeedsTheEntryFence_AndFindsTheOthersNotNeeded()
    {
        var r = BarrierSearch.Run(Builtins.Kvm2021, Builtins.Kvm2021.Check);
        Assert.Equal(Verdict.Safe, r.Tso.Verdict);
        Assert.Empty(Assert.Single(r.Minimal).Places);
        Assert.Equal(
            [(new BarrierPlace(BarrierSequence.Entry, 2), true), (new BarrierPlace(BarrierSequence.Block, 2), false), (new BarrierPlace(BarrierSequence.SchedIn, 2), false)],
            r.Existing.Select(e => (e.Place, e.Needed)));
        var entry = r.Existing[0];
        Assert.Equal("entry: mb after mode.in (before on.read)", entry.Describe());
        Assert.Equal("vcpu_enter_guest: smp_store_mb(vcpu->mode, IN_GUEST_MODE)", entry.Place.KernelName(entry.Without));
        Assert.Equal(36, entry.RunLength);
        // With a wake-up vector armed (j = 1), sched.out.block's on.test sends WAKEUP for a post whose
        // wake found the task RUNNING in memory: wait.prepare's fence is covered, not needed.
        var wait = r.Existing[1];
        Assert.Equal("block: mb after task.set (before on.read)", wait.Describe());
        Assert.Equal("wait.prepare: set_current_state's smp_store_mb", wait.Place.KernelName(wait.Without));
        Assert.Equal(Verdict.Safe, wait.Result.Verdict);
        Assert.True(r.Existing[2].NoOp);
        Assert.False(entry.NoOp || wait.NoOp);
        foreach (var e in r.Existing)
            Assert.True(BarrierSearch.With(e.Without, [e.Place]).SameProtocol(Builtins.Kvm2021));
    }

    [Fact]
    public void Kvm2021_WithoutAWakeupVector_NeedsTheWaitPrepareFence_AsKvm2021NoWaitFenceShows()
    {
        var r = BarrierSearch.Run(Builtins.Kvm2021, NoWaitFenceConfig);
        var wait = Assert.Single(r.Existing, e => e.Place.Sequence == BarrierSequence.Block);
        Assert.True(wait.Needed);
        Assert.True(wait.Without.SameProtocol(Library("loses/kvm-2021-no-wait-fence.variant")));
        var file = Library("loses/kvm-2021-no-wait-fence.variant");
        var lost = Models.Check(file, file.Check);
        Assert.Equal(Verdict.Violation, lost.Verdict);
        Assert.Equal(lost.TraceLength, wait.RunLength);
        Assert.Equal(24, wait.RunLength);
    }

    [Fact]
    public void Kvm2021NoWaitFence_TheMinimalSetRestoresTheMbInTheBlockLoop()
    {
        var file = Library("loses/kvm-2021-no-wait-fence.variant");
        var r = BarrierSearch.Run(file, file.Check);
        Assert.Equal(Verdict.Violation, r.Tso.Verdict);
        Assert.Equal(Verdict.Safe, r.Sc.Verdict);
        Assert.False(r.Impossible);
        var set = Assert.Single(r.Minimal);
        var place = Assert.Single(set.Places);
        Assert.Equal(new BarrierPlace(BarrierSequence.Block, 2), place);
        Assert.Equal("block: mb after task.set (before on.read)", place.Describe(file));
        Assert.True(set.Variant.SameProtocol(Builtins.Kvm2021));
    }

    [Fact]
    public void WholeSystemLosingUnderSc_NoFenceCanHelp()
    {
        var v = Builtins.Kvm2021UnarmedMigration;
        var r = BarrierSearch.Run(v, v.Check);
        Assert.True(r.Impossible);
        Assert.Empty(r.Minimal);
        Assert.Equal(Verdict.Violation, r.Sc.Verdict);
        Assert.Equal(24, r.Sc.TraceLength);
    }

    [Fact]
    public void WholeSystemCandidates_AreInTheEntryAndTheBlockLoop_NotWhereAnMbIsANoOp()
    {
        var places = BarrierSearch.Candidates(Builtins.Kvm2021);
        Assert.Equal([0, 1, 6, 7], places.Where(p => p.Sequence == BarrierSequence.Entry).Select(p => p.Index));
        // block: waiter.set task.set mb on.read on.clear pir.drain irr.check sched.out.block; not next to
        // the mb, not inside block.check's sync, not before the locked sched.out.block
        Assert.Equal([0, 1, 6], places.Where(p => p.Sequence == BarrierSequence.Block).Select(p => p.Index));
        Assert.DoesNotContain(places, p => p.Sequence is BarrierSequence.Injector or BarrierSequence.SchedIn);
        Assert.True(BarrierSearch.IsNoOp(Builtins.Kvm2021, BarrierSequence.SchedIn));
        Assert.False(BarrierSearch.IsNoOp(Builtins.Fixed, BarrierSequence.Injector));
    }

    public static TheoryData<string, Configuration> SmallWholeSystem() => new()
    {
        { "kvm-2021", NoWaitFenceConfig },
        { "kvm-2019", Builtins.Kvm2019.Check },
        { "halt-without-wakeup-vector", Builtins.HaltWithoutWakeupVector.Check },
        { "sn-no-recompute", Builtins.SnNoRecompute.Check },
    };

    [Theory]
    [MemberData(nameof(SmallWholeSystem))]
    public void WholeSystem_AddingABarrier_NeverMakesASafeVariantLose_AndNeverChangesTheScVerdict(string name, Configuration configuration)
    {
        var v = Builtins.Find(name)!;
        foreach (var place in BarrierSearch.Candidates(v))
        {
            var with = BarrierSearch.With(v, [place]);
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            {
                var before = Models.Check(v, configuration with { Memory = mm }).Verdict;
                var after = Models.Check(with, configuration with { Memory = mm }).Verdict;
                if (mm == MemoryModel.SC) Assert.Equal(before, after);
                else if (before == Verdict.Safe) Assert.Equal(Verdict.Safe, after);
            }
        }
    }
}
