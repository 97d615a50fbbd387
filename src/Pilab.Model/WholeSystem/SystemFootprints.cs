using Pilab.Protocol;

namespace Pilab.Model.WholeSystem;

/// <summary>
/// The fields of <see cref="SystemState"/> as bits of a footprint (docs/whole-system.md, "Reductions").
/// A few are logical rather than bit ranges: <see cref="ModeSeen"/> is the value of mode the thread's own
/// loads see (its newest buffered mode store, else memory), <see cref="BufHead"/> the oldest entry of the
/// thread's store buffer (and whether it is empty), <see cref="BufTail"/> its free end, <see cref="OnCpu"/>
/// and <see cref="Asleep"/> the two predicates of the thread's status that steps test, <see cref="Thread"/>
/// the thread's pc and sched.in sub-step.
/// </summary>
public static class Fields
{
    public const ulong Pir = 0xF;               // one bit per vector, v1..v4
    public const ulong On = 1UL << 4;
    public const ulong Sn = 1UL << 5;
    public const ulong Nv = 1UL << 6;
    public const ulong Ndst = 1UL << 7;
    public const ulong Mode = 1UL << 8;         // vcpu->mode in memory
    public const ulong ModeSeen = 1UL << 9;
    public const ulong VIrr = 1UL << 10;
    public const ulong Delivered = 1UL << 11;
    public const ulong Waiter = 1UL << 12;      // in memory
    public const ulong Task = 1UL << 13;        // in memory
    public const ulong Wakelist = 1UL << 14;
    private const int PendShift = 15;           // 6 bits: CPU c, kind k (NOTIFY 0, RESCHED 1, WAKEUP 2) at 15 + 3c + k
    public const ulong PendAll = 0x3FUL << PendShift;
    public const ulong Halted = 1UL << 21;
    public const ulong IF = 1UL << 22;
    public const ulong Guest = 1UL << 23;
    public const ulong HostCpu = 1UL << 24;
    public const ulong Cpu = 1UL << 25;         // vcpu->cpu
    public const ulong OnCpu = 1UL << 26;
    public const ulong Asleep = 1UL << 27;
    public const ulong Thread = 1UL << 28;
    public const ulong ThreadBudget = 1UL << 29; // preemptions and migrations left
    public const ulong GuestBudget = 1UL << 30;  // exits and halts left
    public const ulong BufHead = 1UL << 31;
    public const ulong BufTail = 1UL << 32;
    private const int PosterShift = 33;
    public const ulong All = ~0UL;

    /// <summary>The pending bits <paramref name="kinds"/> (a <see cref="SystemState.Pending"/> set) at host CPU index c.</summary>
    public static ulong Pend(int c, int kinds) => (ulong)(kinds & 7) << (PendShift + 3 * c);

    /// <summary>The pending bits <paramref name="kinds"/> at both host CPUs.</summary>
    public static ulong PendBoth(int kinds) => Pend(0, kinds) | Pend(1, kinds);

    /// <summary>Moves every pending bit of <paramref name="mask"/> to host CPU c (the target is known).</summary>
    public static ulong PendAt(ulong mask, int c)
    {
        int kinds = (int)(((mask >> PendShift) | (mask >> (PendShift + 3))) & 7);
        return (mask & ~PendAll) | Pend(c, kinds);
    }

    /// <summary>Poster p's own word (pc, posts, what it read).</summary>
    public static ulong Poster(int p) => 1UL << (PosterShift + p);

    /// <summary>PIR's bit for vector index v.</summary>
    public static ulong PirOf(int v) => 1UL << v;
}

/// <summary>
/// What a transition (or a set of them) may read, its guard included, write, and set. <see cref="Sets"/> are
/// bits the transition only ORs in, whatever they were (an IPI makes its vector pending at a CPU): two sets of
/// one bit commute, so a set conflicts only with a read or a write of the bit, not with another set.
/// </summary>
public readonly record struct Footprint(ulong Reads, ulong Writes, ulong Sets = 0)
{
    public static readonly Footprint None = new(0, 0);
    public static readonly Footprint Everything = new(Fields.All, Fields.All);

    public Footprint With(Footprint o) => new(Reads | o.Reads, Writes | o.Writes, Sets | o.Sets);
    public Footprint Read(ulong f) => new(Reads | f, Writes, Sets);
    public Footprint Write(ulong f) => new(Reads, Writes | f, Sets);
    public Footprint ReadWrite(ulong f) => new(Reads | f, Writes | f, Sets);
    public Footprint Set(ulong f) => new(Reads, Writes, Sets | f);

    /// <summary>Everything it changes, written or set.</summary>
    public ulong Changes => Writes | Sets;

    /// <summary>The same footprint with its pending bits (written or set) moved to host CPU c (the target is known).</summary>
    public Footprint PendAt(int c) => new(Reads, Fields.PendAt(Writes, c), Fields.PendAt(Sets, c));

    /// <summary>
    /// Neither writes what the other reads, writes or sets, and neither sets what the other reads: in either
    /// order the two reach the same state, and neither enables or disables the other (guards are reads).
    /// </summary>
    public bool IndependentOf(Footprint o) =>
        (Writes & (o.Reads | o.Writes | o.Sets)) == 0 && ((Reads | Sets) & o.Writes) == 0 && (Reads & o.Sets) == 0 && (Sets & o.Reads) == 0;
}

/// <summary>
/// The declared footprint of every step of the whole-system model, per step kind, as
/// <see cref="WholeSystemModel"/> executes it (docs/whole-system.md, "Reductions"). A step kind
/// without a declaration here has <see cref="Footprint.Everything"/>, so a step added to the model
/// without its footprint makes the reduction explore every interleaving around it, never fewer.
/// </summary>
public sealed class SystemFootprints
{
    private readonly bool _tso, _irqPriority, _armed, _kvm2019;
    private readonly SystemProgram _program;
    private readonly Configuration _config;

    /// <summary>Per thread pc (0..GuestPc; GuestPc is the guest running): the step's footprint without its guard.</summary>
    public readonly Footprint[] ThreadStep;
    /// <summary>Per sched.in sub-step index.</summary>
    public readonly Footprint[] SchedInSteps;
    /// <summary>Per thread pc: every thread step the thread can reach from pc while its store buffer stays non-empty
    /// (it never passes a locked step or a fence then, and is never preempted).</summary>
    public readonly Footprint[] ThreadWhileBuffered;
    /// <summary>Everything the thread may ever do: every step, preemption, load and sched.in sub-step.</summary>
    public readonly Footprint ThreadAll;
    /// <summary>The guard every step of the thread on its CPU has.</summary>
    public readonly Footprint ThreadGuard;
    public readonly Footprint Preempt, Load;
    /// <summary>sched.out.preempt when the thread is not a waiter (waiter = 0 in memory, the buffer empty): it
    /// never installs the wake-up handler then, at most sets SN.</summary>
    public readonly Footprint PreemptNotWaiting;
    /// <summary>Per poster and pc: its step; and the suffix of its sequence from pc, and the whole sequence.</summary>
    public readonly Footprint[][] PosterStep, PosterSuffix;
    /// <summary>Per CPU injector and pc: the suffix from pc when the mode it read in this post was not
    /// IN_GUEST_MODE: a <c>notify</c> with no <c>mode.read</c> between pc and it sends no IPI.</summary>
    public readonly Footprint[][] PosterSuffixNoIpi;
    public readonly Footprint[] PosterWhole;
    /// <summary>Per poster: true for a hardware poster (IOMMU or IPIv), false for a CPU injector (null: a poster
    /// kind with no declared footprint).</summary>
    public readonly bool?[] PosterIsHardware;
    /// <summary>Per hardware poster: whether a post with SN = 1 leaves ON and sends nothing (iommu-sn: respect; IPIv always).</summary>
    public readonly bool[] PosterRespectsSn;

    public SystemFootprints(WholeSystemModel model)
    {
        _program = model.Program;
        _config = model.Configuration;
        _tso = _config.Memory == MemoryModel.TSO;
        _irqPriority = _config.IrqPriority;
        _armed = _program.WakeupArmed;
        _kvm2019 = _program.Variant.Design == KvmDesign.Kvm2019;

        ThreadGuard = new Footprint(Fields.OnCpu | Fields.Guest | Fields.Thread, Fields.Thread);
        if (_irqPriority) ThreadGuard = ThreadGuard.Read(Fields.IF | Fields.HostCpu | Fields.PendAll);

        var thread = _program.Thread;
        int guestPc = _program.GuestPc;
        ThreadStep = new Footprint[guestPc + 1];
        for (int pc = 0; pc < guestPc; pc++) ThreadStep[pc] = OfThread(thread[pc].Op);
        ThreadStep[guestPc] = Footprint.None; // the guest runs: the thread waits for a VM exit

        SchedInSteps = new Footprint[_program.SchedIn.Length];
        for (int i = 0; i < SchedInSteps.Length; i++)
        {
            // vcpu->cpu = the thread's CPU when the load ends: after the last sub-step, or at desc.update's fast path
            // (which compares vcpu->cpu with the thread's CPU).
            var f = OfSchedIn(_program.SchedIn[i]).With(ThreadGuard);
            if (_program.SchedIn[i] == SchedInStep.DescUpdate) f = f.Read(Fields.Cpu | Fields.HostCpu).Write(Fields.Cpu);
            if (i == SchedInSteps.Length - 1) f = f.Read(Fields.HostCpu).Write(Fields.Cpu);
            SchedInSteps[i] = f;
        }

        Preempt = OfPreempt().With(ThreadGuard);
        PreemptNotWaiting = OfPreemptNotWaiting().With(ThreadGuard);
        Load = new Footprint(Fields.OnCpu | Fields.Asleep | Fields.HostCpu | Fields.ThreadBudget,
            Fields.OnCpu | Fields.HostCpu | Fields.IF | Fields.Thread | Fields.Cpu | Fields.ThreadBudget);

        var all = Preempt.With(Load);
        foreach (var f in ThreadStep) all = all.With(f);
        foreach (var f in SchedInSteps) all = all.With(f);
        ThreadAll = all.With(ThreadGuard);

        // What the thread may still do, by which of its three optional parts remain possible.
        var entryExit = ThreadGuard;
        for (int pc = 0; pc < _program.BlockPc; pc++) entryExit = entryExit.With(ThreadStep[pc]);
        var block = Footprint.None;
        for (int pc = _program.BlockPc; pc < guestPc; pc++) block = block.With(ThreadStep[pc]);
        var load = Load;
        foreach (var f in SchedInSteps) load = load.With(f);
        _threadFuture = new Footprint[8];
        for (int k = 0; k < 8; k++)
            _threadFuture[k] = entryExit.With((k & 1) != 0 ? block : Footprint.None).With((k & 2) != 0 ? Preempt : Footprint.None)
                .With((k & 4) != 0 ? load : Footprint.None);

        ThreadWhileBuffered = new Footprint[guestPc + 1];
        for (int pc = 0; pc <= guestPc; pc++) ThreadWhileBuffered[pc] = WalkBuffered(pc);

        int posters = _config.Posters;
        PosterStep = new Footprint[posters][];
        PosterSuffix = new Footprint[posters][];
        PosterSuffixNoIpi = new Footprint[posters][];
        PosterWhole = new Footprint[posters];
        PosterIsHardware = new bool?[posters];
        PosterRespectsSn = new bool[posters];
        for (int p = 0; p < posters; p++)
        {
            ulong own = Fields.Poster(p);
            ulong pir = Fields.PirOf(_config.VectorOf(p));
            Footprint[] steps;
            if (p < _config.Injectors)
            {
                PosterIsHardware[p] = false;
                steps = new Footprint[_program.Injector.Length];
                for (int pc = 0; pc < steps.Length; pc++) steps[pc] = OfInjector(_program.Injector[pc], pir).ReadWrite(own);
            }
            else
            {
                // an IOMMU poster (VT-d) or an IPIv poster: the same two steps (WholeSystemModel.HardwareStepOf)
                PosterIsHardware[p] = true;
                PosterRespectsSn[p] = !(_config.IsIommu(p) && _program.Variant.IommuSn == IommuSn.Ignore);
                steps =
                [
                    // iommu.post: one locked update: v into PIR; if ON = 0 and SN = 0, ON = 1 and NV, NDST read.
                    new Footprint(pir | Fields.On | Fields.Sn | Fields.Nv | Fields.Ndst, pir | Fields.On).ReadWrite(own),
                    // iommu.notify: NV (NOTIFY or WAKEUP, as read) to NDST (as read).
                    new Footprint(own, own).Set(Fields.PendBoth(SystemState.Notify | SystemState.Wakeup)),
                ];
            }
            PosterStep[p] = steps;
            var suffix = new Footprint[steps.Length + 1];
            suffix[steps.Length] = Footprint.None;
            for (int pc = steps.Length - 1; pc >= 0; pc--) suffix[pc] = suffix[pc + 1].With(steps[pc]);
            PosterSuffix[p] = suffix;
            PosterWhole[p] = suffix[0];
            // The same suffix where a notify not preceded (from pc on) by a mode.read uses the mode already read.
            var noIpi = new Footprint[steps.Length + 1];
            for (int pc = 0; pc <= steps.Length; pc++)
            {
                var f = Footprint.None;
                bool fresh = false;
                for (int k = pc; k < steps.Length; k++)
                {
                    bool hardware = PosterIsHardware[p] == true;
                    if (!hardware && _program.Injector[k] == InjectorStep.ModeRead) fresh = true;
                    f = f.With(!hardware && !fresh && _program.Injector[k] == InjectorStep.Notify ? new Footprint(own, own) : steps[k]);
                }
                noIpi[pc] = f;
            }
            PosterSuffixNoIpi[p] = noIpi;
        }
    }

    private readonly Footprint[] _threadFuture;

    /// <summary>
    /// Everything the thread may do from a state on: the entry and the exit path always; the block path only if it is
    /// in it or may halt again (halted, or halts left: irq.on enters it only for a halted vCPU); sched.out.preempt
    /// only with preemptions left; a load and vmx_vcpu_pi_load's sub-steps only if it is off its CPU or loading, or
    /// may be preempted or go to sleep (the block path). Budgets only decrease.
    /// </summary>
    public Footprint ThreadFuture(in SystemState s)
    {
        bool block = s.Halted || s.HaltsLeft > 0 || (s.ThreadPc >= _program.BlockPc && s.ThreadPc < _program.GuestPc);
        bool preempt = s.PreemptionsLeft > 0;
        bool load = block || preempt || s.Status != ThreadStatus.OnCpu || s.LoadPc > 0;
        return _threadFuture[(block ? 1 : 0) | (preempt ? 2 : 0) | (load ? 4 : 0)];
    }

    /// <summary>A plain store of the thread: under SC to memory, under TSO into its buffer's free end.</summary>
    private Footprint Store(ulong field) =>
        _tso ? new Footprint(Fields.BufTail, Fields.BufTail | (field == Fields.Mode ? Fields.ModeSeen : 0))
             : new Footprint(0, field | (field == Fields.Mode ? Fields.ModeSeen : 0));

    /// <summary>A locked step or a fence waits for an empty store buffer under TSO.</summary>
    private Footprint Locked(Footprint f) => _tso ? f.Read(Fields.BufHead) : f;

    /// <summary>The thread's steps (WholeSystemModel.ThreadStep), without the guard every one has.</summary>
    private Footprint OfThread(SysOp op) => op switch
    {
        SysOp.IrqOff => new(0, Fields.IF),
        SysOp.ModeIn or SysOp.ModeOut => Store(Fields.Mode),
        SysOp.Mb => Locked(Footprint.None),
        SysOp.OnRead => new(Fields.On, 0),
        SysOp.OnClear => Locked(new(Fields.On, Fields.On)),
        SysOp.PirDrain => Locked(new(Fields.Pir | Fields.VIrr, Fields.Pir | Fields.VIrr)),
        SysOp.Check => new(Fields.ModeSeen, 0),
        SysOp.Enter => new(0, Fields.Guest),
        SysOp.IrqOn => new(Fields.Halted, Fields.IF),
        SysOp.PreBlock => Locked(new(Fields.Cpu | Fields.On, Fields.Wakelist | Fields.Nv | Fields.Ndst | Fields.Halted)),
        SysOp.WaiterSet => Store(Fields.Waiter),
        SysOp.TaskSet => Store(Fields.Task),
        SysOp.IrrCheck => new Footprint(Fields.VIrr, Fields.Halted).With(Store(Fields.Waiter)).With(Store(Fields.Task)),
        SysOp.SchedOutBlock => Locked(new(Fields.Task, Fields.IF)),
        SysOp.WakelistAdd => new(Fields.Cpu, Fields.Wakelist),
        SysOp.NvWakeup => new(0, Fields.Nv),
        SysOp.OnTest => new Footprint(Fields.On | Fields.HostCpu, 0).Set(Fields.PendBoth(SystemState.Wakeup)),
        SysOp.Sleep => new(Fields.Task, Fields.OnCpu | Fields.Asleep | Fields.IF),
        SysOp.PostBlock => Locked(new(Fields.Cpu, Fields.Nv | Fields.Ndst | Fields.Wakelist)),
        _ => Footprint.Everything,
    };

    /// <summary>Whether the thread's step waits for an empty store buffer (so it cannot run while a flush is held back).</summary>
    private bool NeedsEmptyBuffer(SysOp op) => _tso && op is SysOp.Mb or SysOp.OnClear or SysOp.PirDrain or SysOp.PreBlock or SysOp.SchedOutBlock or SysOp.PostBlock;

    private static Footprint OfSchedIn(SchedInStep step) => step switch
    {
        SchedInStep.WakelistDel => new(Fields.Nv, Fields.Wakelist),
        SchedInStep.DescUpdate => new(Fields.Nv | Fields.Sn, Fields.Nv | Fields.Sn | Fields.Ndst),
        SchedInStep.Mb => Footprint.None,
        SchedInStep.OnRecompute => new(Fields.Pir, Fields.On),
        _ => Footprint.Everything,
    };

    /// <summary>sched.out.preempt (WholeSystemModel.Preempt): needs budget, IF = 1 and an empty buffer.</summary>
    private Footprint OfPreempt()
    {
        var f = Locked(new Footprint(Fields.ThreadBudget | Fields.IF, Fields.OnCpu | Fields.ThreadBudget));
        if (!_armed) return f;
        if (_kvm2019) return f.Read(Fields.Task).Write(Fields.Sn);
        return f.Read(Fields.Waiter | Fields.Cpu | Fields.HostCpu | Fields.On).Write(Fields.Wakelist | Fields.Nv | Fields.Sn).Set(Fields.PendBoth(SystemState.Wakeup));
    }

    /// <summary>sched.out.preempt of a thread that is no waiter: kvm_sched_out's preempted flag (task state read) and
    /// vmx_vcpu_pi_put's SN = 1, never the wake-up handler (kvm_vcpu_is_blocking is false).</summary>
    private Footprint OfPreemptNotWaiting()
    {
        var f = Locked(new Footprint(Fields.ThreadBudget | Fields.IF, Fields.OnCpu | Fields.ThreadBudget));
        return _armed ? f.Read(Fields.Waiter | Fields.Task).Write(Fields.Sn) : f;
    }

    private static Footprint OfInjector(InjectorStep step, ulong pir) => step switch
    {
        InjectorStep.PirSet => new(pir, pir),
        InjectorStep.OnSet => new(Fields.On, Fields.On),
        InjectorStep.ModeRead => new(Fields.Mode, 0),
        InjectorStep.Notify => new Footprint(Fields.Cpu, 0).Set(Fields.PendBoth(SystemState.Notify)),
        // try_to_wake_up: waiter and task read; task = RUNNING; an asleep thread becomes runnable.
        InjectorStep.Wake => new(Fields.Waiter | Fields.Task | Fields.Asleep, Fields.Task | Fields.Asleep),
        // cmpxchg on mode in memory: what the thread's loads see changes with it unless a buffered store hides it.
        InjectorStep.Kick => new Footprint(Fields.Mode | Fields.Cpu, Fields.Mode | Fields.ModeSeen).Set(Fields.PendBoth(SystemState.Resched)),
        InjectorStep.Mb => Footprint.None,
        _ => Footprint.Everything,
    };

    /// <summary>The thread's steps reachable from pc without passing one that needs an empty buffer.</summary>
    private Footprint WalkBuffered(int start)
    {
        var thread = _program.Thread;
        int guestPc = _program.GuestPc;
        var seen = new bool[guestPc + 1];
        var stack = new Stack<int>();
        stack.Push(start);
        var f = Footprint.None;
        while (stack.Count > 0)
        {
            int pc = stack.Pop();
            if (pc < 0 || pc > guestPc || seen[pc]) continue;
            seen[pc] = true;
            if (pc == guestPc)
            {
                stack.Push(_program.ModeOutPc); // a VM exit
                continue;
            }
            var op = thread[pc].Op;
            if (NeedsEmptyBuffer(op)) continue;
            f = f.With(ThreadStep[pc]);
            stack.Push(pc + 1);
            stack.Push(thread[pc].SkipTo);
            switch (op)
            {
                case SysOp.Enter: stack.Push(guestPc); break;
                case SysOp.IrqOn: stack.Push(0); stack.Push(_program.BlockPc); break;
                case SysOp.PostBlock: stack.Push(0); break;
            }
        }
        return f.With(ThreadGuard);
    }
}
