using System.Collections.Immutable;
using System.Diagnostics;

namespace Pilab.Checker;

/// <summary>
/// Level-synchronous parallel breadth-first search: the states of depth d (a contiguous range of the
/// shared visited set, which is the queue) are handed out in batches to the workers, whose new
/// successors are appended behind them and form depth d + 1 once every worker is done. So the set of
/// states stored is that of the sequential search (the same count), and a violating dead end found
/// at depth d has a shortest run of d steps (the trace may be another run of that length).
/// </summary>
internal static class ParallelExplorer
{
    private const int Batch = 256;

    public static ExplorationResult<TState> Explore<TState, TSystem>(TSystem system, ExplorationOptions options)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
    {
        int workers = options.Workers;
        bool por = options.PartialOrder;
        bool sym = options.Symmetry && system.HasSymmetry;
        long maxStates = Math.Min(options.MaxStates, int.MaxValue - 1);
        long memoryBound = Math.Max(1, options.MaxMemoryBytes / ConcurrentVisitedSet<TState>.BytesPerState);
        long bound = Math.Min(maxStates, memoryBound);

        var sw = Stopwatch.StartNew();
        // The state bound is tested on the states added; the index limit only keeps parent links,
        // which are ints, in range (indices include the holes left at the end of each worker's
        // block, at most one block per worker per level).
        var visited = new ConcurrentVisitedSet<TState>(int.MaxValue - 1, workers);
        var initial = system.Initial;
        var first = new ConcurrentVisitedSet<TState>.Block();
        visited.Add(sym ? system.Canonicalize(in initial) : initial, -1, -1, ref first);
        // The holes of the level being expanded: the unused tails of the blocks (at most one per
        // worker), kept here rather than marked in the store so the loop reads nothing extra.
        var holes = new List<(long Start, long End)> { visited.CloseBlock(ref first) };
        var levelHoles = holes.ToArray();
        // The bound: each worker stops when its own additions and the others' at the start of the
        // level reach it, and no worker may reserve indices past the bound plus the holes so far plus
        // a block per worker; so the count ends between the bound and the bound plus a block per worker.
        long holeTotal = levelHoles.Sum(h => h.End - h.Start);
        visited.SetIndexLimit(bound + holeTotal + (long)workers * ConcurrentVisitedSet<TState>.BlockSize);

        var state = new Worker<TState>[workers];
        for (int w = 0; w < workers; w++) state[w] = new(system.MaxSuccessors, options.RecordTerminals);

        long levelStart = 0, levelEnd = visited.End, cursor = 0;
        int depth = 0;
        bool stop = false, boundHit = false;
        long stored = 1;
        var deadEnds = new DeadEnds();

        void Work(int w)
        {
            var me = state[w];
            var buffer = me.Buffer;
            // States the other workers had added by the start of this level: the bound test below
            // is then exact up to what they add during the level.
            long others = stored - me.Block.Added;
            // Tallies in locals, written back once: two workers' objects may share a cache line.
            long transitions = 0;
            var mine = me.DeadEnds;
            // The block too: it is written on every add, and on a line shared with the other
            // worker's object that costs a cache-line transfer per state.
            var block = me.Block;
            try
            {
                Expand();
            }
            finally
            {
                me.Block = block;
                me.Transitions += transitions;
                me.DeadEnds = mine;
            }

            void Expand()
            {
            while (!Volatile.Read(ref stop))
            {
                long from = Interlocked.Add(ref cursor, Batch) - Batch;
                if (from >= levelEnd) return;
                long to = Math.Min(from + Batch, levelEnd);
                for (long head = from; head < to; head++)
                {
                    long holeEnd = HoleEnd(levelHoles, head);
                    if (holeEnd > head)
                    {
                        head = holeEnd - 1;
                        continue;
                    }
                    TState s = visited.State(head);
                    int n = por ? system.StubbornSuccessors(in s, buffer) : system.Successors(in s, buffer);
                    transitions += n;
                    if (n == 0)
                    {
                        me.TerminalStates?.Add(s);
                        mine.Record(system.Classify(in s), head);
                    }
                    for (int i = 0; i < n; i++)
                    {
                        int added = sym
                            ? visited.Add(system.Canonicalize(buffer[i].State), (int)head, buffer[i].Label, ref block)
                            : visited.Add(buffer[i].State, (int)head, buffer[i].Label, ref block);
                        if (added < 0 || block.Added + others >= bound)
                        {
                            me.BoundHit = true;
                            Volatile.Write(ref stop, true);
                            return;
                        }
                    }
                }
            }
            }
        }

        var threads = new Action[workers];
        for (int w = 0; w < workers; w++) { int id = w; threads[w] = () => Work(id); }
        while (levelStart < levelEnd)
        {
            cursor = levelStart;
            Parallel.Invoke(new ParallelOptions { MaxDegreeOfParallelism = workers }, threads);
            holes.Clear();
            foreach (var me in state)
            {
                holes.Add(visited.CloseBlock(ref me.Block));
                boundHit |= me.BoundHit;
            }
            // The workers' tallies are cumulative, so the level's merge is recomputed from them.
            deadEnds = new DeadEnds();
            foreach (var me in state) deadEnds.Merge(me.DeadEnds);
            if (boundHit || (deadEnds.Violation >= 0 && !options.ExhaustAfterViolation)) break;
            levelStart = levelEnd;
            levelEnd = visited.End;
            levelHoles = [.. holes.Where(h => h.End > h.Start)];
            holeTotal += levelHoles.Sum(h => h.End - h.Start);
            visited.SetIndexLimit(bound + holeTotal + (long)workers * ConcurrentVisitedSet<TState>.BlockSize);
            if (levelStart < levelEnd) depth++;
            stored = 1 + state.Sum(me => me.Block.Added);
        }
        sw.Stop();

        long transitions = 0;
        var terminalStates = options.RecordTerminals ? ImmutableArray.CreateBuilder<TState>() : null;
        foreach (var me in state)
        {
            transitions += me.Transitions;
            if (me.TerminalStates is not null) terminalStates!.AddRange(me.TerminalStates);
        }
        string? boundMessage = boundHit ? BreadthFirstExplorer.BoundMessage(options, maxStates, bound, bound) : null;
        long target = deadEnds.Target;
        var verdict = deadEnds.Verdict(boundHit);
        var trace = target >= 0
            ? BreadthFirstExplorer.Concretise(system, sym, BreadthFirstExplorer.Chain(visited.State, visited.Parent, visited.Label, target))
            : [];
        int maxDepth = target >= 0 && !options.ExhaustAfterViolation ? trace.Length : depth;
        stored = 1 + state.Sum(me => me.Block.Added);
        return new(verdict, stored, transitions, deadEnds.Count, Math.Max(maxDepth, depth), sw.Elapsed, initial, trace, boundMessage)
        {
            TerminalStates = terminalStates?.ToImmutable() ?? [],
            Workers = workers,
            PartialOrder = por,
            Symmetry = sym,
            StoreBytes = visited.Bytes,
        };
    }

    /// <summary>The end of the hole that contains <paramref name="index"/>, or 0.</summary>
    private static long HoleEnd((long Start, long End)[] holes, long index)
    {
        foreach (var (start, end) in holes)
            if (index >= start && index < end) return end;
        return 0;
    }

    /// <summary>A worker's own buffer and tallies, summed after the search (no shared counters in the loop).</summary>
    private sealed class Worker<TState>(int maxSuccessors, bool recordTerminals) where TState : unmanaged, IEquatable<TState>
    {
        public readonly Successor<TState>[] Buffer = new Successor<TState>[maxSuccessors];
        public readonly List<TState>? TerminalStates = recordTerminals ? [] : null;
        public long Transitions;
        public DeadEnds DeadEnds = new();
        public bool BoundHit;
        public ConcurrentVisitedSet<TState>.Block Block;
    }
}
