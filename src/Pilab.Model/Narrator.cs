using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model;

/// <summary>Turns the section 2-6 model's labels and states into a <see cref="Trace"/>: data, no words.</summary>
public static class Narrator
{
    /// <summary>The cells of the diagram's memory box: PIR, ON, mode, and the EVENT request where the run uses requests.</summary>
    private static readonly ImmutableArray<Cell> BaseCells = [new(Field.Pir), new(Field.On), new(Field.Mode)];

    public static Trace Narrate(PiSystem system, PiState initial, IReadOnlyList<TraceStep<PiState>> trace)
    {
        var steps = ImmutableArray.CreateBuilder<TraceEvent>(trace.Count);
        var before = initial;
        bool requests = initial.EventRequest;
        for (int i = 0; i < trace.Count; i++)
        {
            steps.Add(Describe(system, i + 1, before, trace[i].Label, trace[i].State));
            before = trace[i].State;
            requests |= before.EventRequest;
        }
        var c = system.Configuration;
        return new(steps.ToImmutable(), Diagnose(system, before), c.Memory, c.Injectors, 0, [0],
            requests ? [.. BaseCells, new(Field.EventRequest)] : BaseCells, Snapshot(initial));
    }

    /// <summary>The fields of a state a trace shows.</summary>
    public static ImmutableArray<FieldValue> Snapshot(PiState s) =>
    [
        new(Field.Pir, s.Pir), new(Field.On, B(s.On)), new(Field.Mode, (int)s.Mode), new(Field.EventRequest, B(s.EventRequest)),
        new(Field.VIrr, s.VIrr), new(Field.Delivered, s.Delivered), new(Field.IF, B(s.IF), 0), new(Field.Guest, B(s.Guest), 0),
        new(Field.Pending, Pending(s), 0),
    ];

    private static ImmutableArray<FieldValue> Buffer(PiState s)
    {
        var b = ImmutableArray.CreateBuilder<FieldValue>(s.StoreBufferLength);
        for (int i = 0; i < s.StoreBufferLength; i++) b.Add(new(Field.Mode, (int)s.StoreBufferAt(i)));
        return b.ToImmutable();
    }

    private static int Pending(PiState s) => (s.NotifyPending ? 1 : 0) | (s.ReschedPending ? 2 : 0);

    public static TraceEvent Describe(PiSystem system, int index, PiState s, int label, PiState t)
    {
        int actor = Labels.Actor(label), step = Labels.Step(label);
        bool tso = system.Configuration.Memory == MemoryModel.TSO;
        var reads = new List<FieldValue>();
        Actor who;
        int instance = 0, cpu = 0;
        string name;
        string? seed = null;
        AccessKind access = AccessKind.Local;
        Field? target = null;
        Ipi? ipi = null;
        var outcome = Outcome.None;
        switch (actor)
        {
            case Labels.Thread:
            {
                who = Actor.VcpuThread;
                var ins = system.Program.Thread[step];
                name = ThreadProgram.Name(ins.Op);
                seed = ThreadProgram.SeedNumber(ins.Op);
                switch (ins.Op)
                {
                    case ThreadOp.ReqTest:
                        (access, target) = (AccessKind.Load, Field.EventRequest);
                        reads.Add(new(Field.EventRequest, B(s.EventRequest)));
                        outcome = s.EventRequest ? Outcome.EventPending : Outcome.NoEvent;
                        break;
                    case ThreadOp.ReqClear: (access, target) = (AccessKind.LockedRmw, Field.EventRequest); break;
                    case ThreadOp.IrqOff: case ThreadOp.IrqOn: (access, target) = (AccessKind.Local, Field.IF); break;
                    case ThreadOp.ModeIn: case ThreadOp.ModeOut:
                        (access, target) = (tso ? AccessKind.BufferedStore : AccessKind.Store, Field.Mode);
                        break;
                    case ThreadOp.OnRead:
                        (access, target) = (AccessKind.Load, Field.On);
                        reads.Add(new(Field.On, B(s.On)));
                        outcome = s.On ? Outcome.OnFound : Outcome.OnClearSkip;
                        break;
                    case ThreadOp.OnClear: (access, target) = (AccessKind.LockedRmw, Field.On); break;
                    case ThreadOp.PirDrain: (access, target) = (AccessKind.LockedRmw, Field.Pir); reads.Add(new(Field.Pir, s.Pir)); break;
                    case ThreadOp.Check:
                        (access, target) = (tso && s.StoreBufferLength > 0 ? AccessKind.ForwardedLoad : AccessKind.Load, Field.Mode);
                        reads.Add(new(Field.Mode, (int)s.ModeSeenByP0));
                        reads.Add(new(Field.EventRequest, B(s.EventRequest)));
                        outcome = t.ThreadPc == system.Program.ModeOutPc ? Outcome.CancelEntry : Outcome.GoOnToEnter;
                        break;
                    case ThreadOp.Enter: access = AccessKind.Transition; outcome = Outcome.VmEntry; break;
                    case ThreadOp.Mb: access = AccessKind.Fence; outcome = Outcome.FullBarrier; break;
                }
                break;
            }
            case Labels.Cpu:
                who = Actor.Interrupts;
                name = step switch { Labels.PiProcess => "pi.process", Labels.ExtIntExit => "extint.exit", _ => "host.irq" };
                switch (step)
                {
                    case Labels.PiProcess:
                        (access, target, outcome) = (AccessKind.LockedRmw, Field.Pir, Outcome.PiProcessing);
                        reads.Add(new(Field.Pir, s.Pir));
                        break;
                    case Labels.ExtIntExit: (access, outcome) = (AccessKind.Transition, Outcome.ExitOnIpi); reads.Add(new(Field.Pending, 2, 0)); break;
                    case Labels.HostIrqNotify: outcome = Outcome.DummyAteNotify; break;
                    default: outcome = Outcome.HostHandledResched; break;
                }
                break;
            case Labels.GuestActor:
                who = Actor.Guest;
                if (step == Labels.GuestTake) (name, outcome) = ("guest.take", Outcome.GuestTake);
                else (name, outcome, access) = ("guest.exit", Outcome.GuestExit, AccessKind.Transition);
                break;
            case Labels.Buffer:
                who = Actor.StoreBuffer;
                (name, access, target, outcome) = ("flush", AccessKind.Flush, Field.Mode, Outcome.Flushed);
                reads.Add(new(Field.Mode, (int)s.StoreBufferAt(0)));
                break;
            default:
            {
                who = Actor.Injector;
                int i = actor - Labels.FirstInjector;
                instance = cpu = i + 1;
                var ins = system.Program.Injector[step];
                name = StepNames.Name(ins.Op);
                seed = StepNames.SeedNumber(ins.Op);
                int v = 1 << system.Configuration.VectorOf(i);
                switch (ins.Op)
                {
                    case InjectorStep.PirSet:
                        (access, target) = (AccessKind.LockedRmw, Field.Pir);
                        reads.Add(new(Field.Pir, v));
                        if ((s.Pir & v) != 0) outcome = Outcome.Coalesced;
                        break;
                    case InjectorStep.OnSet:
                        (access, target) = (AccessKind.LockedRmw, Field.On);
                        reads.Add(new(Field.On, B(s.On)));
                        if (s.On)
                            outcome = system.Program.Variant.OnAlreadySet switch
                            {
                                OnAlreadySet.Done => Outcome.OnAlreadySetDone,
                                OnAlreadySet.Kick => Outcome.OnAlreadySetKick,
                                _ => Outcome.OnAlreadySetGoOn,
                            };
                        break;
                    case InjectorStep.ReqSet: (access, target) = (AccessKind.LockedRmw, Field.EventRequest); break;
                    case InjectorStep.ModeRead when t.InjectorPc(i) != 0 && t.InjectorPc(i) == ins.SkipTo && ins.SkipTo != step + 1:
                        outcome = Outcome.SkipModeRead;
                        break;
                    case InjectorStep.ModeRead:
                        (access, target, outcome) = (AccessKind.Load, Field.Mode, Outcome.ModeRead);
                        reads.Add(new(Field.Mode, (int)s.Mode));
                        break;
                    case InjectorStep.Notify:
                        var read = s.InjectorModeRead(i);
                        reads.Add(new(Field.Mode, (int)read));
                        if (read == VcpuMode.InGuest) (access, ipi, outcome) = (AccessKind.Ipi, new(IpiVector.Notify, 0), Outcome.NotifyIpi);
                        else outcome = NextIsKick(system, step) ? Outcome.NoIpiKickInstead : Outcome.NoIpiNoKick;
                        break;
                    case InjectorStep.Kick:
                        (access, target) = (AccessKind.LockedRmw, Field.Mode);
                        reads.Add(new(Field.Mode, (int)s.Mode));
                        if (s.Mode == VcpuMode.InGuest) (ipi, outcome) = (new(IpiVector.Resched, 0), Outcome.KickIpi);
                        else outcome = Outcome.KickFailed;
                        break;
                    case InjectorStep.Mb: access = AccessKind.Fence; break;
                }
                bool done = t.InjectorPosts(i) > s.InjectorPosts(i);
                return new(index, who, instance, cpu, name, seed, access, target, ipi, outcome, [.. reads], Diff(s, t), done, Snapshot(t), Buffer(t));
            }
        }
        return new(index, who, instance, cpu, name, seed, access, target, ipi, outcome, [.. reads], Diff(s, t), false, Snapshot(t), Buffer(t));
    }

    private static bool NextIsKick(PiSystem system, int pc) =>
        pc + 1 < system.Program.Injector.Length && system.Program.Injector[pc + 1].Op == InjectorStep.Kick;

    /// <summary>Every field the step changed, in the order the words give them.</summary>
    private static ImmutableArray<FieldChange> Diff(PiState s, PiState t)
    {
        var fx = ImmutableArray.CreateBuilder<FieldChange>();
        if (s.Pir != t.Pir) fx.Add(new(Field.Pir, s.Pir, t.Pir));
        if (s.On != t.On) fx.Add(new(Field.On, B(s.On), B(t.On)));
        if (s.Mode != t.Mode) fx.Add(new(Field.Mode, (int)s.Mode, (int)t.Mode));
        if (t.StoreBufferLength > s.StoreBufferLength)
            fx.Add(new(Field.Mode, (int)s.ModeSeenByP0, (int)t.StoreBufferAt(t.StoreBufferLength - 1), Buffered: true));
        if (s.EventRequest != t.EventRequest) fx.Add(new(Field.EventRequest, B(s.EventRequest), B(t.EventRequest)));
        if (s.VIrr != t.VIrr) fx.Add(new(Field.VIrr, s.VIrr, t.VIrr));
        if (s.Delivered != t.Delivered) fx.Add(new(Field.Delivered, s.Delivered, t.Delivered));
        if (s.IF != t.IF) fx.Add(new(Field.IF, B(s.IF), B(t.IF), 0));
        if (Pending(s) != Pending(t)) fx.Add(new(Field.Pending, Pending(s), Pending(t), 0));
        if (s.Guest != t.Guest) fx.Add(new(Field.Guest, B(s.Guest), B(t.Guest), 0));
        return fx.ToImmutable();
    }

    private static int B(bool b) => b ? 1 : 0;

    /// <summary>The final state judged: where the vCPU is, what is left, and why it is lost.</summary>
    public static Diagnosis Diagnose(PiSystem system, PiState s)
    {
        ImmutableArray<FieldValue> final = [new(Field.Pir, s.Pir), new(Field.On, B(s.On)), new(Field.VIrr, s.VIrr), new(Field.Pending, Pending(s), 0)];
        string? at = s.Guest ? null : ThreadProgram.Name(system.Program.Thread[s.ThreadPc].Op);
        Diagnosis D(Ending e, params Cause[] causes) => new(e, ThreadPlace.OnCpu, s.Guest, 0, at, -1, final, [.. causes]);
        if (system.Classify(s) == TerminalKind.Stuck) return D(Ending.Stuck);
        if (system.NoLostInterrupt(s)) return D(Ending.AllDelivered);
        if (s.Pir != 0) return D(Ending.Lost, new Cause(CauseKind.PirStranded, s.Pir));
        if (s.On) return D(Ending.Lost, new Cause(CauseKind.OnStuck));
        return D(Ending.Lost, new Cause(CauseKind.NeverDelivered));
    }
}
