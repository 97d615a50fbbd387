using System.Collections.Immutable;

namespace Pilab.Model;

/// <summary>Who takes a step. CPUs are named by <see cref="TraceEvent.Cpu"/>; injectors and IOMMU posters by <see cref="TraceEvent.Instance"/>.</summary>
public enum Actor : byte
{
    /// <summary>The vCPU thread in the host (vcpu_enter_guest, the block loop, sched.in's vmx_vcpu_pi_load and preemption).</summary>
    VcpuThread,
    /// <summary>A host CPU's interrupt delivery: its local APIC and the host's handlers.</summary>
    Interrupts,
    /// <summary>The guest, in VMX non-root mode.</summary>
    Guest,
    /// <summary>The vCPU thread's store buffer (x86-TSO).</summary>
    StoreBuffer,
    /// <summary>CPU injector i (deliver_posted_interrupt).</summary>
    Injector,
    /// <summary>IOMMU poster j (a device's interrupt remapped to a posted interrupt).</summary>
    Iommu,
    /// <summary>AVIC: guest IPI i, sent by the AVIC hardware of another vCPU (and, on an incomplete-IPI exit, by KVM).</summary>
    AvicIpi,
}

/// <summary>How a step touches shared state, after the memory kinds of docs/model.md section 3.</summary>
public enum AccessKind : byte
{
    /// <summary>Nothing shared: IF, a branch on a value read earlier, a handler that only consumes its IPI.</summary>
    Local,
    /// <summary>A locked read-modify-write (lock bts, cmpxchg, xchg).</summary>
    LockedRmw,
    /// <summary>A plain store straight to memory.</summary>
    Store,
    /// <summary>A plain store into the thread's store buffer (TSO).</summary>
    BufferedStore,
    /// <summary>A plain load from memory.</summary>
    Load,
    /// <summary>A load the thread's own store buffer answers (TSO store forwarding).</summary>
    ForwardedLoad,
    /// <summary>The oldest buffered store reaches memory.</summary>
    Flush,
    /// <summary>A full barrier.</summary>
    Fence,
    /// <summary>An interprocessor interrupt (see <see cref="TraceEvent.Ipi"/>), with no other access.</summary>
    Ipi,
    /// <summary>VM entry or VM exit between the vCPU thread and the guest.</summary>
    Transition,
}

/// <summary>The vectors the model's IPIs use (docs/model.md sections 2 and 7).</summary>
public enum IpiVector : byte
{
    Notify, Resched, Wakeup,
    /// <summary>AVIC: the doorbell (MSR_AMD64_SVM_AVIC_DOORBELL, or the IOMMU's).</summary>
    Doorbell,
    /// <summary>AVIC: the IOMMU's GA-log interrupt.</summary>
    GaLog,
}

/// <summary>An IPI a step sends: its vector and the CPU it is sent to.</summary>
public sealed record Ipi(IpiVector Vector, int TargetCpu);

/// <summary>
/// A piece of state, named as the kernel and the SDM name it. Values are ints: vector sets are
/// bit masks (bit 0 = v1); flags 0/1; <see cref="Mode"/> a <see cref="VcpuMode"/>; <see cref="Nv"/> an
/// <see cref="IpiVector"/>; CPUs their number (0 = P0, 2 = P2), -1 for none; <see cref="Task"/> a
/// <see cref="TaskState"/>; <see cref="ThreadState"/> a <see cref="ThreadPlace"/>; <see cref="Pending"/>
/// the set of IPI vectors pending (1 NOTIFY, 2 RESCHED, 4 WAKEUP); a store-buffer entry's field is the
/// variable it writes.
/// </summary>
public enum Field : byte
{
    Pir, On, Sn, Nv, Ndst,
    /// <summary>The host CPU whose wake list holds the vCPU (per_cpu wakeup_vcpus_on_cpu), -1 for none.</summary>
    Wakelist,
    Mode, Waiter, Task,
    /// <summary>KVM_REQ_EVENT in vcpu->requests.</summary>
    EventRequest,
    VIrr, Delivered,
    /// <summary>RFLAGS.IF of a CPU (<see cref="FieldValue.Cpu"/>).</summary>
    IF,
    /// <summary>The host CPU the vCPU thread is on (or last ran on).</summary>
    ThreadCpu,
    /// <summary>vcpu->cpu.</summary>
    VcpuCpu,
    /// <summary>On a CPU, runnable, or asleep.</summary>
    ThreadState,
    /// <summary>The guest executed HLT and has not been woken.</summary>
    Halted,
    /// <summary>IPIs pending at a CPU (<see cref="FieldValue.Cpu"/>).</summary>
    Pending,
    /// <summary>The guest runs on a CPU (<see cref="FieldValue.Cpu"/>).</summary>
    Guest,
    // AVIC (docs/avic.md)
    /// <summary>The vAPIC backing page's IRR (AVIC has no PIR: posters write the IRR itself).</summary>
    Irr,
    /// <summary>The IRR bits the running guest's AVIC has evaluated (at VMRUN or on a doorbell).</summary>
    Recognized,
    /// <summary>IsRunning of the vCPU's physical APIC ID table entry (what the hardware reads).</summary>
    IsRunning,
    /// <summary>The host physical APIC ID of that entry (a CPU: 0 = P0, 2 = P2).</summary>
    HostId,
    /// <summary>The GA-mode IRTE's IsRun.</summary>
    IrteIsRun,
    /// <summary>The GA-mode IRTE's destination (a CPU).</summary>
    IrteDest,
    /// <summary>The GA-mode IRTE's GALogIntr.</summary>
    GaLogIntr,
    /// <summary>A doorbell pending at a CPU (<see cref="FieldValue.Cpu"/>).</summary>
    Doorbell,
    /// <summary>The IOMMU's GA-log interrupt pending.</summary>
    GaLogPending,
}

/// <summary>The task state the block loop sets (current->__state).</summary>
public enum TaskState : byte { Running, Interruptible }

/// <summary>Where the vCPU thread is.</summary>
public enum ThreadPlace : byte { OnCpu, Runnable, Asleep }

/// <summary>A memory cell a sequence diagram shows: a field, at a CPU for per-CPU fields (a wake list: whether the vCPU is on that CPU's list).</summary>
public readonly record struct Cell(Field Field, int Cpu = -1);

/// <summary>A field's value; <see cref="Cpu"/> names the CPU of per-CPU fields (IF, pending, guest), else -1.</summary>
public readonly record struct FieldValue(Field Field, int Value, int Cpu = -1);

/// <summary>A field a step changed, with its value before and after. <see cref="Buffered"/>: a store that went into the store buffer; Before is then the value the thread saw.</summary>
public readonly record struct FieldChange(Field Field, int Before, int After, int Cpu = -1, bool Buffered = false);

/// <summary>What a step did where it branches (or, for a step that does not, what it is), with the values it read in <see cref="TraceEvent.Reads"/>.</summary>
public enum Outcome : byte
{
    None,
    // the vCPU thread's entry
    EventPending, NoEvent, OnFound, OnClearSkip, CancelEntry, GoOnToEnter, VmEntry, FullBarrier,
    // the whole system's block path
    Block, EnterAgain, VirrEmptySchedule, VirrPendingLeave, ScheduleOut, WokenLoop,
    OnAlreadySetNoBlock, ArmWakeupVector, DisarmWakeupVector, SelfWakeupIpi, NoSelfIpi, Sleeps, WokenRunnable,
    // the scheduler
    Loaded, Migrated, DescriptorUnchanged, AfterAtomic, NotOnWakeList, PirNotEmptySetOn, PirEmpty, Preempted,
    // a CPU's interrupt delivery
    PiProcessing, ExitOnIpi, DummyAteNotify, HostHandledResched, WakeupHandlerWakes, WakeupHandlerNothing,
    // the guest and the store buffer
    GuestTake, GuestExit, GuestHalt, Flushed,
    // CPU injectors
    Coalesced, OnAlreadySetDone, OnAlreadySetKick, OnAlreadySetGoOn, SkipModeRead, ModeRead,
    NotifyIpi, NoIpiKickInstead, NoIpiNoKick, NoIpiWakeInstead, WakeThread, NothingToWake, KickIpi, KickFailed,
    // IOMMU posters
    PostedWithSn, PostedOnAlreadySet, PostedWillNotify, IommuNotify,
    // sched.in with on-recompute: sn-was-set (pilab's candidate fix)
    SnWasNotSetNoRecompute,
    // AVIC (docs/avic.md)
    AvicBlocking, IrrEmptySchedule, IrrPendingLeave, AvicLoad, AvicLoadSkipped, AvicPut, AvicUnblockReadCpu, IrrEvaluated, DoorbellEvaluated, DoorbellIgnored,
    GaLogWakes, GaLogNothing, IrrSet, IsRunningRead, DoorbellRung, IncompleteIpiExit, ModeReadAvic, WakeAvic, NothingToWakeAvic,
    IommuPostedDoorbell, IommuPostedGaLog, IommuPostedNothing, IommuDoorbell, IommuGaLog,
}

/// <summary>
/// One step of a run as data: who took it on which CPU, the step's docs/model.md name and the seed's
/// pairing number, how it touched memory (and the field it touched), the IPI it sent, what it read
/// and what it decided, what it changed, and the state it left (<see cref="After"/>, the fields the
/// model shows, and the thread's store buffer oldest first).
/// </summary>
public sealed record TraceEvent(
    int Index,
    Actor Actor,
    int Instance,
    int? Cpu,
    string Step,
    string? Seed,
    AccessKind Access,
    Field? Target,
    Ipi? Ipi,
    Outcome Outcome,
    ImmutableArray<FieldValue> Reads,
    ImmutableArray<FieldChange> Changes,
    bool PostDone,
    ImmutableArray<FieldValue> After,
    ImmutableArray<FieldValue> Buffer)
{
    /// <summary>The value a step read of a field, or null.</summary>
    public int? Read(Field f)
    {
        foreach (var r in Reads)
            if (r.Field == f) return r.Value;
        return null;
    }

    /// <summary>A field's value after the step (for per-CPU fields, at <paramref name="cpu"/>).</summary>
    public int Value(Field f, int cpu = -1) => Trace.Find(After, f, cpu);

    public bool Changed(Field f) => Changes.Any(c => c.Field == f && !c.Buffered);
}

/// <summary>Why a run ends where it does: the verdict on the final state.</summary>
public enum Ending : byte { AllDelivered, Stuck, Lost }

/// <summary>One reason the diagnosis gives for the loss.</summary>
public enum CauseKind : byte
{
    /// <summary>Vectors left in PIR (<see cref="Cause.Value"/>).</summary>
    PirStranded,
    /// <summary>ON stays 1, so later posts will never notify.</summary>
    OnStuck,
    /// <summary>A posted vector never reached the guest, and PIR is empty.</summary>
    NeverDelivered,
    /// <summary>An IOMMU posted while SN = 1 and ON was never set.</summary>
    IommuPostedWithSn,
    /// <summary>The last notification of a post went to <see cref="Cause.Cpu"/> with <see cref="Cause.Vector"/>.</summary>
    NotificationWentTo,
    /// <summary><see cref="Cause.Cpu"/>'s dummy handler ate it and nobody woke the vCPU.</summary>
    DummyHandlerAte,
    /// <summary>sched.in's on.recompute set ON for a post still in flight, so the injector's on.set found ON = 1.</summary>
    RecomputeSetOnForPostInFlight,
    /// <summary>AVIC: vectors left in the backing page's IRR (<see cref="Cause.Value"/>).</summary>
    IrrStranded,
    /// <summary>AVIC: the last doorbell for a post went to <see cref="Cause.Cpu"/>, where no guest of this vCPU ran.</summary>
    DoorbellIgnoredAt,
    /// <summary>AVIC: a GA-log interrupt's wake-up found no blocking vCPU.</summary>
    GaLogWokeNobody,
    /// <summary>AVIC: a guest IPI read IsRunning = 1 and rang a doorbell instead of taking the incomplete-IPI exit.</summary>
    SenderSawIsRunning,
}

public sealed record Cause(CauseKind Kind, int Value = 0, int Cpu = -1, IpiVector? Vector = null);

/// <summary>
/// The final state, judged: the verdict, where the vCPU thread is (on which CPU, in the guest or in
/// the host at which step, or asleep on which wake list), the fields that tell the story
/// (<see cref="Final"/>, the model's choice), and the causes of the loss.
/// </summary>
public sealed record Diagnosis(
    Ending Ending,
    ThreadPlace Place,
    bool GuestRunning,
    int HostCpu,
    string? ThreadAt,
    int Wakelist,
    ImmutableArray<FieldValue> Final,
    ImmutableArray<Cause> Causes);

/// <summary>
/// A run of either model as data. <see cref="HostCpus"/>: the CPUs the vCPU thread can run on (P0, and P2
/// in the whole system); <see cref="Cells"/>: the shared fields a sequence diagram's memory box shows,
/// the model's choice; <see cref="Initial"/>: the state before step 1.
/// </summary>
public sealed record Trace(
    ImmutableArray<TraceEvent> Steps,
    Diagnosis Diagnosis,
    MemoryModel Memory,
    int Injectors,
    int Iommus,
    ImmutableArray<int> HostCpus,
    ImmutableArray<Cell> Cells,
    ImmutableArray<FieldValue> Initial,
    int Ipivs = 0)
{
    /// <summary>The hardware posters (<see cref="Actor.Iommu"/>, numbered 1 to <see cref="Iommus"/>) are the IOMMU
    /// posters, then the last <see cref="Ipivs"/> of them IPIv posters (a vCPU's IPI posted by IPI virtualization).</summary>
    public bool IsIpiv(int instance) => instance > Iommus - Ipivs;

    /// <summary>A hardware poster's name: "IOMMU 1", or "IPIv 1" for the first IPIv poster.</summary>
    public string HardwarePosterName(int instance) => IsIpiv(instance) ? $"IPIv {instance - (Iommus - Ipivs)}" : $"IOMMU {instance}";
    /// <summary>A run of the AVIC model (docs/avic.md): IRR, IsRunning, the IRTE and doorbells rather than the descriptor.</summary>
    public bool Avic { get; init; }

    /// <summary>The thread can run on more than one CPU: the words name the CPU.</summary>
    public bool Migrates => HostCpus.Length > 1;

    /// <summary>A field's value in a snapshot.</summary>
    public static int Find(ImmutableArray<FieldValue> state, Field f, int cpu = -1)
    {
        foreach (var v in state)
            if (v.Field == f && v.Cpu == cpu) return v.Value;
        return 0;
    }

    /// <summary>The state a step starts from: <see cref="Initial"/> for the first, else the previous step's.</summary>
    public ImmutableArray<FieldValue> Before(int index) => index <= 1 ? Initial : Steps[index - 2].After;
}
