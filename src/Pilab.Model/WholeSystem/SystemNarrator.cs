using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model.WholeSystem;

/// <summary>Turns whole-system labels and states into a <see cref="Trace"/>: data, no words.</summary>
public static class SystemNarrator
{
    /// <summary>The cells a sequence diagram of a whole-system run shows: the descriptor, vIRR, both wake lists, where the thread is and mode.</summary>
    public static readonly ImmutableArray<Cell> Cells =
    [
        new(Field.Pir), new(Field.On), new(Field.Sn), new(Field.Nv), new(Field.Ndst), new(Field.VIrr),
        new(Field.Wakelist, 0), new(Field.Wakelist, 2), new(Field.ThreadCpu), new(Field.ThreadState), new(Field.Mode),
    ];

    public static Trace Narrate(WholeSystemModel system, SystemState initial, IReadOnlyList<TraceStep<SystemState>> trace)
    {
        var facts = new Facts();
        var steps = Events(initial, trace, (i, s, label, t) => Describe(system, i, s, label, t, facts), out var final);
        var c = system.Configuration;
        return new(steps, Diagnose(system, final, facts), c.Memory, c.Injectors, c.Iommu + c.Ipiv, [0, 2], Cells, Snapshot(initial), c.Ipiv);
    }

    /// <summary>Each step of a run described from its label and the states before and after it (1-based index),
    /// and the run's final state; both narrators of the models with a vCPU thread walk a run with it.</summary>
    public static ImmutableArray<TraceEvent> Events<TState>(TState initial, IReadOnlyList<TraceStep<TState>> trace,
        Func<int, TState, int, TState, TraceEvent> describe, out TState final) where TState : unmanaged
    {
        var steps = ImmutableArray.CreateBuilder<TraceEvent>(trace.Count);
        var before = initial;
        for (int i = 0; i < trace.Count; i++)
        {
            steps.Add(describe(i + 1, before, trace[i].Label, trace[i].State));
            before = trace[i].State;
        }
        final = before;
        return steps.ToImmutable();
    }

    /// <summary>What the diagnosis needs to remember from the run: where the last notification for a post went.</summary>
    private sealed class Facts
    {
        public (IpiVector Vector, int Cpu)? LastNotification;
        public bool IommuPostedWithSn;
        public int? DummyAte;
        public bool RecomputeSetOn;
        public bool InjectorFoundOn;
    }

    /// <summary>docs/model.md's number of host CPU index c: P0 or P2.</summary>
    public static int P(int c) => c < 0 ? -1 : c == 0 ? 0 : 2;

    private static int B(bool b) => b ? 1 : 0;

    public static ImmutableArray<FieldValue> Snapshot(SystemState s) =>
    [
        new(Field.Pir, s.Pir), new(Field.On, B(s.On)), new(Field.Sn, B(s.Sn)), new(Field.Nv, (int)Nv(s.NvWakeup)), new(Field.Ndst, P(s.Ndst)),
        new(Field.Wakelist, P(s.Wakelist)), new(Field.Mode, (int)s.Mode), new(Field.Waiter, B(s.Waiter)), new(Field.Task, B(s.TaskInterruptible)),
        new(Field.VIrr, s.VIrr), new(Field.Delivered, s.Delivered), new(Field.ThreadCpu, P(s.HostCpu)), new(Field.VcpuCpu, P(s.Cpu)),
        new(Field.ThreadState, (int)Place(s.Status)), new(Field.Halted, B(s.Halted)),
        new(Field.IF, B(s.IF), P(s.HostCpu)), new(Field.Guest, B(s.Guest), P(s.HostCpu)),
        new(Field.Pending, s.Pending(0), 0), new(Field.Pending, s.Pending(1), 2),
    ];

    private static IpiVector Nv(bool wakeup) => wakeup ? IpiVector.Wakeup : IpiVector.Notify;

    /// <summary>Where the thread is, in a trace's words (both narrators of the models with a vCPU thread).</summary>
    public static ThreadPlace Place(ThreadStatus s) => s switch
    {
        ThreadStatus.OnCpu => ThreadPlace.OnCpu,
        ThreadStatus.Runnable => ThreadPlace.Runnable,
        _ => ThreadPlace.Asleep,
    };

    private static FieldValue Store(BufferedStore e) => e switch
    {
        BufferedStore.WaiterClear => new(Field.Waiter, 0),
        BufferedStore.WaiterSet => new(Field.Waiter, 1),
        BufferedStore.TaskRunning => new(Field.Task, (int)TaskState.Running),
        BufferedStore.TaskInterruptible => new(Field.Task, (int)TaskState.Interruptible),
        _ => new(Field.Mode, (int)e),
    };

    private static ImmutableArray<FieldValue> Buffer(SystemState s) => ThreadStores.Buffer<SystemState, BufferedStore>(s, Store);

    /// <summary>What the thread's own load of a plain-store field sees: the newest buffered store, else memory.</summary>
    private static int Seen(SystemState s, Field f, int upTo)
    {
        for (int i = upTo - 1; i >= 0; i--)
            if (Store(s.StoreBufferAt(i)) is { } e && e.Field == f) return e.Value;
        return f switch { Field.Mode => (int)s.Mode, Field.Waiter => B(s.Waiter), _ => B(s.TaskInterruptible) };
    }

    private static TraceEvent Describe(WholeSystemModel system, int index, SystemState s, int label, SystemState t, Facts facts)
    {
        int actor = SystemLabels.Actor(label), step = SystemLabels.Step(label);
        var cfg = system.Configuration;
        bool tso = cfg.Memory == MemoryModel.TSO;
        var reads = new List<FieldValue>();
        Actor who;
        int instance = 0;
        int? cpu = P(s.HostCpu);
        string name;
        AccessKind access = AccessKind.Local;
        Field? target = null;
        Ipi? ipi = null;
        var outcome = Outcome.None;
        bool done = false;
        AccessKind PlainStore() => tso ? AccessKind.BufferedStore : AccessKind.Store;
        switch (actor)
        {
            case SystemLabels.Thread:
            {
                var ins = system.Program.Thread[step];
                who = Actor.VcpuThread;
                name = ins.Name;
                switch (ins.Op)
                {
                    case SysOp.IrqOff: target = Field.IF; break;
                    case SysOp.ModeIn: case SysOp.ModeOut: (access, target) = (PlainStore(), Field.Mode); break;
                    case SysOp.OnRead:
                        (access, target, outcome) = (AccessKind.Load, Field.On, s.On ? Outcome.OnFound : Outcome.OnClearSkip);
                        reads.Add(new(Field.On, B(s.On)));
                        break;
                    case SysOp.OnClear: (access, target) = (AccessKind.LockedRmw, Field.On); break;
                    case SysOp.PirDrain: (access, target) = (AccessKind.LockedRmw, Field.Pir); reads.Add(new(Field.Pir, s.Pir)); break;
                    case SysOp.Check:
                        (access, target) = (tso && HasBufferedMode(s) ? AccessKind.ForwardedLoad : AccessKind.Load, Field.Mode);
                        reads.Add(new(Field.Mode, (int)s.ModeSeenByThread));
                        outcome = t.ThreadPc == system.Program.ModeOutPc ? Outcome.CancelEntry : Outcome.GoOnToEnter;
                        break;
                    case SysOp.Enter: (access, outcome) = (AccessKind.Transition, Outcome.VmEntry); break;
                    case SysOp.IrqOn: (target, outcome) = (Field.IF, s.Halted ? Outcome.Block : Outcome.EnterAgain); reads.Add(new(Field.Halted, B(s.Halted))); break;
                    case SysOp.WaiterSet: (access, target) = (PlainStore(), Field.Waiter); break;
                    case SysOp.TaskSet: (access, target) = (PlainStore(), Field.Task); break;
                    case SysOp.IrrCheck:
                        (target, outcome) = (Field.VIrr, s.VIrr == 0 ? Outcome.VirrEmptySchedule : Outcome.VirrPendingLeave);
                        reads.Add(new(Field.VIrr, s.VIrr));
                        break;
                    case SysOp.SchedOutBlock:
                        (access, target, outcome) = (AccessKind.Load, Field.Task, s.TaskInterruptible ? Outcome.ScheduleOut : Outcome.WokenLoop);
                        reads.Add(new(Field.Task, B(s.TaskInterruptible)));
                        break;
                    case SysOp.PreBlock:
                        (access, target, outcome) = (AccessKind.LockedRmw, Field.Nv, s.On ? Outcome.OnAlreadySetNoBlock : Outcome.ArmWakeupVector);
                        reads.Add(new(Field.On, B(s.On)));
                        break;
                    case SysOp.Mb: (access, outcome) = (AccessKind.Fence, Outcome.FullBarrier); break;
                    case SysOp.PostBlock: (access, target, outcome) = (AccessKind.LockedRmw, Field.Nv, Outcome.DisarmWakeupVector); break;
                    case SysOp.WakelistAdd: (access, target) = (AccessKind.LockedRmw, Field.Wakelist); break;
                    case SysOp.NvWakeup: (access, target) = (AccessKind.LockedRmw, Field.Nv); break;
                    case SysOp.OnTest:
                        (access, target) = (AccessKind.Load, Field.On);
                        reads.Add(new(Field.On, B(s.On)));
                        if (s.On) (ipi, outcome) = (new(IpiVector.Wakeup, P(s.HostCpu)), Outcome.SelfWakeupIpi);
                        else outcome = Outcome.NoSelfIpi;
                        break;
                    case SysOp.Sleep: outcome = t.Status == ThreadStatus.Asleep ? Outcome.Sleeps : Outcome.WokenRunnable; break;
                }
                break;
            }
            case SystemLabels.SchedIn:
                who = Actor.VcpuThread;
                if (step < SystemLabels.FirstSchedInStep)
                {
                    name = "sched.in";
                    cpu = P(t.HostCpu);
                    outcome = step == SystemLabels.LoadOther ? Outcome.Migrated : Outcome.Loaded;
                    reads.Add(new(Field.ThreadCpu, P(s.HostCpu)));
                }
                else
                {
                    var sub = system.Program.SchedIn[step - SystemLabels.FirstSchedInStep];
                    name = "sched.in: " + StepNames.Name(sub);
                    switch (sub)
                    {
                        case SchedInStep.DescUpdate:
                            (access, target) = (AccessKind.LockedRmw, Field.Ndst);
                            if (t.LoadPc == 0 && s.Sn == t.Sn && s.NvWakeup == t.NvWakeup && s.Ndst == t.Ndst) outcome = Outcome.DescriptorUnchanged;
                            break;
                        case SchedInStep.Mb: (access, outcome) = (AccessKind.Fence, Outcome.AfterAtomic); break;
                        case SchedInStep.WakelistDel:
                            (access, target) = (AccessKind.LockedRmw, Field.Wakelist);
                            if (s.Wakelist == t.Wakelist) outcome = Outcome.NotOnWakeList;
                            break;
                        case SchedInStep.OnRecompute:
                            (access, target, outcome) = (AccessKind.LockedRmw, Field.On,
                                s.Pir == 0 ? Outcome.PirEmpty
                                : system.Program.Variant.OnRecompute == OnRecompute.SnWasSet && !s.SnCleared ? Outcome.SnWasNotSetNoRecompute
                                : Outcome.PirNotEmptySetOn);
                            reads.Add(new(Field.Pir, s.Pir));
                            if (!s.On && t.On) facts.RecomputeSetOn = true;
                            break;
                    }
                }
                break;
            case SystemLabels.Preempt:
                who = Actor.VcpuThread;
                (name, outcome) = ("sched.out.preempt", Outcome.Preempted);
                reads.Add(new(Field.Task, B(s.TaskInterruptible)));
                break;
            case SystemLabels.Guest:
                who = Actor.Guest;
                if (step == SystemLabels.GuestTake) (name, outcome) = ("guest.take", Outcome.GuestTake);
                else if (step == SystemLabels.GuestExit) (name, outcome, access) = ("guest.exit", Outcome.GuestExit, AccessKind.Transition);
                else (name, outcome, access) = ("guest.halt", Outcome.GuestHalt, AccessKind.Transition);
                break;
            case SystemLabels.Buffer:
            {
                who = Actor.StoreBuffer;
                var e = Store(s.StoreBufferAt(0));
                (name, access, target, outcome) = ("flush", AccessKind.Flush, e.Field, Outcome.Flushed);
                reads.Add(e);
                break;
            }
            case SystemLabels.FirstCpu:
            case SystemLabels.FirstCpu + 1:
            {
                int c = actor - SystemLabels.FirstCpu;
                who = Actor.Interrupts;
                cpu = P(c);
                switch (step)
                {
                    case SystemLabels.PiProcess:
                        (name, access, target, outcome) = ("pi.process", AccessKind.LockedRmw, Field.Pir, Outcome.PiProcessing);
                        reads.Add(new(Field.Pir, s.Pir));
                        break;
                    case SystemLabels.ExtIntExit:
                        (name, access, outcome) = ("extint.exit", AccessKind.Transition, Outcome.ExitOnIpi);
                        reads.Add(new(Field.Pending, (s.Pending(c) & SystemState.Wakeup) != 0 ? SystemState.Wakeup : SystemState.Resched, P(c)));
                        break;
                    case SystemLabels.HostIrqNotify:
                        (name, outcome) = ("host.irq", Outcome.DummyAteNotify);
                        facts.DummyAte = P(c);
                        break;
                    case SystemLabels.HostIrqResched:
                        (name, outcome) = ("host.irq", Outcome.HostHandledResched);
                        break;
                    default:
                        (name, access, target) = ("host.irq", AccessKind.Load, Field.Wakelist);
                        outcome = s.Wakelist == c && s.On ? Outcome.WakeupHandlerWakes : Outcome.WakeupHandlerNothing;
                        reads.Add(new(Field.Wakelist, P(s.Wakelist)));
                        reads.Add(new(Field.On, B(s.On)));
                        break;
                }
                break;
            }
            default:
            {
                int p = actor - SystemLabels.FirstPoster;
                int v = 1 << cfg.VectorOf(p);
                cpu = null;
                if (cfg.IsHardware(p))
                {
                    who = Actor.Iommu;
                    instance = p - cfg.Injectors + 1;
                    string kind = cfg.IsIpiv(p) ? "ipiv" : "iommu";
                    bool ignoresSn = cfg.IsIommu(p) && system.Program.Variant.IommuSn == IommuSn.Ignore;
                    if (step == 0)
                    {
                        (name, access, target) = (kind + ".post", AccessKind.LockedRmw, Field.Pir);
                        reads.Add(new(Field.Pir, v));
                        if (s.Sn && !ignoresSn) { outcome = Outcome.PostedWithSn; facts.IommuPostedWithSn = true; reads.Add(new(Field.Sn, 1)); }
                        else if (s.On) { outcome = Outcome.PostedOnAlreadySet; reads.Add(new(Field.On, 1)); }
                        else
                        {
                            outcome = Outcome.PostedWillNotify;
                            reads.Add(new(Field.Nv, (int)Nv(s.NvWakeup)));
                            reads.Add(new(Field.Ndst, P(s.Ndst)));
                        }
                    }
                    else
                    {
                        var vec = Nv(s.IommuNvWakeup(p));
                        (name, access, outcome, ipi) = (kind + ".notify", AccessKind.Ipi, Outcome.IommuNotify, new(vec, P(s.IommuNdst(p))));
                        facts.LastNotification = (vec, P(s.IommuNdst(p)));
                    }
                }
                else
                {
                    who = Actor.Injector;
                    instance = p + 1;
                    var op = system.Program.Injector[step];
                    name = StepNames.Name(op);
                    switch (op)
                    {
                        case InjectorStep.PirSet:
                            (access, target) = (AccessKind.LockedRmw, Field.Pir);
                            if ((s.Pir & v) != 0) outcome = Outcome.Coalesced;
                            break;
                        case InjectorStep.OnSet:
                            (access, target) = (AccessKind.LockedRmw, Field.On);
                            reads.Add(new(Field.On, B(s.On)));
                            if (s.On) { outcome = Outcome.OnAlreadySetDone; facts.InjectorFoundOn = true; }
                            break;
                        case InjectorStep.ModeRead:
                            (access, target, outcome) = (AccessKind.Load, Field.Mode, Outcome.ModeRead);
                            reads.Add(new(Field.Mode, (int)s.Mode));
                            break;
                        case InjectorStep.Notify:
                            reads.Add(new(Field.Mode, (int)s.InjectorModeRead(p)));
                            if (s.InjectorModeRead(p) == VcpuMode.InGuest)
                            {
                                (access, outcome, ipi) = (AccessKind.Ipi, Outcome.NotifyIpi, new(IpiVector.Notify, P(s.Cpu)));
                                facts.LastNotification = (IpiVector.Notify, P(s.Cpu));
                            }
                            else outcome = Outcome.NoIpiWakeInstead;
                            break;
                        case InjectorStep.Wake:
                            (access, target) = (AccessKind.LockedRmw, Field.ThreadState);
                            reads.Add(new(Field.Waiter, B(s.Waiter)));
                            reads.Add(new(Field.Task, B(s.TaskInterruptible)));
                            outcome = s.Waiter && s.TaskInterruptible ? Outcome.WakeThread : Outcome.NothingToWake;
                            break;
                        case InjectorStep.Kick:
                            (access, target) = (AccessKind.LockedRmw, Field.Mode);
                            reads.Add(new(Field.Mode, (int)s.Mode));
                            if (s.Mode == VcpuMode.InGuest) (ipi, outcome) = (new(IpiVector.Resched, P(s.Cpu)), Outcome.KickIpi);
                            else outcome = Outcome.KickFailed;
                            break;
                        case InjectorStep.Mb: access = AccessKind.Fence; break;
                    }
                }
                done = t.PosterPosts(p) > s.PosterPosts(p);
                break;
            }
        }
        return new(index, who, instance, cpu, name, null, access, target, ipi, outcome, [.. reads], Diff(s, t), done, Snapshot(t), Buffer(t));
    }

    private static bool HasBufferedMode(SystemState s)
    {
        for (int i = 0; i < s.StoreBufferLength; i++)
            if (s.StoreBufferAt(i).IsMode(out _)) return true;
        return false;
    }

    /// <summary>Every field the step changed, in the order the words give them.</summary>
    private static ImmutableArray<FieldChange> Diff(SystemState s, SystemState t)
    {
        var fx = ImmutableArray.CreateBuilder<FieldChange>();
        void Add(Field f, int a, int b, int cpu = -1) { if (a != b) fx.Add(new(f, a, b, cpu)); }
        Add(Field.Pir, s.Pir, t.Pir);
        Add(Field.On, B(s.On), B(t.On));
        Add(Field.Sn, B(s.Sn), B(t.Sn));
        Add(Field.Nv, (int)Nv(s.NvWakeup), (int)Nv(t.NvWakeup));
        Add(Field.Ndst, P(s.Ndst), P(t.Ndst));
        Add(Field.Wakelist, P(s.Wakelist), P(t.Wakelist));
        Add(Field.Mode, (int)s.Mode, (int)t.Mode);
        Add(Field.Waiter, B(s.Waiter), B(t.Waiter));
        Add(Field.Task, B(s.TaskInterruptible), B(t.TaskInterruptible));
        for (int i = s.StoreBufferLength; i < t.StoreBufferLength; i++)
        {
            var e = Store(t.StoreBufferAt(i));
            fx.Add(new(e.Field, Seen(t, e.Field, i), e.Value, Buffered: true));
        }
        Add(Field.VIrr, s.VIrr, t.VIrr);
        Add(Field.Delivered, s.Delivered, t.Delivered);
        if (s.Status == ThreadStatus.OnCpu && t.Status == ThreadStatus.OnCpu) Add(Field.IF, B(s.IF), B(t.IF), P(s.HostCpu));
        Add(Field.ThreadState, (int)Place(s.Status), (int)Place(t.Status));
        Add(Field.VcpuCpu, P(s.Cpu), P(t.Cpu));
        Add(Field.ThreadCpu, P(s.HostCpu), P(t.HostCpu));
        Add(Field.Halted, B(s.Halted), B(t.Halted));
        for (int c = 0; c < 2; c++) Add(Field.Pending, s.Pending(c), t.Pending(c), P(c));
        if (s.Guest != t.Guest) fx.Add(new(Field.Guest, B(s.Guest), B(t.Guest), P(s.HostCpu)));
        return fx.ToImmutable();
    }

    /// <summary>The final state judged: where the vCPU is, what is left, and why it is lost.</summary>
    private static Diagnosis Diagnose(WholeSystemModel system, SystemState s, Facts facts)
    {
        ImmutableArray<FieldValue> final =
        [
            new(Field.Pir, s.Pir), new(Field.On, B(s.On)), new(Field.Sn, B(s.Sn)), new(Field.Nv, (int)Nv(s.NvWakeup)),
            new(Field.Ndst, P(s.Ndst)), new(Field.VIrr, s.VIrr),
        ];
        var causes = new List<Cause>();
        Diagnosis D(Ending e) => new(e, Place(s.Status), s.Guest, P(s.HostCpu), null, P(s.Wakelist), final, [.. causes]);
        if (system.Classify(s) == TerminalKind.Stuck) return D(Ending.Stuck);
        if (system.NoLostInterrupt(s)) return D(Ending.AllDelivered);
        bool asleep = s.Status == ThreadStatus.Asleep;
        causes.Add(s.Pir != 0 ? new Cause(CauseKind.PirStranded, s.Pir) : new Cause(CauseKind.NeverDelivered));
        if (facts.IommuPostedWithSn && !s.On) causes.Add(new(CauseKind.IommuPostedWithSn));
        if (facts.LastNotification is { } n && asleep) causes.Add(new(CauseKind.NotificationWentTo, Cpu: n.Cpu, Vector: n.Vector));
        if (facts.DummyAte is { } d && asleep && facts.LastNotification?.Vector == IpiVector.Notify)
            causes.Add(new(CauseKind.DummyHandlerAte, Cpu: d));
        if (facts.RecomputeSetOn && facts.InjectorFoundOn && s.On && facts.LastNotification is null)
            causes.Add(new(CauseKind.RecomputeSetOnForPostInFlight));
        if (s.On && !asleep && !facts.IommuPostedWithSn) causes.Add(new(CauseKind.OnStuck));
        return D(Ending.Lost);
    }
}
