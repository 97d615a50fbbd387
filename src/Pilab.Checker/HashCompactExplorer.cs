using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Pilab.Checker;

/// <summary>
/// Breadth-first search with hash compaction (<see cref="ExplorationOptions.HashCompaction"/>): the
/// visited set keeps a 64-bit fingerprint per state (<see cref="FingerprintSet"/>), and states are
/// kept only for the level being expanded and the next one. States are numbered in discovery order,
/// as the exact engine numbers them, and each keeps its parent's number and the label that reached
/// it (8 bytes); a counterexample is rebuilt by replaying those labels from the initial state. One
/// thread: the parallel engine is exact only.
/// </summary>
internal static class HashCompactExplorer
{
    /// <summary>States expanded between two looks at <see cref="ExplorationOptions.Stop"/> and <see cref="ExplorationOptions.Progress"/>.</summary>
    private const int StopRound = 1 << 14;

    public static ExplorationResult<TState> Explore<TState, TSystem>(TSystem system, ExplorationOptions options)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
    {
        bool por = options.PartialOrder;
        bool sym = options.Symmetry && system.HasSymmetry;
        var bound = new StateBound(options);
        long garbage = 0; // the bytes of the arrays replaced and not yet collected

        var sw = Stopwatch.StartNew();
        var visited = new FingerprintSet();
        // (parent number << 32) | label, by discovery number; the initial state's parent is -1.
        var links = new ChunkedArray<long>();
        var buffer = new Successor<TState>[system.MaxSuccessors];
        var terminalStates = options.RecordTerminals ? ImmutableArray.CreateBuilder<TState>() : null;
        var initial = system.Initial;
        var root = sym ? system.Canonicalize(in initial) : initial;
        visited.Add(FingerprintSet.Of(in root));
        links.Append(Link(-1, -1));

        var current = new TState[1 << 10];
        var next = new TState[1 << 10];
        current[0] = root;
        long currentCount = 1, nextCount = 0, levelStart = 0, peakFrontier = 0;
        long transitions = 0;
        var deadEnds = new DeadEnds();
        int depth = 0;
        TState violationState = default, stuckState = default;
        string? boundMessage = null;
        bool stop = false;
        // The count at which the next allocation (the table's growth, a chunk of links, a larger
        // frontier) or the state bound comes: there, and only there, the bound is looked at.
        long limit = Limit(bound, visited, links, next.Length - nextCount);
        var progress = new ProgressClock(options.Progress, Stopwatch.GetTimestamp());

        while (currentCount > 0 && !stop)
        {
            for (long j = 0; j < currentCount && !stop; j++)
            {
                // A stop request (a signal) is looked at once per round of states, as the partitioned engine does.
                if ((j & (StopRound - 1)) == StopRound - 1)
                {
                    if (options.Stop.IsCancellationRequested)
                    {
                        boundMessage = ExplorationOptions.InterruptedMessage;
                        stop = true;
                        break;
                    }
                    // Progress likewise, once per round of states, when its clock says so.
                    if (progress.Due) progress.Report(Figures(progress, options, visited, current, next, depth, transitions));
                }
                long head = levelStart + j;
                TState s = current[j];
                int n = por ? system.StubbornSuccessors(in s, buffer) : system.Successors(in s, buffer);
                transitions += n;
                if (n == 0)
                {
                    terminalStates?.Add(s);
                    var kind = system.Classify(in s);
                    if (deadEnds.Record(kind, head))
                    {
                        if (kind == TerminalKind.Stuck) stuckState = s;
                        else
                        {
                            violationState = s;
                            if (!options.ExhaustAfterViolation) { stop = true; break; }
                        }
                    }
                }
                for (int i = 0; i < n; i++)
                {
                    if (visited.Count >= limit)
                    {
                        if (visited.Count >= bound.States)
                        {
                            boundMessage = bound.StateMessage;
                            stop = true;
                            break;
                        }
                        // The next new state would allocate: the allocation is made now if the bound
                        // holds it (a replaced array counted until it is dropped), else the search stops.
                        long size = Unsafe.SizeOf<TState>();
                        bool table = visited.Room == 0, chunk = links.Room == 0, frontier = nextCount == next.Length;
                        long held = Held(visited, links, current.Length + next.Length, size);
                        long after = held
                            + (table ? 2 * visited.Bytes : 0)
                            + (chunk ? links.ChunkBytes : 0)
                            + (frontier ? 2 * next.Length * size : 0);
                        if (after > bound.Bytes)
                        {
                            boundMessage = bound.MemoryMessage(held, visited.Count);
                            stop = true;
                            break;
                        }
                        long replaced = (table ? visited.Bytes : 0) + (frontier ? next.Length * size : 0);
                        if (table) visited.Grow();
                        if (chunk) links.Reserve(links.Count + 1);
                        if (frontier) Array.Resize(ref next, next.Length * 2);
                        bound.Replaced(ref garbage, replaced); // the replaced arrays, counted until dropped
                        limit = Limit(bound, visited, links, next.Length - nextCount);
                    }
                    TState t = sym ? system.Canonicalize(buffer[i].State) : buffer[i].State;
                    if (!visited.Add(FingerprintSet.Of(in t))) continue;
                    links.Append(Link(head, buffer[i].Label));
                    next[nextCount++] = t;
                }
            }
            peakFrontier = Math.Max(peakFrontier, (long)(current.Length + next.Length) * Unsafe.SizeOf<TState>());
            if (stop) break;
            if (options.Stop.IsCancellationRequested)
            {
                boundMessage = ExplorationOptions.InterruptedMessage;
                break;
            }
            levelStart += currentCount;
            (current, next) = (next, current);
            currentCount = nextCount;
            nextCount = 0;
            limit = Limit(bound, visited, links, next.Length - nextCount);
            if (currentCount > 0) depth++;
        }
        sw.Stop();
        progress.Finish(Figures(progress, options, visited, current, next, depth, transitions));

        long target = deadEnds.Target;
        var verdict = deadEnds.Verdict(boundMessage is not null);
        var trace = target >= 0
            ? BreadthFirstExplorer.Concretise(system, sym, Replay(system, por, sym, root, links, target, deadEnds.Violation >= 0 ? violationState : stuckState))
            : [];
        int maxDepth = target >= 0 && !options.ExhaustAfterViolation ? trace.Length : depth;
        return new(verdict, visited.Count, transitions, deadEnds.Count, Math.Max(maxDepth, depth), sw.Elapsed, initial, trace, boundMessage)
        {
            TerminalStates = terminalStates?.ToImmutable() ?? [],
            PartialOrder = por,
            Symmetry = sym,
            HashCompaction = true,
            OmissionProbability = FingerprintSet.OmissionBound(visited.Count),
            StoreBytes = visited.Bytes + visited.Count * sizeof(long) + peakFrontier,
        };
    }

    /// <summary>The bytes of every large allocation: the table, the chunks of links, the two frontiers.</summary>
    private static long Held(FingerprintSet visited, ChunkedArray<long> links, long frontiers, long size) =>
        visited.Bytes + links.AllocatedBytes + frontiers * size;

    /// <summary>The count at which the next allocation or the state bound comes.</summary>
    private static long Limit(in StateBound bound, FingerprintSet visited, ChunkedArray<long> links, long frontierRoom) =>
        Math.Min(bound.States, visited.Count + Math.Min(Math.Min(visited.Room, links.Room), frontierRoom));

    /// <summary>The figures so far (a static method, so the search's locals are not captured).</summary>
    private static ExplorationProgress Figures<TState>(ProgressClock progress, ExplorationOptions options, FingerprintSet visited, TState[] current, TState[] next, int depth, long transitions)
        where TState : unmanaged =>
        new(depth, visited.Count, transitions,
            visited.Bytes + visited.Count * sizeof(long) + (long)(current.Length + next.Length) * Unsafe.SizeOf<TState>(),
            options.MaxMemoryBytes, 1, progress.Elapsed);

    private static long Link(long parent, int label) => (parent << 32) | (uint)label;

    /// <summary>
    /// The stored run to state number <paramref name="target"/>: its labels from the parent links,
    /// replayed from the initial state through the same successor function the search used. A label
    /// names one step of a state (a thread's or a CPU's next step), so each replayed step is the
    /// stored one; the run must end in the state the search found, else the model's labels are
    /// ambiguous and this says so.
    /// </summary>
    private static List<TraceStep<TState>> Replay<TState, TSystem>(TSystem system, bool por, bool sym, TState root, ChunkedArray<long> links, long target, TState expected)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
    {
        var labels = new List<int>();
        for (long i = target; links[i] >> 32 >= 0; i = links[i] >> 32)
            labels.Add((int)(uint)links[i]);
        labels.Reverse();
        var buffer = new Successor<TState>[system.MaxSuccessors];
        var steps = new List<TraceStep<TState>>(labels.Count);
        TState current = root;
        foreach (int label in labels)
        {
            int n = por ? system.StubbornSuccessors(in current, buffer) : system.Successors(in current, buffer);
            int found = -1;
            for (int i = 0; i < n && found < 0; i++)
                if (buffer[i].Label == label) found = i;
            if (found < 0) throw new InvalidOperationException("hash compaction: a stored label names no step of the replayed state");
            current = sym ? system.Canonicalize(buffer[found].State) : buffer[found].State;
            steps.Add(new(label, current));
        }
        if (!current.Equals(expected))
            throw new InvalidOperationException("hash compaction: the replayed run does not end in the state found (two steps of a state share a label)");
        return steps;
    }
}
