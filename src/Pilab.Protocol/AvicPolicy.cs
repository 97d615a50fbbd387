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
    bool BlockingPreemptible = false,
    AvicEntryOrder Entry = default,
    AvicSenderOrder SenderOrder = AvicSenderOrder.Kernel)
{
    /// <summary>True when the variant is the kernel's in both orders (every variant file and built-in; only
    /// <c>pilab synthesize</c> makes others).</summary>
    public bool KernelOrders => Entry.IsKernel && SenderOrder == AvicSenderOrder.Kernel;

    public static string Name(AvicSender s) => s switch { AvicSender.Kvm => "kvm", AvicSender.Hardware => "avic", _ => "avic-erratum-1235" };
    public static string Name(AvicUnblockLoad u) => u == AvicUnblockLoad.ThisCpu ? "this-cpu" : "vcpu-cpu";
    public static string Name(AvicIrteAssign a) => a == AvicIrteAssign.FromEntry ? "from-entry" : "not-running";
}

/// <summary>A unit of a synthesized AVIC entry (docs/avic.md, "Synthesis of orders").</summary>
public enum AvicEntryUnit : byte
{
    /// <summary><c>irq.off</c>: local_irq_disable.</summary>
    IrqOff,
    /// <summary><c>mode.in</c>: the plain store of vcpu->mode = IN_GUEST_MODE.</summary>
    ModeIn,
    /// <summary><c>mb</c>: a full barrier.</summary>
    Mb,
    /// <summary><c>isrunning.set</c>: the plain WRITE_ONCE of the physical APIC ID entry with IsRunning = 1 and the
    /// host ID, which the kernel makes in __avic_vcpu_load (sched-in and unblocking) and the synthesis places in the entry.</summary>
    IsRunningSet,
}

/// <summary>
/// The order of the vCPU's entry steps before VMRUN (then <c>enter</c>). The default value is the kernel's:
/// <c>irq.off mode.in mb enter</c> with IsRunning set by avic_vcpu_load, outside the entry. A synthesized
/// order has <c>isrunning.set</c> among its units: the load then leaves the table's IsRunning to it.
/// Packed: bits 0-2 the unit count (0 = the kernel's), then 2 bits per unit.
/// </summary>
public readonly record struct AvicEntryOrder(uint Packed)
{
    public const int MaxUnits = 4;
    public static readonly AvicEntryOrder Kernel = default;

    public bool IsKernel => Packed == 0;
    public int Count => IsKernel ? 3 : (int)(Packed & 7);

    public AvicEntryUnit this[int i] => IsKernel
        ? i switch { 0 => AvicEntryUnit.IrqOff, 1 => AvicEntryUnit.ModeIn, _ => AvicEntryUnit.Mb }
        : (AvicEntryUnit)((Packed >> (3 + 2 * i)) & 3);

    /// <summary>Whether the entry sets IsRunning itself (a synthesized order), so avic_vcpu_load leaves the table's IsRunning alone.</summary>
    public bool SetsIsRunning => !IsKernel;

    public static AvicEntryOrder Of(IReadOnlyList<AvicEntryUnit> units)
    {
        if (units.Count is < 1 or > MaxUnits || !units.Contains(AvicEntryUnit.IsRunningSet))
            throw new ArgumentException("a synthesized AVIC entry has 1 to 4 units, isrunning.set among them", nameof(units));
        uint packed = (uint)units.Count;
        for (int i = 0; i < units.Count; i++) packed |= (uint)units[i] << (3 + 2 * i);
        return new(packed);
    }

    public IEnumerable<AvicEntryUnit> Units
    {
        get
        {
            var units = new AvicEntryUnit[Count];
            for (int i = 0; i < units.Length; i++) units[i] = this[i];
            return units;
        }
    }

    public static string Name(AvicEntryUnit u) => u switch
    {
        AvicEntryUnit.IrqOff => "irq.off",
        AvicEntryUnit.ModeIn => "mode.in",
        AvicEntryUnit.Mb => "mb",
        _ => "isrunning.set",
    };

    /// <summary>The units then enter, as the output writes an order.</summary>
    public override string ToString() => string.Join(' ', Units.Select(Name)) + " enter";
}

/// <summary>
/// The order of a CPU poster's first two steps: its IRR write (locked, or a plain store that TSO may hold in
/// the sender's store buffer) and its read (IsRunning for a guest IPI the hardware sends, vcpu->mode for KVM's
/// injector). What follows (doorbell.or.exit, mode.read, doorbell.or.wake) waits for the IRR write to be
/// visible. <see cref="Kernel"/> is the sender's own order: the IRR write first and locked
/// (<c>avic-erratum-1235</c>: the read first).
/// </summary>
public enum AvicSenderOrder : byte
{
    Kernel,
    /// <summary><c>irr.set</c> then the read.</summary>
    SetThenRead,
    /// <summary>The read then <c>irr.set</c> (erratum #1235's order).</summary>
    ReadThenSet,
    /// <summary><c>irr.store</c> (plain) then the read.</summary>
    StoreThenRead,
    /// <summary>The read then <c>irr.store</c>.</summary>
    ReadThenStore,
}
