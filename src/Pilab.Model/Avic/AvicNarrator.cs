using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Model.Avic;

/// <summary>Turns AVIC labels and states into a <see cref="Trace"/>: data, no words (TraceText says them).</summary>
public static class AvicNarrator
{
    /// <summary>The cells a sequence diagram of an AVIC run shows: the IRR, the table entry, the IRTE, where the thread is and mode.</summary>
    public static readonly ImmutableArray<Cell> Cells =
    [
        new(Field.Irr), new(Field.IsRunning), new(Field.HostId), new(Field.IrteIsRun), new(Field.IrteDest), new(Field.GaLogIntr),
        new(Field.ThreadCpu), new(Field.ThreadState), new(Field.Mode),
    ];

    public static Trace Narrate(AvicModel system, AvicState initial, IReadOnlyList<TraceStep<AvicState>> trace)
    {
        var facts = new Facts();
        var steps = SystemNarrator.Events(initial, trace, (i, s, label, t) => Describe(system, i, s, label, t, facts), out var final);
        var c = system.Configuration;
        return new(steps, Diagnose(system, final, facts), c.Memory, c.Injectors, c.Iommu, [0, 2], Cells, Snapshot(initial)) { Avic = true };
    }

    private sealed class Facts
    {
        public int? DoorbellIgnoredAt;
        public bool GaLogWokeNobody;
        public bool SenderSawIsRunning;
    }

    private static int P(int c) => SystemNarrator.P(c);
    private static int B(bool b) => b ? 1 : 0;

    private static ThreadPlace Place(ThreadStatus s) => SystemNarrator.Place(s);

    public static ImmutableArray<FieldValue> Snapshot(AvicState s) =>
    [
        new(Field.Irr, s.Irr), new(Field.Recognized, s.Recognized), new(Field.Delivered, s.Delivered),
        new(Field.IsRunning, B(s.IsRunning)), new(Field.HostId, P(s.HostId)),
        new(Field.IrteIsRun, B(s.IrteIsRun)), new(Field.IrteDest, P(s.IrteDest)), new(Field.GaLogIntr, B(s.GaLogIntr)),
        new(Field.Mode, (int)s.Mode), new(Field.Waiter, B(s.Waiter)), new(Field.Task, B(s.TaskInterruptible)),
        new(Field.ThreadCpu, P(s.HostCpu)), new(Field.VcpuCpu, P(s.Cpu)), new(Field.ThreadState, (int)Place(s.Status)), new(Field.Halted, B(s.Halted)),
        new(Field.IF, B(s.IF), P(s.HostCpu)), new(Field.Guest, B(s.Guest), P(s.HostCpu)),
        new(Field.Doorbell, B(s.Doorbell(0)), 0), new(Field.Doorbell, B(s.Doorbell(1)), 2), new(Field.GaLogPending, B(s.GaLogPending)),
    ];

    public static FieldValue Store(AvicStore e) => e switch
    {
        AvicStore.WaiterClear => new(Field.Waiter, 0),
        AvicStore.WaiterSet => new(Field.Waiter, 1),
        AvicStore.TaskRunning => new(Field.Task, (int)TaskState.Running),
        AvicStore.TaskInterruptible => new(Field.Task, (int)TaskState.Interruptible),
        _ when e.IsEntry() => new(Field.IsRunning, ((int)e & 2) >> 1),
        _ => new(Field.Mode, (int)e),
    };

    private static ImmutableArray<FieldValue> Buffer(AvicState s) => ThreadStores.Buffer<AvicState, AvicStore>(s, Store);

    private static TraceEvent Describe(AvicModel system, int index, AvicState s, int label, AvicState t, Facts facts)
    {
        int actor = AvicLabels.Actor(label), step = AvicLabels.Step(label);
        var cfg = system.Configuration;
        bool tso = cfg.Memory == MemoryModel.TSO;
        var reads = new List<FieldValue>();
        Actor who = Actor.VcpuThread;
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
            case AvicLabels.Thread:
                name = system.StepName(step);
                if (step < AvicPc.Enter)
                {
                    switch (system.EntryUnitAt(step))
                    {
                        case AvicEntryUnit.IrqOff: target = Field.IF; break;
                        case AvicEntryUnit.ModeIn: (access, target) = (PlainStore(), Field.Mode); break;
                        case AvicEntryUnit.Mb: (access, outcome) = (AccessKind.Fence, Outcome.FullBarrier); break;
                        default: (access, target) = (PlainStore(), Field.IsRunning); break;
                    }
                    break;
                }
                switch (step)
                {
                    case AvicPc.ModeOut: (access, target) = (PlainStore(), Field.Mode); break;
                    case AvicPc.BlockMb: (access, outcome) = (AccessKind.Fence, Outcome.FullBarrier); break;
                    case AvicPc.Enter: (access, outcome) = (AccessKind.Transition, Outcome.IrrEvaluated); reads.Add(new(Field.Irr, s.Irr)); break;
                    case AvicPc.IrqOn: (target, outcome) = (Field.IF, s.Halted ? Outcome.Block : Outcome.EnterAgain); reads.Add(new(Field.Halted, B(s.Halted))); break;
                    case AvicPc.Blocking: (access, target, outcome) = (AccessKind.LockedRmw, Field.IsRunning, Outcome.AvicBlocking); break;
                    case AvicPc.WaiterSet: (access, target) = (PlainStore(), Field.Waiter); break;
                    case AvicPc.TaskSet: (access, target) = (PlainStore(), Field.Task); break;
                    case AvicPc.IrrCheck:
                        (access, target, outcome) = (AccessKind.Load, Field.Irr, s.Irr == 0 ? Outcome.IrrEmptySchedule : Outcome.IrrPendingLeave);
                        reads.Add(new(Field.Irr, s.Irr));
                        break;
                    case AvicPc.SchedOutBlock:
                        (access, target, outcome) = (AccessKind.Load, Field.Task, s.TaskInterruptible ? Outcome.Sleeps : Outcome.WokenLoop);
                        reads.Add(new(Field.Task, B(s.TaskInterruptible)));
                        break;
                    case AvicPc.Unblocking:
                        (access, target) = (AccessKind.LockedRmw, Field.IsRunning);
                        outcome = system.Policy.UnblockLoad == AvicUnblockLoad.ThisCpu ? Outcome.AvicLoad : Outcome.AvicUnblockReadCpu;
                        reads.Add(new(Field.VcpuCpu, P(s.Cpu)));
                        break;
                    case AvicPc.UnblockLoad:
                        (access, target, outcome) = (AccessKind.LockedRmw, Field.IsRunning, Outcome.AvicLoad);
                        reads.Add(new(Field.VcpuCpu, P(s.LatchedCpu)));
                        break;
                }
                break;
            case AvicLabels.SchedIn:
                name = "sched.in";
                cpu = P(t.HostCpu);
                access = AccessKind.LockedRmw;
                outcome = s.Waiter ? Outcome.AvicLoadSkipped : step == AvicLabels.LoadOther ? Outcome.Migrated : Outcome.Loaded;
                reads.Add(new(Field.ThreadCpu, P(s.HostCpu)));
                reads.Add(new(Field.Waiter, B(s.Waiter)));
                break;
            case AvicLabels.Preempt:
                (name, outcome, access) = ("sched.out.preempt", s.Loaded ? Outcome.AvicPut : Outcome.Preempted, AccessKind.LockedRmw);
                reads.Add(new(Field.Task, B(s.TaskInterruptible)));
                reads.Add(new(Field.Waiter, B(s.Waiter)));
                break;
            case AvicLabels.Guest:
                who = Actor.Guest;
                if (step == AvicLabels.GuestTake) (name, outcome) = ("guest.take", Outcome.GuestTake);
                else if (step == AvicLabels.GuestExit) (name, outcome, access) = ("guest.exit", Outcome.GuestExit, AccessKind.Transition);
                else (name, outcome, access) = ("guest.halt", Outcome.GuestHalt, AccessKind.Transition);
                break;
            case AvicLabels.Buffer:
                who = Actor.StoreBuffer;
                (name, access) = ("flush", AccessKind.Flush);
                var oldest = Store(s.StoreBufferAt(0));
                (target, outcome) = (oldest.Field, Outcome.Flushed);
                reads.Add(oldest);
                break;
            case AvicLabels.GaLog:
                who = Actor.Interrupts;
                cpu = 1;
                name = "galog.irq";
                AvicModel.Wake(s, out bool woke);
                outcome = woke ? Outcome.GaLogWakes : Outcome.GaLogNothing;
                if (!woke) facts.GaLogWokeNobody = true;
                reads.Add(new(Field.Waiter, B(s.Waiter)));
                reads.Add(new(Field.Task, B(s.TaskInterruptible)));
                break;
            case >= AvicLabels.FirstPoster:
            {
                int p = actor - AvicLabels.FirstPoster;
                bool iommu = cfg.IsIommu(p);
                instance = iommu ? p - cfg.Injectors + 1 : p + 1;
                cpu = null;
                done = t.PosterPosts(p) > s.PosterPosts(p);
                int read = s.PosterRead(p);
                if (iommu)
                {
                    who = Actor.Iommu;
                    if (step == 0)
                    {
                        name = "iommu.post";
                        access = AccessKind.LockedRmw;
                        target = Field.Irr;
                        reads.Add(new(Field.IrteIsRun, B(s.IrteIsRun)));
                        reads.Add(new(Field.IrteDest, P(s.IrteDest)));
                        reads.Add(new(Field.GaLogIntr, B(s.GaLogIntr)));
                        outcome = s.IrteIsRun ? Outcome.IommuPostedDoorbell : s.GaLogIntr ? Outcome.IommuPostedGaLog : Outcome.IommuPostedNothing;
                    }
                    else
                    {
                        name = "iommu.notify";
                        access = AccessKind.Ipi;
                        if ((read & AvicModel.ReadFlag) != 0)
                        {
                            int c = (read & AvicModel.ReadHost) != 0 ? 1 : 0;
                            (ipi, outcome) = (new(IpiVector.Doorbell, P(c)), Outcome.IommuDoorbell);
                            Note(facts, t, c);
                        }
                        else (ipi, outcome) = (new(IpiVector.GaLog, 1), Outcome.IommuGaLog);
                    }
                }
                else
                {
                    who = system.Policy.Sender == AvicSender.Kvm ? Actor.Injector : Actor.AvicIpi;
                    if (step == AvicLabels.PosterFlush)
                    {
                        // the sender's buffered irr.store reaches memory
                        (name, access, target, outcome) = ("irr.flush", AccessKind.Flush, Field.Irr, Outcome.Flushed);
                        break;
                    }
                    var op = system.SenderSteps[step];
                    name = SenderOps.Name(op);
                    switch (op)
                    {
                        case SenderOp.IrrSet: (access, target, outcome) = (AccessKind.LockedRmw, Field.Irr, Outcome.IrrSet); break;
                        case SenderOp.IrrStore: (access, target, outcome) = (PlainStore(), Field.Irr, Outcome.IrrSet); break;
                        case SenderOp.IsRunningRead:
                            (access, target, outcome) = (AccessKind.Load, Field.IsRunning, Outcome.IsRunningRead);
                            reads.Add(new(Field.IsRunning, B(s.IsRunning)));
                            reads.Add(new(Field.HostId, P(s.HostId)));
                            break;
                        case SenderOp.DoorbellOrExit:
                            if ((read & AvicModel.ReadFlag) != 0)
                            {
                                int c = (read & AvicModel.ReadHost) != 0 ? 1 : 0;
                                (access, ipi, outcome) = (AccessKind.Ipi, new(IpiVector.Doorbell, P(c)), Outcome.DoorbellRung);
                                facts.SenderSawIsRunning = true;
                                Note(facts, t, c);
                            }
                            else outcome = Outcome.IncompleteIpiExit;
                            break;
                        case SenderOp.ModeRead:
                            (access, target, outcome) = (AccessKind.Load, Field.Mode, Outcome.ModeReadAvic);
                            reads.Add(new(Field.Mode, (int)s.Mode));
                            break;
                        case SenderOp.DoorbellOrWake:
                            if ((read & AvicModel.ReadFlag) != 0)
                            {
                                (access, ipi, outcome) = (AccessKind.Ipi, new(IpiVector.Doorbell, P(s.Cpu)), Outcome.DoorbellRung);
                                reads.Add(new(Field.VcpuCpu, P(s.Cpu)));
                                Note(facts, t, s.Cpu);
                            }
                            else
                            {
                                AvicModel.Wake(s, out bool w);
                                (access, outcome) = (AccessKind.LockedRmw, w ? Outcome.WakeAvic : Outcome.NothingToWakeAvic);
                                reads.Add(new(Field.Waiter, B(s.Waiter)));
                                reads.Add(new(Field.Task, B(s.TaskInterruptible)));
                            }
                            break;
                    }
                }
                break;
            }
            default:
            {
                int c = actor - AvicLabels.FirstCpu;
                who = Actor.Interrupts;
                cpu = P(c);
                name = "doorbell";
                bool threadHere = s.Status == ThreadStatus.OnCpu && s.HostCpu == c && s.Guest;
                outcome = threadHere ? Outcome.DoorbellEvaluated : Outcome.DoorbellIgnored;
                if (threadHere) reads.Add(new(Field.Irr, s.Irr));
                else facts.DoorbellIgnoredAt = P(c);
                break;
            }
        }
        return new(index, who, instance, cpu, name, null, access, target, ipi, outcome, [.. reads], Changes(s, t), done, Snapshot(t), Buffer(t));
    }

    /// <summary>A doorbell for a post: where it went, for the diagnosis when no guest of the vCPU runs there.</summary>
    private static void Note(Facts facts, AvicState after, int c)
    {
        if (!(after.Status == ThreadStatus.OnCpu && after.HostCpu == c && after.Guest)) facts.DoorbellIgnoredAt = P(c);
        else facts.DoorbellIgnoredAt = null;
    }

    /// <summary>The fields a step changed (memory, then what it pushed into the store buffer).</summary>
    private static ImmutableArray<FieldChange> Changes(AvicState s, AvicState t)
    {
        var a = Snapshot(s);
        var b = Snapshot(t);
        var changes = ImmutableArray.CreateBuilder<FieldChange>();
        for (int i = 0; i < a.Length; i++)
            if (a[i].Value != b[i].Value) changes.Add(new(a[i].Field, a[i].Value, b[i].Value, a[i].Cpu));
        if (t.StoreBufferLength > s.StoreBufferLength)
        {
            var e = Store(t.StoreBufferAt(t.StoreBufferLength - 1));
            changes.Add(new(e.Field, Trace.Find(a, e.Field), e.Value, -1, Buffered: true));
        }
        return changes.ToImmutable();
    }

    private static Diagnosis Diagnose(AvicModel system, AvicState s, Facts facts)
    {
        var kind = system.Classify(s);
        var ending = kind switch { TerminalKind.Ok => Ending.AllDelivered, TerminalKind.Stuck => Ending.Stuck, _ => Ending.Lost };
        var causes = ImmutableArray.CreateBuilder<Cause>();
        if (ending == Ending.Lost)
        {
            if (s.Irr != 0) causes.Add(new(CauseKind.IrrStranded, s.Irr));
            if (facts.SenderSawIsRunning) causes.Add(new(CauseKind.SenderSawIsRunning));
            if (facts.DoorbellIgnoredAt is { } c) causes.Add(new(CauseKind.DoorbellIgnoredAt, Cpu: c));
            if (facts.GaLogWokeNobody) causes.Add(new(CauseKind.GaLogWokeNobody));
        }
        string? at = s.Status == ThreadStatus.OnCpu && !s.Guest ? system.StepName(s.ThreadPc) : null;
        ImmutableArray<FieldValue> final =
        [
            new(Field.Irr, s.Irr), new(Field.IsRunning, B(s.IsRunning)), new(Field.HostId, P(s.HostId)),
            new(Field.IrteIsRun, B(s.IrteIsRun)), new(Field.IrteDest, P(s.IrteDest)), new(Field.GaLogIntr, B(s.GaLogIntr)),
        ];
        return new(ending, Place(s.Status), s.Status == ThreadStatus.OnCpu && s.Guest, P(s.HostCpu), at, -1, final, causes.ToImmutable());
    }
}
