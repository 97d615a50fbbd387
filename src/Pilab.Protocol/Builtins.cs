using System.Collections.Immutable;

namespace Pilab.Protocol;

/// <summary>
/// The built-in variants, of every design, in one catalogue: the vCPU-entry designs of the seed mail
/// (docs/model.md), then the whole-system designs (docs/whole-system.md): the design KVM runs today, the
/// 2019 design, the code before each historical fix, and the races pilab found. Each carries the
/// configuration that tells its story (<see cref="Variant.Check"/>): with no option, a race built-in
/// loses and a fixed one is proved safe in the configuration that would show its race.
/// </summary>
public static class Builtins
{
    private static readonly ImmutableArray<InjectorStep> PatchedInjector =
        [InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Kick];

    private static readonly ImmutableArray<EntryStep> Sync =
        [EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain];

    public static readonly Variant PrePatch = new(
        "prepatch",
        "KVM before the 2016 patch: KVM_REQ_EVENT makes the entry sync PIR or cancel",
        [EntryStep.ModeIn, EntryStep.Mb, EntryStep.IrqOff, EntryStep.Check, EntryStep.Enter],
        [InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ReqSet, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Kick],
        OnAlreadySet.Kick,
        RequestHandling.PrePatch,
        "seed mail (the design the patch replaces)")
    { Check = new(Memory: MemoryModel.TSO, Injectors: 2) };

    public static readonly Variant PatchV1 = new(
        "patch-v1",
        "the patch as posted: sync before mode.in, so an injector reading OUTSIDE after the sync is missed",
        [EntryStep.IrqOff, .. Sync, EntryStep.ModeIn, EntryStep.Mb, EntryStep.Check, EntryStep.Enter],
        PatchedInjector,
        OnAlreadySet.Done,
        RequestHandling.None,
        "[PATCH 2/3] kvm: x86: do not use KVM_REQ_EVENT for APICv interrupt injection (2016); seed mail");

    public static readonly Variant IrqLate = new(
        "irq-late",
        "interrupts disabled after the sync: the NOTIFY IPI can hit the host's dummy handler",
        [EntryStep.ModeIn, EntryStep.Mb, .. Sync, EntryStep.IrqOff, EntryStep.Check, EntryStep.Enter],
        PatchedInjector,
        OnAlreadySet.Done,
        RequestHandling.None,
        "seed mail: 'you want to do that before setting IN_GUEST_MODE, otherwise the IPI ... is ignored'");

    public static readonly Variant Fixed = new(
        "fixed",
        "the seed's order: irq.off, mode.in, mb, sync, check, enter",
        [EntryStep.IrqOff, EntryStep.ModeIn, EntryStep.Mb, .. Sync, EntryStep.Check, EntryStep.Enter],
        PatchedInjector,
        OnAlreadySet.Done,
        RequestHandling.None,
        "seed mail: the order for entering the guest must be the opposite (4a, 3, 2, 1, 4b)")
    { Check = new(Memory: MemoryModel.TSO, Injectors: 2) };

    public static readonly Variant FixedNoMb = new(
        "fixed-nomb",
        "the seed's order without the barrier after mode.in: safe under SC, loses under TSO",
        [EntryStep.IrqOff, EntryStep.ModeIn, .. Sync, EntryStep.Check, EntryStep.Enter],
        PatchedInjector,
        OnAlreadySet.Done,
        RequestHandling.None,
        "the seed's order; KVM's vcpu_enter_guest uses smp_store_mb for vcpu->mode (a store then a full barrier)")
    { Check = new(Memory: MemoryModel.TSO) };

    /// <summary>The seed's entry order, which KVM has used since the 2016 patch (vcpu_enter_guest).</summary>
    private static readonly ImmutableArray<EntryStep> KvmEntry = Fixed.Entry;

    /// <summary>vmx_deliver_posted_interrupt since 5.17: if the vCPU is not IN_GUEST, kvm_vcpu_wake_up.</summary>
    private static readonly ImmutableArray<InjectorStep> Injector2021 =
        [InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Wake];

    /// <summary>Before 5.17 the fallback was kvm_vcpu_kick: kvm_vcpu_wake_up, then the cmpxchg kick.</summary>
    private static readonly ImmutableArray<InjectorStep> Injector2019 =
        [InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Wake, InjectorStep.Kick];

    /// <summary>kvm_vcpu_block's loop: prepare_to_rcuwait + set_current_state, kvm_vcpu_check_block, schedule().</summary>
    private static readonly ImmutableArray<BlockStep> BlockLoop =
        [BlockStep.WaiterSet, BlockStep.TaskSet, BlockStep.Mb, BlockStep.OnRead, BlockStep.OnClear, BlockStep.PirDrain, BlockStep.IrrCheck, BlockStep.SchedOutBlock];

    /// <summary>vmx_vcpu_pi_load since 5.17.</summary>
    private static readonly ImmutableArray<SchedInStep> PiLoad2021 =
        [SchedInStep.WakelistDel, SchedInStep.DescUpdate, SchedInStep.Mb, SchedInStep.OnRecompute];

    /// <summary>vmx_vcpu_pi_load in 5.5 (after c112b5f50232).</summary>
    private static readonly ImmutableArray<SchedInStep> PiLoad2019 =
        [SchedInStep.DescUpdate, SchedInStep.Mb, SchedInStep.OnRecompute];

    /// <summary>pi_enable_wakeup_handler since 5.17.</summary>
    private static readonly ImmutableArray<SchedOutStep> WakeupHandler2021 =
        [SchedOutStep.WakelistAdd, SchedOutStep.NvWakeup, SchedOutStep.OnTest];

    /// <summary>One CPU injector and one IOMMU poster, one HLT, one preemption and one migration: every
    /// actor and every scheduler event of the whole system once.</summary>
    private static readonly Configuration Everything = new(Injectors: 1, Iommu: 1, Halts: 1, Preemptions: 1, Migrations: 1);

    private static Variant WholeSystem(string name, string description, string source, KvmDesign design, ImmutableArray<InjectorStep> injector,
        ImmutableArray<SchedInStep> schedIn, ImmutableArray<SchedOutStep> schedOut, Configuration check) =>
        new(name, description, KvmEntry, injector, OnAlreadySet.Done, RequestHandling.None, source)
        {
            Design = design, Block = BlockLoop, SchedIn = schedIn, SchedOutBlock = schedOut, Check = check,
        };

    public static readonly Variant Kvm2021 = WholeSystem(
        "kvm-2021",
        "KVM v5.17-v6.16: sched-out of a blocking vCPU switches NV to WAKEUP and puts it on its CPU's wake list (a preempted one too, then SN=1); sched-in recomputes ON",
        "Linux v5.17-v6.16 arch/x86/kvm/vmx/posted_intr.c: vmx_vcpu_pi_load, vmx_vcpu_pi_put, pi_enable_wakeup_handler, pi_wakeup_handler (Sean Christopherson's 2021 rework, 'KVM: VMX: Handle PI wakeup shenanigans during vcpu_put/load')",
        KvmDesign.Kvm2021, Injector2021, PiLoad2021, WakeupHandler2021, Everything with { Memory = MemoryModel.TSO });

    /// <summary>The 2019 design with both of Joao Martins' fixes: the reference the two 2019 races are one change away from.</summary>
    public static readonly Variant Kvm2019 = WholeSystem(
        "kvm-2019",
        "KVM v5.5-v5.13: pre_block/post_block arm the wake-up vector around the block loop; sched.in clears SN, recomputes ON and leaves NDST alone for a blocked vCPU; a thread preempted while INTERRUPTIBLE is not marked preempted (v5.14-v5.16: preempted: on-rq)",
        "Linux v5.5-v5.13 arch/x86/kvm/vmx/vmx.c, posted_intr.c (vmx_vcpu_pi_load, vmx_vcpu_pi_put, pi_pre_block, pi_post_block) after c112b5f50232 and 132194ffa1d2; virt/kvm/kvm_main.c kvm_sched_out before 3ba9f93b1236",
        KvmDesign.Kvm2019, Injector2019, PiLoad2019, [], Everything with { Injectors = 0, Memory = MemoryModel.TSO })
        with { Preempted = PreemptedRule.Running };

    public static readonly Variant SnNoRecompute = WholeSystem(
        "sn-no-recompute",
        "kvm-2019 before c112b5f50232: a preempted vCPU has SN=1, the IOMMU posts without ON, sched.in clears SN but does not set ON, and the entry skips PIR",
        "KVM commit c112b5f50232 'KVM: x86: Recompute PID.ON when clearing PID.SN' (2019) fixed it",
        KvmDesign.Kvm2019, Injector2019, [SchedInStep.DescUpdate], [], new(Injectors: 0, Iommu: 1, Preemptions: 1))
        with { Preempted = PreemptedRule.Running };

    /// <summary>Historically the NDST fix (5.4) came before the recompute (5.5); the recompute is kept
    /// here so that this built-in has one bug only.</summary>
    public static readonly Variant NdstBlockedMigration = WholeSystem(
        "ndst-blocked-migration",
        "kvm-2019 with the recompute: a blocking vCPU on P0's wake list, preempted while INTERRUPTIBLE and loaded on P2, gets NDST=P2 and sleeps; the WAKEUP IPI goes to P2",
        "KVM commit 132194ffa1d2 'KVM: VMX: Do not change PID.NDST when loading a blocked vCPU' (Joao Martins, 2019) fixed it",
        KvmDesign.Kvm2019, Injector2019, PiLoad2019, [], Everything with { Injectors = 0 })
        with { BlockedNdst = BlockedNdst.Follow, Preempted = PreemptedRule.Running };

    public static readonly Variant HaltWithoutWakeupVector = WholeSystem(
        "halt-without-wakeup-vector",
        "kvm-2021 with the wake-up vector not armed: the vCPU sleeps with NV=NOTIFY, an IOMMU post notifies P0, the dummy handler eats it and nobody wakes the vCPU",
        "KVM commit a2486020a82e 'KVM: VMX: update vcpu posted-interrupt descriptor when assigning device' (2021) fixed it",
        KvmDesign.Kvm2021, Injector2021, PiLoad2021, WakeupHandler2021, new(Injectors: 0, Iommu: 1, Halts: 1)) with { WakeupVector = WakeupVector.Off };

    /// <summary>pilab's finding in today's KVM: kvm-2021 with CPU injectors only (docs/whole-system.md).</summary>
    public static readonly Variant Kvm2021UnarmedMigration = WholeSystem(
        "kvm-2021-unarmed-migration",
        "FINDING, still in mainline: no wake-up vector armed (no assigned device, no IPIv); the thread is preempted between block.check and schedule(), loaded on P2, and vmx_vcpu_pi_load's recompute sets ON for a CPU injector that has set PIR but not yet ON; the injector finds ON=1, neither notifies nor wakes, and the thread sleeps",
        "pilab's run of kvm-2021; every step read in Linux v6.17's vmx_vcpu_pi_load, vmx_vcpu_pi_put, kvm_vcpu_block and __vmx_deliver_posted_interrupt",
        KvmDesign.Kvm2021, Injector2021, PiLoad2021, WakeupHandler2021, Everything with { Iommu = 0 })
        with { WakeupVector = WakeupVector.Off, Finding = true };

    /// <summary>pilab's finding in the 2019 design: the same recompute race with both 2019 fixes applied.</summary>
    public static readonly Variant Kvm2019CpuInjector = Kvm2019 with
    {
        Name = "kvm-2019-cpu-injector",
        Description = "FINDING (v5.0-v5.16): kvm-2019 with both 2019 fixes and a CPU injector: the recompute race of kvm-2021-unarmed-migration, on P0's wake list with NV=WAKEUP but no IPI ever sent; 5.17's on.test self-IPI at sched-out closes it",
        Source = "pilab's run of kvm-2019 with a CPU injector",
        Check = Everything,
        Finding = true,
    };

    /// <summary>KVM since v6.17: 6737557442e5 "KVM: VMX: Suppress PI notifications whenever the vCPU is put".</summary>
    public static readonly Variant Kvm2025 = Kvm2021 with
    {
        Name = "kvm-2025",
        Description = "KVM since v6.17: vmx_vcpu_pi_put sets SN whenever the vCPU is put, except a blocking vCPU that is not preempted, which gets the wake-up handler (a vCPU preempted in the block loop gets SN only)",
        Source = "Linux v6.17 arch/x86/kvm/vmx/posted_intr.c vmx_vcpu_pi_put after 6737557442e5 'KVM: VMX: Suppress PI notifications whenever the vCPU is put' (Sean Christopherson, 2025)",
        PreemptPut = PreemptPut.Sn,
    };

    /// <summary>pilab's candidate fix for the mainline finding (docs/findings.md): vmx_vcpu_pi_load recomputes ON
    /// only when this load cleared an SN that was set.</summary>
    public static readonly Variant RecomputeIfSnSet = Kvm2025 with
    {
        Name = "recompute-if-sn-set",
        Description = "CANDIDATE FIX for kvm-2021-unarmed-migration on v6.17: vmx_vcpu_pi_load recomputes ON only when this load cleared an SN that was set (PIR != 0 with ON=0 and SN=0 is a CPU injector in flight, which notifies or wakes by itself)",
        Source = "pilab's candidate fix (docs/findings.md): in the full path, the SN of the snapshot the cmpxchg replaced; in the fast path, pi_test_and_clear_sn as today",
        OnRecompute = OnRecompute.SnWasSet,
        Check = Everything with { Iommu = 0 },
    };
    // The AVIC design (docs/avic.md): its programs are avic.c's; a variant chooses its policies (AvicPolicy).

    /// <summary>vcpu_enter_guest as AVIC needs it: IRQs off, smp_store_release of IN_GUEST_MODE, the full barrier, VMRUN (which evaluates the IRR).</summary>
    private static readonly ImmutableArray<EntryStep> AvicEntry = [EntryStep.IrqOff, EntryStep.ModeIn, EntryStep.Mb, EntryStep.Enter];

    private static Variant AvicVariant(string name, string description, string source, AvicPolicy policy, Configuration check) =>
        new(name, description, AvicEntry, [], OnAlreadySet.Done, RequestHandling.None, source)
        {
            Design = KvmDesign.Avic, Avic = policy, Check = check,
        };

    /// <summary>KVM's AVIC today, with guest IPIs the hardware accelerates, an assigned device, a HLT, a preemption and a migration.</summary>
    public static readonly Variant Avic = AvicVariant(
        "avic",
        "KVM's AVIC since the 2025 AVIC/IRTE rework: avic_vcpu_blocking clears IsRunning and arms GALogIntr before prepare_to_rcuwait, with preemption disabled; unblocking and sched-in reload IsRunning, the host ID and the IRTE on the CPU they run on",
        "mainline arch/x86/kvm/svm/avic.c after the 2025 rework (enable_ipiv for SVM, d921665e01ba): avic_vcpu_load/put, avic_vcpu_blocking/unblocking, avic_pi_update_irte; svm.c svm_complete_interrupt_delivery; virt/kvm/kvm_main.c kvm_vcpu_block",
        new AvicPolicy(Sender: AvicSender.Hardware), Everything with { Memory = MemoryModel.TSO });

    public static readonly Variant AvicErratum1235 = AvicVariant(
        "avic-erratum-1235",
        "avic on a CPU with erratum #1235 and IPI virtualization on: the sender reads IsRunning=1 before its IRR write is seen, rings a doorbell no guest hears instead of taking the incomplete-IPI exit, and the vCPU's last IRR check misses the vector: it sleeps",
        "KVM commits 8de4a1c8164e 'KVM: SVM: Disable (x2)AVIC IPI virtualization if CPU has erratum #1235' and d921665e01ba 'KVM: SVM: Add enable_ipiv param, never set IsRunning if disabled' (2025) fixed it",
        new AvicPolicy(Sender: AvicSender.Erratum1235), new(Injectors: 1, Halts: 1));

    public static readonly Variant AvicSetRunningStaleCpu = AvicVariant(
        "avic-set-running-stale-cpu",
        "avic with the unblocking reload before 7cfc5c653b07: avic_vcpu_load(vcpu, vcpu->cpu) read P0, was preempted and migrated to P2 (where sched-in loaded it right), then wrote host ID P0 and IRTE destination P0 with IsRun=1: the IOMMU's doorbell goes to P0 while the guest runs on P2",
        "KVM commit 7cfc5c653b07 'KVM: fix avic_set_running for preemptable kernels' (2021) fixed it",
        new AvicPolicy(Sender: AvicSender.Hardware, UnblockLoad: AvicUnblockLoad.VcpuCpu), new(Injectors: 0, Iommu: 1, Posts: 2, Halts: 1, Preemptions: 1, Migrations: 1));

    public static readonly Variant AvicIrteNotRunning = AvicVariant(
        "avic-irte-not-running",
        "avic with avic_pi_update_irte before f3cebc75e742: a device assigned while the vCPU runs gets an IRTE with IsRun=0; the IOMMU sets the IRR and raises a GA-log interrupt whose wake-up finds nobody blocking; no doorbell reaches the running guest",
        "KVM commit f3cebc75e742 'KVM: SVM: Set target pCPU during IRTE update if target vCPU is running' (2023) fixed it",
        new AvicPolicy(Sender: AvicSender.Hardware, IrteAssign: AvicIrteAssign.NotRunning), new(Injectors: 0, Iommu: 1));

    /// <summary>Every built-in, the vCPU-entry designs first.</summary>
    public static readonly ImmutableArray<Variant> All =
        [PrePatch, PatchV1, IrqLate, Fixed, FixedNoMb,
         Kvm2021, Kvm2019, SnNoRecompute, NdstBlockedMigration, HaltWithoutWakeupVector, Kvm2021UnarmedMigration, Kvm2019CpuInjector,
         Kvm2025, RecomputeIfSnSet,
         Avic, AvicErratum1235, AvicSetRunningStaleCpu, AvicIrteNotRunning];

    /// <summary>The built-ins of one design.</summary>
    public static IEnumerable<Variant> Of(KvmDesign design) => All.Where(v => v.Design == design);

    /// <summary>The vCPU-entry built-ins (the seed mail's five designs).</summary>
    public static readonly ImmutableArray<Variant> EntryDesigns = [.. All.Where(v => v.Design == KvmDesign.Entry)];

    /// <summary>The whole-system built-ins (the APICv designs kvm-2019 and kvm-2021).</summary>
    public static readonly ImmutableArray<Variant> WholeSystemDesigns = [.. All.Where(v => v.WholeSystem && !v.IsAvic)];

    /// <summary>The AVIC built-ins (docs/avic.md).</summary>
    public static readonly ImmutableArray<Variant> AvicDesigns = [.. All.Where(v => v.IsAvic)];

    public static Variant? Find(string name) => All.FirstOrDefault(v => v.Name == name);
}
