using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>
/// On every whole-system built-in at its own configuration, under both memory models: the compact
/// store and hash compaction give the plain store's search exactly (verdict, states, transitions, dead
/// ends, depth, and the run step for step), on one and two workers, to the first violation and to the end.
/// </summary>
public sealed class WholeSystemStoreTests
{
    public static TheoryData<string, MemoryModel> Builtins()
    {
        var data = new TheoryData<string, MemoryModel>();
        foreach (var v in Protocol.Builtins.WholeSystemDesigns)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
                data.Add(v.Name, mm);
        return data;
    }

    [Theory]
    [MemberData(nameof(Builtins))]
    public void CompactStoreAndHashCompaction_GiveThePlainStoresSearch(string name, MemoryModel mm)
    {
        var v = Protocol.Builtins.Find(name)!;
        var config = v.Check with { Memory = mm };
        foreach (int workers in new[] { 1, 2 })
            foreach (bool exhaust in new[] { false, true })
            {
                var options = ExplorationOptions.Unreduced with { RecordTerminals = true, ExhaustAfterViolation = exhaust, Workers = workers };
                var plain = SystemChecker.Check(v, config, options);
                var compact = SystemChecker.Check(v, config, options with { Store = StateStore.Compact });
                var hashed = SystemChecker.Check(v, config, options with { HashCompaction = true });
                AssertSameSearch(plain, compact);
                AssertSameSearch(plain, hashed);
            }
    }

    /// <summary>kvm-2021's own configuration: the exact counts of WholeSystemVerdictTests with either store.</summary>
    [Theory]
    [InlineData(MemoryModel.SC, 45_578)]
    [InlineData(MemoryModel.TSO, 65_472)]
    public void Kvm2021_CompactStore_StoresTheSameStates(MemoryModel mm, long states)
    {
        var c = new Configuration(Injectors: 1, Iommu: 1, Halts: 1, Preemptions: 1, Migrations: 1, Memory: mm);
        var r = SystemChecker.Check(Protocol.Builtins.Kvm2021, c, ExplorationOptions.Unreduced with { Store = StateStore.Compact });
        Assert.Equal(Verdict.Safe, r.Verdict);
        Assert.Equal(states, r.Exploration.States);
    }

    private static void AssertSameSearch(CheckResult a, CheckResult b)
    {
        Assert.Equal(a.Verdict, b.Verdict);
        Assert.Equal(a.Exploration.States, b.Exploration.States);
        Assert.Equal(a.Exploration.Transitions, b.Exploration.Transitions);
        Assert.Equal(a.Exploration.Terminals, b.Exploration.Terminals);
        Assert.Equal(a.Exploration.MaxDepth, b.Exploration.MaxDepth);
        var x = a.ExplorationOf<SystemState>();
        var y = b.ExplorationOf<SystemState>();
        Assert.Equal(x.TerminalStates.Select(s => (s.Lo, s.Hi)).ToHashSet(), y.TerminalStates.Select(s => (s.Lo, s.Hi)).ToHashSet());
        Assert.Equal(x.Trace.Select(s => (s.Label, s.State.Lo, s.State.Hi)), y.Trace.Select(s => (s.Label, s.State.Lo, s.State.Hi)));
    }
}
