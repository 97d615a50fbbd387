using System.Collections.Immutable;
using Pilab.Model;

namespace Pilab.Report;

/// <summary>One effect of a step in words; <see cref="Alarm"/> marks an IPI sent, one pending, or one eaten (drawn red where there is colour).</summary>
public readonly record struct Effect(string Text, bool Alarm);

/// <summary>
/// The words of a <see cref="Trace"/>, for both models, in one place: who took a step, what it did
/// (docs/model.md's and KVM's words), the fields it changed, and the diagnosis of the final state. The
/// plain timeline, the coloured one, the JSON and the sequence diagram all say it this way.
/// </summary>
public static class TraceText
{
    public static string Cpu(int cpu) => $"P{cpu}";

    public static string Vectors(int set) => PiState.Vectors(set);

    /// <summary>A vector set without braces: "v1", "v1,v2".</summary>
    public static string Bits(int set) => Vectors(set).Trim('{', '}');

    public static string Mode(int m) => ((VcpuMode)m).Text();

    public static string Vector(IpiVector v) => v switch
    {
        IpiVector.Notify => "NOTIFY", IpiVector.Resched => "RESCHED", IpiVector.Wakeup => "WAKEUP",
        IpiVector.Doorbell => "doorbell", _ => "GA-log interrupt",
    };

    public static string Task(int t) => (TaskState)t == TaskState.Interruptible ? "INTERRUPTIBLE" : "RUNNING";

    public static string Place(int p) => (ThreadPlace)p switch { ThreadPlace.OnCpu => "on CPU", ThreadPlace.Runnable => "runnable", _ => "asleep" };

    /// <summary>The kernel's name of a field.</summary>
    public static string Name(Field f) => f switch
    {
        Field.Pir => "PIR", Field.On => "ON", Field.Sn => "SN", Field.Nv => "NV", Field.Ndst => "NDST",
        Field.Wakelist => "wake list", Field.Mode => "mode", Field.Waiter => "waiter", Field.Task => "task",
        Field.EventRequest => "EVENT", Field.VIrr => "vIRR", Field.Delivered => "delivered", Field.IF => "IF",
        Field.ThreadCpu => "thread", Field.VcpuCpu => "vcpu->cpu", Field.ThreadState => "thread", Field.Halted => "halted",
        Field.Pending => "pending",
        Field.Irr => "IRR", Field.Recognized => "evaluated", Field.IsRunning => "IsRunning", Field.HostId => "host ID",
        Field.IrteIsRun => "IRTE.IsRun", Field.IrteDest => "IRTE.Dest", Field.GaLogIntr => "IRTE.GALogIntr",
        Field.Doorbell => "doorbell", Field.GaLogPending => "GA-log interrupt", _ => "guest",
    };

    /// <summary>A field's value in words: vector sets in braces, CPUs as P0/P2, modes and vectors by their KVM names.</summary>
    public static string Value(Field f, int v) => f switch
    {
        Field.Pir or Field.VIrr or Field.Delivered or Field.Irr or Field.Recognized => Vectors(v),
        Field.Mode => Mode(v),
        Field.Nv => Vector((IpiVector)v),
        Field.Ndst or Field.ThreadCpu or Field.VcpuCpu or Field.Wakelist or Field.HostId or Field.IrteDest => v < 0 ? "none" : Cpu(v),
        Field.Task => Task(v),
        Field.ThreadState => Place(v),
        Field.Pending => Pending(v),
        _ => v.ToString(),
    };

    private static string Pending(int set)
    {
        var p = new List<string>();
        if ((set & 1) != 0) p.Add("NOTIFY");
        if ((set & 2) != 0) p.Add("RESCHED");
        if ((set & 4) != 0) p.Add("WAKEUP");
        return p.Count == 0 ? "-" : string.Join("+", p);
    }

    /// <summary>A plain store as the thread wrote it: mode=IN_GUEST, waiter=1, task=INTERRUPTIBLE.</summary>
    public static string Store(FieldValue e) => $"{Name(e.Field)}={Value(e.Field, e.Value)}";

    /// <summary>Who took the step: "P0 vCPU" and "P1 injector" in the section 2-6 model, "vCPU thread@P2" and "IOMMU 1" in the whole system.</summary>
    public static string Actor(Trace trace, TraceEvent s) => s.Actor switch
    {
        Model.Actor.VcpuThread => trace.Migrates ? $"vCPU thread@{Cpu(s.Cpu ?? 0)}" : $"{Cpu(s.Cpu ?? 0)} vCPU",
        Model.Actor.Interrupts => $"{Cpu(s.Cpu ?? 0)} cpu",
        Model.Actor.Guest => trace.Migrates ? $"guest@{Cpu(s.Cpu ?? 0)}" : "guest",
        Model.Actor.StoreBuffer => trace.Migrates ? "store buffer" : $"{Cpu(s.Cpu ?? 0)} store buffer",
        Model.Actor.Injector => s.Cpu is { } c ? $"{Cpu(c)} injector" : $"injector {s.Instance}",
        Model.Actor.AvicIpi => $"guest IPI {s.Instance}",
        _ => trace.HardwarePosterName(s.Instance),
    };

    public static string Text(Trace trace, TraceEvent s) => string.Join(", ", Effects(trace, s).Select(e => e.Text));

    /// <summary>What the step did, then what it changed, then whether it finished a post.</summary>
    public static List<Effect> Effects(Trace trace, TraceEvent s)
    {
        var fx = new List<Effect>();
        if (Did(trace, s) is { } did) fx.Add(new(did, s.Outcome is Outcome.NotifyIpi or Outcome.KickIpi or Outcome.DummyAteNotify or Outcome.SelfWakeupIpi or Outcome.IommuNotify
            or Outcome.DoorbellRung or Outcome.DoorbellIgnored or Outcome.IommuDoorbell or Outcome.IommuGaLog or Outcome.GaLogNothing));
        foreach (var c in s.Changes)
        {
            if (Change(c) is not { } words) continue;
            if (s.Access == AccessKind.Flush && s.Reads.Length > 0 && words == Store(s.Reads[0])) continue; // the flush said it
            fx.Add(new(words, c.Field == Field.Pending));
        }
        if (s.PostDone && s.Outcome is not (Outcome.Coalesced or Outcome.OnAlreadySetDone)) fx.Add(new("post done", false));
        return fx;
    }

    private static string B(int v) => v.ToString();

    /// <summary>A changed field in words, or null for a change the words leave out (vIRR emptied by the guest, IPIs consumed, the guest entering).</summary>
    public static string? Change(FieldChange c)
    {
        string? words = c.Field switch
        {
            Field.Waiter or Field.Task => Store(new(c.Field, c.After)),
            Field.Wakelist => c.After < 0 ? $"off {Cpu(c.Before)}'s wake list" : $"on {Cpu(c.After)}'s wake list",
            Field.EventRequest => c.After != 0 ? "EVENT requested" : "EVENT cleared",
            Field.VIrr => (c.After & ~c.Before) != 0 ? $"vIRR {Vectors(c.Before)}->{Vectors(c.After)}" : null,
            Field.Delivered => $"delivered {Vectors(c.After)}",
            Field.IF => $"{Cpu(c.Cpu)}.IF {B(c.Before)}->{B(c.After)}",
            Field.ThreadState => $"thread {Place(c.Before)}->{Place(c.After)}",
            Field.ThreadCpu => null,
            Field.Halted => c.After != 0 ? "halted" : "unhalted",
            Field.Pending => PendingAdded(c),
            Field.Guest => c.Before != 0 && c.After == 0 ? $"{Cpu(c.Cpu)}.guest 1->0" : null,
            Field.Irr => (c.After & ~c.Before) != 0 ? $"IRR {Vectors(c.Before)}->{Vectors(c.After)}" : null,
            Field.Recognized => null,
            Field.Doorbell => c.After != 0 ? $"doorbell pending at {Cpu(c.Cpu)}" : null,
            Field.GaLogPending => c.After != 0 ? "GA-log interrupt pending" : null,
            _ => $"{Name(c.Field)} {Value(c.Field, c.Before)}->{Value(c.Field, c.After)}",
        };
        return words is not null && c.Buffered ? words + " (buffered)" : words;
    }

    private static string? PendingAdded(FieldChange c)
    {
        int added = c.After & ~c.Before;
        if (added == 0) return null;
        var p = new List<string>();
        if ((added & 1) != 0) p.Add($"NOTIFY pending at {Cpu(c.Cpu)}");
        if ((added & 2) != 0) p.Add($"RESCHED pending at {Cpu(c.Cpu)}");
        if ((added & 4) != 0) p.Add($"WAKEUP pending at {Cpu(c.Cpu)}");
        return string.Join(", ", p);
    }

    /// <summary>The step's own words: what it read and decided; null for a step whose changes say it all.</summary>
    public static string? Did(Trace trace, TraceEvent s)
    {
        int cpu = s.Cpu ?? 0;
        string M() => Mode(s.Read(Field.Mode) ?? 0);
        string from = s.Access == AccessKind.ForwardedLoad ? " (from its store buffer)" : "";
        int Taken() => s.Changes.FirstOrDefault(c => c.Field is Field.VIrr or Field.Irr) is { Field: Field.VIrr or Field.Irr } c ? c.Before & ~c.After : 0;
        string Waiter() => $"waiter={s.Read(Field.Waiter)}, task {Task(s.Read(Field.Task) ?? 0)}";
        return s.Outcome switch
        {
            Outcome.EventPending => "EVENT pending: clear it and sync",
            Outcome.NoEvent => "no EVENT request: skip the sync",
            Outcome.OnFound => "read ON=1",
            Outcome.OnClearSkip => "read ON=0: skip on.clear/pir.drain",
            Outcome.CancelEntry => $"read mode={M()}{from}{(s.Read(Field.EventRequest) == 1 ? ", EVENT pending" : "")}: cancel the entry",
            Outcome.GoOnToEnter => $"read mode={M()}{from}{(s.Read(Field.EventRequest) is not null ? ", no request" : "")}: go on to enter",
            Outcome.VmEntry => "VM entry: the guest runs",
            Outcome.FullBarrier => trace.Memory == MemoryModel.TSO ? "full barrier (store buffer empty)" : "full barrier",
            Outcome.Block => "the guest is halted: block (vcpu_block)",
            Outcome.EnterAgain => "enter again",
            Outcome.VirrEmptySchedule => "vIRR empty: go on to schedule()",
            Outcome.VirrPendingLeave => "vIRR not empty: leave the block loop (waiter=0, task=RUNNING, unhalt)",
            Outcome.ScheduleOut => "task INTERRUPTIBLE: schedule out (IRQs off)",
            Outcome.WokenLoop => "task RUNNING again (woken): loop",
            Outcome.OnAlreadySetNoBlock => "ON already set: undo and do not block",
            Outcome.ArmWakeupVector => "arm the wake-up vector (pi_pre_block)",
            Outcome.DisarmWakeupVector => "disarm the wake-up vector (pi_post_block)",
            Outcome.SelfWakeupIpi => $"ON set: WAKEUP IPI to itself ({Cpu(cpu)})",
            Outcome.NoSelfIpi => "ON=0: no IPI",
            Outcome.Sleeps => $"the thread sleeps; {Cpu(cpu)} runs other work with IF=1",
            Outcome.WokenRunnable => "woken meanwhile: runnable again",
            Outcome.Loaded => $"loaded on {Cpu(cpu)}",
            Outcome.Migrated => $"loaded on {Cpu(cpu)} (migrated from {Cpu(s.Read(Field.ThreadCpu) ?? 0)})",
            Outcome.DescriptorUnchanged => "SN=0 and same CPU: nothing to do",
            Outcome.AfterAtomic => "smp_mb__after_atomic",
            Outcome.NotOnWakeList => "NV is NOTIFY: on no wake list",
            Outcome.PirNotEmptySetOn => "PIR not empty: set ON",
            Outcome.PirEmpty => "PIR empty",
            Outcome.SnWasNotSetNoRecompute => "this load cleared no SN that was set: ON left alone",
            Outcome.Preempted => "preempted" + (s.Read(Field.Task) == (int)TaskState.Interruptible ? " while INTERRUPTIBLE" : ""),
            Outcome.PiProcessing => "NOTIFY in guest mode: posted-interrupt processing",
            Outcome.ExitOnIpi => $"{Pending(s.Read(Field.Pending) ?? 2)} in guest mode: VM exit",
            Outcome.DummyAteNotify => "dummy handler ate NOTIFY (IF=1 in the host)",
            Outcome.HostHandledResched => "host handled RESCHED",
            Outcome.WakeupHandlerWakes => $"WAKEUP handler: the vCPU is on {Cpu(cpu)}'s wake list with ON set: wake it",
            Outcome.WakeupHandlerNothing => $"WAKEUP handler: {(s.Read(Field.Wakelist) == cpu ? "ON=0" : $"no vCPU on {Cpu(cpu)}'s wake list")}, nothing to wake",
            Outcome.GuestTake => $"guest took {Vectors(Taken())}",
            Outcome.GuestExit => "guest caused a VM exit",
            Outcome.GuestHalt => "guest executed HLT: VM exit",
            Outcome.Flushed => $"{Store(s.Reads[0])} reaches memory",
            Outcome.Coalesced => $"{Vectors(s.Read(Field.Pir) ?? 0)} already in PIR: coalesced, post done",
            Outcome.OnAlreadySetDone => "ON already set: a notification is due, post done",
            Outcome.OnAlreadySetKick => "ON already set: will kick",
            Outcome.OnAlreadySetGoOn => "ON already set: go on",
            Outcome.SkipModeRead => "ON was already set: kick without reading mode",
            Outcome.ModeRead => $"read mode={M()}",
            Outcome.NotifyIpi => "mode was IN_GUEST: NOTIFY IPI" + (trace.Migrates ? $" to vcpu->cpu={Cpu(s.Ipi!.TargetCpu)}" : ""),
            Outcome.NoIpiKickInstead => $"mode was {M()}: no IPI, kick instead",
            Outcome.NoIpiNoKick => $"mode was {M()}: no IPI (no kick follows)",
            Outcome.NoIpiWakeInstead => $"mode was {M()}: no IPI, wake instead",
            Outcome.WakeThread => "waiter=1, task INTERRUPTIBLE: wake the thread",
            Outcome.NothingToWake => $"waiter={s.Read(Field.Waiter)}, task {Task(s.Read(Field.Task) ?? 0)}: nothing to wake",
            Outcome.KickIpi => "cmpxchg IN_GUEST->EXITING succeeded: RESCHED IPI" + (trace.Migrates ? $" to {Cpu(s.Ipi!.TargetCpu)}" : ""),
            Outcome.KickFailed => $"cmpxchg failed (mode {M()}): no IPI",
            Outcome.PostedWithSn => $"posted {Vectors(s.Read(Field.Pir) ?? 0)} while SN=1: no ON, no IPI",
            Outcome.PostedOnAlreadySet => $"posted {Vectors(s.Read(Field.Pir) ?? 0)}; ON already set: no IPI",
            Outcome.PostedWillNotify => $"posted {Vectors(s.Read(Field.Pir) ?? 0)}, ON=0 and SN=0: will notify {Vector((IpiVector)(s.Read(Field.Nv) ?? 0))} to NDST={Cpu(s.Read(Field.Ndst) ?? 0)}",
            Outcome.IommuNotify => $"{Vector(s.Ipi!.Vector)} IPI to {Cpu(s.Ipi.TargetCpu)}",
            // AVIC (docs/avic.md)
            Outcome.AvicBlocking => "avic_vcpu_blocking (__avic_vcpu_put, START_BLOCKING)",
            Outcome.IrrEmptySchedule => "IRR empty: go on to schedule()",
            Outcome.IrrPendingLeave => $"IRR {Vectors(s.Read(Field.Irr) ?? 0)}: leave the block loop",
            Outcome.AvicLoad => $"{(s.Step == "avic.unblocking" ? "finish_rcuwait; " : "")}avic_vcpu_load({Cpu(s.Read(Field.VcpuCpu) ?? cpu)})",
            Outcome.AvicUnblockReadCpu => $"finish_rcuwait; avic_vcpu_load reads vcpu->cpu={Cpu(s.Read(Field.VcpuCpu) ?? 0)} (preemptible)",
            Outcome.AvicLoadSkipped => $"loaded on {Cpu(cpu)}; blocking (waiter=1): avic_vcpu_load does nothing",
            Outcome.AvicPut => "preempted" + (s.Read(Field.Waiter) == 1 ? " while blocking" : "") + ": avic_vcpu_put",
            Outcome.IrrEvaluated => $"VMRUN: the guest runs; AVIC evaluates IRR={Vectors(s.Read(Field.Irr) ?? 0)}",
            Outcome.DoorbellEvaluated => $"doorbell in guest mode: AVIC evaluates IRR={Vectors(s.Read(Field.Irr) ?? 0)}",
            Outcome.DoorbellIgnored => $"doorbell while {Cpu(cpu)} runs no guest of this vCPU: ignored",
            Outcome.GaLogWakes => $"GA-log interrupt: avic_ga_log_notifier wakes the vCPU ({Waiter()})",
            Outcome.GaLogNothing => $"GA-log interrupt: avic_ga_log_notifier, {Waiter()}: nothing to wake",
            Outcome.IrrSet => "set the vector in the backing page's IRR",
            Outcome.IsRunningRead => $"read IsRunning={s.Read(Field.IsRunning)}, host ID {Cpu(s.Read(Field.HostId) ?? 0)}",
            Outcome.DoorbellRung => $"doorbell to {Cpu(s.Ipi!.TargetCpu)}",
            Outcome.IncompleteIpiExit => "IsRunning was 0: AVIC_INCOMPLETE_IPI #VMEXIT; KVM kicks the target",
            Outcome.ModeReadAvic => $"read mode={M()}",
            Outcome.WakeAvic => $"mode was not IN_GUEST: kvm_vcpu_wake_up ({Waiter()}): wake it",
            Outcome.NothingToWakeAvic => $"mode was not IN_GUEST: kvm_vcpu_wake_up ({Waiter()}): nothing to wake",
            Outcome.IommuPostedDoorbell => $"IRR set; IRTE.IsRun=1: will ring the doorbell of {Cpu(s.Read(Field.IrteDest) ?? 0)}",
            Outcome.IommuPostedGaLog => "IRR set; IRTE.IsRun=0, GALogIntr=1: will log and raise the GA-log interrupt",
            Outcome.IommuPostedNothing => "IRR set; IRTE.IsRun=0, GALogIntr=0: no doorbell, no GA log",
            Outcome.IommuDoorbell => $"doorbell to {Cpu(s.Ipi!.TargetCpu)}",
            Outcome.IommuGaLog => "GA-log interrupt",
            _ => null,
        };
    }

    /// <summary>The fields of the diagnosis as NAME=value, then what is pending where the model says.</summary>
    private static string Descriptor(Diagnosis d)
    {
        var parts = new List<string>();
        foreach (var f in d.Final)
        {
            if (f.Field == Field.Pending)
                parts.Add(f.Value == 0 ? $"nothing pending at {Cpu(f.Cpu)}" : $"{Pending(f.Value)} pending at {Cpu(f.Cpu)}");
            else
                parts.Add($"{Name(f.Field)}={Value(f.Field, f.Value)}");
        }
        return string.Join(", ", parts);
    }

    /// <summary>The AVIC model's loss in words: where the vCPU is, what the IRR holds, and why nobody delivers it.</summary>
    private static string AvicDiagnosis(Diagnosis d, string descriptor)
    {
        bool asleep = d.Place == ThreadPlace.Asleep;
        var irr = d.Causes.FirstOrDefault(c => c.Kind == CauseKind.IrrStranded);
        string left = irr is null ? "a posted vector never delivered" : $"{Bits(irr.Value)} in IRR";
        string headline = asleep ? $"vCPU asleep with {left}" : d.GuestRunning ? $"guest running on {Cpu(d.HostCpu)} with {left}" : $"vCPU in the host with {left}";
        var why = new List<string>();
        foreach (var c in d.Causes)
        {
            switch (c.Kind)
            {
                case CauseKind.SenderSawIsRunning: why.Add("the guest IPI read IsRunning=1 and rang a doorbell instead of taking the incomplete-IPI exit"); break;
                case CauseKind.DoorbellIgnoredAt: why.Add($"the doorbell went to {Cpu(c.Cpu)}, where no guest of this vCPU ran"); break;
                case CauseKind.GaLogWokeNobody: why.Add("the GA-log interrupt's wake-up found no blocking vCPU"); break;
            }
        }
        string kind = asleep ? "a lost wake-up" : "a stranded interrupt";
        return headline + (why.Count > 0 ? "; " + string.Join("; ", why) : "") + $" ({kind}: {descriptor})";
    }

    /// <summary>One line on the final state: where the vCPU is, what is left, and why it is lost.</summary>
    public static string Diagnosis(Trace trace)
    {
        var d = trace.Diagnosis;
        string descriptor = Descriptor(d);
        var stranded = d.Causes.FirstOrDefault(c => c.Kind == CauseKind.PirStranded);
        if (!trace.Migrates)
        {
            string where = d.GuestRunning ? "guest running" : $"vCPU in the host at {d.ThreadAt}";
            string line = $"{where}, {descriptor}";
            if (d.Ending == Ending.Stuck) return line + ": no step is enabled (stuck)";
            if (d.Ending == Ending.AllDelivered) return line + ": every posted vector was delivered";
            if (stranded is not null)
                return line + $": {Bits(stranded.Value)} {(System.Numerics.BitOperations.PopCount((uint)stranded.Value) > 1 ? "are" : "is")} stranded";
            if (d.Causes.Any(c => c.Kind == CauseKind.OnStuck)) return line + ": ON stuck at 1, so later posts will never notify";
            return line + ": a posted vector was never delivered";
        }
        if (d.Ending == Ending.Stuck) return $"no step is enabled but this is no proper end (stuck): {descriptor}";
        if (d.Ending == Ending.AllDelivered) return $"every posted vector was delivered: {descriptor}";
        if (trace.Avic) return AvicDiagnosis(d, descriptor);
        bool asleep = d.Place == ThreadPlace.Asleep;
        string headline;
        if (asleep)
        {
            string list = d.Wakelist < 0 ? "on no wake list" : $"on {Cpu(d.Wakelist)}'s wake list";
            headline = stranded is not null ? $"vCPU asleep {list} with {Bits(stranded.Value)} in PIR" : $"vCPU asleep {list} with a posted vector never delivered";
        }
        else
            headline = stranded is not null ? $"guest running on {Cpu(d.HostCpu)} with {Bits(stranded.Value)} stranded in PIR" : "guest running, a posted vector never delivered";
        var why = new List<string>();
        foreach (var c in d.Causes)
        {
            switch (c.Kind)
            {
                case CauseKind.IommuPostedWithSn: why.Add("IOMMU posted while SN=1; ON never set"); break;
                case CauseKind.NotificationWentTo: why.Add($"the {Vector(c.Vector!.Value)} IPI went to {Cpu(c.Cpu)}"); break;
                case CauseKind.DummyHandlerAte: why.Add($"{Cpu(c.Cpu)}'s dummy handler ate it and nobody woke the vCPU"); break;
                case CauseKind.RecomputeSetOnForPostInFlight:
                    why.Add("sched.in's on.recompute set ON for a post still in flight, so the injector's on.set found ON=1 and neither notified nor woke the vCPU");
                    break;
                case CauseKind.OnStuck: why.Add("ON stuck at 1, so later posts will never notify"); break;
            }
        }
        string kind = asleep ? "a lost wake-up" : "a stranded interrupt";
        return headline + (why.Count > 0 ? "; " + string.Join("; ", why) : "") + $" ({kind}: {descriptor})";
    }
}
