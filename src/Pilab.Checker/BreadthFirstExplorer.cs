using System.Collections.Immutable;
using System.Diagnostics;

namespace Pilab.Checker;

/// <summary>
/// Exhaustive breadth-first exploration. Because states are expanded in order of depth, the first
/// violating dead end expanded is one with a shortest run from the initial state, and that run is
/// rebuilt from parent links. The visited set doubles as the queue (states are stored in discovery
/// order), and successors go into one reused buffer: the loop allocates nothing per state.
/// </summary>
public static class BreadthFirstExplorer
{
    public static ExplorationResult<TState> Explore<TState, TSystem>(TSystem system, ExplorationOptions? options = null)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ITransitionSystem<TState>
    {
        options ??= new ExplorationOptions();
        long maxStates = Math.Min(options.MaxStates, int.MaxValue - 1);
        long memoryBound = Math.Max(1, options.MaxMemoryBytes / VisitedSet<TState>.BytesPerState);
        long bound = Math.Min(maxStates, memoryBound);

        var sw = Stopwatch.StartNew();
        var visited = new VisitedSet<TState>();
        var buffer = new Successor<TState>[system.MaxSuccessors];
        var initial = system.Initial;
        visited.Add(initial, -1, -1);

        long transitions = 0, terminals = 0;
        long head = 0, levelEnd = 1;
        int depth = 0;
        long violation = -1, stuck = -1;
        string? boundMessage = null;

        while (head < visited.Count)
        {
            if (head == levelEnd) { depth++; levelEnd = visited.Count; }
            TState s = visited.State(head);
            int n = system.Successors(in s, buffer);
            transitions += n;
            if (n == 0)
            {
                terminals++;
                var kind = system.Classify(in s);
                if (kind == TerminalKind.Violation && violation < 0)
                {
                    violation = head;
                    if (!options.ExhaustAfterViolation) break;
                }
                else if (kind == TerminalKind.Stuck && stuck < 0) stuck = head;
            }
            for (int i = 0; i < n; i++)
            {
                if (visited.Count >= bound)
                {
                    boundMessage = visited.Count >= maxStates
                        ? $"stopped at the state bound --max-states {maxStates}"
                        : $"stopped at the memory bound --max-memory {options.MaxMemoryBytes / (1 << 20)} MiB ({bound} states)";
                    break;
                }
                visited.Add(buffer[i].State, (int)head, buffer[i].Label);
            }
            if (boundMessage is not null) break;
            head++;
        }
        sw.Stop();

        long target = violation >= 0 ? violation : stuck;
        var verdict = violation >= 0 ? Verdict.Violation
            : boundMessage is not null ? Verdict.BoundReached
            : stuck >= 0 ? Verdict.Stuck
            : Verdict.Safe;
        var trace = target >= 0 ? Rebuild(visited, target) : [];
        int maxDepth = target >= 0 && !options.ExhaustAfterViolation ? trace.Length : depth;
        return new(verdict, visited.Count, transitions, terminals, Math.Max(maxDepth, depth), sw.Elapsed, initial, trace, boundMessage);
    }

    private static ImmutableArray<TraceStep<TState>> Rebuild<TState>(VisitedSet<TState> visited, long index)
        where TState : unmanaged, IEquatable<TState>
    {
        var steps = new List<TraceStep<TState>>();
        for (long i = index; visited.Parent(i) >= 0; i = visited.Parent(i))
            steps.Add(new(visited.Label(i), visited.State(i)));
        steps.Reverse();
        return [.. steps];
    }
}
