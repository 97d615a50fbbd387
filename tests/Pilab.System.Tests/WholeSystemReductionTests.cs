using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>
/// The whole system's stubborn sets and poster symmetry (docs/whole-system.md, "Reductions") change
/// neither verdicts, nor the dead ends reached (up to symmetry), nor shortest-run lengths: compared with
/// the full search over every whole-system built-in and a few hundred random whole-system variants;
/// every step the reduction calls independent commutes with the one it was held against.
/// </summary>
public sealed class WholeSystemReductionTests
{
    private static readonly ExplorationOptions Full = ExplorationOptions.Unreduced with { RecordTerminals = true, ExhaustAfterViolation = true };

    public static TheoryData<string, MemoryModel> Builtins_BothMemoryModels()
    {
        var data = new TheoryData<string, MemoryModel>();
        foreach (var v in Builtins.WholeSystemDesigns)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
                data.Add(v.Name, mm);
        return data;
    }

    [Theory]
    [MemberData(nameof(Builtins_BothMemoryModels))]
    public void Reductions_KeepVerdictDeadEndsAndShortestRun_OnEveryBuiltin(string name, MemoryModel mm)
    {
        var v = Builtins.Find(name)!;
        Assert.True(AssertReductionsSound(v, v.Check with { Memory = mm }, maxStates: 1_000_000));
    }

    [Theory]
    [InlineData("kvm-2021", 2, 0, MemoryModel.SC)]
    [InlineData("kvm-2021", 0, 2, MemoryModel.TSO)]
    [InlineData("kvm-2021", 1, 2, MemoryModel.SC)]
    [InlineData("kvm-2019-cpu-injector", 2, 1, MemoryModel.SC)]
    [InlineData("halt-without-wakeup-vector", 0, 3, MemoryModel.SC)]
    [InlineData("kvm-2021", 1, 0, MemoryModel.TSO, 2)]
    [InlineData("kvm-2021", 0, 1, MemoryModel.SC, 2)]
    public void Reductions_KeepVerdictDeadEndsAndShortestRun_WithSameVectorPosters(string name, int k, int j, MemoryModel mm, int i = 0)
    {
        var v = Builtins.Find(name)!;
        var c = new Configuration(Injectors: k, Iommu: j, SameVector: true, Memory: mm, Halts: 1, Preemptions: 1, Ipiv: i);
        Assert.True(AssertReductionsSound(v, c, maxStates: 1_000_000));
    }

    /// <summary>Random whole-system variants (the built-ins with random sched.in and sched.out.block sub-steps,
    /// wake-up vector, blocked-NDST policy and IOMMU SN rule, entry without its barrier or not) in random small
    /// configurations of CPU injectors, IOMMU and IPIv posters, seeded so a run is repeatable; a configuration
    /// whose full graph passes the bound is skipped.</summary>
    [Fact]
    public void RandomVariants_ReductionsKeepVerdictDeadEndsAndShortestRun()
    {
        var random = new Random(20261130);
        int checkedCount = 0;
        for (int i = 0; i < 300; i++)
        {
            var b = Builtins.WholeSystemDesigns[random.Next(Builtins.WholeSystemDesigns.Length)];
            var schedIn = Shuffle(random, [SchedInStep.WakelistDel, SchedInStep.DescUpdate, SchedInStep.Mb, SchedInStep.OnRecompute]).Take(random.Next(1, 5));
            var schedOut = Shuffle(random, [SchedOutStep.WakelistAdd, SchedOutStep.NvWakeup, SchedOutStep.OnTest]).Take(random.Next(0, 4));
            var v = Random(b, schedIn, schedOut, (WakeupVector)random.Next(3), (BlockedNdst)random.Next(2), random.Next(2) == 0) with
            {
                IommuSn = (IommuSn)random.Next(2),
            };
            Configuration c;
            do
                c = new Configuration(Injectors: random.Next(3), Iommu: random.Next(3), Exits: random.Next(2), Halts: random.Next(2),
                    Preemptions: random.Next(2), Migrations: random.Next(2), SameVector: random.Next(2) == 0,
                    Memory: random.Next(2) == 0 ? MemoryModel.TSO : MemoryModel.SC, IrqPriority: random.Next(5) == 0,
                    Ipiv: random.Next(4) == 0 ? random.Next(1, 3) : 0);
            while (c.Problem(v.Design) is not null || c.Posters > 3);
            try
            {
                if (AssertReductionsSound(v, c, maxStates: 40_000)) checkedCount++;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{Describe(v)} / {c}: {e.Message}");
            }
        }
        Assert.True(checkedCount >= 200, $"only {checkedCount} of 300 random variants had a full graph within the bound");
    }

    private static T[] Shuffle<T>(Random random, T[] items)
    {
        random.Shuffle(items);
        return items;
    }

    private static Variant Random(Variant b, IEnumerable<SchedInStep> schedIn, IEnumerable<SchedOutStep> schedOut, WakeupVector w, BlockedNdst ndst, bool noMb)
    {
        bool v2021 = b.Design == KvmDesign.Kvm2021;
        var inSteps = schedIn.Where(s => v2021 || s != SchedInStep.WakelistDel).ToList();
        if (!inSteps.Contains(SchedInStep.DescUpdate)) inSteps.Insert(0, SchedInStep.DescUpdate);
        return b with
        {
            Name = "random",
            Entry = noMb ? [.. b.Entry.Where(s => s != EntryStep.Mb)] : b.Entry,
            SchedIn = [.. inSteps],
            SchedOutBlock = v2021 ? [.. schedOut] : [],
            WakeupVector = w,
            BlockedNdst = v2021 ? b.BlockedNdst : ndst,
        };
    }

    private static string Describe(Variant v) =>
        $"{DesignNames.Name(v.Design)} entry: {v.EntryText} / injector: {v.InjectorText} / sched-in: {v.SchedInText} / sched-out-block: {v.SchedOutBlockText} / {v.WakeupVector} / {v.BlockedNdst} / iommu-sn {v.IommuSn}";

    /// <summary>Exact state counts of the reduced graph (POR and symmetry) with chains and without, and the full graph's.</summary>
    [Theory]
    [InlineData("kvm-2021", MemoryModel.SC, 0, false, 10_544, 31_370, 45_578)]
    [InlineData("kvm-2021", MemoryModel.TSO, 0, false, 11_731, 39_684, 65_472)]
    [InlineData("kvm-2019", MemoryModel.TSO, 0, false, 165, 936, 1_364)]
    [InlineData("kvm-2021", MemoryModel.TSO, 2, true, 2_400, 9_519, 26_312)]
    public void ReducedStateCounts_OfSmallConfigurations(string name, MemoryModel mm, int iommu, bool sameVector, long chainedStates, long reducedStates, long fullStates)
    {
        var v = Builtins.Find(name)!;
        var c = v.Check with { Memory = mm, SameVector = sameVector };
        if (iommu > 0) c = c with { Injectors = 0, Iommu = iommu };
        Assert.Equal(fullStates, SystemChecker.Check(v, c).Exploration.States);
        var r = SystemChecker.Check(v, c, ExplorationOptions.Reduced);
        Assert.Equal(Verdict.Safe, r.Verdict);
        Assert.True(r.Exploration.PartialOrder);
        Assert.Equal(sameVector, r.Exploration.Symmetry);
        Assert.Equal(reducedStates, r.Exploration.States);
        var chained = SystemChecker.Check(v, c, ExplorationOptions.Reduced with { Chains = true });
        Assert.Equal(Verdict.Safe, chained.Verdict);
        Assert.True(chained.Exploration.Chains);
        Assert.Equal(chainedStates, chained.Exploration.States);
    }

    /// <summary>
    /// D1 and D2 for runs of length one, checked on every reachable state of the built-ins' own
    /// configurations: each transition of the stubborn set and each enabled transition outside it commute
    /// (both orders are possible and reach the same state). A footprint declared too small fails here.
    /// </summary>
    [Theory]
    [MemberData(nameof(Builtins_BothMemoryModels))]
    public void StubbornTransitions_CommuteWithEveryOtherEnabledTransition(string name, MemoryModel mm)
    {
        var v = Builtins.Find(name)!;
        Assert.True(AssertOneStepCommutation(new ReducedSystem(new WholeSystemModel(v, v.Check with { Memory = mm })), maxStates: 80_000) > 0,
            "the reduction never applied");
        AssertOneStepCommutation(new ReducedSystem(new WholeSystemModel(v, v.Check with { Memory = mm, IrqPriority = true, Exits = 1 })), maxStates: 80_000);
    }

    /// <summary>
    /// The stubborn set is remembered per worker by <see cref="ReducedSystem.DecisionKey"/>, which leaves out the
    /// fields the choice never reads (PIR, ON, vIRR but whether it is empty, delivered, mode in memory, the wake
    /// list, how much of each budget is left): on every reachable state of each built-in's configuration, states
    /// with one key get one choice, made afresh, and the cached answer is the fresh one.
    /// </summary>
    [Theory]
    [MemberData(nameof(Builtins_BothMemoryModels))]
    public void DecisionKey_DeterminesTheStubbornSet(string name, MemoryModel mm)
    {
        var v = Builtins.Find(name)!;
        foreach (var c in new[] { v.Check with { Memory = mm }, v.Check with { Memory = mm, Halts = 2, Exits = 1, Preemptions = 2 } })
        {
            var system = new ReducedSystem(new WholeSystemModel(v, c));
            var all = new Successor<SystemState>[system.MaxSuccessors];
            var stubborn = new Successor<SystemState>[system.MaxSuccessors];
            var choice = new Dictionary<(ulong, ulong), int>();
            var seen = new HashSet<SystemState> { system.Initial };
            var queue = new Queue<SystemState>([system.Initial]);
            while (queue.Count > 0 && seen.Count < 60_000)
            {
                var s = queue.Dequeue();
                int n = system.Successors(s, all);
                int decided = system.Decide(s, all.AsSpan(0, n));
                if (choice.TryGetValue(ReducedSystem.DecisionKey(s), out int earlier)) Assert.Equal(earlier, decided);
                else choice[ReducedSystem.DecisionKey(s)] = decided;
                int m = system.StubbornSuccessors(s, stubborn);
                // the cached path explores a proper subset exactly when the fresh choice is one
                if (n <= 1 || decided == 0) Assert.Equal(n, m);
                else Assert.InRange(m, 1, n - 1);
                foreach (var x in all[..n])
                    if (seen.Add(x.State)) queue.Enqueue(x.State);
            }
        }
    }

    /// <summary>The per-state work allocates nothing: the decision cache is made once per worker thread, the rest
    /// lives on the stack.</summary>
    /// <summary>Each worker's table of choices (3 MiB) counts against --max-memory: with two workers 6 MiB of a
    /// 6.5 MiB bound are the tables', so the search stops at once, and says why.</summary>
    [Fact]
    public void DecisionTables_CountAgainstTheMemoryBound()
    {
        var v = Builtins.Find("kvm-2021")!;
        Assert.Equal(3L << 20, new ReducedSystem(new WholeSystemModel(v, v.Check)).ScratchBytesPerWorker);
        var r = SystemChecker.Check(v, v.Check, ExplorationOptions.Reduced with { MaxMemoryBytes = 13L << 19, Workers = 2 });
        Assert.Equal(Verdict.BoundReached, r.Verdict);
        Assert.Contains("and the model's per-worker tables' 6 MiB", r.Exploration.BoundMessage);
        var roomy = SystemChecker.Check(v, v.Check, ExplorationOptions.Reduced with { MaxMemoryBytes = 64L << 20, Workers = 2 });
        Assert.Equal(Verdict.Safe, roomy.Verdict);
    }

    [Fact]
    public void StubbornSuccessors_AllocateNothing_AfterTheFirstCall()
    {
        var v = Builtins.Find("kvm-2021")!;
        var system = new ReducedSystem(new WholeSystemModel(v, v.Check with { Memory = MemoryModel.TSO, Exits = 1 }));
        var buffer = new Successor<SystemState>[system.MaxSuccessors];
        var states = new List<SystemState> { system.Initial };
        for (int i = 0; i < states.Count && states.Count < 5_000; i++)
        {
            int n = system.Successors(states[i], buffer);
            for (int j = 0; j < n; j++) states.Add(buffer[j].State);
        }
        system.StubbornSuccessors(system.Initial, buffer);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long total = 0;
        foreach (var s in states) total += system.StubbornSuccessors(s, buffer);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(total > 0);
    }

    /// <summary>Returns in how many states the stubborn set was smaller than the enabled set.</summary>
    private static int AssertOneStepCommutation(ReducedSystem system, int maxStates)
    {
        var all = new Successor<SystemState>[system.MaxSuccessors];
        var stubborn = new Successor<SystemState>[system.MaxSuccessors];
        var after = new Successor<SystemState>[system.MaxSuccessors];
        var seen = new HashSet<SystemState> { system.Initial };
        var queue = new Queue<SystemState>([system.Initial]);
        int reduced = 0;
        while (queue.Count > 0 && seen.Count < maxStates)
        {
            var s = queue.Dequeue();
            int n = system.Successors(s, all);
            int m = system.StubbornSuccessors(s, stubborn);
            Assert.True(n == 0 ? m == 0 : m >= 1);
            if (m < n) reduced++;
            var inSet = stubborn[..m].ToArray();
            foreach (var t in inSet) Assert.Contains(t, all[..n].ToArray());
            foreach (var u in all[..n])
            {
                if (inSet.Contains(u)) continue;
                foreach (var t in inSet)
                {
                    // u then t, and t then u: the same labels are enabled and meet in one state.
                    int a = system.Successors(u.State, after);
                    var ut = after[..a].ToArray().Where(x => x.Label == t.Label).ToArray();
                    int b = system.Successors(t.State, after);
                    var tu = after[..b].ToArray().Where(x => x.Label == u.Label).ToArray();
                    Assert.True(ut.Length == 1 && tu.Length == 1 && ut[0].State == tu[0].State,
                        $"{Label(t.Label)} and {Label(u.Label)} do not commute in ({s.Lo:x}, {s.Hi:x})");
                }
            }
            foreach (var x in all[..n])
                if (seen.Add(x.State)) queue.Enqueue(x.State);
        }
        return reduced;
    }

    private static string Label(int label) => $"actor {SystemLabels.Actor(label)} step {SystemLabels.Step(label)}";

    /// <summary>Full graph against POR, symmetry and both: verdict, dead ends up to symmetry, shortest run,
    /// the run a real one. False (skipped) when the full graph passes <paramref name="maxStates"/>.</summary>
    private static bool AssertReductionsSound(Variant variant, Configuration config, long maxStates)
    {
        var system = new ReducedSystem(new WholeSystemModel(variant, config));
        var full = SystemChecker.Check(variant, config, Full with { MaxStates = maxStates });
        // A violation found before the bound still says Violation: only a search that ended on its own counts.
        if (full.Verdict == Verdict.BoundReached || full.Exploration.BoundMessage is not null) return false;
        var fullFirst = SystemChecker.Check(variant, config, Full with { ExhaustAfterViolation = false });
        var expected = Set(full.ExplorationOf<SystemState>().TerminalStates.Select(s => system.Canonicalize(s)));
        foreach (var (por, sym, chains) in new[] { (true, false, false), (false, true, false), (true, true, false), (true, false, true), (true, true, true) })
        {
            var options = Full with { PartialOrder = por, Symmetry = sym, Chains = chains };
            var reduced = SystemChecker.Check(variant, config, options);
            Assert.Equal(full.Verdict, reduced.Verdict);
            Assert.Equal(expected, Set(reduced.ExplorationOf<SystemState>().TerminalStates.Select(s => system.Canonicalize(s))));
            Assert.True(reduced.Exploration.States <= full.Exploration.States);
            var first = SystemChecker.Check(variant, config, options with { ExhaustAfterViolation = false });
            Assert.Equal(fullFirst.Verdict, first.Verdict);
            Assert.Equal(fullFirst.TraceLength, first.TraceLength);
            if (first.Exploration.TraceLength > 0) AssertRealRun(system, first.ExplorationOf<SystemState>());
            if (!chains) continue;
            // The chained search alone (the one above reports the search without chains where it finds a run):
            // the same verdict and dead ends, no more states than the stubborn sets store, and a real run.
            var unchained = SystemChecker.Check(variant, config, options with { Chains = false });
            var alone = BreadthFirstExplorer.ExploreChained<SystemState, ReducedSystem>(system, options);
            Assert.True(alone.Chains);
            Assert.Equal(full.Verdict, alone.Verdict);
            Assert.Equal(expected, Set(alone.TerminalStates.Select(s => system.Canonicalize(s))));
            Assert.True(alone.States <= unchained.Exploration.States);
            var aloneFirst = BreadthFirstExplorer.ExploreChained<SystemState, ReducedSystem>(system, options with { ExhaustAfterViolation = false });
            Assert.Equal(fullFirst.Verdict, aloneFirst.Verdict);
            if (aloneFirst.TraceLength > 0)
            {
                Assert.True(aloneFirst.TraceLength >= fullFirst.TraceLength);
                AssertRealRun(system, aloneFirst);
            }
        }
        return true;
    }

    private static void AssertRealRun(ReducedSystem system, ExplorationResult<SystemState> r)
    {
        var buffer = new Successor<SystemState>[system.MaxSuccessors];
        var s = system.Initial;
        foreach (var step in r.Trace)
        {
            int n = system.Successors(s, buffer);
            Assert.Contains(new Successor<SystemState>(step.State, step.Label), buffer[..n].ToArray());
            s = step.State;
        }
        Assert.NotEqual(TerminalKind.Ok, system.Classify(s));
        Assert.Equal(0, system.Successors(s, buffer));
    }

    private static HashSet<(ulong, ulong)> Set(IEnumerable<SystemState> states) => [.. states.Select(s => (s.Lo, s.Hi))];
}
