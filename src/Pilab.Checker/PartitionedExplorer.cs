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
/// (state, hash, parent, label, key) per successor, written and read sequentially.
///
/// The answer is the sequential search's, on any number of workers. The states of a level are
/// ordered as a first-in first-out queue would order them: by their parent's place in the level
/// before, then by the index of the step among the parent's successors as the model generates them
/// (after the stubborn-set and symmetry reductions in force). A state's parent is the first state in
/// that order that reaches it, and the run reported ends in the first violating dead end of the
/// shallowest level that has one in that order; without one, the first stuck dead end in that order.
/// With one worker that is the plain queue; with several it is kept like this. Each message carries
/// its place in the queue order as a key (the parent's rank in its level times the model's most
/// successors, plus the step's index; counted from the round's first rank, so it fits 32 bits and,
/// with only the low half of the hash sent, the message is no larger than before). A level is done
/// in rounds, each a stretch of the level's ranks (<see cref="RoundStates"/> per worker). Expand: each worker takes its states of the round in rank
/// order, computes their successors and posts each to its owner's mailbox, so each mailbox is in key
/// order. Insert: each worker adds the messages addressed to it merged by key across the senders,
/// with the table lines of the next ones prefetched so that the cache misses of a large table overlap
/// instead of coming one after the other (on one worker, without it the search takes half as long
/// again). So the first message for a new state is the one the queue would have taken first, its
/// parent and label are stored, and each owner's states of a level are numbered in queue order. When
/// a level is done, each worker ranks its new states from the keys: its own position plus, per other
/// worker, how many of that worker's keys are less (one merge-like pass). A worker stops expanding at
/// its first violating dead end; the round's pick is the least-ranked of the workers' picks, and an
/// earlier round's pick comes first. Every state of depth d is added before any of depth d + 1 is
/// expanded, so the states stored are those of a sequential breadth-first search, the dead end picked
/// lies at the least depth, and its run, rebuilt from parent links, is a shortest one: the very run
/// one worker reports. A state's number (its index in its owner's set times the workers plus the
/// owner) does depend on the workers; the run does not. Nothing depends on timing.
///
/// What may depend on the workers is how far the search got when it stops: on a violation, the other
/// workers finish the round, which is expanded and inserted, and a round is a different stretch of the level on different
/// worker counts, so the count of states (and transitions) at the stop differs; at --max-states or
/// --max-memory, which states were stored (and so whether a violation was reached before the bound).
/// A full search (safe, stuck, or exhausting after a violation) stores the same states on any number.
/// --max-memory counts every large allocation: the tables, the chunks of states and links, the
/// mailboxes, and (with several workers) the keys and ranks of two levels. Between the expand and the
/// insert phase, on one thread, the engine plans the round's inserts: each owner's room for the mail
/// addressed to it, as if every message were a new state (the table grown in one step, with the old
/// one counted until it is dropped; the chunks allocated; the keys and the next level's ranks), and
/// where that would pass the bound, the tables filled up to 3/4 instead of doubled, and where even
/// that would pass it, the largest common fraction of it that does not; an owner that
/// reaches its room stops the search. The plan is arithmetic only: each worker makes its own room
/// at the start of its insert phase, so the tables grow (and their pages are first touched) on all
/// workers at once, not one after the other on the planning thread. A mailbox that would outgrow
/// its share of what the plan left stops the expanding the same way. The arrays replaced are
/// collected after the inserts once they add up to 1/32 of the bound (StateBound.Replaced), so the
/// process holds what was counted. So no allocation passes the bound, and where the search stops
/// depends on the sizes only, never on timing.
///
/// What is shared is kept off the per-state paths: between the phases the workers meet at a
/// <see cref="PhaseBarrier"/> (it spins briefly before sleeping), and while a phase runs each worker
/// writes only its own store, its own mailboxes and counters kept on its own stack, so no two
/// workers write the same cache line (Worker.Guard). PILAB_PHASES=1 in the environment prints where
/// each worker's time went (<see cref="PhaseTimes"/>).
///
/// Each worker's store is one of three (<see cref="IStateStore{TState}"/>, a struct type argument, so
/// the loops are compiled for each): the plain <see cref="VisitedSet{TState}"/>, the compact
/// <see cref="TreeStore{TState}"/> (tree compression; labels recomputed for the run), or hash
/// compaction's <see cref="FingerprintStore{TState}"/> (fingerprints; states kept only for the level
/// being expanded and the next, the run replayed from its labels). The search, its order and its run
/// are the same with each.
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
    /// prefetched half as far ahead, once its slot has had time to arrive (and, for the compact
    /// store, whose insert reads three things, the root pair a quarter as far ahead).</summary>
    private const int Lookahead = 32;
    /// <summary>States a worker may add before it asks the shared budget again.</summary>
    private const int BudgetBlock = 1024;

    public static ExplorationResult<TState> Explore<TState, TSystem>(TSystem system, ExplorationOptions options)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState> =>
        options.HashCompaction ? Explore<TState, TSystem, HashCompactStore<TState>>(system, options, () => new(new()))
        : options.Store == StateStore.Compact ? Explore<TState, TSystem, CompactStore<TState>>(system, options, () => new(new()))
        : Explore<TState, TSystem, PlainStore<TState>>(system, options, () => new(new()));

    private static ExplorationResult<TState> Explore<TState, TSystem, TStore>(TSystem system, ExplorationOptions options, Func<TStore> store)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
        where TStore : struct, IStateStore<TState>
    {
        var sw = Stopwatch.StartNew();
        var run = new Run<TState, TSystem, TStore>(system, options, store);
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
        run.FinishProgress(); // a live line is cleared before an error is reported too
        if (run.Failure is not null) ExceptionDispatchInfo.Throw(run.Failure);
        return run.Result(sw.Elapsed);
    }

    /// <summary>One successor on its way to the worker that owns it.</summary>
    private struct Message<TState> where TState : unmanaged
    {
        public TState State;
        public uint Hash; // the low half of the state's hash: what the owner's table uses
        public int Parent;
        public int Label;
        /// <summary>Where the successor comes in the queue order, within the round: its parent's rank in
        /// its level less the round's first, times the model's most successors, plus its index among
        /// the parent's successors (so the message is no larger than it was without it).</summary>
        public uint Key;
    }

    /// <summary>A worker's store, buffers and tallies; only its owner writes them during a phase.</summary>
    private sealed class Worker<TState, TStore>(TStore set, int workers, int maxSuccessors, bool recordTerminals)
        where TState : unmanaged, IEquatable<TState>
        where TStore : struct, IStateStore<TState>
    {
        public readonly TStore Set = set;
        public readonly Successor<TState>[] Buffer = new Successor<TState>[maxSuccessors];
        /// <summary>This worker's messages to each owner, from the current round's expand phase.</summary>
        public readonly Message<TState>[][] Outbox = [.. Enumerable.Range(0, workers).Select(_ => new Message<TState>[1024])];
        public readonly int[] Posted = new int[workers];
        public readonly List<TState>? TerminalStates = recordTerminals ? [] : null;
        public long LevelStart, LevelEnd; // this worker's states of the level being expanded (own indices)
        public long RoundStart, RoundEnd; // those of them this round expands
        public long Transitions;
        public DeadEnds Round = new(); // the dead ends met in this round
        public TState RoundViolation, RoundStuck; // the states of its picks (hash compaction keeps no old states)
        public readonly int[] Read = new int[workers]; // per sender: how much of its mail to me is inserted (kept between an insert and its resumption)
        // With several workers: the queue-order keys of the states added since the level began (by
        // own index from LevelEnd; increasing, as they are inserted in key order), and the global
        // ranks of the level's states being expanded (by own index from LevelStart; increasing too).
        public long[] Keys = workers > 1 ? new long[1024] : [];
        public int[] Ranks = workers > 1 ? new int[1024] : [];
        public bool Ranked; // this level's ranks are computed
        public long Limit; // the states its set may hold this round: the numbering's limit, or the memory's
        // The room the plan gave it for this round's mail, made by the worker itself at the start of
        // its insert (so the tables of all workers grow at once, not one after the other on one thread).
        public long Adding = -1; // states to make room for; -1 when the room is made
        public bool FullTables; // its table fills to 3/4 instead of doubling (the memory bound)
        public int KeysLength, RanksLength; // the lengths its keys and ranks grow to
        public long MailAllowance; // bytes its outboxes may hold during the next expand
        public bool MailFull; // an outbox would have outgrown its allowance: the search stops after this round
        public long Budget; // states this worker may still add without asking
        public bool Starved; // stopped inserting for want of budget, with mail left
        public bool Full; // its numbering is exhausted
        public readonly PhaseTimes? Times = PhaseTimes.Enabled ? new() : null;
        // Last allocated, so that it lies between this worker's objects and the next worker's store,
        // whose fields that worker writes on every insert: two workers' hot fields never share a
        // cache line (nor the pair of lines the hardware prefetches together). The phases' own
        // counters live on the workers' stacks for the same reason.
        public readonly byte[] Guard = new byte[128];
    }

    private sealed class Run<TState, TSystem, TStore>
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
        where TStore : struct, IStateStore<TState>
    {
        private readonly TSystem _system;
        private readonly ExplorationOptions _options;
        private readonly int _workers;
        private readonly bool _por, _sym;
        private readonly StateBound _bound;
        // A state's number is its index in its owner's set times the workers plus the owner, an int
        // as parent links are: so no worker may hold more than this.
        private readonly long _ownLimit;
        private readonly Worker<TState, TStore>[] _crew;
        private readonly PhaseBarrier _expanded, _inserted;
        private readonly PaddedCounter _reserved = new(); // states granted out of the bound
        private volatile bool _done;
        private bool _insertAgain; // the bound's last grants went unused: the starved workers go on inserting
        private DeadEnds _deadEnds = new();
        private TState _violationState, _stuckState; // the dead ends picked
        private long _remoteMessages; // messages posted to another worker than their sender
        private int _depth;
        private long _levelSize; // states in the level being expanded, all workers together
        private long _roundEnd; // the ranks below this are expanded by the end of this round
        private readonly long _roundSpan; // ranks per round: RoundStates per worker, so that a round's keys fit 32 bits
        private bool _boundHit;
        private bool _interrupted; // _boundHit by a stop request, not by the bound
        private bool _memoryHit; // _boundHit by the memory bound
        private long _heldAtStop; // the bytes held when the memory bound stopped it
        private long _garbage; // the bytes of the arrays replaced and not yet collected (StateBound.Replaced)
        private long _replaced; // the bytes of the arrays the round's inserts replace, as planned
        private readonly TState _initial;
        private readonly ProgressClock _progress;
        private readonly PhaseTimes? _times = PhaseTimes.Enabled ? new() : null; // the search's one-thread sections (PILAB_PHASES)
        public Exception? Failure;

        /// <summary>Stores the initial state (its orbit's representative) with its owner: the first level.</summary>
        public Run(TSystem system, ExplorationOptions options, Func<TStore> store)
        {
            _system = system;
            _options = options;
            _workers = options.Workers;
            _por = options.PartialOrder;
            _sym = options.Symmetry && system.HasSymmetry;
            _bound = new StateBound(options, system is IWorkerScratch scratch ? scratch.ScratchBytesPerWorker * options.Workers : 0);
            _crew = [.. Enumerable.Range(0, _workers).Select(_ => new Worker<TState, TStore>(store(), _workers, system.MaxSuccessors, options.RecordTerminals))];
            _ownLimit = Math.Min((int.MaxValue - _workers) / _workers, _crew[0].Set.MaxCount);
            _expanded = new PhaseBarrier(_workers, Plan);
            _inserted = new PhaseBarrier(_workers, Coordinate);
            _initial = system.Initial;
            _progress = new ProgressClock(options.Progress, Stopwatch.GetTimestamp());
            _roundSpan = Math.Max(1, Math.Min((long)RoundStates * _workers, uint.MaxValue / Math.Max(1, system.MaxSuccessors)));

            var root = _sym ? system.Canonicalize(in _initial) : _initial;
            ulong h = StateHash.Of(in root);
            _crew[Owner(h)].Set.Add(in root, (uint)h, -1, -1); // its key, 0, is in place
            _reserved.Value = 1;
            long spare = Math.Max(0, _bound.Bytes - Held());
            foreach (var me in _crew) me.MailAllowance = MailBytes(me) + spare / _workers;
            NextLevel();
        }

        private int Owner(ulong hash) => (int)(((hash >> 32) * (ulong)_workers) >> 32);

        /// <summary>Makes the states added since the last level the level to expand, its first round
        /// the first <see cref="RoundStates"/> per worker of its queue order; false if there are none.</summary>
        private bool NextLevel()
        {
            _levelSize = 0;
            foreach (var me in _crew)
            {
                me.LevelStart = me.LevelEnd;
                me.LevelEnd = me.Set.Count;
                me.Set.Expanded(me.LevelStart);
                me.RoundStart = me.RoundEnd = me.LevelStart;
                me.Ranked = false;
                _levelSize += me.LevelEnd - me.LevelStart;
            }
            _roundEnd = _roundSpan;
            return _levelSize > 0;
        }

        /// <summary>Moves the round on to the next ranks of the level; false when the level is done.</summary>
        private bool NextRound()
        {
            if (_roundEnd >= _levelSize) return false;
            _roundEnd += _roundSpan;
            return true;
        }

        /// <summary>
        /// The global ranks of this worker's states of the level: a state's rank is the number of
        /// states of the level, all owners together, whose key is less than its own. Each owner's keys
        /// increase with its own index, so this is its own position plus, per other owner, how many
        /// of that owner's keys are less: one merge-like pass over each other owner's keys.
        /// </summary>
        private void Rank(int w)
        {
            var me = _crew[w];
            int n = (int)(me.LevelEnd - me.LevelStart);
            if (me.Ranks.Length < n) me.Ranks = new int[Grown(me.Ranks.Length, n)];
            var ranks = me.Ranks;
            var keys = me.Keys;
            for (int j = 0; j < n; j++) ranks[j] = j;
            for (int v = 0; v < _workers; v++)
            {
                if (v == w) continue;
                var other = _crew[v];
                var theirs = other.Keys;
                int m = (int)(other.LevelEnd - other.LevelStart), p = 0;
                for (int j = 0; j < n; j++)
                {
                    long key = keys[j];
                    while (p < m && theirs[p] < key) p++;
                    ranks[j] += p;
                }
            }
            me.Ranked = true;
        }

        public void Work(int w)
        {
            var times = _crew[w].Times;
            try
            {
                while (!_done)
                {
                    long start = times is null ? 0 : PhaseTimes.Cpu();
                    if (!_insertAgain)
                    {
                        Expand(w);
                        if (times is not null) times.RoundExpand = Lap(ref times.Expand, ref start);
                        Wait(_expanded, times); // the last to arrive runs Plan
                        if (times is not null) start = PhaseTimes.Cpu();
                    }
                    Insert(w);
                    if (times is not null) times.RoundInsert += Lap(ref times.Insert, ref start);
                    Wait(_inserted, times); // the last to arrive runs Coordinate
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

        /// <summary>Adds this thread's CPU time since <paramref name="start"/> to a tally (PILAB_PHASES) and
        /// starts the next lap; returns the lap's time.</summary>
        private static long Lap(ref long tally, ref long start)
        {
            long now = PhaseTimes.Cpu(), spent = now - start;
            tally += spent;
            start = now;
            return spent;
        }

        private static void Wait(PhaseBarrier barrier, PhaseTimes? times)
        {
            if (times is null)
            {
                barrier.SignalAndWait();
                return;
            }
            long cpu = PhaseTimes.Cpu(), wall = PhaseTimes.Wall();
            barrier.SignalAndWait();
            times.BarrierCpu += PhaseTimes.Cpu() - cpu;
            times.BarrierWall += PhaseTimes.Wall() - wall;
        }

        /// <summary>Expand phase: the worker's states of the round, successors posted to their owners.</summary>
        private void Expand(int w)
        {
            var me = _crew[w];
            // The round: this worker's states whose rank in the level is below the round's end. Its
            // states are stored in queue order, so they are the next ones in its own order.
            me.RoundStart = me.RoundEnd;
            if (_workers == 1) me.RoundEnd = Math.Min(me.LevelEnd, me.LevelStart + _roundEnd);
            else
            {
                if (!me.Ranked)
                {
                    long start = me.Times is null ? 0 : PhaseTimes.Cpu();
                    Rank(w);
                    if (me.Times is not null) Lap(ref me.Times.Rank, ref start);
                }
                long end = me.RoundStart;
                while (end < me.LevelEnd && me.Ranks[end - me.LevelStart] < _roundEnd) end++;
                me.RoundEnd = end;
            }
            var ranks = _workers == 1 ? null : me.Ranks;
            long levelStart = me.LevelStart;
            long successors = _system.MaxSuccessors;
            long roundStart = _roundEnd - _roundSpan;
            var buffer = me.Buffer;
            var outbox = me.Outbox;
            // The counts of the messages posted, on this thread's stack while it posts (see Worker.Guard).
            Span<int> posted = _workers <= 256 ? stackalloc int[_workers] : new int[_workers];
            me.Posted.CopyTo(posted);
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
                int rank = ranks is null ? (int)(local - levelStart) : ranks[local - levelStart];
                uint key = (uint)((rank - roundStart) * successors);
                TState s = set.State(local);
                int n = _por ? _system.StubbornSuccessors(in s, buffer) : _system.Successors(in s, buffer);
                transitions += n;
                if (n == 0)
                {
                    me.TerminalStates?.Add(s);
                    var kind = _system.Classify(in s);
                    if (round.Record(kind, rank, number))
                    {
                        if (kind == TerminalKind.Violation) me.RoundViolation = s;
                        else if (kind == TerminalKind.Stuck) me.RoundStuck = s;
                    }
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
                    if (k == outbox[o].Length && !GrowOutbox(me, o)) { me.MailFull = true; goto Done; }
                    ref var m = ref outbox[o][k];
                    m.State = t;
                    m.Hash = (uint)h;
                    m.Parent = number;
                    m.Label = buffer[i].Label;
                    m.Key = key + (uint)i;
                    posted[o] = k + 1;
                }
            }
        Done:
            posted.CopyTo(me.Posted);
            me.Round = round;
            me.Transitions += transitions;
        }

        /// <summary>Doubles an outbox if its worker's allowance holds it (the old one counted until dropped).</summary>
        private static bool GrowOutbox(Worker<TState, TStore> me, int o)
        {
            long size = Unsafe.SizeOf<Message<TState>>();
            long old = me.Outbox[o].Length;
            if (MailBytes(me) + 2 * old * size > me.MailAllowance) return false;
            Array.Resize(ref me.Outbox[o], (int)(old * 2));
            return true;
        }

        private static long MailBytes(Worker<TState, TStore> me)
        {
            long n = 0;
            foreach (var box in me.Outbox) n += box.Length;
            return n * Unsafe.SizeOf<Message<TState>>();
        }

        /// <summary>An array's length once it holds <paramref name="need"/>: doubled at least, as it grows.</summary>
        private static int Grown(long length, long need) =>
            need <= length ? (int)length : (int)Math.Max(need, Math.Min(length * 2, Array.MaxLength));

        /// <summary>The bytes of every large allocation now.</summary>
        private long Held()
        {
            long bytes = 0;
            foreach (var me in _crew)
                bytes += me.Set.AllocatedBytes + MailBytes(me) + (long)me.Keys.Length * sizeof(long) + (long)me.Ranks.Length * sizeof(int);
            return bytes;
        }

        /// <summary>
        /// Between the expand and the insert phase, on one thread: the room each owner gets for the mail
        /// addressed to it. Every message is taken for a new state; if the room for all of them (the
        /// tables grown, the old ones counted too, the chunks, the keys and the next level's ranks)
        /// would pass the bound, each owner gets the same largest fraction of its mail that does not.
        /// Each worker makes its room at the start of its insert, so that the tables grow in parallel and
        /// adding allocates nothing; an owner that fills it stops the search.
        /// </summary>
        private void Plan()
        {
            long start = _times is null ? 0 : PhaseTimes.Cpu();
            PlanRoom();
            if (_times is null) return;
            _times.Plan += PhaseTimes.Cpu() - start;
            long slowest = 0;
            foreach (var me in _crew) slowest = Math.Max(slowest, me.Times!.RoundExpand);
            _times.SlowestExpand += slowest;
        }

        private void PlanRoom()
        {
            try
            {
                var incoming = new long[_workers];
                foreach (var sender in _crew)
                    for (int w = 0; w < _workers; w++) incoming[w] += sender.Posted[w];
                const int Whole = 1 << 10;
                int fraction = Whole;
                // Where a table's doubling would pass the bound, the tables fill up to 3/4 instead (VisitedSet.Reserve).
                bool full = Needed(incoming, Whole, full: false) > _bound.Bytes;
                if (full && Needed(incoming, Whole, full: true) > _bound.Bytes)
                {
                    int lo = 0, hi = Whole - 1; // the largest fraction that fits, 0 if none does
                    while (lo < hi)
                    {
                        int mid = (lo + hi + 1) / 2;
                        if (Needed(incoming, mid, full: true) <= _bound.Bytes) lo = mid;
                        else hi = mid - 1;
                    }
                    fraction = lo;
                }
                // The room is made by each worker at the start of its insert (Insert), all at once; what
                // the process will hold then is the bytes planned here.
                long replaced = 0, held = 0;
                for (int w = 0; w < _workers; w++)
                {
                    var me = _crew[w];
                    long adding = incoming[w] * fraction / Whole;
                    held += me.Set.BytesAfter(adding, out long oldTable, full) + MailBytes(me);
                    replaced += oldTable;
                    me.Adding = adding;
                    me.FullTables = full;
                    if (_workers > 1)
                    {
                        long level = me.Set.Count - me.LevelEnd + adding;
                        me.KeysLength = Grown(me.Keys.Length, level);
                        me.RanksLength = Grown(me.Ranks.Length, level);
                        if (me.KeysLength > me.Keys.Length) replaced += (long)me.Keys.Length * sizeof(long);
                        if (me.RanksLength > me.Ranks.Length) replaced += (long)me.Ranks.Length * sizeof(int);
                        held += (long)me.KeysLength * sizeof(long) + (long)me.RanksLength * sizeof(int);
                    }
                    me.Limit = fraction == Whole ? _ownLimit : Math.Min(_ownLimit, me.Set.Count + adding);
                }
                // The arrays replaced are counted until dropped: dropped after the inserts, once they add
                // up (StateBound.Replaced, in Step).
                _replaced = replaced;
                // What the plan left, shared among the workers for their mailboxes in the next expand.
                long spare = Math.Max(0, _bound.Bytes - held);
                foreach (var me in _crew) me.MailAllowance = MailBytes(me) + spare / _workers;
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref Failure, e, null);
                foreach (var me in _crew)
                {
                    me.Limit = me.Set.Count;
                    me.Adding = -1;
                }
            }
        }

        /// <summary>The bytes held once each owner has room for <paramref name="fraction"/>/1024 of its mail,
        /// with the largest of the arrays it replaces (held until dropped) on top.</summary>
        private long Needed(long[] incoming, int fraction, bool full)
        {
            long bytes = 0, replaced = 0;
            for (int w = 0; w < _workers; w++)
            {
                var me = _crew[w];
                long adding = incoming[w] * fraction / 1024;
                bytes += me.Set.BytesAfter(adding, out long table, full) + MailBytes(me);
                long old = table;
                if (_workers > 1)
                {
                    long level = me.Set.Count - me.LevelEnd + adding;
                    long keys = Grown(me.Keys.Length, level), ranks = Grown(me.Ranks.Length, level);
                    bytes += keys * sizeof(long) + ranks * sizeof(int);
                    if (keys > me.Keys.Length) old += (long)me.Keys.Length * sizeof(long);
                    if (ranks > me.Ranks.Length) old += (long)me.Ranks.Length * sizeof(int);
                }
                replaced += old;
            }
            return bytes + replaced;
        }

        /// <summary>Insert phase: the room the plan gave this worker made, then the messages addressed to
        /// it added to its own set.</summary>
        private void Insert(int w)
        {
            var me = _crew[w];
            if (me.Adding >= 0)
            {
                me.Set.Reserve(me.Adding, me.FullTables);
                if (me.Keys.Length < me.KeysLength) Array.Resize(ref me.Keys, me.KeysLength);
                if (me.Ranks.Length < me.RanksLength) Array.Resize(ref me.Ranks, me.RanksLength);
                me.Adding = -1;
            }
            if (_workers == 1) InsertInOrder(me);
            else InsertMerged(me, w);
        }

        /// <summary>One worker: its own mail in the order posted, which is the queue order.</summary>
        private void InsertInOrder(Worker<TState, TStore> me)
        {
            var set = me.Set;
            var mail = me.Outbox[0];
            int count = me.Posted[0];
            long budget = me.Budget, limit = me.Limit;
            int i = me.Read[0];
            for (; i < count; i++)
            {
                if (i + Lookahead < count) set.PrefetchSlot(in mail[i + Lookahead].State, mail[i + Lookahead].Hash);
                if (i + Lookahead / 2 < count) set.PrefetchCandidate(in mail[i + Lookahead / 2].State, mail[i + Lookahead / 2].Hash);
                if (i + Lookahead / 4 < count) set.PrefetchKey(in mail[i + Lookahead / 4].State, mail[i + Lookahead / 4].Hash);
                ref var m = ref mail[i];
                if (budget == 0)
                {
                    if (!Grant(me))
                    {
                        me.Starved = true;
                        break;
                    }
                    budget = me.Budget;
                }
                if (set.Count == limit)
                {
                    me.Full = true;
                    break;
                }
                if (set.Add(in m.State, m.Hash, m.Parent, m.Label) >= 0) budget--;
            }
            me.Read[0] = i;
            me.Budget = budget;
        }

        /// <summary>
        /// Several workers: the senders' mail merged by key. Each sender posts in key order (it expands
        /// its states in rank order, a state's successors in the model's order) and a round's keys all
        /// lie above the last round's, so the owner sees every successor of the level in the queue order
        /// of the sequential search: the first message for a new state is the one the queue would have
        /// taken, its parent and label are stored, and the owner's states are numbered in queue order.
        /// Each sender's mailbox is prefetched ahead of its own head. The merge's heads and counts, and
        /// the budget, are kept on this thread's stack while it inserts (see Worker.Guard).
        /// </summary>
        private void InsertMerged(Worker<TState, TStore> me, int w)
        {
            var set = me.Set;
            var keys = me.Keys;
            long building = me.LevelEnd; // the own index of the first state of the level being built
            long roundKey = (_roundEnd - _roundSpan) * _system.MaxSuccessors; // the key of the round's first
            long budget = me.Budget, limit = me.Limit;
            int senders = _workers;
            Span<long> head = senders <= 256 ? stackalloc long[senders] : new long[senders];
            Span<int> read = senders <= 256 ? stackalloc int[senders] : new int[senders];
            Span<int> counts = senders <= 256 ? stackalloc int[senders] : new int[senders];
            me.Read.CopyTo(read);
            for (int v = 0; v < senders; v++)
            {
                counts[v] = _crew[v].Posted[w];
                head[v] = read[v] < counts[v] ? _crew[v].Outbox[w][read[v]].Key : long.MaxValue;
            }
            while (true)
            {
                // The sender with the least key is taken while its keys stay below every other
                // sender's next one: a run of its mail, usually several messages, per choice.
                int v = -1;
                long least = long.MaxValue, second = long.MaxValue;
                for (int u = 0; u < senders; u++)
                {
                    long h = head[u];
                    if (h < least) { second = least; least = h; v = u; }
                    else if (h < second) second = h;
                }
                if (v < 0) break;
                var mail = _crew[v].Outbox[w];
                int count = counts[v], i = read[v];
                do
                {
                    if (i + Lookahead < count) set.PrefetchSlot(in mail[i + Lookahead].State, mail[i + Lookahead].Hash);
                    if (i + Lookahead / 2 < count) set.PrefetchCandidate(in mail[i + Lookahead / 2].State, mail[i + Lookahead / 2].Hash);
                    if (i + Lookahead / 4 < count) set.PrefetchKey(in mail[i + Lookahead / 4].State, mail[i + Lookahead / 4].Hash);
                if (i + Lookahead / 4 < count) set.PrefetchKey(in mail[i + Lookahead / 4].State, mail[i + Lookahead / 4].Hash);
                    ref var m = ref mail[i];
                    if (budget == 0)
                    {
                        if (!Grant(me))
                        {
                            me.Starved = true;
                            goto Stop;
                        }
                        budget = me.Budget;
                    }
                    if (set.Count == limit)
                    {
                        me.Full = true;
                        goto Stop;
                    }
                    long index = set.Add(in m.State, m.Hash, m.Parent, m.Label);
                    if (index >= 0)
                    {
                        keys[index - building] = roundKey + m.Key;
                        budget--;
                    }
                    i++;
                }
                while (i < count && mail[i].Key < second);
                read[v] = i;
                head[v] = i < count ? mail[i].Key : long.MaxValue;
                continue;
            Stop:
                read[v] = i;
                break;
            }
            read.CopyTo(me.Read);
            me.Budget = budget;
        }

        /// <summary>More of the bound for a worker, in blocks (one shared atomic add per block, not per
        /// state); the last grant is what is left of the bound.</summary>
        private bool Grant(Worker<TState, TStore> me)
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
            long start = _times is null ? 0 : PhaseTimes.Cpu();
            try
            {
                Step();
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref Failure, e, null);
                _done = true;
            }
            if (_times is null) return;
            _times.Coordinate += PhaseTimes.Cpu() - start;
            _times.Rounds++;
            long slowest = 0;
            foreach (var me in _crew)
            {
                slowest = Math.Max(slowest, me.Times!.RoundInsert);
                me.Times.RoundInsert = 0;
            }
            _times.SlowestInsert += slowest;
        }

        private void Step()
        {
            // The arrays the inserts replaced were counted until dropped: dropped now, once they add up.
            _bound.Replaced(ref _garbage, _replaced);
            _replaced = 0;
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
            // A round is a stretch of the level's queue order, all workers together: the least rank
            // among the dead ends its workers met is the queue's first; and rounds go in queue order,
            // so a dead end met in an earlier round comes first: the first round's pick is kept.
            var round = new DeadEnds();
            for (int w = 0; w < _workers; w++)
            {
                var me = _crew[w];
                // What would cross between machines: the messages posted to another worker.
                for (int o = 0; o < _workers; o++) if (o != w) _remoteMessages += me.Posted[o];
                round.Merge(me.Round);
                me.Round = new();
                if (me.Full && me.Set.Count < _ownLimit || me.MailFull) _memoryHit = true;
                _boundHit |= me.Full || me.MailFull;
                // The mailboxes are empty: the senders fill them from the start in the next round.
                Array.Clear(me.Posted);
                Array.Clear(me.Read);
            }
            if (_deadEnds.Violation < 0 && round.Violation >= 0) _violationState = _crew[round.Violation % _workers].RoundViolation;
            if (_deadEnds.Stuck < 0 && round.Stuck >= 0) _stuckState = _crew[round.Stuck % _workers].RoundStuck;
            _deadEnds.MergeLater(round);
            if (_memoryHit && _heldAtStop == 0) _heldAtStop = Held();
            // Progress too is reported here, between rounds, when its clock says so (a clock read per round).
            if (_progress.Due) _progress.Report(Progress());
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

        /// <summary>The figures so far; between rounds or after the search, when no worker writes.</summary>
        private ExplorationProgress Progress()
        {
            long states = 0, transitions = 0, bytes = 0;
            foreach (var me in _crew)
            {
                states += me.Set.Count;
                transitions += me.Transitions;
                bytes += me.Set.Bytes;
            }
            return new(_depth, states, transitions, bytes, _options.MaxMemoryBytes, _workers, _progress.Elapsed);
        }

        /// <summary>Tells a sink that reported progress that the search is over.</summary>
        public void FinishProgress()
        {
            _progress.Finish(Progress());
            if (_times is not null) Console.Error.WriteLine(PhaseTimes.Report(_times, [.. _crew.Select(me => me.Times!)]));
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
                bytes += (long)me.Keys.Length * sizeof(long) + (long)me.Ranks.Length * sizeof(int);
                if (me.TerminalStates is not null) terminalStates!.AddRange(me.TerminalStates);
            }
            string? boundMessage = _interrupted ? ExplorationOptions.InterruptedMessage
                : _memoryHit ? _bound.MemoryMessage(_heldAtStop, states)
                : _boundHit ? _bound.StateMessage : null;
            long target = _deadEnds.Target;
            var trace = target >= 0
                ? BreadthFirstExplorer.Concretise(_system, _sym, RealSteps(StoredRun(target, _deadEnds.Violation >= 0 ? _violationState : _stuckState)))
                : [];
            // A chained search's depth counts levels of stored states; its run's steps are more.
            int maxDepth = target >= 0 && !_options.ExhaustAfterViolation && _system is not IExpandsRun<TState> ? trace.Length : _depth;
            return new(_deadEnds.Verdict(_boundHit), states, transitions, _deadEnds.Count, Math.Max(maxDepth, _depth), elapsed, _initial, trace, boundMessage)
            {
                TerminalStates = terminalStates?.ToImmutable() ?? [],
                Workers = _workers,
                PartialOrder = _por,
                Symmetry = _sym,
                Chains = _por && _system is IExpandsRun<TState>,
                StoreBytes = bytes,
                HashCompaction = _options.HashCompaction,
                OmissionProbability = _options.HashCompaction ? FingerprintSet.OmissionBound(states) : 0,
                Store = _options.HashCompaction ? null : _options.Store,
                RemoteMessages = _remoteMessages,
                MessageBytes = Unsafe.SizeOf<Message<TState>>(),
            };
        }

        /// <summary>The stored run with the steps the system skips put back (chains, <see cref="IExpandsRun{TState}"/>).</summary>
        private List<TraceStep<TState>> RealSteps(List<TraceStep<TState>> stored) =>
            _system is IExpandsRun<TState> chains ? chains.ExpandRun(_sym ? _system.Canonicalize(in _initial) : _initial, _sym, stored) : stored;

        /// <summary>
        /// The stored run to a state: (label, stored state) from the initial state on. The parent links
        /// give the states' numbers. The plain store keeps every state and label. The compact store keeps
        /// no labels: a step's label is that of the parent's first successor (as the search generated
        /// them) that is the stored state, which is the message the search took first. Hash compaction
        /// keeps no old states: the labels are replayed from the initial state, each naming one step of
        /// the state replayed; the run must end in the dead end the search met, else two steps of a
        /// state share a label, and this says so.
        /// </summary>
        private List<TraceStep<TState>> StoredRun(long number, TState end)
        {
            var chain = new List<long>();
            while (true)
            {
                var set = _crew[number % _workers].Set;
                int parent = set.Parent(number / _workers);
                if (parent < 0) break;
                chain.Add(number);
                number = parent;
            }
            chain.Reverse();
            var steps = new List<TraceStep<TState>>(chain.Count);
            var buffer = new Successor<TState>[_system.MaxSuccessors];
            TState current = _sym ? _system.Canonicalize(in _initial) : _initial; // the stored initial state
            foreach (long n in chain)
            {
                var set = _crew[n % _workers].Set;
                long local = n / _workers;
                if (set.KeepsStates && set.KeepsLabels)
                {
                    current = set.State(local);
                    steps.Add(new(set.Label(local), current));
                    continue;
                }
                TState target = set.KeepsStates ? set.State(local) : default;
                int label = set.KeepsLabels ? set.Label(local) : 0;
                int count = _por ? _system.StubbornSuccessors(in current, buffer) : _system.Successors(in current, buffer);
                int found = -1;
                for (int i = 0; i < count && found < 0; i++)
                {
                    TState t = _sym ? _system.Canonicalize(buffer[i].State) : buffer[i].State;
                    if (set.KeepsLabels ? buffer[i].Label == label : t.Equals(target))
                    {
                        found = i;
                        current = t;
                    }
                }
                if (found < 0) throw new InvalidOperationException("rebuilding the run: a stored step is no step of its parent");
                steps.Add(new(buffer[found].Label, current));
            }
            if (!current.Equals(end))
                throw new InvalidOperationException("rebuilding the run: the replayed run does not end in the state found (two steps of a state share a label)");
            return steps;
        }
    }
}
