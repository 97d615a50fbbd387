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
public readonly partial struct ReducedSystem : ISymmetricSystem<SystemState>, IPartialOrderSystem<SystemState>
{
    private readonly WholeSystemModel _model;
    private readonly SystemFootprints _fp;
    private readonly int _posters, _injectors, _iommu, _posts, _schedInLength;
    private readonly bool _tso;

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
        _schedInLength = model.Program.SchedIn.Length;
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
        Span<int> count = stackalloc int[MaxActors];
        for (int i = 0; i < n; i++)
        {
            int a = ActorOf(into[i].Label);
            if (a < 0) return n; // a transition this reduction does not know: explore everything
            count[a]++;
        }
        int actors = FirstPosterActor + _posters;
        Span<Footprint> current = stackalloc Footprint[MaxActors];
        for (int a = 0; a < actors; a++) current[a] = Current(s, a);
        // The others' futures, with the thread moving and with it held; what wakes each actor; who runs now.
        var world = new World();
        world.Running = Futures(s, false, world.Free, world.WakeOn);
        Futures(s, true, world.Held, world.WakeOn);
        world.WhileBuffered = s.StoreBufferLength > 0 && s.Status == ThreadStatus.OnCpu && s.LoadPc == 0
            ? _fp.ThreadWhileBuffered[s.ThreadPc] : _fp.ThreadAll;
        int bestSet = 0, bestCount = n;
        for (int a = 0; a < actors && bestCount > 1; a++)
        {
            if (count[a] == 0 || count[a] >= bestCount) continue;
            int set = Closure(a, count, bestCount, current, ref world, out int enabled);
            if (set != 0) (bestSet, bestCount) = (set, enabled);
        }
        if (bestSet == 0) return n;
        int m = 0;
        for (int i = 0; i < n; i++)
            if ((bestSet & (1 << ActorOf(into[i].Label))) != 0) into[m++] = into[i];
        return m;
    }

    private const int MaxActors = FirstPosterActor + Configuration.MaxPosters;

    /// <summary>The futures of every actor in one state, with the thread moving (<see cref="Free"/>) and held
    /// (<see cref="Held"/>), the fields each waits for, and the actors that can run now.</summary>
    [System.Runtime.CompilerServices.InlineArray(MaxActors)]
    private struct Futures11 { private Footprint _0; }

    [System.Runtime.CompilerServices.InlineArray(MaxActors)]
    private struct Masks11 { private ulong _0; }

    private struct World
    {
        public Futures11 Free, Held;
        public Masks11 WakeOn;
        public int Running;
        public Footprint WhileBuffered;
    }

    /// <summary>
    /// The least set of actors that contains <paramref name="start"/> and every actor that may run outside
    /// it, while the set's actors are held, whose future is not independent of the set's current transitions;
    /// 0 if its enabled transitions would number <paramref name="bound"/> or more.
    /// </summary>
    private int Closure(int start, ReadOnlySpan<int> count, int bound, ReadOnlySpan<Footprint> current, ref World world, out int enabled)
    {
        int actors = FirstPosterActor + _posters;
        int set = 1 << start;
        enabled = count[start];
        var mine = current[start];
        bool added = true;
        while (added)
        {
            added = false;
            int others = Running(set, ref world);
            for (int a = 0; a < actors; a++)
            {
                if ((others & (1 << a)) == 0 || mine.IndependentOf(FutureOf(a, set, ref world))) continue;
                set |= 1 << a;
                enabled += count[a];
                if (enabled >= bound) return 0;
                mine = mine.With(current[a]);
                added = true;
            }
        }
        return set;
    }

    /// <summary>Actor a's future while the actors of <paramref name="held"/> do not move (a not among them).</summary>
    private static Footprint FutureOf(int a, int held, ref World world) =>
        // with the buffer held and not empty, the thread cannot pass a locked step or a fence, nor be preempted
        a == ThreadActor && (held & (1 << BufferActor)) != 0 ? world.WhileBuffered
        : (held & (1 << ThreadActor)) != 0 ? world.Held[a] : world.Free[a];

    /// <summary>
    /// Which actors outside <paramref name="held"/> may take a transition from now on while the held ones do
    /// not move: those that can run now, and to a fixpoint those woken by what they write (an actor with
    /// nothing enabled runs only after another writes what its steps wait for: the thread's status or guest
    /// mode, a pending vector, the buffer's free end).
    /// </summary>
    private int Running(int held, ref World world)
    {
        int actors = FirstPosterActor + _posters;
        int active = world.Running & ~held;
        ulong writes = 0;
        for (int a = 0; a < actors; a++)
            if ((active & (1 << a)) != 0) writes |= FutureOf(a, held, ref world).Writes;
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int a = 0; a < actors; a++)
            {
                if (((held | active) & (1 << a)) != 0 || (world.WakeOn[a] & writes) == 0) continue;
                active |= 1 << a;
                writes |= FutureOf(a, held, ref world).Writes;
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
                if (s.LoadPc > 0) return _fp.SchedInSteps[s.LoadPc - 1];
                int pc = s.ThreadPc;
                var f = _fp.ThreadStep[pc].With(_fp.ThreadGuard);
                // A store waits for room: with the buffer full a flush would enable it. irr.check may store twice.
                if (_tso && s.StoreBufferLength >= SystemState.StoreBufferCapacity - 1) f = f.Read(Fields.BufHead);
                // sched.out.preempt is the thread's other transition here if it is or may become enabled
                // (budget, IF and a preemption point are the thread's own; the buffer may empty).
                if (s.PreemptionsLeft > 0 && s.IF && _model.Program.Thread[pc].Preemptible) f = f.With(_fp.Preempt);
                return f;
            }
            case GuestActor:
                return GuestFootprint(s);
            case BufferActor:
                return new Footprint(Fields.BufHead, Fields.BufHead | MemoryField(s.StoreBufferAt(0)));
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
    private static Footprint CpuOther(in SystemState s, int c, bool threadFrozen, bool asleepPossible)
    {
        int kinds = SystemState.Resched | SystemState.Wakeup;
        var f = new Footprint(Fields.OnCpu | Fields.HostCpu | Fields.Pend(c, kinds), Fields.Pend(c, kinds));
        bool threadHere = s.Status == ThreadStatus.OnCpu && s.HostCpu == c;
        if (!threadFrozen || threadHere) f = f.Read(Fields.Guest | Fields.IF);
        if (!threadFrozen || (threadHere && s.Guest)) f = f.Write(Fields.Guest | Fields.IF | Fields.Thread);
        // pi_wakeup_handler: reads the wake list and ON, then try_to_wake_up.
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
        if (_fp.PosterIsIommu[p] is not bool iommu) return f;
        ulong own = Fields.Poster(p);
        if (iommu)
            return pc == 1
                ? new Footprint(own, own | Fields.Pend(s.IommuNdst(p), s.IommuNvWakeup(p) ? SystemState.Wakeup : SystemState.Notify))
                : f;
        switch (_model.Program.Injector[pc])
        {
            case InjectorStep.Notify:
                // the IPI goes to vcpu->cpu only if the mode read was IN_GUEST_MODE; else only the pc moves.
                return s.InjectorModeRead(p) == VcpuMode.InGuest
                    ? new Footprint(own | Fields.Cpu, own | Fields.Pend(s.Cpu, SystemState.Notify))
                    : new Footprint(own, own);
            case InjectorStep.Kick:
                return new Footprint(f.Reads, Fields.PendAt(f.Writes, s.Cpu));
            default:
                return f;
        }
    }

    /// <summary>
    /// What each actor may read and write from now on (<paramref name="future"/>), with the thread held
    /// (<paramref name="frozen"/>) or not, and the fields each actor with nothing enabled waits for; returns
    /// the actors that can run now, as a bit set.
    /// </summary>
    private int Futures(in SystemState s, bool frozen, Span<Footprint> future, Span<ulong> wakeOn)
    {
        // Only the thread's sleep makes it asleep: with the thread held, a wake finds it asleep only if it is now.
        bool asleepPossible = !frozen || s.Status == ThreadStatus.Asleep;
        int active = 0;

        // the thread
        future[ThreadActor] = _fp.ThreadAll;
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
            future[CpuNotifyActor(c)] = CpuNotify(s, c, frozen);
            if ((s.Pending(c) & SystemState.Notify) != 0) active |= 1 << CpuNotifyActor(c);
            wakeOn[CpuNotifyActor(c)] = Fields.Pend(c, SystemState.Notify);
            future[CpuOtherActor(c)] = CpuOther(s, c, frozen, asleepPossible);
            if ((s.Pending(c) & (SystemState.Resched | SystemState.Wakeup)) != 0) active |= 1 << CpuOtherActor(c);
            wakeOn[CpuOtherActor(c)] = Fields.Pend(c, SystemState.Resched | SystemState.Wakeup);
        }
        // the posters: the rest of this post, or the whole sequence if more posts follow
        for (int p = 0; p < _posters; p++)
        {
            int a = FirstPosterActor + p;
            int posts = s.PosterPosts(p);
            wakeOn[a] = 0;
            if (posts >= _posts) continue;
            active |= 1 << a;
            var f = posts < _posts - 1 ? _fp.PosterWhole[p] : _fp.PosterSuffix[p][Math.Min(s.PosterPc(p), _fp.PosterSuffix[p].Length - 1)];
            if (frozen && _fp.PosterIsIommu[p] is bool iommu)
            {
                // vcpu->cpu and NDST are the thread's to change: the IPIs go where they point now.
                ulong pend = f.Writes & Fields.PendAll;
                ulong to = 0;
                if (pend != 0)
                {
                    if (!iommu) to = Fields.PendAt(pend, s.Cpu) & Fields.PendAll;
                    else
                    {
                        if (posts < _posts - 1 || s.PosterPc(p) == 0) to |= Fields.PendAt(pend, s.Ndst) & Fields.PendAll;
                        if (s.PosterPc(p) == 1)
                            to |= Fields.Pend(s.IommuNdst(p), s.IommuNvWakeup(p) ? SystemState.Wakeup : SystemState.Notify);
                    }
                }
                f = new Footprint(f.Reads, (f.Writes & ~Fields.PendAll) | to);
                if (!asleepPossible) f = new Footprint(f.Reads, f.Writes & ~Fields.Asleep);
            }
            future[a] = f;
        }
        return active;
    }
}
