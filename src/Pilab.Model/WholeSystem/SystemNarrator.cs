using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model.WholeSystem;

/// <summary>One step of a whole-system run in a kernel engineer's words.</summary>
public sealed record SystemStep(int Index, string Actor, string Step, ImmutableArray<string> Effects)
{
    public string Text => string.Join(", ", Effects);
}

/// <summary>A narrated whole-system counterexample and the diagnosis of where it ends.</summary>
public sealed record SystemTrace(ImmutableArray<SystemStep> Steps, string Diagnosis);

/// <summary>Turns whole-system labels and states into the words of SPEC.md section 7 and KVM.</summary>
public static class SystemNarrator
{
    public static SystemTrace Narrate(WholeSystemModel system, SystemState initial, IReadOnlyList<TraceStep<SystemState>> trace)
    {
        var steps = ImmutableArray.CreateBuilder<SystemStep>(trace.Count);
        var before = initial;
        var facts = new Facts();
        for (int i = 0; i < trace.Count; i++)
        {
            steps.Add(Describe(system, i + 1, before, trace[i].Label, trace[i].State, facts));
            before = trace[i].State;
        }
        return new(steps.ToImmutable(), Diagnose(system, before, facts));
    }

    /// <summary>What the diagnosis needs to remember from the run: where the last notification for a post went.</summary>
    private sealed class Facts
    {
        public string? LastNotification;
        public bool IommuPostedWithSn;
        public string? DummyAte;
        public bool RecomputeSetOn;
        public bool InjectorFoundOn;
    }

    private static string Cpu(int c) => SystemLabels.CpuName(c);

    private static SystemStep Describe(WholeSystemModel system, int index, SystemState s, int label, SystemState t, Facts facts)
    {
        var fx = new List<string>();
        int actor = SystemLabels.Actor(label), step = SystemLabels.Step(label);
        var cfg = system.Configuration;
        string actorName, name;
        switch (actor)
        {
            case SystemLabels.Thread:
            {
                var ins = system.Program.Thread[step];
                actorName = $"vCPU thread@{Cpu(s.HostCpu)}";
                name = ins.Name;
                switch (ins.Op)
                {
                    case SysOp.OnRead:
                        fx.Add(s.On ? "read ON=1" : "read ON=0: skip on.clear/pir.drain");
                        break;
                    case SysOp.Check:
                        fx.Add(t.ThreadPc == system.Program.ModeOutPc ? $"read mode={s.ModeSeenByThread.Name()}: cancel the entry" : $"read mode={s.ModeSeenByThread.Name()}: go on to enter");
                        break;
                    case SysOp.Enter: fx.Add("VM entry: the guest runs"); break;
                    case SysOp.IrqOn: fx.Add(s.Halted ? "the guest is halted: block (vcpu_block)" : "enter again"); break;
                    case SysOp.IrrCheck:
                        fx.Add(s.VIrr == 0 ? "vIRR empty: go on to schedule()" : "vIRR not empty: leave the block loop (waiter=0, task=RUNNING, unhalt)");
                        break;
                    case SysOp.SchedOutBlock:
                        fx.Add(s.TaskInterruptible ? "task INTERRUPTIBLE: schedule out (IRQs off)" : "task RUNNING again (woken): loop");
                        break;
                    case SysOp.PreBlock:
                        fx.Add(s.On ? "ON already set: undo and do not block" : "arm the wake-up vector (pi_pre_block)");
                        break;
                    case SysOp.Mb:
                        fx.Add("full barrier");
                        break;
                    case SysOp.PostBlock:
                        fx.Add("disarm the wake-up vector (pi_post_block)");
                        break;
                    case SysOp.OnTest:
                        fx.Add(s.On ? $"ON set: WAKEUP IPI to itself ({Cpu(s.HostCpu)})" : "ON=0: no IPI");
                        break;
                    case SysOp.Sleep:
                        fx.Add(t.Status == ThreadStatus.Asleep ? $"the thread sleeps; {Cpu(s.HostCpu)} runs other work with IF=1" : "woken meanwhile: runnable again");
                        break;
                }
                break;
            }
            case SystemLabels.SchedIn:
                actorName = "vCPU thread";
                if (step < SystemLabels.FirstSchedInStep)
                {
                    name = "sched.in";
                    fx.Add(step == SystemLabels.LoadOther ? $"loaded on {Cpu(t.HostCpu)} (migrated from {Cpu(s.HostCpu)})" : $"loaded on {Cpu(t.HostCpu)}");
                }
                else
                {
                    var sub = system.Program.SchedIn[step - SystemLabels.FirstSchedInStep];
                    actorName = $"vCPU thread@{Cpu(s.HostCpu)}";
                    name = "sched.in: " + StepNames.Name(sub);
                    if (sub == SchedInStep.DescUpdate && t.LoadPc == 0 && s.Sn == t.Sn && s.NvWakeup == t.NvWakeup && s.Ndst == t.Ndst)
                        fx.Add("SN=0 and same CPU: nothing to do");
                    if (sub == SchedInStep.Mb) fx.Add("smp_mb__after_atomic");
                    if (sub == SchedInStep.WakelistDel && s.Wakelist == t.Wakelist) fx.Add("NV is NOTIFY: on no wake list");
                    if (sub == SchedInStep.OnRecompute)
                    {
                        fx.Add(s.Pir != 0 ? "PIR not empty: set ON" : "PIR empty");
                        if (!s.On && t.On) facts.RecomputeSetOn = true;
                    }
                }
                break;
            case SystemLabels.Preempt:
                actorName = $"vCPU thread@{Cpu(s.HostCpu)}";
                name = "sched.out.preempt";
                fx.Add("preempted" + (s.TaskInterruptible ? " while INTERRUPTIBLE" : ""));
                break;
            case SystemLabels.Guest:
                actorName = $"guest@{Cpu(s.HostCpu)}";
                if (step == SystemLabels.GuestTake)
                {
                    name = "guest.take";
                    fx.Add($"guest took {PiState.Vectors(s.VIrr & ~t.VIrr)}");
                }
                else if (step == SystemLabels.GuestExit)
                {
                    name = "guest.exit";
                    fx.Add("guest caused a VM exit");
                }
                else
                {
                    name = "guest.halt";
                    fx.Add("guest executed HLT: VM exit");
                }
                break;
            case SystemLabels.Buffer:
                actorName = "store buffer";
                name = "flush";
                fx.Add($"{s.StoreBufferAt(0).Text()} reaches memory");
                break;
            case SystemLabels.FirstCpu:
            case SystemLabels.FirstCpu + 1:
            {
                int c = actor - SystemLabels.FirstCpu;
                actorName = $"{Cpu(c)} cpu";
                switch (step)
                {
                    case SystemLabels.PiProcess:
                        name = "pi.process";
                        fx.Add("NOTIFY in guest mode: posted-interrupt processing");
                        break;
                    case SystemLabels.ExtIntExit:
                        name = "extint.exit";
                        fx.Add(((s.Pending(c) & SystemState.Wakeup) != 0 ? "WAKEUP" : "RESCHED") + " in guest mode: VM exit");
                        break;
                    case SystemLabels.HostIrqNotify:
                        name = "host.irq";
                        fx.Add("dummy handler ate NOTIFY");
                        facts.DummyAte = Cpu(c);
                        break;
                    case SystemLabels.HostIrqResched:
                        name = "host.irq";
                        fx.Add("host handled RESCHED");
                        break;
                    default:
                        name = "host.irq";
                        fx.Add(s.Wakelist == c && s.On
                            ? $"WAKEUP handler: the vCPU is on {Cpu(c)}'s wake list with ON set: wake it"
                            : $"WAKEUP handler: {(s.Wakelist == c ? "ON=0" : $"no vCPU on {Cpu(c)}'s wake list")}, nothing to wake");
                        break;
                }
                break;
            }
            default:
            {
                int p = actor - SystemLabels.FirstPoster;
                int v = 1 << cfg.VectorOf(p);
                if (cfg.IsIommu(p))
                {
                    actorName = $"IOMMU {p - cfg.Injectors + 1}";
                    if (step == 0)
                    {
                        name = "iommu.post";
                        if (s.Sn) { fx.Add($"posted {PiState.Vectors(v)} while SN=1: no ON, no IPI"); facts.IommuPostedWithSn = true; }
                        else if (s.On) fx.Add($"posted {PiState.Vectors(v)}; ON already set: no IPI");
                        else fx.Add($"posted {PiState.Vectors(v)}, ON=0 and SN=0: will notify {(s.NvWakeup ? "WAKEUP" : "NOTIFY")} to NDST={Cpu(s.Ndst)}");
                    }
                    else
                    {
                        name = "iommu.notify";
                        string vec = s.IommuNvWakeup(p) ? "WAKEUP" : "NOTIFY";
                        fx.Add($"{vec} IPI to {Cpu(s.IommuNdst(p))}");
                        facts.LastNotification = $"the {vec} IPI went to {Cpu(s.IommuNdst(p))}";
                    }
                }
                else
                {
                    actorName = $"injector {p + 1}";
                    var op = system.Program.Injector[step];
                    name = StepNames.Name(op);
                    switch (op)
                    {
                        case InjectorStep.PirSet when (s.Pir & v) != 0: fx.Add($"{PiState.Vectors(v)} already in PIR: coalesced, post done"); break;
                        case InjectorStep.OnSet when s.On:
                            fx.Add("ON already set: a notification is due, post done");
                            facts.InjectorFoundOn = true;
                            break;
                        case InjectorStep.ModeRead: fx.Add($"read mode={s.Mode.Name()}"); break;
                        case InjectorStep.Notify:
                            if (s.InjectorModeRead(p) == VcpuMode.InGuest)
                            {
                                fx.Add($"mode was IN_GUEST: NOTIFY IPI to vcpu->cpu={Cpu(s.Cpu)}");
                                facts.LastNotification = $"the NOTIFY IPI went to {Cpu(s.Cpu)}";
                            }
                            else fx.Add($"mode was {s.InjectorModeRead(p).Name()}: no IPI, wake instead");
                            break;
                        case InjectorStep.Wake:
                            fx.Add(s.Waiter && s.TaskInterruptible ? "waiter=1, task INTERRUPTIBLE: wake the thread" : $"waiter={(s.Waiter ? 1 : 0)}, task {(s.TaskInterruptible ? "INTERRUPTIBLE" : "RUNNING")}: nothing to wake");
                            break;
                        case InjectorStep.Kick:
                            fx.Add(s.Mode == VcpuMode.InGuest ? $"cmpxchg IN_GUEST->EXITING: RESCHED IPI to {Cpu(s.Cpu)}" : $"cmpxchg failed (mode {s.Mode.Name()}): no IPI");
                            break;
                    }
                }
                if (t.PosterPosts(p) > s.PosterPosts(p) && !fx.Any(f => f.Contains("post done"))) fx.Add("post done");
                break;
            }
        }
        Diff(s, t, fx, plainStoresSaid: actor == SystemLabels.Buffer);
        return new(index, actorName, name, [.. fx]);
    }

    private static void Diff(SystemState s, SystemState t, List<string> fx, bool plainStoresSaid)
    {
        if (plainStoresSaid) s = new SystemState(s.Lo, s.Hi).WithMode(t.Mode).WithWaiter(t.Waiter).WithTaskInterruptible(t.TaskInterruptible);
        if (s.Pir != t.Pir) fx.Add($"PIR {PiState.Vectors(s.Pir)}->{PiState.Vectors(t.Pir)}");
        if (s.On != t.On) fx.Add($"ON {B(s.On)}->{B(t.On)}");
        if (s.Sn != t.Sn) fx.Add($"SN {B(s.Sn)}->{B(t.Sn)}");
        if (s.NvWakeup != t.NvWakeup) fx.Add($"NV {Nv(s)}->{Nv(t)}");
        if (s.Ndst != t.Ndst) fx.Add($"NDST {Cpu(s.Ndst)}->{Cpu(t.Ndst)}");
        if (s.Wakelist != t.Wakelist) fx.Add(t.Wakelist < 0 ? $"off {Cpu(s.Wakelist)}'s wake list" : $"on {Cpu(t.Wakelist)}'s wake list");
        if (s.Mode != t.Mode) fx.Add($"mode {s.Mode.Name()}->{t.Mode.Name()}");
        if (s.Waiter != t.Waiter) fx.Add($"waiter={B(t.Waiter)}");
        if (s.TaskInterruptible != t.TaskInterruptible) fx.Add($"task={(t.TaskInterruptible ? "INTERRUPTIBLE" : "RUNNING")}");
        if (t.StoreBufferLength > s.StoreBufferLength)
            for (int i = s.StoreBufferLength; i < t.StoreBufferLength; i++) fx.Add($"{t.StoreBufferAt(i).Text()} (buffered)");
        if (s.VIrr != t.VIrr && (t.VIrr & ~s.VIrr) != 0) fx.Add($"vIRR {PiState.Vectors(s.VIrr)}->{PiState.Vectors(t.VIrr)}");
        if (s.Delivered != t.Delivered) fx.Add($"delivered {PiState.Vectors(t.Delivered)}");
        if (s.Status == ThreadStatus.OnCpu && t.Status == ThreadStatus.OnCpu && s.IF != t.IF) fx.Add($"{Cpu(s.HostCpu)}.IF {B(s.IF)}->{B(t.IF)}");
        if (s.Status != t.Status) fx.Add($"thread {Status(s.Status)}->{Status(t.Status)}");
        if (s.Cpu != t.Cpu) fx.Add($"vcpu->cpu {Cpu(s.Cpu)}->{Cpu(t.Cpu)}");
        if (s.Halted != t.Halted) fx.Add(t.Halted ? "halted" : "unhalted");
        for (int c = 0; c < 2; c++)
        {
            int added = t.Pending(c) & ~s.Pending(c);
            if ((added & SystemState.Notify) != 0) fx.Add($"NOTIFY pending at {Cpu(c)}");
            if ((added & SystemState.Resched) != 0) fx.Add($"RESCHED pending at {Cpu(c)}");
            if ((added & SystemState.Wakeup) != 0) fx.Add($"WAKEUP pending at {Cpu(c)}");
        }
        if (s.Guest && !t.Guest) fx.Add("guest 1->0");
    }

    private static string B(bool b) => b ? "1" : "0";
    private static string Nv(SystemState s) => s.NvWakeup ? "WAKEUP" : "NOTIFY";

    private static string Status(ThreadStatus s) => s switch
    {
        ThreadStatus.OnCpu => "on CPU",
        ThreadStatus.Runnable => "runnable",
        _ => "asleep",
    };

    /// <summary>One line on the final state: where the vCPU is, what is left, and why it is lost.</summary>
    private static string Diagnose(WholeSystemModel system, SystemState s, Facts facts)
    {
        string pir = PiState.Vectors(s.Pir).Trim('{', '}');
        string descriptor = $"PIR={PiState.Vectors(s.Pir)}, ON={B(s.On)}, SN={B(s.Sn)}, NV={Nv(s)}, NDST={Cpu(s.Ndst)}, vIRR={PiState.Vectors(s.VIrr)}";
        if (system.Classify(s) == TerminalKind.Stuck) return $"no step is enabled but this is no proper end (stuck): {descriptor}";
        if (system.NoLostInterrupt(s)) return $"every posted vector was delivered: {descriptor}";
        var why = new List<string>();
        string headline;
        if (s.Status == ThreadStatus.Asleep)
        {
            string list = s.Wakelist < 0 ? "on no wake list" : $"on {Cpu(s.Wakelist)}'s wake list";
            headline = s.Pir != 0 ? $"vCPU asleep {list} with {pir} in PIR" : $"vCPU asleep {list} with a posted vector never delivered";
        }
        else
        {
            headline = s.Pir != 0 ? $"guest running on {Cpu(s.HostCpu)} with {pir} stranded in PIR" : "guest running, a posted vector never delivered";
        }
        if (facts.IommuPostedWithSn && !s.On) why.Add("IOMMU posted while SN=1; ON never set");
        if (facts.LastNotification is { } n && s.Status == ThreadStatus.Asleep) why.Add(n);
        if (facts.DummyAte is { } d && s.Status == ThreadStatus.Asleep && facts.LastNotification?.Contains("NOTIFY") == true)
            why.Add($"{d}'s dummy handler ate it and nobody woke the vCPU");
        if (facts.RecomputeSetOn && facts.InjectorFoundOn && s.On && facts.LastNotification is null)
            why.Add("sched.in's on.recompute set ON for a post still in flight, so the injector's on.set found ON=1 and neither notified nor woke the vCPU");
        if (s.On && s.Status != ThreadStatus.Asleep && !facts.IommuPostedWithSn) why.Add("ON stuck at 1, so later posts will never notify");
        string kind = s.Status == ThreadStatus.Asleep ? "a lost wake-up" : "a stranded interrupt";
        return headline + (why.Count > 0 ? "; " + string.Join("; ", why) : "") + $" ({kind}: {descriptor})";
    }
}
