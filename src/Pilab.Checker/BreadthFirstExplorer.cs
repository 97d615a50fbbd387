using System.Collections.Immutable;
using System.Diagnostics;

namespace Pilab.Checker;

/// <summary>
/// Exhaustive breadth-first exploration. Because states are expanded in order of depth, the first
/// violating dead end expanded is one with a shortest run from the initial state, and that run is
/// rebuilt from parent links. The visited set doubles as the queue (states are stored in discovery
/// order), and successors go into one reused buffer: the loop allocates nothing per state.
/// With <see cref="ExplorationOptions.Workers"/> above 1 the work goes to <see cref="ParallelExplorer"/>.
/// </summary>
public static class BreadthFirstExplorer
{
    /// <summary>Explores the full state graph of a model that offers no reductions.</summary>
    public static ExplorationResult<TState> Explore<TState, TSystem>(TSystem system, ExplorationOptions? options = null)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ITransitionSystem<TState> =>
        ExploreReduced<TState, Unreduced<TState, TSystem>>(new(system), options);

    /// <summary>Explores with the model's stubborn sets and symmetry, as far as the options allow.</summary>
    public static ExplorationResult<TState> ExploreReduced<TState, TSystem>(TSystem system, ExplorationOptions? options = null)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
    {
        options ??= new ExplorationOptions();
        if (options.HashCompaction) return HashCompactExplorer.Explore<TState, TSystem>(system, options);
        if (options.Workers > 1) return ParallelExplorer.Explore<TState, TSystem>(system, options);
        bool por = options.PartialOrder;
        bool sym = options.Symmetry && system.HasSymmetry;
        long maxStates = Math.Min(options.MaxStates, int.MaxValue - 1);
        long memoryBound = Math.Max(1, options.MaxMemoryBytes / VisitedSet<TState>.BytesPerState);
        long bound = Math.Min(maxStates, memoryBound);

        var sw = Stopwatch.StartNew();
        var visited = new VisitedSet<TState>();
        var buffer = new Successor<TState>[system.MaxSuccessors];
        var terminalStates = options.RecordTerminals ? ImmutableArray.CreateBuilder<TState>() : null;
        var initial = system.Initial;
        visited.Add(sym ? system.Canonicalize(in initial) : initial, -1, -1);

        long transitions = 0;
        var deadEnds = new DeadEnds();
        long head = 0, levelEnd = 1;
        int depth = 0;
        string? boundMessage = null;

        while (head < visited.Count)
        {
            if (head == levelEnd) { depth++; levelEnd = visited.Count; }
            TState s = visited.State(head);
            int n = por ? system.StubbornSuccessors(in s, buffer) : system.Successors(in s, buffer);
            transitions += n;
            if (n == 0)
            {
                terminalStates?.Add(s);
                var kind = system.Classify(in s);
                if (deadEnds.Record(kind, head) && kind == TerminalKind.Violation && !options.ExhaustAfterViolation) break;
            }
            for (int i = 0; i < n; i++)
            {
                if (visited.Count >= bound)
                {
                    boundMessage = BoundMessage(options, maxStates, bound, visited.Count);
                    break;
                }
                if (sym) visited.Add(system.Canonicalize(buffer[i].State), (int)head, buffer[i].Label);
                else visited.Add(buffer[i].State, (int)head, buffer[i].Label);
            }
            if (boundMessage is not null) break;
            head++;
        }
        sw.Stop();

        long target = deadEnds.Target;
        var verdict = deadEnds.Verdict(boundMessage is not null);
        var trace = target >= 0 ? Concretise(system, sym, Chain(visited.State, visited.Parent, visited.Label, target)) : [];
        int maxDepth = target >= 0 && !options.ExhaustAfterViolation ? trace.Length : depth;
        return new(verdict, visited.Count, transitions, deadEnds.Count, Math.Max(maxDepth, depth), sw.Elapsed, initial, trace, boundMessage)
        {
            TerminalStates = terminalStates?.ToImmutable() ?? [],
            PartialOrder = por,
            Symmetry = sym,
            StoreBytes = visited.Bytes,
        };
    }

    internal static string BoundMessage(ExplorationOptions options, long maxStates, long bound, long count) =>
        count >= maxStates
            ? $"stopped at the state bound --max-states {maxStates}"
            : $"stopped at the memory bound --max-memory {options.MaxMemoryBytes / (1 << 20)} MiB ({bound} states)";

    internal delegate ref TState StateAt<TState>(long index);

    /// <summary>The stored run to a state, from parent links: (label, stored state) from the initial state on.</summary>
    internal static List<TraceStep<TState>> Chain<TState>(StateAt<TState> state, Func<long, int> parent, Func<long, int> label, long index)
        where TState : unmanaged
    {
        var steps = new List<TraceStep<TState>>();
        for (long i = index; parent(i) >= 0; i = parent(i))
            steps.Add(new(label(i), state(i)));
        steps.Reverse();
        return steps;
    }

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
