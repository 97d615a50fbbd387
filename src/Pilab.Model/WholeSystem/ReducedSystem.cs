using System.Numerics;
using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model.WholeSystem;

/// <summary>
/// The whole-system model with its reductions (docs/whole-system.md, "Reductions"): stubborn sets
/// derived from the declared footprints of <see cref="SystemFootprints"/>, and symmetry over posters
/// that post the same vector. The transitions, dead ends and their classification are
/// <see cref="WholeSystemModel"/>'s own; this adds only which transitions to explore and the orbit
/// representative.
/// </summary>
public readonly partial struct ReducedSystem : ISymmetricSystem<SystemState>, IPartialOrderSystem<SystemState>, IWorkerScratch
{
    private readonly WholeSystemModel _model;
    private readonly SystemFootprints _fp;
    private readonly int _posters, _injectors, _iommu, _posts;
    private readonly bool _tso;
    private readonly int _id; // names this system's entries in the per-thread decision cache

    public ReducedSystem(WholeSystemModel model)
    {
        _model = model;
        _fp = new SystemFootprints(model);
        var c = model.Configuration;
        _posters = c.Posters;
        _injectors = c.Injectors;
        _iommu = c.Iommu;
        _posts = c.Posts;
        _tso = c.Memory == MemoryModel.TSO;
        _id = Interlocked.Increment(ref s_nextId);
    }

    public WholeSystemModel Model => _model;
    public SystemState Initial => _model.Initial;
    public int MaxSuccessors => _model.MaxSuccessors;
    public int Successors(in SystemState state, Span<Successor<SystemState>> into) => _model.Successors(in state, into);
    public TerminalKind Classify(in SystemState terminal) => _model.Classify(in terminal);

    // The actors of the reduction. The host CPUs' interrupt hardware is split by the pending vectors its
    // steps consume: NOTIFY (pi.process, the dummy host.irq) and RESCHED/WAKEUP (extint.exit and their host.irq).
    private const int ThreadActor = 0, GuestActor = 1, BufferActor = 2, FirstCpuActor = 3, FirstPosterActor = 7;
    private static int CpuNotifyActor(int c) => FirstCpuActor + 2 * c;
    private static int CpuOtherActor(int c) => FirstCpuActor + 2 * c + 1;

    /// <summary>The reduction's actor of a transition label, or -1 for one it does not know.</summary>
    private int ActorOf(int label)
    {
        int actor = SystemLabels.Actor(label), step = SystemLabels.Step(label);
        switch (actor)
        {
            case SystemLabels.Thread or SystemLabels.SchedIn or SystemLabels.Preempt: return ThreadActor;
            case SystemLabels.Guest: return GuestActor;
            case SystemLabels.Buffer: return BufferActor;
            case SystemLabels.FirstCpu or SystemLabels.FirstCpu + 1:
                int c = actor - SystemLabels.FirstCpu;
                return step switch
                {
                    SystemLabels.PiProcess or SystemLabels.HostIrqNotify => CpuNotifyActor(c),
                    SystemLabels.ExtIntExit or SystemLabels.HostIrqResched or SystemLabels.HostIrqWakeup => CpuOtherActor(c),
                    _ => -1,
                };
            default:
                int p = actor - SystemLabels.FirstPoster;
                return p >= 0 && p < _posters ? FirstPosterActor + p : -1;
        }
    }

    /// <summary>
    /// A stubborn set (the conditions D1, D2 of <see cref="IPartialOrderSystem{TState}"/>): the transitions
    /// of a set A of actors from their current control states, closed so that every transition of A is
    /// independent, by declared footprint (<see cref="Footprint.IndependentOf"/>), of everything the actors
    /// outside A may do from now on while A's actors do not move (<see cref="Closure"/>). Starting from each
    /// actor with an enabled transition, the closure with the fewest enabled transitions is taken; a
    /// transition with no declared footprint, or no closure smaller than everything, explores every
    /// enabled transition.
    /// </summary>
    public int StubbornSuccessors(in SystemState s, Span<Successor<SystemState>> into)
    {
        int n = _model.Successors(in s, into);
        if (n <= 1) return n;
        // The choice depends only on the fields of DecisionKey; it is remembered per worker thread.
        var (klo, khi) = DecisionKey(s);
        var cache = t_decisions ??= new Decision[DecisionSlots];
        ulong h = (klo ^ (khi * 0x9E3779B97F4A7C15UL)) * 0xBF58476D1CE4E5B9UL;
        ref var slot = ref cache[(int)(h >> 47)];
        int bestSet;
        if (slot.Owner == _id && slot.Lo == klo && slot.Hi == khi) bestSet = slot.Set;
        else
        {
            bestSet = Decide(s, into[..n]);
            slot = new Decision(klo, khi, _id, bestSet);
        }
        if (bestSet == 0) return n;
        int m = 0;
        for (int i = 0; i < n; i++)
            if ((bestSet & (1 << ActorOf(into[i].Label))) != 0) into[m++] = into[i];
        return m;
    }

    /// <summary>
    /// The state's fields the stubborn set depends on: which actors have a transition enabled, their current
    /// footprints and their futures read the thread's place (status, CPU, pc, sched.in sub-step, guest mode, IF,
    /// vcpu->cpu, halted), SN, NV, NDST, waiter and task in memory, the pending vectors, the budgets, whether vIRR
    /// is empty (guest.take and guest.halt), whether each budget is left, the store buffer and every poster's
    /// word; never the values of PIR, ON, vIRR, delivered, mode in memory, the wake list, how much of a budget
    /// is left or the sched.in flag SnCleared. Two states equal on the
    /// key get the same set of actors (tests/Pilab.System.Tests/WholeSystemReductionTests.cs checks it against
    /// the choice made afresh on every reachable state of the built-ins).
    /// </summary>
    public static (ulong Lo, ulong Hi) DecisionKey(in SystemState s)
    {
        const ulong ignored = 0xFUL | (1UL << 4) | (3UL << 8) | (0xFUL << 10) | (0xFUL << 14) | (3UL << 20)
            | (0x3FFUL << 44) | (1UL << 53);
        ulong lo = (s.Lo & ~ignored) | (s.VIrr != 0 ? 1UL << 10 : 0)
            | (s.ExitsLeft > 0 ? 1UL << 44 : 0) | (s.HaltsLeft > 0 ? 1UL << 47 : 0)
            | (s.PreemptionsLeft > 0 ? 1UL << 49 : 0) | (s.MigrationsLeft > 0 ? 1UL << 51 : 0);
        return (lo, s.Hi);
    }

    private const int DecisionSlots = 1 << 17; // the slot is the hash's top 17 bits (3 MiB a worker)

    /// <summary>Each worker's table of choices (<see cref="DecisionKey"/>), counted against --max-memory by the engine.</summary>
    public long ScratchBytesPerWorker => (long)DecisionSlots * System.Runtime.CompilerServices.Unsafe.SizeOf<Decision>();
    private readonly record struct Decision(ulong Lo, ulong Hi, int Owner, int Set);
    [ThreadStatic] private static Decision[]? t_decisions;
    private static int s_nextId;

    /// <summary>The actors of the stubborn set chosen at s, as a bit set (<paramref name="enabled"/>: its enabled transitions),
    /// or 0 for all of them; computed afresh (<see cref="StubbornSuccessors"/> remembers it by <see cref="DecisionKey"/>).</summary>
    public int Decide(in SystemState s, ReadOnlySpan<Successor<SystemState>> enabled)
    {
        int n = enabled.Length;
        var world = new World();
        int seeds = 0;
        for (int i = 0; i < n; i++)
        {
            int a = ActorOf(enabled[i].Label);
            if (a < 0) return 0; // a transition this reduction does not know: explore everything
            world.Count[a]++;
            seeds |= 1 << a;
        }
        // The others' futures, with the thread moving and with it held; what wakes each actor; who runs now.
        world.FreeRunning = Futures(s, false, world.Free, world.FreeWake);
        world.HeldRunning = Futures(s, true, world.Held, world.HeldWake);
        bool buffered = s.StoreBufferLength > 0 && s.Status == ThreadStatus.OnCpu && s.LoadPc == 0;
        world.WhileBuffered = buffered ? _fp.ThreadWhileBuffered[s.ThreadPc] : _fp.ThreadFuture(s);
        // Holding a non-empty buffer holds the thread too when nothing it can do before its next locked step or
        // fence changes what the others' futures with the thread held assume (ThreadFacts).
        world.BufferHoldsThread = buffered && !s.Guest && (world.WhileBuffered.Changes & ThreadFacts) == 0;
        int bestSet = 0, bestCount = n;
        // Seeds are tried posters first, the thread last: of equally small sets the first found is kept, and
        // preferring to move a poster alone keeps the thread's long runs of steps together (measured: 5 % fewer
        // states than the thread first on kvm-2021 --mm tso -k 1 -j 2 -e 1 --halts 1 --preemptions 1 --migrations 1).
        while (seeds != 0 && bestCount > 1)
        {
            int a = 31 - BitOperations.LeadingZeroCount((uint)seeds);
            seeds &= ~(1 << a);
            if (world.Count[a] >= bestCount) continue;
            int set = Closure(s, a, bestCount, ref world, out int count);
            if (set != 0) (bestSet, bestCount) = (set, count);
        }
        return bestSet;
    }

    private const int MaxActors = FirstPosterActor + Configuration.MaxPosters;

    [System.Runtime.CompilerServices.InlineArray(MaxActors)]
    private struct Futures11 { private Footprint _0; }

    [System.Runtime.CompilerServices.InlineArray(MaxActors)]
    private struct Masks11 { private ulong _0; }

    [System.Runtime.CompilerServices.InlineArray(MaxActors)]
    private struct Counts11 { private int _0; }

    /// <summary>One state's view, on the stack: each actor's enabled transitions and current footprint (computed
    /// when first needed), the futures with the thread moving (<see cref="Free"/>) and held (<see cref="Held"/>),
    /// the fields whose change wakes each actor, and the actors that can move now.</summary>
    private struct World
    {
        public Counts11 Count;
        public Futures11 Current, Free, Held;
        public int CurrentKnown;
        public Masks11 FreeWake, HeldWake;
        public int FreeRunning, HeldRunning;
        public Footprint WhileBuffered;
        public bool BufferHoldsThread;
    }

    /// <summary>What the futures with the thread held take as fixed: whether and where it runs, its IF and guest mode,
    /// vcpu->cpu, and the descriptor fields only the thread writes (NDST, NV, SN).</summary>
    private const ulong ThreadFacts = Fields.OnCpu | Fields.Asleep | Fields.HostCpu | Fields.Guest | Fields.IF
        | Fields.Cpu | Fields.Ndst | Fields.Nv | Fields.Sn;

    /// <summary>Whether the actors of <paramref name="held"/> hold the thread: it is among them, or the held buffer
    /// keeps it before its next locked step.</summary>
    private static bool ThreadHeld(int held, ref World world) =>
        (held & (1 << ThreadActor)) != 0 || ((held & (1 << BufferActor)) != 0 && world.BufferHoldsThread);

    /// <summary>
    /// The least set of actors that contains <paramref name="start"/> and every actor that may move outside it
    /// while the set's actors are held (<see cref="Running"/>) whose future is not independent of the set's
    /// current transitions; 0 if its enabled transitions would number <paramref name="bound"/> or more. Each
    /// round adds every actor that conflicts; the set is returned only after a round, with the futures of the
    /// final set, adds none.
    /// </summary>
    private int Closure(in SystemState s, int start, int bound, ref World world, out int enabled)
    {
        int set = 1 << start;
        enabled = world.Count[start];
        var mine = CurrentOf(s, start, ref world);
        while (true)
        {
            bool threadHeld = ThreadHeld(set, ref world);
            int others = Running(set, threadHeld, ref world);
            int add = 0;
            for (int rest = others; rest != 0; rest &= rest - 1)
            {
                int a = BitOperations.TrailingZeroCount(rest);
                if (!mine.IndependentOf(FutureOf(a, set, threadHeld, ref world))) add |= 1 << a;
            }
            if (add == 0) return set;
            set |= add;
            for (; add != 0; add &= add - 1)
            {
                int a = BitOperations.TrailingZeroCount(add);
                enabled += world.Count[a];
                mine = mine.With(CurrentOf(s, a, ref world));
            }
            if (enabled >= bound) return 0;
        }
    }

    private Footprint CurrentOf(in SystemState s, int a, ref World world)
    {
        if ((world.CurrentKnown & (1 << a)) == 0)
        {
            world.Current[a] = Current(s, a);
            world.CurrentKnown |= 1 << a;
        }
        return world.Current[a];
    }

    /// <summary>Actor a's future while the actors of <paramref name="held"/> do not move (a not among them).</summary>
    private static Footprint FutureOf(int a, int held, bool threadHeld, ref World world) =>
        // with the buffer held and not empty, the thread cannot pass a locked step or a fence, nor be preempted
        a == ThreadActor && (held & (1 << BufferActor)) != 0 ? world.WhileBuffered
        : threadHeld ? world.Held[a] : world.Free[a];

    /// <summary>
    /// Which actors outside <paramref name="held"/> may take a transition from now on while the held ones do
    /// not move: those that can move now, and to a fixpoint those woken by what they change (an actor with
    /// nothing enabled moves only after another changes what its steps wait for: the thread's status or guest
    /// mode, a pending vector, the buffer's free end).
    /// </summary>
    private static int Running(int held, bool threadHeld, ref World world)
    {
        int active = (threadHeld ? world.HeldRunning : world.FreeRunning) & ~held;
        // a thread held only by the buffer still runs up to its next locked step
        if (threadHeld && (held & (1 << ThreadActor)) == 0) active |= world.FreeRunning & (1 << ThreadActor);
        ulong changes = 0;
        for (int rest = active; rest != 0; rest &= rest - 1)
            changes |= FutureOf(BitOperations.TrailingZeroCount(rest), held, threadHeld, ref world).Changes;
        // the sleepers: every actor not held and not yet running
        int sleepers = ~(held | active) & ((1 << MaxActors) - 1);
        bool changed = true;
        while (changed && sleepers != 0)
        {
            changed = false;
            for (int rest = sleepers; rest != 0; rest &= rest - 1)
            {
                int a = BitOperations.TrailingZeroCount(rest);
                ulong wake = threadHeld && a != ThreadActor ? world.HeldWake[a] : world.FreeWake[a];
                if ((wake & changes) == 0) continue;
                active |= 1 << a;
                sleepers &= ~(1 << a);
                changes |= FutureOf(a, held, threadHeld, ref world).Changes;
                changed = true;
            }
        }
        return active;
    }

    /// <summary>The footprint of every transition actor a may take from its current control state (enabled or not).</summary>
    private Footprint Current(in SystemState s, int a)
    {
        switch (a)
        {
            case ThreadActor:
            {
                if (s.Status == ThreadStatus.Runnable) return _fp.Load;
                // asleep: its next transition is a load, once woken; in the guest: the exit path, after a VM exit
                if (s.Status == ThreadStatus.Asleep) return _fp.Load;
                if (s.Guest) return _fp.ThreadGuard;
                if (s.LoadPc > 0)
                {
                    // setting vcpu->cpu to the CPU it already names changes nothing
                    var si = _fp.SchedInSteps[s.LoadPc - 1];
                    return s.Cpu == s.HostCpu ? new Footprint(si.Reads, si.Writes & ~Fields.Cpu, si.Sets) : si;
                }
                int pc = s.ThreadPc;
                var f = _fp.ThreadStep[pc].With(_fp.ThreadGuard);
                // A store waits for room: with the buffer full a flush would enable it. irr.check may store twice.
                if (_tso && s.StoreBufferLength >= SystemState.StoreBufferCapacity - 1) f = f.Read(Fields.BufHead);
                // sched.out.preempt is the thread's other transition here if it is or may become enabled
                // (budget, IF and a preemption point are the thread's own; the buffer may empty).
                if (s.PreemptionsLeft > 0 && s.IF && _model.Program.Thread[pc].Preemptible)
                    f = f.With(!s.Waiter && s.StoreBufferLength == 0 ? _fp.PreemptNotWaiting : _fp.Preempt);
                return f;
            }
            case GuestActor:
                return GuestFootprint(s);
            case BufferActor:
                // an empty buffer has no flush until the thread stores: its guard reads the free end then
                return s.StoreBufferLength == 0 ? new Footprint(Fields.BufHead | Fields.BufTail, 0)
                    : new Footprint(Fields.BufHead, Fields.BufHead | MemoryField(s.StoreBufferAt(0)));
            case FirstPosterActor or FirstPosterActor + 1 or FirstPosterActor + 2 or FirstPosterActor + 3:
                return PosterNow(s, a - FirstPosterActor);
            default:
            {
                int c = (a - FirstCpuActor) / 2;
                return (a - FirstCpuActor) % 2 == 0 ? CpuNotify(s, c, false) : CpuOther(s, c, false, true);
            }
        }
    }

    private static ulong MemoryField(BufferedStore e) => e switch
    {
        BufferedStore.WaiterClear or BufferedStore.WaiterSet => Fields.Waiter,
        BufferedStore.TaskRunning or BufferedStore.TaskInterruptible => Fields.Task,
        _ => Fields.Mode,
    };

    private Footprint GuestFootprint(in SystemState s)
    {
        var f = new Footprint(Fields.OnCpu | Fields.Guest | Fields.VIrr | Fields.Delivered, Fields.VIrr | Fields.Delivered);
        var exit = new Footprint(Fields.GuestBudget, Fields.GuestBudget | Fields.Guest | Fields.IF | Fields.Thread);
        if (s.ExitsLeft > 0) f = f.With(exit);
        if (s.HaltsLeft > 0) f = f.With(exit).Write(Fields.Halted);
        return f;
    }

    /// <summary>pi.process and the dummy host.irq at CPU c. <paramref name="threadFrozen"/>: the thread does
    /// not move, so whether it runs the guest on c is fixed.</summary>
    private static Footprint CpuNotify(in SystemState s, int c, bool threadFrozen)
    {
        var f = new Footprint(Fields.OnCpu | Fields.HostCpu | Fields.Pend(c, SystemState.Notify), Fields.Pend(c, SystemState.Notify));
        bool threadHere = s.Status == ThreadStatus.OnCpu && s.HostCpu == c;
        if (!threadFrozen || threadHere) f = f.Read(Fields.Guest | Fields.IF);
        if (!threadFrozen || (threadHere && s.Guest)) f = f.ReadWrite(Fields.On | Fields.Pir | Fields.VIrr);
        return f;
    }

    /// <summary>extint.exit and the RESCHED and WAKEUP handlers at CPU c.</summary>
    private static Footprint CpuOther(in SystemState s, int c, bool threadFrozen, bool asleepPossible, bool wakeInert = false)
    {
        int kinds = SystemState.Resched | SystemState.Wakeup;
        var f = new Footprint(Fields.OnCpu | Fields.HostCpu | Fields.Pend(c, kinds), Fields.Pend(c, kinds));
        bool threadHere = s.Status == ThreadStatus.OnCpu && s.HostCpu == c;
        if (!threadFrozen || threadHere) f = f.Read(Fields.Guest | Fields.IF);
        if (!threadFrozen || (threadHere && s.Guest)) f = f.Write(Fields.Guest | Fields.IF | Fields.Thread);
        // pi_wakeup_handler: reads the wake list and ON, then try_to_wake_up (which changes nothing if it cannot wake).
        if (wakeInert) return f;
        f = f.Read(Fields.Wakelist | Fields.On | Fields.Waiter | Fields.Task | Fields.Asleep).Write(Fields.Task);
        if (asleepPossible) f = f.Write(Fields.Asleep);
        return f;
    }

    /// <summary>Poster p's next step in this state: what its outcome depends on and changes.</summary>
    private Footprint PosterNow(in SystemState s, int p)
    {
        int pc = s.PosterPc(p);
        var steps = _fp.PosterStep[p];
        if (pc >= steps.Length) return Footprint.Everything;
        var f = steps[pc];
        if (_fp.PosterIsHardware[p] is not bool hardware) return f;
        ulong own = Fields.Poster(p);
        if (hardware) return pc == 1 ? HardwareNotify(s, p) : f;
        switch (_model.Program.Injector[pc])
        {
            case InjectorStep.Notify:
                // the IPI goes to vcpu->cpu only if the mode read was IN_GUEST_MODE; else only the pc moves.
                return s.InjectorModeRead(p) == VcpuMode.InGuest
                    ? new Footprint(own | Fields.Cpu, own).Set(Fields.Pend(s.Cpu, SystemState.Notify))
                    : new Footprint(own, own);
            case InjectorStep.Kick:
                return f.PendAt(s.Cpu);
            default:
                return f;
        }
    }

    /// <summary>A hardware poster's notify (pc 1): NV as it read it, to NDST as it read it.</summary>
    private static Footprint HardwareNotify(in SystemState s, int p)
    {
        ulong own = Fields.Poster(p);
        return new Footprint(own, own).Set(Fields.Pend(s.IommuNdst(p), s.IommuNvWakeup(p) ? SystemState.Wakeup : SystemState.Notify));
    }

    /// <summary>
    /// What each actor may read, write and set from now on (<paramref name="future"/>), with the thread held
    /// (<paramref name="frozen"/>) or not, and the fields whose change may let an actor with nothing enabled
    /// move (<paramref name="wakeOn"/>); returns the actors that may move now, as a bit set.
    /// </summary>
    private int Futures(in SystemState s, bool frozen, Span<Footprint> future, Span<ulong> wakeOn)
    {
        // Only the thread's sleep makes it asleep: with the thread held, a wake finds it asleep only if it is now.
        bool asleepPossible = !frozen || s.Status == ThreadStatus.Asleep;
        // try_to_wake_up wakes only a thread that announced itself (waiter) and is INTERRUPTIBLE; only the thread's
        // own stores set either, so with the thread held a wake that finds either clear, with no buffered store and
        // no store the thread is about to make (under SC its current step) to set it, changes nothing but its own pc,
        // before and after the held actors' transitions alike.
        var op = s.Status == ThreadStatus.OnCpu && !s.Guest && s.LoadPc == 0 ? _model.Program.Thread[s.ThreadPc].Op : SysOp.Sleep;
        bool wakeInert = frozen &&
            ((!s.Waiter && !Buffers(s, BufferedStore.WaiterSet) && (_tso || op != SysOp.WaiterSet)) ||
             (!s.TaskInterruptible && !Buffers(s, BufferedStore.TaskInterruptible) && (_tso || op != SysOp.TaskSet)));
        int active = 0;

        // the thread
        future[ThreadActor] = _fp.ThreadFuture(s);
        if (s.Status == ThreadStatus.Runnable || (s.Status == ThreadStatus.OnCpu && !s.Guest)) active |= 1 << ThreadActor;
        wakeOn[ThreadActor] = s.Status == ThreadStatus.Asleep ? Fields.Asleep : Fields.Guest | Fields.Thread;
        // the guest
        future[GuestActor] = GuestFootprint(s);
        if (s.Status == ThreadStatus.OnCpu && s.Guest) active |= 1 << GuestActor;
        wakeOn[GuestActor] = Fields.Guest | Fields.OnCpu;
        // the store buffer: it flushes what is in it, and whatever the thread may store
        var flush = new Footprint(Fields.BufHead, Fields.BufHead);
        if (frozen) for (int i = 0; i < s.StoreBufferLength; i++) flush = flush.Write(MemoryField(s.StoreBufferAt(i)));
        else flush = flush.Write(Fields.Mode | Fields.Waiter | Fields.Task);
        future[BufferActor] = flush;
        if (s.StoreBufferLength > 0) active |= 1 << BufferActor;
        wakeOn[BufferActor] = Fields.BufTail;
        // the interrupt hardware
        for (int c = 0; c < 2; c++)
        {
            // With the thread held on c outside the guest with IF = 0, c's hardware takes no step at all: host.irq
            // waits for IF = 1, pi.process and extint.exit for the guest, and only the thread changes either.
            if (frozen && s.Status == ThreadStatus.OnCpu && s.HostCpu == c && !s.Guest && !s.IF)
            {
                future[CpuNotifyActor(c)] = future[CpuOtherActor(c)] = Footprint.None;
                wakeOn[CpuNotifyActor(c)] = wakeOn[CpuOtherActor(c)] = 0;
                continue;
            }
            future[CpuNotifyActor(c)] = CpuNotify(s, c, frozen);
            if ((s.Pending(c) & SystemState.Notify) != 0) active |= 1 << CpuNotifyActor(c);
            wakeOn[CpuNotifyActor(c)] = Fields.Pend(c, SystemState.Notify);
            future[CpuOtherActor(c)] = CpuOther(s, c, frozen, asleepPossible, wakeInert);
            if ((s.Pending(c) & (SystemState.Resched | SystemState.Wakeup)) != 0) active |= 1 << CpuOtherActor(c);
            wakeOn[CpuOtherActor(c)] = Fields.Pend(c, SystemState.Resched | SystemState.Wakeup);
        }
        // the posters: the rest of this post, and the whole sequence if more posts follow
        for (int p = 0; p < _posters; p++)
        {
            int a = FirstPosterActor + p;
            int posts = s.PosterPosts(p);
            wakeOn[a] = 0;
            if (posts >= _posts)
            {
                future[a] = Footprint.None;
                continue;
            }
            active |= 1 << a;
            future[a] = _fp.PosterIsHardware[p] switch
            {
                false => InjectorFuture(s, p, posts, frozen, asleepPossible, wakeInert),
                true => HardwareFuture(s, p, posts, frozen),
                null => _fp.PosterWhole[p],
            };
        }
        return active;
    }

    /// <summary>
    /// A CPU injector's future: the rest of this post (a notify after the mode it read was not IN_GUEST_MODE sends
    /// nothing), and every step again if more posts follow. With the thread held its IPIs go to vcpu->cpu as it
    /// is now, and a wake cannot make an awake thread runnable.
    /// </summary>
    private Footprint InjectorFuture(in SystemState s, int p, int posts, bool frozen, bool asleepPossible, bool wakeInert)
    {
        int pc = Math.Min(s.PosterPc(p), _fp.PosterSuffix[p].Length - 1);
        var f = s.InjectorModeRead(p) == VcpuMode.InGuest ? _fp.PosterSuffix[p][pc] : _fp.PosterSuffixNoIpi[p][pc];
        if (posts < _posts - 1) f = f.With(_fp.PosterWhole[p]);
        if (!frozen) return f;
        f = f.PendAt(s.Cpu);
        // only wake touches waiter, task and the thread's status (the other injector steps do not)
        if (wakeInert) return new Footprint(f.Reads & ~(Fields.Waiter | Fields.Task | Fields.Asleep), f.Writes & ~(Fields.Task | Fields.Asleep), f.Sets);
        return asleepPossible ? f : new Footprint(f.Reads, f.Writes & ~Fields.Asleep, f.Sets);
    }

    /// <summary>Whether the thread's store buffer holds store e.</summary>
    private static bool Buffers(in SystemState s, BufferedStore e)
    {
        for (int i = 0; i < s.StoreBufferLength; i++)
            if (s.StoreBufferAt(i) == e) return true;
        return false;
    }

    /// <summary>
    /// A hardware poster's future: a notify it owes goes where it read; a post to come reads NV and NDST then.
    /// With the thread held those are fixed (only the thread writes NV, NDST and SN): the notify goes to NDST
    /// with NV as they are now, and with SN = 1 (respected) a post only sets its PIR bit.
    /// </summary>
    private Footprint HardwareFuture(in SystemState s, int p, int posts, bool frozen)
    {
        int pc = s.PosterPc(p);
        bool more = pc == 0 || posts < _posts - 1;
        var f = pc == 1 ? HardwareNotify(s, p) : Footprint.None;
        if (!more) return f;
        if (!frozen) return f.With(_fp.PosterWhole[p]);
        ulong own = Fields.Poster(p);
        var post = _fp.PosterStep[p][0];
        if (s.Sn && _fp.PosterRespectsSn[p])
            return f.With(new Footprint(post.Reads, post.Writes & ~Fields.On));
        return f.With(post).With(new Footprint(own, own).Set(Fields.Pend(s.Ndst, s.NvWakeup ? SystemState.Wakeup : SystemState.Notify)));
    }
}
