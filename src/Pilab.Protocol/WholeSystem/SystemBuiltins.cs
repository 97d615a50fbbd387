using System.Collections.Immutable;

namespace Pilab.Protocol;

/// <summary>
/// The whole-system designs of SPEC.md section 7: the design KVM runs today and the three
/// historical races, each the KVM code before the commit that fixed it. Kept out of
/// <see cref="Builtins.All"/>, which lists the section 4 variants only.
/// </summary>
public static class SystemBuiltins
{
    /// <summary>The seed's entry order, which KVM has used since the 2016 patch (vcpu_enter_guest).</summary>
    private static readonly ImmutableArray<EntryStep> Entry = Builtins.Fixed.Entry;

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

    /// <summary>pi_enable_wakeup_handler since 5.17.</summary>
    private static readonly ImmutableArray<SchedOutStep> WakeupHandler2021 =
        [SchedOutStep.WakelistAdd, SchedOutStep.NvWakeup, SchedOutStep.OnTest];

    public static readonly SystemVariant Kvm2021 = new(
        "kvm-2021",
        "KVM since 5.17: sched-out of a blocking vCPU switches NV to WAKEUP and puts it on its CPU's wake list; sched-in recomputes ON",
        "Linux 5.17 arch/x86/kvm/vmx/posted_intr.c (Sean Christopherson's 2021 rework, 'KVM: VMX: Handle PI wakeup shenanigans during vcpu_put/load'); SPEC.md section 7",
        KvmDesign.Kvm2021, Entry, Injector2021, BlockLoop, PiLoad2021, WakeupHandler2021, WakeupVector.Auto, BlockedNdst.Keep);

    /// <summary>The 2019 design with both of Joao Martins' fixes: the reference the two 2019 races are one change away from.</summary>
    public static readonly SystemVariant Kvm2019 = new(
        "kvm-2019",
        "KVM late 2019 (5.5): pre_block/post_block arm the wake-up vector around the block loop; sched.in clears SN, recomputes ON and leaves NDST alone for a blocked vCPU",
        "Linux 5.5 arch/x86/kvm/vmx/vmx.c (vmx_vcpu_pi_load, pi_pre_block, pi_post_block) after c112b5f50232 and 132194ffa1d2",
        KvmDesign.Kvm2019, Entry, Injector2019, BlockLoop, [SchedInStep.DescUpdate, SchedInStep.Mb, SchedInStep.OnRecompute], [],
        WakeupVector.Auto, BlockedNdst.Keep);

    public static readonly SystemVariant SnNoRecompute = new(
        "sn-no-recompute",
        "kvm-2019 before c112b5f50232: a preempted vCPU has SN=1, the IOMMU posts without ON, sched.in clears SN but does not set ON, and the entry skips PIR",
        "KVM commit c112b5f50232 'KVM: x86: Recompute PID.ON when clearing PID.SN' (2019) fixed it; SPEC.md section 7",
        KvmDesign.Kvm2019, Entry, Injector2019, BlockLoop, [SchedInStep.DescUpdate], [], WakeupVector.Auto, BlockedNdst.Keep);

    /// <summary>Historically the NDST fix (5.4) came before the recompute (5.5); SPEC.md keeps the recompute
    /// here so that this built-in has one bug only.</summary>
    public static readonly SystemVariant NdstBlockedMigration = new(
        "ndst-blocked-migration",
        "kvm-2019 with the recompute: a blocking vCPU on P0's wake list, preempted while INTERRUPTIBLE and loaded on P2, gets NDST=P2 and sleeps; the WAKEUP IPI goes to P2",
        "KVM commit 132194ffa1d2 'KVM: VMX: Do not change PID.NDST when loading a blocked vCPU' (Joao Martins, 2019) fixed it; SPEC.md section 7",
        KvmDesign.Kvm2019, Entry, Injector2019, BlockLoop, [SchedInStep.DescUpdate, SchedInStep.Mb, SchedInStep.OnRecompute], [],
        WakeupVector.Auto, BlockedNdst.Follow);

    public static readonly SystemVariant HaltWithoutWakeupVector = new(
        "halt-without-wakeup-vector",
        "kvm-2021 with the wake-up vector not armed: the vCPU sleeps with NV=NOTIFY, an IOMMU post notifies P0, the dummy handler eats it and nobody wakes the vCPU",
        "KVM commit a2486020a82e 'KVM: VMX: update vcpu posted-interrupt descriptor when assigning device' (2021) fixed it; SPEC.md section 7",
        KvmDesign.Kvm2021, Entry, Injector2021, BlockLoop, PiLoad2021, WakeupHandler2021, WakeupVector.Off, BlockedNdst.Keep);

    public static readonly ImmutableArray<SystemVariant> WholeSystem =
        [Kvm2021, Kvm2019, SnNoRecompute, NdstBlockedMigration, HaltWithoutWakeupVector];

    public static SystemVariant? Find(string name) => WholeSystem.FirstOrDefault(v => v.Name == name);
}
