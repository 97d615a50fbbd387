using System.Runtime.CompilerServices;
using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model.WholeSystem;

/// <summary>
/// docs/whole-system.md as a transition system: the vCPU thread (entry, exit, block loop, sched-in and
/// sched-out, on host CPU P0 or P2), the interrupt hardware of P0 and P2, the guest (takes vectors,
/// exits, halts), the thread's store buffer under TSO, k CPU injectors and j IOMMU posters. Each
/// step is one atomic transition. A separate system from <see cref="PiSystem"/>, so the section 2-6
/// model and its state counts are unchanged.
///
/// The successor path is the search's inner loop (bench/Pilab.Bench WholeSystemBench measures it): the
/// programs are compiled into flat tables (an op and a skip target per pc, the preemption points as one
/// mask, each poster's vector and kind), the state is read and written as bit fields of its two words,
/// nothing is allocated, and the methods the search calls for every state are compiled fully optimised
/// on their first call (<see cref="MethodImplOptions.AggressiveOptimization"/>), so a search of a few
/// hundred thousand states does not spend its first tenths of a second in unoptimised code waiting for
/// the runtime's tiered compilation.
/// </summary>
public readonly struct WholeSystemModel : ITransitionSystem<SystemState>
{
    private readonly SysOp[] _threadOp;
    private readonly byte[] _threadSkip;
    /// <summary>Bit pc: the thread may be preempted before its instruction pc (<see cref="SysInstruction.Preemptible"/>).</summary>
    private readonly ulong _preemptible;
    /// <summary>Poster p's vector as a PIR bit, at bits 4p..4p+3.</summary>
    private readonly int _vectorBits;
    /// <summary>Bit p: poster p is a hardware poster that posts whatever SN says (an IOMMU with iommu-sn: ignore).</summary>
    private readonly int _ignoresSn;
    private readonly SchedInStep[] _schedIn;
    private readonly InjectorStep[] _injector;
    private readonly byte[] _injectorSkip;
    private readonly bool _wakelistAdd, _nvWakeup, _onTest;
    private readonly bool _kvm2019, _keepBlockedNdst, _armed, _tso, _irqPriority;
    private readonly bool _recomputeIfSnSet, _preemptedOnRq, _putSnOnly;
    private readonly int _guestPc, _modeOutPc, _blockPc, _posters, _injectors, _posts, _postedVectors;

    public Configuration Configuration { get; }
    public SystemProgram Program { get; }

    public WholeSystemModel(Variant variant, Configuration configuration)
    {
        if (!variant.WholeSystem) throw new ArgumentException($"{variant.Name} is of design {DesignNames.Name(variant.Design)}: the vCPU-entry model checks it", nameof(variant));
        if (configuration.Problem(variant.Design) is { } problem) throw new ArgumentException(problem, nameof(configuration));
        Configuration = configuration;
        Program = new SystemProgram(variant, configuration);
        _threadOp = [.. Program.Thread.Select(i => i.Op)];
        _threadSkip = [.. Program.Thread.Select(i => i.SkipTo)];
        if (Program.GuestPc > 63) throw new ArgumentException($"the thread's program has {Program.GuestPc} steps; at most 63 fit the state's 6-bit pc", nameof(variant));
        for (int pc = 0; pc < _threadOp.Length; pc++)
            if (Program.Thread[pc].Preemptible) _preemptible |= 1UL << pc;
        _schedIn = [.. Program.SchedIn];
        _injector = [.. Program.Injector];
        _injectorSkip = [.. Program.InjectorSkip];
        _wakelistAdd = variant.SchedOutBlock.Contains(SchedOutStep.WakelistAdd);
        _nvWakeup = variant.SchedOutBlock.Contains(SchedOutStep.NvWakeup);
        _onTest = variant.SchedOutBlock.Contains(SchedOutStep.OnTest);
        _kvm2019 = variant.Design == KvmDesign.Kvm2019;
        _keepBlockedNdst = variant.BlockedNdst == BlockedNdst.Keep;
        _recomputeIfSnSet = variant.OnRecompute == OnRecompute.SnWasSet;
        _preemptedOnRq = variant.Preempted == PreemptedRule.OnRq;
        _putSnOnly = variant.PreemptPut == PreemptPut.Sn;
        _armed = Program.WakeupArmed;
        _tso = configuration.Memory == MemoryModel.TSO;
        _irqPriority = configuration.IrqPriority;
        _guestPc = Program.GuestPc;
        _modeOutPc = Program.ModeOutPc;
        _blockPc = Program.BlockPc;
        _posters = configuration.Posters;
        _injectors = configuration.Injectors;
        _posts = configuration.Posts;
        int posted = 0;
        for (int p = 0; p < _posters; p++)
        {
            posted |= 1 << configuration.VectorOf(p);
            _vectorBits |= (1 << configuration.VectorOf(p)) << (4 * p);
            if (variant.IommuSn == IommuSn.Ignore && configuration.IsIommu(p)) _ignoresSn |= 1 << p;
        }
        _postedVectors = posted;
    }

    /// <summary>The thread at the top of the entry on P0 with IF = 1, loaded there (vcpu->cpu = NDST = P0, NV = NOTIFY); nothing posted.</summary>
    public SystemState Initial => new SystemState(0, 0).WithIF(true).WithWakelist(-1)
        .WithExitsLeft(Configuration.Exits).WithHaltsLeft(Configuration.Halts)
        .WithPreemptionsLeft(Configuration.Preemptions).WithMigrationsLeft(Configuration.Migrations);

    public int MaxSuccessors => 24;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Successors(in SystemState s, Span<Successor<SystemState>> into)
    {
        int n = 0;
        int host = s.HostCpu;
        var status = s.Status;
        bool onCpu = status == ThreadStatus.OnCpu;
        bool guest = s.Guest;
        // the vCPU thread
        if (onCpu && !guest)
        {
            // Real hardware takes a pending interrupt at the next instruction boundary once IF = 1.
            if (!(_irqPriority && s.IF && s.Pending(host) != 0))
            {
                int loadPc = s.LoadPc;
                if (loadPc > 0)
                    into[n++] = new(SchedInStepOf(s), SystemLabels.Make(SystemLabels.SchedIn, SystemLabels.FirstSchedInStep + loadPc - 1));
                else
                {
                    int pc = s.ThreadPc;
                    if (ThreadStep(s, out var t)) into[n++] = new(t, SystemLabels.Make(SystemLabels.Thread, pc));
                    // sched.out.preempt: at a preemption point with IF = 1, budget left, and (a context switch
                    // being locked) an empty store buffer.
                    if (s.PreemptionsLeft > 0 && s.IF && s.StoreBufferLength == 0 && ((_preemptible >> pc) & 1) != 0)
                        into[n++] = new(Preempt(s), SystemLabels.Make(SystemLabels.Preempt, 0));
                }
            }
        }
        else if (status == ThreadStatus.Runnable)
        {
            into[n++] = new(Load(s, host), SystemLabels.Make(SystemLabels.SchedIn, SystemLabels.LoadSame));
            if (s.MigrationsLeft > 0)
                into[n++] = new(Load(s, 1 - host).WithMigrationsLeft(s.MigrationsLeft - 1), SystemLabels.Make(SystemLabels.SchedIn, SystemLabels.LoadOther));
        }

        // the interrupt hardware of P0 and P2
        if (s.PendingAny)
        {
            for (int c = 0; c < 2; c++)
            {
                int pending = s.Pending(c);
                if (pending == 0) continue;
                int actor = SystemLabels.FirstCpu + c;
                bool threadHere = onCpu && host == c;
                if (threadHere && guest)
                {
                    // pi.process (SDM 29.6): the notification vector in VMX non-root mode: clear ON, PIR -> vIRR.
                    if ((pending & SystemState.Notify) != 0)
                        into[n++] = new(s.WithPending(c, pending & ~SystemState.Notify).WithOn(false).WithVIrr(s.VIrr | s.Pir).WithPir(0),
                            SystemLabels.Make(actor, SystemLabels.PiProcess));
                    // extint.exit: RESCHED and WAKEUP are not the VMCS notification vector: a VM exit; the vector stays pending.
                    if ((pending & (SystemState.Resched | SystemState.Wakeup)) != 0)
                        into[n++] = new(VmExit(s), SystemLabels.Make(actor, SystemLabels.ExtIntExit));
                }
                else if (!threadHere || s.IF)
                {
                    // host.irq: a CPU not running the thread runs other work with IF = 1.
                    if ((pending & SystemState.Notify) != 0) // the dummy handler: PIR stays as it is
                        into[n++] = new(s.WithPending(c, pending & ~SystemState.Notify), SystemLabels.Make(actor, SystemLabels.HostIrqNotify));
                    if ((pending & SystemState.Resched) != 0)
                        into[n++] = new(s.WithPending(c, pending & ~SystemState.Resched), SystemLabels.Make(actor, SystemLabels.HostIrqResched));
                    if ((pending & SystemState.Wakeup) != 0)
                    {
                        // pi_wakeup_handler: wake each vCPU on this CPU's wake list whose ON is set.
                        var t = s.WithPending(c, pending & ~SystemState.Wakeup);
                        if (s.Wakelist == c && s.On) t = Wake(t, out _);
                        into[n++] = new(t, SystemLabels.Make(actor, SystemLabels.HostIrqWakeup));
                    }
                }
            }
        }

        // the guest
        if (onCpu && guest)
        {
            int virr = s.VIrr;
            if (virr != 0)
            {
                int v = HighestBit(virr);
                into[n++] = new(s.WithVIrr(virr & ~v).WithDelivered(s.Delivered | v), SystemLabels.Make(SystemLabels.Guest, SystemLabels.GuestTake));
            }
            if (s.ExitsLeft > 0)
                into[n++] = new(VmExit(s).WithExitsLeft(s.ExitsLeft - 1), SystemLabels.Make(SystemLabels.Guest, SystemLabels.GuestExit));
            // guest.halt: HLT with nothing in vIRR (a pending virtual interrupt is delivered before the
            // next instruction, SDM 29.2.2, so an idle guest halts with vIRR empty).
            if (s.HaltsLeft > 0 && virr == 0)
                into[n++] = new(VmExit(s).WithHaltsLeft(s.HaltsLeft - 1).WithHalted(true), SystemLabels.Make(SystemLabels.Guest, SystemLabels.GuestHalt));
        }

        if (_tso && s.StoreBufferLength > 0)
            into[n++] = new(s.FlushOldest(), SystemLabels.Make(SystemLabels.Buffer, 0));

        for (int p = 0; p < _posters; p++)
        {
            int posts = s.PosterPosts(p);
            if (posts >= _posts) continue;
            int vector = (_vectorBits >> (4 * p)) & 0xF;
            var t = p < _injectors ? InjectorStepOf(s, p, vector) : HardwareStepOf(s, p, vector, ((_ignoresSn >> p) & 1) != 0);
            into[n++] = new(t, SystemLabels.Make(SystemLabels.FirstPoster + p, s.PosterPc(p)));
        }
        return n;
    }

    /// <summary>A VM exit: the guest stops, IF = 0 by hardware; the thread continues on the exit path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SystemState VmExit(in SystemState s) => s.WithGuest(false).WithIF(false).WithThreadPc(_modeOutPc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HighestBit(int set) => 1 << (31 - int.LeadingZeroCount(set));

    /// <summary>kvm_vcpu_wake_up (<see cref="ThreadStores.Wake"/>).</summary>
    private static SystemState Wake(in SystemState s, out bool woke) => ThreadStores.Wake(s, out woke);

    /// <summary>sched.in: the scheduler loads the thread on CPU c; vmx_vcpu_pi_load's sub-steps follow.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SystemState Load(in SystemState s, int c)
    {
        var t = s.WithStatus(ThreadStatus.OnCpu).WithHostCpu(c).WithIF(true);
        return _schedIn.Length > 0 ? t.WithLoadPc(1) : t.WithCpu(c);
    }

    /// <summary>The next sub-step of vmx_vcpu_pi_load; the last one (or a fast-path return) sets vcpu->cpu.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SystemState SchedInStepOf(in SystemState s)
    {
        int i = s.LoadPc - 1;
        bool sameCpu = s.Cpu == s.HostCpu;
        bool done = false;
        var t = s;
        switch (_schedIn[i])
        {
            case SchedInStep.WakelistDel:
                // if NV is WAKEUP the vCPU is on the wake list of vcpu->cpu: list_del under its lock.
                if (s.NvWakeup) t = s.WithWakelist(-1);
                break;
            case SchedInStep.DescUpdate:
                if (!_kvm2019)
                {
                    // 5.17: fast path if NV is NOTIFY and the CPU did not change: test-and-clear SN, and
                    // only if it was set go on; else NV = NOTIFY, SN = 0, NDST = cpu in one cmpxchg.
                    if (!s.NvWakeup && sameCpu)
                    {
                        if (s.Sn) t = s.WithSn(false);
                        else done = true;
                    }
                    else t = s.WithNvWakeup(false).WithSn(false).WithNdst(s.HostCpu);
                    if (_recomputeIfSnSet && s.Sn) t = t.WithSnCleared(true);
                }
                else
                {
                    // 2019: return at once if SN = 0 and the CPU did not change; with NV = WAKEUP (after the
                    // NDST fix) or on the same CPU only clear SN; else NDST = cpu and SN = 0.
                    if (!s.Sn && sameCpu) done = true;
                    else if ((s.NvWakeup && _keepBlockedNdst) || sameCpu) t = s.WithSn(false);
                    else t = s.WithSn(false).WithNdst(s.HostCpu);
                    if (_recomputeIfSnSet && s.Sn) t = t.WithSnCleared(true);
                }
                break;
            case SchedInStep.Mb:
                break; // the thread's buffer is empty after the context switch: a fence is a no-op here
            case SchedInStep.OnRecompute:
                // c112b5f50232: posts while SN = 1 set PIR without ON; if PIR is not empty, set ON
                // (on-recompute: sn-was-set, only if this load cleared an SN that was set).
                if (s.Pir != 0 && (!_recomputeIfSnSet || s.SnCleared)) t = s.WithOn(true);
                break;
        }
        return done || i + 1 >= _schedIn.Length ? t.WithLoadPc(0).WithCpu(s.HostCpu).WithSnCleared(false) : t.WithLoadPc(s.LoadPc + 1);
    }

    /// <summary>
    /// sched.out.preempt: kvm_sched_out marks the vCPU preempted (preempted: on-rq, v5.14 on, always; running,
    /// before v5.14, only if the task is RUNNING), then vmx_vcpu_pi_put, only when the wake-up vector is armed.
    /// 2019: SN = 1 if preempted. 5.17-6.16 (preempt-put: wakeup-and-sn): a blocking thread (one that announced
    /// itself as a waiter) gets the wake-up handler; then, if preempted, SN = 1. 6.17 (preempt-put: sn): the
    /// wake-up handler only for a blocking thread that is not preempted, else SN = 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SystemState Preempt(in SystemState s)
    {
        var t = s.WithStatus(ThreadStatus.Runnable).WithPreemptionsLeft(s.PreemptionsLeft - 1);
        if (!_armed) return t;
        bool preempted = _preemptedOnRq || !s.TaskInterruptible;
        if (_kvm2019) return preempted ? t.WithSn(true) : t;
        // 6.17: if (!vcpu->preempted && kvm_vcpu_is_blocking(vcpu)) pi_enable_wakeup_handler(); else pi_set_sn();
        if (_putSnOnly && (preempted || !s.Waiter)) return t.WithSn(true);
        if (s.Waiter)
        {
            if (_wakelistAdd) t = t.WithWakelist(s.Cpu);
            if (_nvWakeup) t = t.WithNvWakeup(true);
            if (_onTest && t.On) t = t.WithPending(s.HostCpu, t.Pending(s.HostCpu) | SystemState.Wakeup);
        }
        return preempted && !_putSnOnly ? t.WithSn(true) : t;
    }

    /// <summary>The thread's next step, or false if it is not enabled (TSO: a locked step or a fence
    /// waits for an empty store buffer, a store for room in it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool ThreadStep(in SystemState s, out SystemState t)
    {
        int pc = s.ThreadPc;
        int skipTo = _threadSkip[pc];
        bool bufferEmpty = s.StoreBufferLength == 0;
        var next = s.WithThreadPc(pc + 1);
        switch (_threadOp[pc])
        {
            case SysOp.IrqOff:
                t = next.WithIF(false);
                return true;
            case SysOp.ModeIn:
                return Store(next, BufferedStoreExtensions.Of(VcpuMode.InGuest), out t);
            case SysOp.Mb:
                t = next;
                return bufferEmpty;
            case SysOp.OnRead:
                t = s.On ? next : s.WithThreadPc(skipTo);
                return true;
            case SysOp.OnClear:
                t = next.WithOn(false);
                return bufferEmpty;
            case SysOp.PirDrain:
                t = next.WithVIrr(s.VIrr | s.Pir).WithPir(0);
                return bufferEmpty;
            case SysOp.Check:
                t = s.ModeSeenByThread == VcpuMode.Exiting ? s.WithThreadPc(skipTo) : next;
                return true;
            case SysOp.Enter:
                t = s.WithGuest(true).WithThreadPc(_guestPc);
                return true;
            case SysOp.ModeOut:
                return Store(next, BufferedStoreExtensions.Of(VcpuMode.Outside), out t);
            case SysOp.IrqOn:
                // vcpu_run: a halted vCPU blocks (vcpu_block) instead of entering.
                t = s.WithIF(true).WithThreadPc(s.Halted ? _blockPc : 0);
                return true;
            case SysOp.PreBlock:
                // pi_pre_block: on wakelist[cpu], NV = WAKEUP, NDST = cpu; if ON is already set, undo
                // (__pi_post_block) and do not block: the vCPU is runnable.
                t = next.WithWakelist(s.Cpu).WithNvWakeup(true).WithNdst(s.Cpu);
                if (t.On) t = s.WithWakelist(-1).WithNvWakeup(false).WithNdst(s.Cpu).WithHalted(false).WithThreadPc(skipTo);
                return bufferEmpty;
            case SysOp.WaiterSet:
                return Store(next, BufferedStore.WaiterSet, out t);
            case SysOp.TaskSet:
                return Store(next, BufferedStore.TaskInterruptible, out t);
            case SysOp.IrrCheck:
                if (s.VIrr == 0)
                {
                    t = next;
                    return true;
                }
                // kvm_vcpu_check_block found an interrupt: finish_rcuwait (waiter = 0, task = RUNNING), unhalt.
                if (!Store(s.WithHalted(false).WithThreadPc(skipTo), BufferedStore.WaiterClear, out var mid))
                {
                    t = mid;
                    return false;
                }
                return Store(mid, BufferedStore.TaskRunning, out t);
            case SysOp.SchedOutBlock:
                // schedule(): a thread already woken (task RUNNING) stays; else it is dequeued and the
                // context switch (IRQs off) runs vmx_vcpu_pi_put.
                t = s.TaskInterruptible ? next.WithIF(false) : s.WithThreadPc(skipTo);
                return bufferEmpty;
            case SysOp.WakelistAdd:
                t = next.WithWakelist(s.Cpu);
                return true;
            case SysOp.NvWakeup:
                t = next.WithNvWakeup(true);
                return true;
            case SysOp.OnTest:
                // an interrupt posted before the switch went to the old vector: WAKEUP to this CPU.
                t = s.On ? next.WithPending(s.HostCpu, s.Pending(s.HostCpu) | SystemState.Wakeup) : next;
                return true;
            case SysOp.Sleep:
                // off the CPU; if a wake came meanwhile the thread is runnable again at once.
                t = s.WithStatus(s.TaskInterruptible ? ThreadStatus.Asleep : ThreadStatus.Runnable).WithIF(true).WithThreadPc(skipTo);
                return true;
            case SysOp.PostBlock:
                // pi_post_block: NV = NOTIFY, NDST = cpu, off the wake list.
                t = s.WithNvWakeup(false).WithNdst(s.Cpu).WithWakelist(-1).WithThreadPc(0);
                return bufferEmpty;
            default:
                throw new InvalidOperationException($"pc {pc}");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Store(in SystemState next, BufferedStore e, out SystemState t) =>
        ThreadStores.Store(_tso, SystemState.StoreBufferCapacity, next, e, out t);

    /// <summary>CPU injector p's next step (locked operations, loads and IPIs only).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private SystemState InjectorStepOf(in SystemState s, int p, int v)
    {
        int pc = s.PosterPc(p);
        int posts = s.PosterPosts(p);
        var modeRead = s.InjectorModeRead(p);
        var t = s;
        int nextPc = pc + 1;
        bool done = false;
        switch (_injector[pc])
        {
            case InjectorStep.PirSet:
                if ((s.Pir & v) != 0) done = true; // coalesced into the pending one
                else t = s.WithPir(s.Pir | v);
                break;
            case InjectorStep.OnSet:
                if (s.On) done = true;              // a notification is already due
                else t = s.WithOn(true);
                break;
            case InjectorStep.ModeRead:
                modeRead = s.Mode;
                break;
            case InjectorStep.Notify:
                // the IPI goes to vcpu->cpu as read now.
                if (modeRead == VcpuMode.InGuest)
                {
                    t = s.WithPending(s.Cpu, s.Pending(s.Cpu) | SystemState.Notify);
                    nextPc = _injectorSkip[pc];
                }
                break;
            case InjectorStep.Wake:
                t = Wake(s, out bool woke);
                if (woke) nextPc = _injectorSkip[pc];
                break;
            case InjectorStep.Kick:
                // kvm_vcpu_exiting_guest_mode: cmpxchg(&vcpu->mode, IN_GUEST_MODE, EXITING_GUEST_MODE)
                if (s.Mode == VcpuMode.InGuest)
                    t = s.WithMode(VcpuMode.Exiting).WithPending(s.Cpu, s.Pending(s.Cpu) | SystemState.Resched);
                break;
            default:
                break; // mb: injectors make no plain stores, so their buffer is always empty
        }
        if (done || nextPc >= _injector.Length) return t.WithPoster(p, 0, posts + 1, 0);
        return t.WithPoster(p, nextPc, posts, (ulong)modeRead);
    }

    /// <summary>
    /// Hardware poster p: an IOMMU (VT-d posted interrupts) or an IPIv poster (a vCPU in guest mode writing
    /// the ICR; the CPU posts as VT-d does, SDM "IPI virtualization"). <c>iommu.post</c> / <c>ipiv.post</c>
    /// is one locked update of the descriptor that sets v in PIR and, if ON = 0 and SN = 0 (an IOMMU with
    /// iommu-sn: ignore: if ON = 0), sets ON and reads NV and NDST; <c>iommu.notify</c> / <c>ipiv.notify</c>
    /// then sends NV to NDST. Neither reads mode.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static SystemState HardwareStepOf(in SystemState s, int p, int vector, bool ignoreSn)
    {
        int posts = s.PosterPosts(p);
        if (s.PosterPc(p) == 0)
        {
            var t = s.WithPir(s.Pir | vector);
            bool notify = !s.On && (ignoreSn || !s.Sn);
            if (!notify) return t.WithPoster(p, 0, posts + 1, 0);
            ulong extra = 1UL | (s.NvWakeup ? 2UL : 0) | ((ulong)s.Ndst << 2);
            return t.WithOn(true).WithPoster(p, 1, posts, extra);
        }
        int c = s.IommuNdst(p);
        int vec = s.IommuNvWakeup(p) ? SystemState.Wakeup : SystemState.Notify;
        return s.WithPending(c, s.Pending(c) | vec).WithPoster(p, 0, posts + 1, 0);
    }

    public bool AllPostersDone(in SystemState s)
    {
        for (int p = 0; p < _posters; p++)
            if (s.PosterPosts(p) < _posts) return false;
        return true;
    }

    /// <summary>A proper end (docs/whole-system.md): posters done, nothing pending at any CPU, and either the
    /// guest runs or the thread sleeps.</summary>
    public bool IsProperEnd(in SystemState s) =>
        AllPostersDone(s) && s.Pending(0) == 0 && s.Pending(1) == 0 &&
        ((s.Status == ThreadStatus.OnCpu && s.Guest) || s.Status == ThreadStatus.Asleep);

    /// <summary>PIR and vIRR empty, ON = 0, every posted vector delivered.</summary>
    public bool NoLostInterrupt(in SystemState s) =>
        s.Pir == 0 && !s.On && s.VIrr == 0 && (s.Delivered & _postedVectors) == _postedVectors;

    public TerminalKind Classify(in SystemState terminal) =>
        !IsProperEnd(terminal) ? TerminalKind.Stuck
        : NoLostInterrupt(terminal) ? TerminalKind.Ok
        : TerminalKind.Violation;
}
