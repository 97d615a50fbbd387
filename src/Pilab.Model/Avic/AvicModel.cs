using Pilab.Checker;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Model.Avic;

/// <summary>The vCPU thread's program counter values (docs/avic.md, "Steps"); the names are those the output uses.
/// Pcs 0 to 3 are the entry's slots before VMRUN: the kernel's entry uses 0-2 (irq.off, mode.in, mb); a
/// synthesized order (<see cref="AvicEntryOrder"/>) up to all four, and <see cref="AvicModel.EntryUnitAt"/> says which unit each is.</summary>
public static class AvicPc
{
    public const int IrqOff = 0, ModeIn = 1, Mb = 2, EntrySlot3 = 3, Enter = 4, Guest = 5, ModeOut = 6, IrqOn = 7;
    /// <summary>The top of the entry (its first unit, irq.off in the kernel's order): where the thread goes after an exit, an unblock and a load.</summary>
    public const int EntryTop = 0;
    public const int Blocking = 8, WaiterSet = 9, TaskSet = 10, BlockMb = 11, IrrCheck = 12, SchedOutBlock = 13;
    public const int Unblocking = 14, UnblockLoad = 15;

    /// <summary>The name of a pc in the kernel's entry order (<see cref="AvicModel.StepName"/> names a synthesized one's slots).</summary>
    public static string Name(int pc) => pc switch
    {
        IrqOff => "irq.off", ModeIn => "mode.in", Mb => "mb", Enter => "enter", Guest => "guest", ModeOut => "mode.out", IrqOn => "irq.on",
        Blocking => "avic.blocking", WaiterSet => "waiter.set", TaskSet => "task.set", BlockMb => "mb", IrrCheck => "irr.check",
        SchedOutBlock => "sched.out.block", Unblocking => "avic.unblocking", UnblockLoad => "avic.load",
        _ => throw new ArgumentOutOfRangeException(nameof(pc)),
    };
}

/// <summary>A CPU poster's steps (docs/avic.md, "Steps").</summary>
public enum SenderOp : byte
{
    /// <summary><c>irr.set</c> (locked): the vector into the target's backing page IRR (kvm_lapic_set_irr; the AVIC hardware's IRR write).</summary>
    IrrSet,
    /// <summary><c>irr.store</c> (a synthesized sender only): the IRR write as a plain store, which TSO may hold in the
    /// sender's store buffer past its next read; the sender's doorbell, exit or wake-up waits for it to be visible.</summary>
    IrrStore,
    /// <summary><c>isrunning.read</c> (load): the target's physical APIC ID table entry: IsRunning and the host ID.</summary>
    IsRunningRead,
    /// <summary><c>doorbell.or.exit</c>: IsRunning was 1: a doorbell to the host ID read; else the AVIC_INCOMPLETE_IPI #VMEXIT.</summary>
    DoorbellOrExit,
    /// <summary><c>mode.read</c> (smp_load_acquire of vcpu->mode in svm_complete_interrupt_delivery).</summary>
    ModeRead,
    /// <summary><c>doorbell.or.wake</c>: mode was IN_GUEST: avic_ring_doorbell to READ_ONCE(vcpu->cpu); else kvm_vcpu_wake_up.</summary>
    DoorbellOrWake,
}

public static class SenderOps
{
    public static string Name(SenderOp op) => op switch
    {
        SenderOp.IrrSet => "irr.set", SenderOp.IrrStore => "irr.store", SenderOp.IsRunningRead => "isrunning.read", SenderOp.DoorbellOrExit => "doorbell.or.exit",
        SenderOp.ModeRead => "mode.read", _ => "doorbell.or.wake",
    };
}

/// <summary>Transition labels of the AVIC model: actor in the high byte, step in the low byte.</summary>
public static class AvicLabels
{
    public const int Thread = 0, SchedIn = 1, Preempt = 2, FirstCpu = 3, Guest = 5, Buffer = 6, GaLog = 7, FirstPoster = 8;
    public const int LoadSame = 0, LoadOther = 1;
    public const int GuestTake = 0, GuestExit = 1, GuestHalt = 2;
    /// <summary>A poster's step label for the flush of its buffered <c>irr.store</c> (poster pcs are 0-4).</summary>
    public const int PosterFlush = 7;

    public static int Make(int actor, int step) => (actor << 8) | step;
    public static int Actor(int label) => label >> 8;
    public static int Step(int label) => label & 0xFF;
}

/// <summary>
/// docs/avic.md as a transition system: the vCPU thread (vcpu_enter_guest, the exit path,
/// kvm_vcpu_block with avic_vcpu_blocking/unblocking, sched-in's avic_vcpu_load and sched-out's
/// avic_vcpu_put, on host CPU P0 or P2), the AVIC hardware of P0 and P2 (doorbells), the guest, the
/// GA-log interrupt's handler (avic_ga_log_notifier), the thread's store buffer under TSO, k CPU posters
/// (KVM's svm_deliver_interrupt, or guest IPIs the AVIC hardware sends) and j IOMMU posters in GA mode.
/// Each step is one atomic transition.
/// </summary>
public readonly struct AvicModel : ITransitionSystem<AvicState>
{
    private readonly AvicPolicy _policy;
    private readonly bool _tso;
    private readonly int _posters, _injectors, _posts, _postedVectors;
    private readonly AvicEntryOrder _entry;

    public Configuration Configuration { get; }
    public Variant Variant { get; }

    /// <summary>The steps of a CPU poster, in order, for the variant's sender (docs/avic.md).</summary>
    public SenderOp[] SenderSteps { get; }

    public AvicModel(Variant variant, Configuration configuration)
    {
        if (!variant.IsAvic) throw new ArgumentException($"{variant.Name} is of design {DesignNames.Name(variant.Design)}: the AVIC model checks design avic only", nameof(variant));
        if (configuration.Problem(variant.Design) is { } problem) throw new ArgumentException(problem, nameof(configuration));
        Variant = variant;
        Configuration = configuration;
        _policy = variant.Avic;
        _tso = configuration.Memory == MemoryModel.TSO;
        _posters = configuration.Posters;
        _injectors = configuration.Injectors;
        _posts = configuration.Posts;
        int posted = 0;
        for (int p = 0; p < _posters; p++) posted |= 1 << configuration.VectorOf(p);
        _postedVectors = posted;
        _entry = _policy.Entry;
        SenderSteps = Sender(_policy.Sender, _policy.SenderOrder);
    }

    /// <summary>A CPU poster's steps for a sender kind and an order of its IRR write and its read (docs/avic.md).</summary>
    public static SenderOp[] Sender(AvicSender kind, AvicSenderOrder order)
    {
        if (order == AvicSenderOrder.Kernel)
            order = kind == AvicSender.Erratum1235 ? AvicSenderOrder.ReadThenSet : AvicSenderOrder.SetThenRead;
        var read = kind == AvicSender.Kvm ? SenderOp.ModeRead : SenderOp.IsRunningRead;
        var write = order is AvicSenderOrder.StoreThenRead or AvicSenderOrder.ReadThenStore ? SenderOp.IrrStore : SenderOp.IrrSet;
        SenderOp[] first = order is AvicSenderOrder.SetThenRead or AvicSenderOrder.StoreThenRead ? [write, read] : [read, write];
        return kind == AvicSender.Kvm
            ? [.. first, SenderOp.DoorbellOrWake]
            : [.. first, SenderOp.DoorbellOrExit, SenderOp.ModeRead, SenderOp.DoorbellOrWake];
    }

    /// <summary>The entry unit at an entry slot (pc 0 to 3) of this variant's order.</summary>
    public AvicEntryUnit EntryUnitAt(int pc) => _entry[pc];

    /// <summary>The name of the thread's step at pc, for this variant's entry order.</summary>
    public string StepName(int pc) => pc < _entry.Count ? AvicEntryOrder.Name(_entry[pc]) : AvicPc.Name(pc);

    public AvicPolicy Policy => _policy;

    /// <summary>The thread at the top of the entry on P0 with IF = 1, loaded there: IsRunning (if IPI
    /// virtualization is on), host ID P0, and the IRTE as the variant's avic_pi_update_irte programmed it.</summary>
    public AvicState Initial
    {
        get
        {
            // A synthesized entry order sets the table's IsRunning itself (isrunning.set), so it starts clear.
            var s = new AvicState(0, 0).WithIF(true).WithLoaded(true).WithEntry(_policy.Ipiv && !_entry.SetsIsRunning, 0)
                .WithExitsLeft(Configuration.Exits).WithHaltsLeft(Configuration.Halts)
                .WithPreemptionsLeft(Configuration.Preemptions).WithMigrationsLeft(Configuration.Migrations);
            return _policy.IrteAssign == AvicIrteAssign.FromEntry ? s.WithIrte(true, 0, false) : s.WithIrte(false, 0, true);
        }
    }

    public int MaxSuccessors => 28;

    public int Successors(in AvicState s, Span<Successor<AvicState>> into)
    {
        int n = 0;
        int host = s.HostCpu;
        bool onCpu = s.Status == ThreadStatus.OnCpu;
        // the vCPU thread
        if (onCpu && !s.Guest)
        {
            if (ThreadStep(s, out var t)) into[n++] = new(t, AvicLabels.Make(AvicLabels.Thread, s.ThreadPc));
            if (CanPreempt(s)) into[n++] = new(Preempt(s), AvicLabels.Make(AvicLabels.Preempt, 0));
        }
        else if (s.Status == ThreadStatus.Runnable)
        {
            into[n++] = new(Load(s, host), AvicLabels.Make(AvicLabels.SchedIn, AvicLabels.LoadSame));
            if (s.MigrationsLeft > 0)
                into[n++] = new(Load(s, 1 - host).WithMigrationsLeft(s.MigrationsLeft - 1), AvicLabels.Make(AvicLabels.SchedIn, AvicLabels.LoadOther));
        }

        // the guest
        if (onCpu && s.Guest)
        {
            int ready = s.Irr & s.Recognized;
            if (ready != 0)
            {
                int v = ready & -ready;
                into[n++] = new(s.WithIrr(s.Irr & ~v).WithRecognized(s.Recognized & ~v).WithDelivered(s.Delivered | v),
                    AvicLabels.Make(AvicLabels.Guest, AvicLabels.GuestTake));
            }
            if (s.ExitsLeft > 0)
                into[n++] = new(VmExit(s).WithExitsLeft(s.ExitsLeft - 1), AvicLabels.Make(AvicLabels.Guest, AvicLabels.GuestExit));
            if (s.HaltsLeft > 0 && ready == 0)
                into[n++] = new(VmExit(s).WithHalted(true).WithHaltsLeft(s.HaltsLeft - 1), AvicLabels.Make(AvicLabels.Guest, AvicLabels.GuestHalt));
        }

        // the AVIC hardware of P0 and P2: a doorbell makes a CPU in guest mode re-evaluate the IRR; in host mode it is ignored
        for (int c = 0; c < 2; c++)
        {
            if (!s.Doorbell(c)) continue;
            var t = s.WithDoorbell(c, false);
            if (onCpu && host == c && s.Guest) t = t.WithRecognized(s.Irr);
            into[n++] = new(t, AvicLabels.Make(AvicLabels.FirstCpu + c, 0));
        }

        // the GA-log interrupt: avic_ga_log_notifier -> kvm_vcpu_wake_up
        if (s.GaLogPending)
            into[n++] = new(Wake(s.WithGaLogPending(false), out _), AvicLabels.Make(AvicLabels.GaLog, 0));

        // the thread's store buffer
        if (s.StoreBufferLength > 0)
            into[n++] = new(s.FlushOldest(), AvicLabels.Make(AvicLabels.Buffer, 0));

        // the posters
        for (int p = 0; p < _posters; p++)
        {
            if (s.PosterPosts(p) >= _posts) continue;
            if (s.PosterIrrBuffered(p))
            {
                // the sender's buffered irr.store reaches memory
                into[n++] = new(s.WithIrr(s.Irr | (1 << Configuration.VectorOf(p))).WithPosterIrrBuffered(p, false),
                    AvicLabels.Make(AvicLabels.FirstPoster + p, AvicLabels.PosterFlush));
                // only its read may run ahead of it; the doorbell, the exit and the wake-up wait for it
                var op = SenderSteps[s.PosterPc(p)];
                if (op is not (SenderOp.IsRunningRead or SenderOp.ModeRead)) continue;
            }
            var t = Configuration.IsIommu(p) ? IommuStep(s, p) : SenderStep(s, p);
            into[n++] = new(t, AvicLabels.Make(AvicLabels.FirstPoster + p, s.PosterPc(p)));
        }
        return n;
    }

    /// <summary>#VMEXIT: the guest stops, IF = 0 (GIF/IF as the exit leaves them), the AVIC's evaluation is over.</summary>
    private static AvicState VmExit(in AvicState s) => s.WithGuest(false).WithIF(false).WithRecognized(0).WithThreadPc(AvicPc.ModeOut);

    /// <summary>kvm_vcpu_wake_up (<see cref="ThreadStores.Wake"/>): only a thread that announced itself (waiter) and is INTERRUPTIBLE.</summary>
    public static AvicState Wake(in AvicState s, out bool woke) => ThreadStores.Wake(s, out woke);

    /// <summary>__avic_vcpu_load(cpu): KVM's entry IsRunning = 1 with the host ID, the table too if IPI
    /// virtualization is on, and the IRTE: IsRun = 1, destination cpu, GALogIntr = 0.</summary>
    private AvicState AvicLoad(in AvicState s, int cpu) => _entry.SetsIsRunning
        ? s.WithLoaded(true).WithIrte(true, cpu, false)
        : s.WithLoaded(true).WithEntry(_policy.Ipiv, cpu).WithIrte(true, cpu, false);

    /// <summary>sched.in (kvm_sched_in, kvm_arch_vcpu_load): vcpu->cpu = c, then avic_vcpu_load, which does
    /// nothing for a blocking vCPU (kvm_vcpu_is_blocking: the rcuwait has the task).</summary>
    private AvicState Load(in AvicState s, int c)
    {
        var t = s.WithStatus(ThreadStatus.OnCpu).WithHostCpu(c).WithCpu(c).WithIF(true);
        return s.Waiter ? t : AvicLoad(t, c);
    }

    /// <summary>A preemption point: IF = 1, budget left, an empty store buffer (the context switch is
    /// locked) and a pc where the kernel is preemptible.</summary>
    private bool CanPreempt(in AvicState s) =>
        s.PreemptionsLeft > 0 && s.IF && s.StoreBufferLength == 0 && s.ThreadPc switch
        {
            AvicPc.EntryTop or AvicPc.Blocking or AvicPc.TaskSet or AvicPc.BlockMb or AvicPc.IrrCheck or AvicPc.SchedOutBlock or AvicPc.Unblocking => true,
            AvicPc.WaiterSet => _policy.BlockingPreemptible,
            AvicPc.UnblockLoad => true,
            _ => false,
        };

    /// <summary>sched.out.preempt: avic_vcpu_put: if the shadow entry has IsRunning, __avic_vcpu_put with
    /// START_BLOCKING for a blocking vCPU (GALogIntr = 1) else STOP_RUNNING: IRTE IsRun = 0, the table's IsRunning = 0.</summary>
    private AvicState Preempt(in AvicState s)
    {
        var t = s.WithStatus(ThreadStatus.Runnable).WithPreemptionsLeft(s.PreemptionsLeft - 1);
        return s.Loaded ? AvicPut(t, s.Waiter) : t;
    }

    private static AvicState AvicPut(in AvicState s, bool blocking) =>
        s.WithLoaded(false).WithIrte(false, s.IrteDest, blocking).WithEntry(false, s.HostId);

    /// <summary>The thread's next step, or false if it is not enabled (TSO: a locked step or a fence waits
    /// for an empty store buffer, a store for room in it).</summary>
    private bool ThreadStep(in AvicState s, out AvicState t)
    {
        int pc = s.ThreadPc;
        bool empty = s.StoreBufferLength == 0;
        var next = s.WithThreadPc(pc + 1);
        if (pc < AvicPc.Enter)
        {
            // An entry slot: the unit the order puts there, then the next slot or VMRUN.
            var after = s.WithThreadPc(pc + 1 < _entry.Count ? pc + 1 : AvicPc.Enter);
            switch (_entry[pc])
            {
                case AvicEntryUnit.IrqOff:
                    t = after.WithIF(false);
                    return true;
                case AvicEntryUnit.ModeIn:
                    return Store(after, AvicStore.ModeInGuest, out t);
                case AvicEntryUnit.Mb:
                    t = after;
                    return empty;
                default:
                    // isrunning.set: WRITE_ONCE(avic_physical_id_table[id], entry | IsRunning) with the host ID of the CPU it runs on.
                    return Store(after, AvicStores.Entry(_policy.Ipiv, s.HostCpu), out t);
            }
        }
        switch (pc)
        {
            case AvicPc.BlockMb:
                t = next;
                return empty;
            case AvicPc.Enter:
                // VMRUN: the AVIC evaluates the backing page's IRR.
                t = s.WithGuest(true).WithRecognized(s.Irr).WithThreadPc(AvicPc.Guest);
                return true;
            case AvicPc.ModeOut:
                return Store(next, AvicStore.ModeOutside, out t);
            case AvicPc.IrqOn:
                t = s.WithIF(true).WithThreadPc(s.Halted ? AvicPc.Blocking : AvicPc.EntryTop);
                return true;
            case AvicPc.Blocking:
            {
                // avic_vcpu_blocking -> __avic_vcpu_put(START_BLOCKING) under ir_list_lock: the IRTE (locked
                // cmpxchg of the IOMMU driver): IsRun = 0, GALogIntr = 1; the table entry: a plain WRITE_ONCE.
                var u = next.WithLoaded(false).WithIrte(false, s.IrteDest, true);
                if (!_policy.Ipiv) { t = u; return empty; }
                if (!empty) { t = s; return false; }
                return Store(u, AvicStores.Entry(false, s.HostId), out t);
            }
            case AvicPc.WaiterSet:
                return Store(next, AvicStore.WaiterSet, out t);
            case AvicPc.TaskSet:
                return Store(next, AvicStore.TaskInterruptible, out t);
            case AvicPc.IrrCheck:
                // kvm_vcpu_check_block -> kvm_arch_vcpu_runnable: an interrupt in the backing page's IRR ends the loop.
                t = s.Irr == 0 ? next : s.WithHalted(false).WithThreadPc(AvicPc.Unblocking);
                return true;
            case AvicPc.SchedOutBlock:
                // schedule(): a task woken meanwhile (RUNNING) stays; else it is dequeued and sleeps (avic_vcpu_put finds IsRunning = 0 already).
                t = s.TaskInterruptible ? (s.Loaded ? AvicPut(s, true) : s).WithStatus(ThreadStatus.Asleep).WithThreadPc(AvicPc.TaskSet) : s.WithThreadPc(AvicPc.TaskSet);
                return empty;
            case AvicPc.Unblocking:
            {
                // finish_rcuwait (waiter = 0, task = RUNNING), then kvm_arch_vcpu_unblocking -> avic_vcpu_load.
                var u = s.WithWaiter(false).WithTaskInterruptible(false);
                if (_policy.UnblockLoad == AvicUnblockLoad.ThisCpu) t = AvicLoad(u, s.HostCpu).WithThreadPc(AvicPc.EntryTop);
                else t = u.WithLatchedCpu(s.Cpu).WithThreadPc(AvicPc.UnblockLoad);
                return empty;
            }
            case AvicPc.UnblockLoad:
                // before 7cfc5c653b07: the load with the vcpu->cpu read before a possible preemption.
                t = AvicLoad(s, s.LatchedCpu).WithLatchedCpu(0).WithThreadPc(AvicPc.EntryTop);
                return empty;
            default:
                throw new InvalidOperationException($"pc {pc}");
        }
    }

    private bool Store(in AvicState next, AvicStore e, out AvicState t) =>
        ThreadStores.Store(_tso, AvicState.StoreBufferCapacity, next, e, out t);

    /// <summary>What a CPU poster's read latch means: bit 0 mode was IN_GUEST / IsRunning was 1, bit 1 the host ID read.</summary>
    public const int ReadFlag = 1, ReadHost = 2, ReadGaLog = 4;

    /// <summary>CPU poster p's next step: KVM's injector or an AVIC hardware IPI (docs/avic.md).</summary>
    private AvicState SenderStep(in AvicState s, int p)
    {
        int pc = s.PosterPc(p), posts = s.PosterPosts(p), read = s.PosterRead(p);
        int v = 1 << Configuration.VectorOf(p);
        var step = SenderSteps[pc];
        var t = s;
        int nextPc = pc + 1;
        bool done = false;
        switch (step)
        {
            case SenderOp.IrrSet:
                t = s.WithIrr(s.Irr | v);
                break;
            case SenderOp.IrrStore:
                // a plain store: under SC at once, under TSO into the sender's store buffer (one entry: its only store)
                t = _tso ? s.WithPosterIrrBuffered(p, true) : s.WithIrr(s.Irr | v);
                break;
            case SenderOp.IsRunningRead:
                read = (s.IsRunning ? ReadFlag : 0) | (s.HostId == 1 ? ReadHost : 0);
                break;
            case SenderOp.DoorbellOrExit:
                // IsRunning: a doorbell to the entry's host ID; else an AVIC_INCOMPLETE_IPI #VMEXIT (TARGET_NOT_RUNNING) on the sender.
                if ((read & ReadFlag) != 0)
                {
                    int c = (read & ReadHost) != 0 ? 1 : 0;
                    t = s.WithDoorbell(c, true);
                    done = true;
                }
                read = 0;
                break;
            case SenderOp.ModeRead:
                read = s.Mode == VcpuMode.InGuest ? ReadFlag : 0;
                break;
            case SenderOp.DoorbellOrWake:
                // svm_complete_interrupt_delivery: avic_ring_doorbell to READ_ONCE(vcpu->cpu), else kvm_vcpu_wake_up.
                t = (read & ReadFlag) != 0 ? s.WithDoorbell(s.Cpu, true) : Wake(s, out _);
                done = true;
                break;
        }
        if (done || nextPc >= SenderSteps.Length) return t.WithPoster(p, 0, posts + 1, 0);
        return t.WithPoster(p, nextPc, posts, read);
    }

    /// <summary>
    /// IOMMU poster p in GA mode: <c>iommu.post</c> sets the vector in the backing page's IRR and reads the
    /// IRTE (IsRun and destination, else GALogIntr); <c>iommu.notify</c> rings the doorbell of the destination
    /// or raises the GA-log interrupt.
    /// </summary>
    private AvicState IommuStep(in AvicState s, int p)
    {
        int posts = s.PosterPosts(p);
        if (s.PosterPc(p) == 0)
        {
            var t = s.WithIrr(s.Irr | (1 << Configuration.VectorOf(p)));
            int read = s.IrteIsRun ? ReadFlag | (s.IrteDest == 1 ? ReadHost : 0) : s.GaLogIntr ? ReadGaLog : 0;
            return read == 0 ? t.WithPoster(p, 0, posts + 1, 0) : t.WithPoster(p, 1, posts, read);
        }
        int r = s.PosterRead(p);
        var u = (r & ReadFlag) != 0 ? s.WithDoorbell((r & ReadHost) != 0 ? 1 : 0, true) : s.WithGaLogPending(true);
        return u.WithPoster(p, 0, posts + 1, 0);
    }

    public bool AllPostersDone(in AvicState s)
    {
        for (int p = 0; p < _posters; p++)
            if (s.PosterPosts(p) < _posts) return false;
        return true;
    }

    /// <summary>A proper end: posters done, no doorbell or GA-log interrupt pending, and either the guest runs or the thread sleeps.</summary>
    public bool IsProperEnd(in AvicState s) =>
        AllPostersDone(s) && !s.Doorbell(0) && !s.Doorbell(1) && !s.GaLogPending &&
        ((s.Status == ThreadStatus.OnCpu && s.Guest) || s.Status == ThreadStatus.Asleep);

    /// <summary>The IRR empty and every posted vector delivered.</summary>
    public bool NoLostInterrupt(in AvicState s) => s.Irr == 0 && (s.Delivered & _postedVectors) == _postedVectors;

    public TerminalKind Classify(in AvicState terminal) =>
        !IsProperEnd(terminal) ? TerminalKind.Stuck
        : NoLostInterrupt(terminal) ? TerminalKind.Ok
        : TerminalKind.Violation;
}
