using System.Runtime.CompilerServices;
using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model;

/// <summary>
/// The posted-interrupt system of docs/model.md sections 2-6 as a transition system: P0 (the vCPU thread,
/// the processor's posted-interrupt and interrupt hardware, the guest, and under TSO its store
/// buffer) and injectors P1..Pk, each step one atomic transition.
/// </summary>
public readonly partial struct PiSystem : ITransitionSystem<PiState>, ISymmetricSystem<PiState>, IPartialOrderSystem<PiState>
{
    private readonly Instruction<ThreadOp>[] _thread;
    private readonly Instruction<InjectorStep>[] _injector;
    private readonly int _modeOutPc;
    private readonly int _guestPc;
    private readonly int _injectors;
    private readonly int _posts;
    private readonly bool _tso;
    private readonly bool _irqPriority;
    private readonly OnAlreadySet _onAlreadySet;
    private readonly int _postedVectors;
    private readonly Footprints _footprints; // PiSystem.PartialOrder.cs

    public Configuration Configuration { get; }
    public ThreadProgram Program { get; }

    public PiSystem(Variant variant, Configuration configuration)
    {
        if (variant.WholeSystem) throw new ArgumentException($"{variant.Name} is of design {DesignNames.Name(variant.Design)}: the whole-system model checks it", nameof(variant));
        if (configuration.Problem(KvmDesign.Entry) is { } problem) throw new ArgumentException(problem, nameof(configuration));
        Configuration = configuration;
        Program = new ThreadProgram(variant);
        _thread = [.. Program.Thread];
        _injector = [.. Program.Injector];
        _modeOutPc = Program.ModeOutPc;
        _guestPc = Program.GuestPc;
        _injectors = configuration.Injectors;
        _posts = configuration.Posts;
        _tso = configuration.Memory == MemoryModel.TSO;
        _irqPriority = configuration.IrqPriority;
        _onAlreadySet = variant.OnAlreadySet;
        int posted = 0;
        for (int i = 0; i < _injectors; i++) posted |= 1 << configuration.VectorOf(i);
        _postedVectors = posted;
        _footprints = new Footprints(_injector);
    }

    /// <summary>The vCPU thread at the top of the entry in the host with IF = 1; nothing posted.</summary>
    public PiState Initial => new PiState(0, 0).WithIF(true).WithExitsLeft(Configuration.Exits);

    public int MaxSuccessors => 16;

    public int GuestPc => _guestPc;

    public int Successors(in PiState s, Span<Successor<PiState>> into)
    {
        int n = 0;
        if (!s.Guest)
        {
            bool interruptDue = s.IF && (s.NotifyPending || s.ReschedPending);
            // Real hardware takes a pending interrupt at the next instruction boundary once IF = 1.
            if (!(_irqPriority && interruptDue) && ThreadStep(s, out var t))
                into[n++] = new(t, Labels.Make(Labels.Thread, s.ThreadPc));
            if (interruptDue)
            {
                // host.irq: the host handler runs. For NOTIFY it is the dummy handler
                // (smp_kvm_posted_intr_ipi): the posted vectors stay in PIR.
                if (s.NotifyPending)
                    into[n++] = new(s.WithNotifyPending(false), Labels.Make(Labels.Cpu, Labels.HostIrqNotify));
                if (s.ReschedPending)
                    into[n++] = new(s.WithReschedPending(false), Labels.Make(Labels.Cpu, Labels.HostIrqResched));
            }
        }
        else
        {
            // pi.process (SDM 29.6): NOTIFY received in VMX non-root mode: clear ON, PIR -> vIRR.
            if (s.NotifyPending)
                into[n++] = new(s.WithNotifyPending(false).WithOn(false).WithVIrr(s.VIrr | s.Pir).WithPir(0),
                    Labels.Make(Labels.Cpu, Labels.PiProcess));
            // extint.exit: any other vector is an external-interrupt VM exit; RESCHED stays pending.
            if (s.ReschedPending)
                into[n++] = new(VmExit(s), Labels.Make(Labels.Cpu, Labels.ExtIntExit));
            if (s.VIrr != 0)
            {
                int v = HighestBit(s.VIrr);
                into[n++] = new(s.WithVIrr(s.VIrr & ~v).WithDelivered(s.Delivered | v), Labels.Make(Labels.GuestActor, Labels.GuestTake));
            }
            if (s.ExitsLeft > 0)
                into[n++] = new(VmExit(s).WithExitsLeft(s.ExitsLeft - 1), Labels.Make(Labels.GuestActor, Labels.GuestExit));
        }
        if (_tso && s.StoreBufferLength > 0)
            into[n++] = new(s.FlushOldest(), Labels.Make(Labels.Buffer, Labels.Flush));
        for (int i = 0; i < _injectors; i++)
            if (s.InjectorPosts(i) < _posts)
                into[n++] = new(InjectorStepOf(s, i), Labels.Make(Labels.FirstInjector + i, s.InjectorPc(i)));
        return n;
    }

    /// <summary>A VM exit: P0.guest = 0, P0.IF = 0 by hardware; the thread continues on the exit path.</summary>
    private PiState VmExit(in PiState s) => s.WithGuest(false).WithIF(false).WithThreadPc(_modeOutPc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HighestBit(int set) => 1 << (31 - int.LeadingZeroCount(set));

    /// <summary>The vCPU thread's next step, or false if it is not enabled (TSO: a locked step or a
    /// fence waits for an empty store buffer, a store for room in it).</summary>
    private bool ThreadStep(in PiState s, out PiState t)
    {
        int pc = s.ThreadPc;
        var ins = _thread[pc];
        bool bufferEmpty = s.StoreBufferLength == 0;
        var next = s.WithThreadPc(pc + 1 == _guestPc ? 0 : pc + 1);
        switch (ins.Op)
        {
            case ThreadOp.ReqTest:
                t = s.EventRequest ? next : s.WithThreadPc(ins.SkipTo);
                return true;
            case ThreadOp.ReqClear:
                t = next.WithEventRequest(false);
                return bufferEmpty;
            case ThreadOp.IrqOff:
                t = next.WithIF(false);
                return true;
            case ThreadOp.ModeIn:
                return Store(next, VcpuMode.InGuest, out t);
            case ThreadOp.Mb:
                t = next;
                return bufferEmpty;
            case ThreadOp.OnRead:
                t = s.On ? next : s.WithThreadPc(ins.SkipTo);
                return true;
            case ThreadOp.OnClear:
                t = next.WithOn(false);
                return bufferEmpty;
            case ThreadOp.PirDrain:
                t = next.WithVIrr(s.VIrr | s.Pir).WithPir(0);
                return bufferEmpty;
            case ThreadOp.Check:
                t = s.ModeSeenByP0 == VcpuMode.Exiting || s.EventRequest ? s.WithThreadPc(ins.SkipTo) : next;
                return true;
            case ThreadOp.Enter:
                t = s.WithGuest(true).WithThreadPc(_guestPc);
                return true;
            case ThreadOp.ModeOut:
                return Store(next, VcpuMode.Outside, out t);
            case ThreadOp.IrqOn:
                t = next.WithIF(true);
                return true;
            default:
                throw new InvalidOperationException($"pc {pc}");
        }
    }

    private bool Store(in PiState next, VcpuMode mode, out PiState t)
    {
        if (!_tso)
        {
            t = next.WithMode(mode);
            return true;
        }
        t = next.PushStore(mode);
        return next.StoreBufferLength < PiState.StoreBufferCapacity;
    }

    /// <summary>Injector i's next step (all its steps are locked operations, loads or IPIs).</summary>
    private PiState InjectorStepOf(in PiState s, int i)
    {
        int pc = s.InjectorPc(i);
        int posts = s.InjectorPosts(i);
        var modeRead = s.InjectorModeRead(i);
        bool onWasSet = s.InjectorOnWasSet(i);
        var ins = _injector[pc];
        int v = 1 << Configuration.VectorOf(i);
        PiState t = s;
        int nextPc = pc + 1;
        bool done = false;
        switch (ins.Op)
        {
            case InjectorStep.PirSet:
                if ((s.Pir & v) != 0) done = true; // coalesced into the pending one
                else t = s.WithPir(s.Pir | v);
                break;
            case InjectorStep.OnSet:
                if (s.On)
                {
                    if (_onAlreadySet == OnAlreadySet.Done) done = true;
                    else if (_onAlreadySet == OnAlreadySet.Kick) onWasSet = true;
                }
                else t = s.WithOn(true);
                break;
            case InjectorStep.ReqSet:
                t = s.WithEventRequest(true);
                break;
            case InjectorStep.ModeRead:
                if (onWasSet && _onAlreadySet == OnAlreadySet.Kick) nextPc = ins.SkipTo;
                else modeRead = s.Mode;
                break;
            case InjectorStep.Notify:
                if (modeRead == VcpuMode.InGuest)
                {
                    t = s.WithNotifyPending(true);
                    nextPc = ins.SkipTo;
                }
                break;
            case InjectorStep.Kick:
                // kvm_vcpu_exiting_guest_mode: cmpxchg(&vcpu->mode, IN_GUEST_MODE, EXITING_GUEST_MODE)
                if (s.Mode == VcpuMode.InGuest) t = s.WithMode(VcpuMode.Exiting).WithReschedPending(true);
                break;
            case InjectorStep.Mb:
                break; // injectors make no plain stores, so their buffer is always empty
        }
        if (done || nextPc >= _injector.Length)
            return t.WithInjector(i, 0, posts + 1, VcpuMode.Outside, false);
        return t.WithInjector(i, nextPc, posts, modeRead, onWasSet);
    }

    public bool AllInjectorsDone(in PiState s)
    {
        for (int i = 0; i < _injectors; i++)
            if (s.InjectorPosts(i) < _posts) return false;
        return true;
    }

    /// <summary>A proper end: injectors done, the guest runs, nothing pending at P0.</summary>
    public bool IsProperEnd(in PiState s) =>
        AllInjectorsDone(s) && s.Guest && !s.NotifyPending && !s.ReschedPending;

    /// <summary>docs/model.md section 5: PIR empty, ON = 0, and every posted vector delivered.</summary>
    public bool NoLostInterrupt(in PiState s) =>
        s.Pir == 0 && !s.On && s.VIrr == 0 && (s.Delivered & _postedVectors) == _postedVectors;

    public TerminalKind Classify(in PiState terminal) =>
        !IsProperEnd(terminal) ? TerminalKind.Stuck
        : NoLostInterrupt(terminal) ? TerminalKind.Ok
        : TerminalKind.Violation;
}
