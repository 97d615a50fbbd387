using CsCheck;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>Laws relating SC and TSO: TSO only adds behaviours (every SC run is a TSO run in which
/// each store is flushed at once).</summary>
public sealed class MemoryModelLawTests
{
    private static Variant WithEntry(System.Collections.Immutable.ImmutableArray<EntryStep> entry) =>
        Builtins.Fixed with { Name = "order", Entry = entry };

    [Fact]
    public void SafeUnderTso_ImpliesSafeUnderSc_AndTsoHasAtLeastAsManyStates()
    {
        Gen.Select(Generators.EntryOrder, Gen.Int[1, 2]).Sample((entry, k) =>
        {
            var v = WithEntry(entry);
            var sc = ModelChecker.Check(v, new Configuration(Injectors: k), new ExplorationOptions { ExhaustAfterViolation = true });
            var tso = ModelChecker.Check(v, new Configuration(Injectors: k, Memory: MemoryModel.TSO), new ExplorationOptions { ExhaustAfterViolation = true });
            if (tso.Verdict == Verdict.Safe && sc.Verdict != Verdict.Safe) return false;
            return tso.Exploration.States >= sc.Exploration.States;
        }, iter: 150);
    }

    [Fact]
    public void SeedOrders_SafeUnderTso_ImpliesSafeUnderSc()
    {
        Generators.SeedEntryOrder.Sample(entry =>
        {
            var v = WithEntry(entry);
            var sc = ModelChecker.Check(v, new Configuration());
            var tso = ModelChecker.Check(v, new Configuration(Memory: MemoryModel.TSO));
            return tso.Verdict != Verdict.Safe || sc.Verdict == Verdict.Safe;
        }, iter: 100);
    }

    [Fact]
    public void ShortestTrace_UnderTso_IsNeverLongerThanUnderSc()
    {
        // Every SC run is a TSO run (flush each store at once), so TSO's shortest loss is at most
        // SC's plus one flush per buffered store; and BFS must find a run no longer than that.
        Generators.SeedEntryOrder.Sample(entry =>
        {
            var v = WithEntry(entry);
            var sc = ModelChecker.Check(v, new Configuration());
            var tso = ModelChecker.Check(v, new Configuration(Memory: MemoryModel.TSO));
            if (sc.Verdict != Verdict.Violation) return true;
            int stores = sc.Trace!.Steps.Count(s => s.Step is "mode.in" or "mode.out");
            return tso.Verdict == Verdict.Violation && tso.Trace!.Steps.Length <= sc.Trace.Steps.Length + stores;
        }, iter: 100);
    }
}
