namespace Pilab.Protocol;

/// <summary>What the k CPU posters of an AVIC variant are (docs/avic.md, "Actors").</summary>
public enum AvicSender : byte
{
    /// <summary>KVM's software injector: svm_deliver_interrupt (kvm_lapic_set_irr, smp_mb__after_atomic) then
    /// svm_complete_interrupt_delivery (smp_load_acquire of vcpu->mode; avic_ring_doorbell or kvm_vcpu_wake_up).</summary>
    Kvm,
    /// <summary>A guest IPI the AVIC hardware accelerates (APM vol. 2, 15.29): IRR set in the target's backing page,
    /// then the physical APIC ID entry read: doorbell to its host ID if IsRunning, else an AVIC_INCOMPLETE_IPI
    /// #VMEXIT on the sender, whose handler (avic_incomplete_ipi_interception, avic_kick_target_vcpus) ends in
    /// svm_complete_interrupt_delivery.</summary>
    Hardware,
    /// <summary>The same with erratum #1235: the sender's read of IsRunning is not ordered after its IRR write
    /// (the missing barrier avic_vcpu_blocking's comment names), so it reads IsRunning before its IRR write is seen.</summary>
    Erratum1235,
}

/// <summary>How kvm_arch_vcpu_unblocking reloads the AVIC (avic_vcpu_unblocking / avic_set_running).</summary>
public enum AvicUnblockLoad : byte
{
    /// <summary>Since 7cfc5c653b07: with preemption disabled, on the CPU it runs on.</summary>
    ThisCpu,
    /// <summary>Before 7cfc5c653b07: avic_vcpu_load(vcpu, vcpu->cpu) with preemption enabled: the thread may be
    /// preempted and migrated between reading vcpu->cpu and writing the entry and the IRTE.</summary>
    VcpuCpu,
}

/// <summary>How avic_pi_update_irte programs a new GA-mode IRTE for a vCPU that is running.</summary>
public enum AvicIrteAssign : byte
{
    /// <summary>Since f3cebc75e742: from the vCPU's physical ID entry under ir_list_lock (IsRun=1, destination = its host CPU).</summary>
    FromEntry,
    /// <summary>Before f3cebc75e742: as for a vCPU that is not running (IsRun=0) until the next avic_vcpu_load.</summary>
    NotRunning,
}

/// <summary>
/// The policies an AVIC variant chooses (docs/avic.md): what the CPU posters are, whether IPI
/// virtualization is on (enable_ipiv: off means the table never shows IsRunning=1, d921665e01ba), how
/// unblocking reloads the AVIC, how a new IRTE is programmed, and whether the thread can be preempted
/// between avic_vcpu_blocking and prepare_to_rcuwait (mainline's kvm_vcpu_block disables preemption there).
/// </summary>
public readonly record struct AvicPolicy(
    AvicSender Sender = AvicSender.Kvm,
    bool Ipiv = true,
    AvicUnblockLoad UnblockLoad = AvicUnblockLoad.ThisCpu,
    AvicIrteAssign IrteAssign = AvicIrteAssign.FromEntry,
    bool BlockingPreemptible = false)
{
    public static string Name(AvicSender s) => s switch { AvicSender.Kvm => "kvm", AvicSender.Hardware => "avic", _ => "avic-erratum-1235" };
    public static string Name(AvicUnblockLoad u) => u == AvicUnblockLoad.ThisCpu ? "this-cpu" : "vcpu-cpu";
    public static string Name(AvicIrteAssign a) => a == AvicIrteAssign.FromEntry ? "from-entry" : "not-running";
}
