using System.Collections.Immutable;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Pilab.Checker;

/// <summary>
/// The exact engine: level-synchronous breadth-first search with the state space partitioned among
/// the workers by hash (Stern and Dill's parallel Murphi, 1997; the layout of LTSmin's and DiVinE's
/// distributed engines): each worker owns the states whose hash falls in its part, in a
/// <see cref="VisitedSet{TState}"/> of its own that nobody else writes. So lookups take no lock and no
/// atomic instruction, and a table line never moves between cores; what crosses is one message
/// (state, hash, parent, label) per successor, written and read sequentially.
///
/// A level is done in rounds. Expand: each worker takes the next of its own states of the level, in
/// order, computes their successors and posts each to its owner's mailbox. Insert: each worker adds
/// the messages addressed to it, sender by sender, in the order posted, with the table lines of the
/// next ones prefetched so that the cache misses of a large table overlap instead of coming one
/// after the other (on one worker, without it the search takes half as long again). Nothing in that
/// order depends on timing, so the numbers states get, the count at a stop and the run reported are
/// the same on every run. A round expands at most <see cref="RoundStates"/> states of each worker,
/// which bounds the mailboxes (a few MB, outside --max-memory's count). Every state of depth d is
/// added before any of depth d + 1 is expanded, so the states stored are those of a sequential
/// breadth-first search, and the first violating dead end met lies at the least depth: its run,
/// rebuilt from parent links, is a shortest one.
///
/// One worker is the sequential search itself, with its inserts batched and prefetched: messages are
/// inserted in the order they were posted, so states get the numbers a plain queue would give them,
/// and expanding stops at the first violating dead end, so the states stored when it stops are exactly
/// those the plain search would have stored.
/// </summary>
internal static class PartitionedExplorer
{
    private const int RoundStates = 1 << 14;
    /// <summary>How far ahead of the insert the table slot is prefetched; the candidate state is
    /// prefetched half as far ahead, once its slot has had time to arrive.</summary>
    private const int Lookahead = 32;
    /// <summary>States a worker may add before it asks the shared budget again.</summary>
    private const int BudgetBlock = 1024;

    public static ExplorationResult<TState> Explore<TState, TSystem>(TSystem system, ExplorationOptions options)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
    {
        var sw = Stopwatch.StartNew();
        var run = new Run<TState, TSystem>(system, options);
        var crew = new Thread[options.Workers - 1];
        for (int w = 1; w < options.Workers; w++)
        {
            int id = w;
            crew[w - 1] = new Thread(() => run.Work(id)) { IsBackground = true, Name = $"pilab worker {id}" };
            crew[w - 1].Start();
        }
        run.Work(0);
        foreach (var t in crew) t.Join();
        sw.Stop();
        if (run.Failure is not null) ExceptionDispatchInfo.Throw(run.Failure);
        return run.Result(sw.Elapsed);
    }

    /// <summary>One successor on its way to the worker that owns it.</summary>
    private struct Message<TState> where TState : unmanaged
    {
        public TState State;
        public ulong Hash;
        public int Parent;
        public int Label;
    }

    /// <summary>A worker's store, buffers and tallies; only its owner writes them during a phase.</summary>
    private sealed class Worker<TState>(int workers, int maxSuccessors, bool recordTerminals) where TState : unmanaged, IEquatable<TState>
    {
        public readonly VisitedSet<TState> Set = new();
        public readonly Successor<TState>[] Buffer = new Successor<TState>[maxSuccessors];
        /// <summary>This worker's messages to each owner, from the current round's expand phase.</summary>
        public readonly Message<TState>[][] Outbox = [.. Enumerable.Range(0, workers).Select(_ => new Message<TState>[1024])];
        public readonly int[] Posted = new int[workers];
        public readonly List<TState>? TerminalStates = recordTerminals ? [] : null;
        public long LevelStart, LevelEnd; // this worker's states of the level being expanded (own indices)
        public long RoundStart, RoundEnd; // those of them this round expands
        public long Transitions;
        public DeadEnds Round = new(); // the dead ends met in this round
        public readonly int[] Read = new int[workers]; // per sender: how much of its mail to me is inserted
        public long Budget; // states this worker may still add without asking
        public bool Starved; // stopped inserting for want of budget, with mail left
        public bool Full; // its numbering is exhausted
    }

    private sealed class Run<TState, TSystem>
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
    {
        private readonly TSystem _system;
        private readonly ExplorationOptions _options;
        private readonly int _workers;
        private readonly bool _por, _sym;
        private readonly StateBound _bound;
        // A state's number is its index in its owner's set times the workers plus the owner, an int
        // as parent links are: so no worker may hold more than this.
        private readonly long _ownLimit;
        private readonly Worker<TState>[] _crew;
        private readonly Barrier _expanded, _inserted;
        private readonly PaddedCounter _reserved = new(); // states granted out of the bound
        private volatile bool _done;
        private bool _insertAgain; // the bound's last grants went unused: the starved workers go on inserting
        private DeadEnds _deadEnds = new();
        private int _depth;
        private bool _boundHit;
        private bool _interrupted; // _boundHit by a stop request, not by the bound
        private readonly TState _initial;
        public Exception? Failure;

        /// <summary>Stores the initial state (its orbit's representative) with its owner: the first level.</summary>
        public Run(TSystem system, ExplorationOptions options)
        {
            _system = system;
            _options = options;
            _workers = options.Workers;
            _por = options.PartialOrder;
            _sym = options.Symmetry && system.HasSymmetry;
            _bound = new StateBound(options, VisitedSet<TState>.BytesPerState);
            _ownLimit = (int.MaxValue - _workers) / _workers;
            _crew = [.. Enumerable.Range(0, _workers).Select(_ => new Worker<TState>(_workers, system.MaxSuccessors, options.RecordTerminals))];
            _expanded = new Barrier(_workers);
            _inserted = new Barrier(_workers, _ => Coordinate());
            _initial = system.Initial;

            var root = _sym ? system.Canonicalize(in _initial) : _initial;
            ulong h = StateHash.Of(in root);
            _crew[Owner(h)].Set.Add(in root, h, -1, -1);
            _reserved.Value = 1;
            NextLevel();
        }

        private int Owner(ulong hash) => (int)(((hash >> 32) * (ulong)_workers) >> 32);

        /// <summary>Makes the states added since the last level the level to expand; false if there are none.</summary>
        private bool NextLevel()
        {
            bool any = false;
            foreach (var me in _crew)
            {
                me.LevelStart = me.LevelEnd;
                me.LevelEnd = me.Set.Count;
                me.RoundStart = me.LevelStart;
                me.RoundEnd = Math.Min(me.LevelEnd, me.LevelStart + RoundStates);
                any |= me.LevelEnd > me.LevelStart;
            }
            return any;
        }

        /// <summary>Moves each owner's round on through its level; false when the level is done.</summary>
        private bool NextRound()
        {
            bool any = false;
            foreach (var me in _crew)
            {
                me.RoundStart = me.RoundEnd;
                me.RoundEnd = Math.Min(me.LevelEnd, me.RoundEnd + RoundStates);
                any |= me.RoundEnd > me.RoundStart;
            }
            return any;
        }

        public void Work(int w)
        {
            try
            {
                while (!_done)
                {
                    if (!_insertAgain)
                    {
                        Expand(w);
                        _expanded.SignalAndWait();
                    }
                    Insert(w);
                    _inserted.SignalAndWait(); // the last to arrive runs Coordinate
                }
            }
            catch (Exception e)
            {
                // Let the others finish the phase without this worker; the coordinator then stops
                // them all at the end of it. (Setting _done here instead would let a worker that is
                // between phases leave without the others, who would wait for it forever.)
                Interlocked.CompareExchange(ref Failure, e, null);
                _expanded.RemoveParticipant();
                _inserted.RemoveParticipant();
            }
        }

        /// <summary>Expand phase: the worker's states of the round, successors posted to their owners.</summary>
        private void Expand(int w)
        {
            var me = _crew[w];
            var buffer = me.Buffer;
            var outbox = me.Outbox;
            var posted = me.Posted;
            var round = me.Round;
            long transitions = 0;
            // Its own states only, in order: so what each worker posts, and in what order, does not
            // depend on timing, and neither do the numbers the owners give the states nor the run
            // reported. (Taking batches from the others' states when done with one's own was tried:
            // the partition by hash leaves little to balance, and the numbering became a race.)
            var set = me.Set;
            for (long local = me.RoundStart, end = me.RoundEnd; local < end; local++)
            {
                int number = (int)(local * _workers + w);
                TState s = set.State(local);
                int n = _por ? _system.StubbornSuccessors(in s, buffer) : _system.Successors(in s, buffer);
                transitions += n;
                if (n == 0)
                {
                    me.TerminalStates?.Add(s);
                    var kind = _system.Classify(in s);
                    round.Record(kind, number);
                    // Nothing after it is expanded by this worker: the successors posted so far are
                    // inserted, and the search stops at the end of this round.
                    if (kind == TerminalKind.Violation && !_options.ExhaustAfterViolation) goto Done;
                }
                for (int i = 0; i < n; i++)
                {
                    TState t = _sym ? _system.Canonicalize(buffer[i].State) : buffer[i].State;
                    ulong h = StateHash.Of(in t);
                    int o = Owner(h);
                    int k = posted[o];
                    if (k == outbox[o].Length) Array.Resize(ref outbox[o], k * 2);
                    ref var m = ref outbox[o][k];
                    m.State = t;
                    m.Hash = h;
                    m.Parent = number;
                    m.Label = buffer[i].Label;
                    posted[o] = k + 1;
                }
            }
        Done:
            me.Round = round;
            me.Transitions += transitions;
        }

        /// <summary>Insert phase: the messages addressed to this worker, added to its own set.</summary>
        private void Insert(int w)
        {
            var me = _crew[w];
            var set = me.Set;
            if (!_insertAgain)
            {
                long incoming = 0;
                foreach (var sender in _crew) incoming += sender.Posted[w];
                set.EnsureCapacity(incoming);
            }
            for (int v = 0; v < _workers; v++)
            {
                var sender = _crew[v];
                var mail = sender.Outbox[w];
                int count = sender.Posted[w];
                for (int i = me.Read[v]; i < count; i++)
                {
                    if (i + Lookahead < count) set.PrefetchSlot(mail[i + Lookahead].Hash);
                    if (i + Lookahead / 2 < count) set.PrefetchCandidate(mail[i + Lookahead / 2].Hash);
                    ref var m = ref mail[i];
                    if (me.Budget == 0 && !Grant(me))
                    {
                        me.Read[v] = i;
                        me.Starved = true;
                        return;
                    }
                    if (set.Count == _ownLimit)
                    {
                        me.Full = true;
                        return;
                    }
                    if (set.Add(in m.State, m.Hash, m.Parent, m.Label) >= 0) me.Budget--;
                }
                me.Read[v] = count;
            }
        }

        /// <summary>More of the bound for a worker, in blocks (one shared atomic add per block, not per
        /// state); the last grant is what is left of the bound.</summary>
        private bool Grant(Worker<TState> me)
        {
            while (true)
            {
                long reserved = Volatile.Read(ref _reserved.Value);
                long granted = Math.Min(BudgetBlock, _bound.States - reserved);
                if (granted <= 0) return false;
                if (Interlocked.CompareExchange(ref _reserved.Value, reserved + granted, reserved) != reserved) continue;
                me.Budget = granted;
                return true;
            }
        }

        /// <summary>Between rounds, on one thread: merge the round's dead ends, then go on with the
        /// level, start the next one, or stop.</summary>
        private void Coordinate()
        {
            try
            {
                Step();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref Failure, e, null);
                _done = true;
            }
        }

        private void Step()
        {
            _insertAgain = false;
            if (_crew.Any(me => me.Starved))
            {
                // Budget granted to workers that ran out of mail goes back to the pool, and the
                // starved ones insert on with it: so the search stops exactly at the bound.
                long unused = 0;
                foreach (var me in _crew)
                {
                    unused += me.Budget;
                    me.Budget = 0;
                    me.Starved = false;
                }
                _reserved.Value -= unused;
                if (unused > 0 && !_crew.Any(me => me.Full))
                {
                    _insertAgain = true;
                    return;
                }
                _boundHit = true;
            }
            foreach (var me in _crew)
            {
                // Rounds go in breadth-first order, so a dead end met in an earlier round is no
                // deeper than one met now: the first round's pick is kept.
                _deadEnds.MergeLater(me.Round);
                me.Round = new();
                _boundHit |= me.Full;
                // The mailboxes are empty: the senders fill them from the start in the next round.
                Array.Clear(me.Posted);
                Array.Clear(me.Read);
            }
            // A stop request (a signal) is looked at here, between rounds, and nowhere in the per-state loops.
            if (_options.Stop.IsCancellationRequested && !_boundHit) _boundHit = _interrupted = true;
            if (Failure is not null || _boundHit || (_deadEnds.Violation >= 0 && !_options.ExhaustAfterViolation))
            {
                _done = true;
                return;
            }
            if (NextRound()) return;
            if (NextLevel()) _depth++;
            else _done = true;
        }

        public ExplorationResult<TState> Result(TimeSpan elapsed)
        {
            long transitions = 0, states = 0, bytes = 0;
            var terminalStates = _options.RecordTerminals ? ImmutableArray.CreateBuilder<TState>() : null;
            foreach (var me in _crew)
            {
                transitions += me.Transitions;
                states += me.Set.Count;
                bytes += me.Set.Bytes;
                foreach (var box in me.Outbox) bytes += (long)box.Length * Unsafe.SizeOf<Message<TState>>();
                if (me.TerminalStates is not null) terminalStates!.AddRange(me.TerminalStates);
            }
            string? boundMessage = _interrupted ? ExplorationOptions.InterruptedMessage : _boundHit ? _bound.Message : null;
            long target = _deadEnds.Target;
            var trace = target >= 0
                ? BreadthFirstExplorer.Concretise(_system, _sym, StoredRun(target))
                : [];
            int maxDepth = target >= 0 && !_options.ExhaustAfterViolation ? trace.Length : _depth;
            return new(_deadEnds.Verdict(_boundHit), states, transitions, _deadEnds.Count, Math.Max(maxDepth, _depth), elapsed, _initial, trace, boundMessage)
            {
                TerminalStates = terminalStates?.ToImmutable() ?? [],
                Workers = _workers,
                PartialOrder = _por,
                Symmetry = _sym,
                StoreBytes = bytes,
            };
        }

        /// <summary>The stored run to a state, from parent links: (label, stored state) from the initial state on.</summary>
        private List<TraceStep<TState>> StoredRun(long number)
        {
            var steps = new List<TraceStep<TState>>();
            while (true)
            {
                var set = _crew[number % _workers].Set;
                long local = number / _workers;
                int parent = set.Parent(local);
                if (parent < 0) break;
                steps.Add(new(set.Label(local), set.State(local)));
                number = parent;
            }
            steps.Reverse();
            return steps;
        }
    }
}
