using System.Collections.Immutable;
using System.Diagnostics;

namespace Pilab.Checker;

/// <summary>
/// Exhaustive breadth-first exploration. Because states are expanded in order of depth, the first
/// violating dead end expanded is one with a shortest run from the initial state, and that run is
/// rebuilt from parent links. The search, on any number of workers and with any store (plain,
/// compact, or hash compaction's fingerprints), is <see cref="PartitionedExplorer"/>; this class is
/// its entry, and turns a stored run into a real one.
/// </summary>
public static class BreadthFirstExplorer
{
    /// <summary>Explores the full state graph of a model that offers no reductions (the result says so, whatever the options asked).</summary>
    public static ExplorationResult<TState> Explore<TState, TSystem>(TSystem system, ExplorationOptions? options = null)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ITransitionSystem<TState> =>
        ExploreReduced<TState, Unreduced<TState, TSystem>>(new(system), (options ?? new()) with { PartialOrder = false, Symmetry = false });

    /// <summary>Explores with the model's stubborn sets and symmetry, as far as the options allow.</summary>
    public static ExplorationResult<TState> ExploreReduced<TState, TSystem>(TSystem system, ExplorationOptions? options = null)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
    {
        options ??= new ExplorationOptions();
        if (!options.Chains || !options.PartialOrder) return PartitionedExplorer.Explore<TState, TSystem>(system, options with { Chains = false });
        var chained = ExploreChained<TState, TSystem>(system, options);
        if (chained.Verdict is not (Verdict.Violation or Verdict.Stuck)) return chained;
        // A chain is one level, so the chained search's run need not be a shortest one: the search without
        // chains finds one (its figures are reported, with both searches' time). Where that one stops at a bound
        // first, the chained search's real run is reported.
        var exact = PartitionedExplorer.Explore<TState, TSystem>(system, options with { Chains = false });
        if (exact.Verdict == Verdict.BoundReached)
            return chained with
            {
                Elapsed = chained.Elapsed + exact.Elapsed,
                BoundMessage = $"a real run, perhaps not a shortest one: the search without chains, which finds a shortest one, {exact.BoundMessage}",
            };
        return exact with { Elapsed = chained.Elapsed + exact.Elapsed };
    }

    /// <summary>The chained search alone (<see cref="Chained{TState, TSystem}"/>): every dead end, but its run need not be a shortest one.</summary>
    internal static ExplorationResult<TState> ExploreChained<TState, TSystem>(TSystem system, ExplorationOptions options)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState> =>
        PartitionedExplorer.Explore<TState, Chained<TState, TSystem>>(new(system), options with { PartialOrder = true, Chains = true });

    /// <summary>
    /// Turns a stored run into a real one. Without symmetry it already is. With symmetry the stored
    /// states are orbit representatives and a label names a transition of the representative, so
    /// the run is replayed from the real initial state: at each step, some successor of the real state
    /// has the stored representative (a symmetry maps transitions to transitions), and it is taken.
    /// The run keeps its length.
    /// </summary>
    internal static ImmutableArray<TraceStep<TState>> Concretise<TState, TSystem>(TSystem system, bool sym, List<TraceStep<TState>> stored)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>
    {
        if (!sym) return [.. stored];
        var buffer = new Successor<TState>[system.MaxSuccessors];
        var real = ImmutableArray.CreateBuilder<TraceStep<TState>>(stored.Count);
        TState current = system.Initial;
        foreach (var step in stored)
        {
            int n = system.Successors(in current, buffer);
            int found = -1;
            for (int i = 0; i < n && found < 0; i++)
                if (system.Canonicalize(buffer[i].State).Equals(step.State)) found = i;
            if (found < 0) throw new InvalidOperationException("the model's Canonicalize is not a symmetry: a stored step has no real counterpart");
            real.Add(new(buffer[found].Label, buffer[found].State));
            current = buffer[found].State;
        }
        return real.MoveToImmutable();
    }
}
