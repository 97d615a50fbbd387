using System.Collections.Immutable;
using CsCheck;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

using static Pilab.Core.Tests.Runs;

namespace Pilab.Core.Tests;

/// <summary>
/// Stubborn sets, symmetry and the parallel engine change neither verdicts, nor the dead ends reached
/// (up to symmetry), nor shortest-run lengths: compared against the full single-threaded search over
/// every built-in and several hundred random variants.
/// </summary>
public sealed class ReductionTests
{
    private static readonly ExplorationOptions Full = ExplorationOptions.Unreduced with { RecordTerminals = true, ExhaustAfterViolation = true };

    public static TheoryData<string, MemoryModel, int, int, int, bool> Builtins_Configurations()
    {
        var data = new TheoryData<string, MemoryModel, int, int, int, bool>();
        foreach (var v in Builtins.EntryDesigns)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            {
                data.Add(v.Name, mm, 1, 1, 0, false);
                data.Add(v.Name, mm, 2, 1, 1, false);
                data.Add(v.Name, mm, 2, 2, 0, true);
                data.Add(v.Name, mm, 3, 1, 1, true);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Builtins_Configurations))]
    public void Reductions_KeepVerdictDeadEndsAndShortestRun_OnBuiltins(string name, MemoryModel mm, int k, int n, int e, bool same) =>
        AssertReductionsSound(Builtins.Find(name)!, new Configuration(k, n, e, same, mm));

    [Theory]
    [MemberData(nameof(Builtins_Configurations))]
    public void TwoWorkers_FindTheSameStatesAsOne(string name, MemoryModel mm, int k, int n, int e, bool same)
    {
        var variant = Builtins.Find(name)!;
        var config = new Configuration(k, n, e, same, mm);
        foreach (var (reduced, chains) in new[] { (false, false), (true, false), (true, true) })
        {
            var options = (reduced ? ExplorationOptions.Reduced : ExplorationOptions.Unreduced) with { RecordTerminals = true, ExhaustAfterViolation = true, Chains = chains };
            var one = ModelChecker.Check(variant, config, options);
            var two = ModelChecker.Check(variant, config, options with { Workers = 2 });
            Assert.Equal(one.Verdict, two.Verdict);
            Assert.Equal(one.Exploration.States, two.Exploration.States);
            Assert.Equal(one.Exploration.Transitions, two.Exploration.Transitions);
            Assert.Equal(one.Exploration.MaxDepth, two.Exploration.MaxDepth);
            Assert.Equal(Set(one.ExplorationOf<PiState>().TerminalStates), Set(two.ExplorationOf<PiState>().TerminalStates));
            // Stopping at the first violation: the parallel trace is a shortest run too.
            var first = ModelChecker.Check(variant, config, options with { ExhaustAfterViolation = false });
            var firstTwo = ModelChecker.Check(variant, config, options with { ExhaustAfterViolation = false, Workers = 2 });
            Assert.Equal(first.Trace?.Steps.Length, firstTwo.Trace?.Steps.Length);
            if (firstTwo.Trace is not null) AssertRealRun(variant, config, firstTwo);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void StateBound_StopsCleanly_WithAnyNumberOfWorkers(int workers)
    {
        var r = ModelChecker.Check(Builtins.Fixed, new Configuration(2, 2, 1, Memory: MemoryModel.TSO),
            ExplorationOptions.Unreduced with { MaxStates = 5000, Workers = workers });
        Assert.Equal(Verdict.BoundReached, r.Verdict);
        // Exactly at the bound, however many workers share it: budget a worker was granted but did
        // not use goes to the one that still has states to add.
        Assert.Equal(5000, r.Exploration.States);
        Assert.StartsWith("stopped at the state bound", r.Exploration.BoundMessage);
    }

    /// <summary>With chains, a run is reported from the search without them; where that one stops at the bound
    /// first, the chained search's own run (a real one) is reported, and the result says it may not be a shortest one.</summary>
    [Fact]
    public void Chains_ReportTheirOwnRun_WhenTheSearchWithoutThemStopsAtTheBound()
    {
        var config = new Configuration(1, 1, 0, false, MemoryModel.SC);
        var options = ExplorationOptions.Reduced with { Chains = true, MaxStates = 40 };
        var unchained = ModelChecker.Check(Builtins.PatchV1, config, options with { Chains = false });
        Assert.Equal(Verdict.BoundReached, unchained.Verdict);
        // The run is rebuilt from each store: the plain one's labels and states, the compact one's states, and
        // hash compaction's labels replayed from the initial state, each along the chains.
        foreach (var store in new[] { options, options with { Store = StateStore.Compact }, options with { HashCompaction = true } })
        {
            var r = ModelChecker.Check(Builtins.PatchV1, config, store);
            Assert.Equal(Verdict.Violation, r.Verdict);
            Assert.True(r.Exploration.Chains);
            Assert.Equal(34, r.Exploration.States);
            Assert.StartsWith("a real run, perhaps not a shortest one: the search without chains, which finds a shortest one, stopped at the state bound", r.Exploration.BoundMessage);
            AssertRealRun(Builtins.PatchV1, config, r);
        }
        // Unbounded, the run is the search without chains' shortest one (11 steps, 77 states on one worker).
        var exact = ModelChecker.Check(Builtins.PatchV1, config, options with { MaxStates = int.MaxValue - 1 });
        Assert.False(exact.Exploration.Chains);
        Assert.Null(exact.Exploration.BoundMessage);
        Assert.Equal(11, exact.Trace!.Steps.Length);
        Assert.Equal(77, exact.Exploration.States);
    }

    [Fact]
    public void RandomVariants_ReductionsKeepVerdictDeadEndsAndShortestRun()
    {
        var entryStep = Gen.OneOfConst(EntryStep.IrqOff, EntryStep.ModeIn, EntryStep.Mb, EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain, EntryStep.Check);
        var injectorStep = Gen.OneOfConst(InjectorStep.OnSet, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Kick, InjectorStep.Mb, InjectorStep.ReqSet);
        var variants =
            from entry in entryStep.Array[1, 8]
            from injector in injectorStep.Array[0, 5]
            from onAlready in Gen.Enum<OnAlreadySet>()
            from requests in Gen.Enum<RequestHandling>()
            let e = ImmutableArray.Create([.. entry, EntryStep.Enter])
            let i = ImmutableArray.Create([InjectorStep.PirSet, .. injector])
            where Variant.ValidateEntry(e, i, onAlready, requests) is null
            select new Variant("random", "", e, i, onAlready, requests, "CsCheck");
        var configs =
            from k in Gen.Int[1, 3]
            from n in Gen.Int[1, k == 3 ? 1 : 2]
            from exits in Gen.Int[0, 1]
            from same in Gen.Bool
            from tso in Gen.Bool
            select new Configuration(k, n, exits, same, tso ? MemoryModel.TSO : MemoryModel.SC);
        Gen.Select(variants, configs).Sample((v, c) => AssertReductionsSound(v, c), iter: 300, threads: 1,
            print: t => $"{t.Item1.EntryText} / {t.Item1.InjectorText} / {t.Item1.OnAlreadySet} / {t.Item1.Requests} / {t.Item2}");
    }

    private static void AssertReductionsSound(Variant variant, Configuration config)
    {
        var system = new PiSystem(variant, config);
        var full = ModelChecker.Check(variant, config, Full);
        var fullFirst = ModelChecker.Check(variant, config, Full with { ExhaustAfterViolation = false });
        var expected = Set(full.ExplorationOf<PiState>().TerminalStates.Select(s => system.Canonicalize(s)));
        foreach (var (por, sym, chains) in new[] { (true, false, false), (false, true, false), (true, true, false), (true, false, true), (true, true, true) })
        {
            var options = Full with { PartialOrder = por, Symmetry = sym, Chains = chains };
            var reduced = ModelChecker.Check(variant, config, options);
            Assert.Equal(full.Verdict, reduced.Verdict);
            Assert.Equal(expected, Set(reduced.ExplorationOf<PiState>().TerminalStates.Select(s => system.Canonicalize(s))));
            Assert.True(reduced.Exploration.States <= full.Exploration.States);
            var first = ModelChecker.Check(variant, config, options with { ExhaustAfterViolation = false });
            Assert.Equal(fullFirst.Verdict, first.Verdict);
            Assert.Equal(fullFirst.Trace?.Steps.Length, first.Trace?.Steps.Length);
            if (first.Trace is not null) AssertRealRun(variant, config, first);
            if (!chains) continue;
            // The chained search alone (the one above reports the search without chains where it finds a run):
            // the same verdict and dead ends, no more states than the stubborn sets store, and a real run.
            var unchained = ModelChecker.Check(variant, config, options with { Chains = false });
            var alone = BreadthFirstExplorer.ExploreChained<PiState, PiSystem>(system, options);
            Assert.True(alone.Chains);
            Assert.Equal(full.Verdict, alone.Verdict);
            Assert.Equal(expected, Set(alone.TerminalStates.Select(s => system.Canonicalize(s))));
            Assert.True(alone.States <= unchained.Exploration.States);
            var aloneFirst = BreadthFirstExplorer.ExploreChained<PiState, PiSystem>(system, options with { ExhaustAfterViolation = false });
            Assert.Equal(fullFirst.Verdict, aloneFirst.Verdict);
            if (aloneFirst.TraceLength > 0)
            {
                Assert.True(aloneFirst.TraceLength >= fullFirst.Trace!.Steps.Length);
                AssertRealRun(system, aloneFirst);
            }
        }
    }
}
