namespace Pilab.Protocol;

/// <summary>
/// Which design of KVM's posted-interrupt code a variant follows, and so which model checks it
/// (docs/model.md): the vCPU entry against its injectors (the 2016 patch's race, no halting and no
/// scheduler), or the whole system of one of the generations of KVM's blocking code.
/// </summary>
public enum KvmDesign : byte
{
    /// <summary>vcpu_enter_guest against vmx_deliver_posted_interrupt: the entry path and its injectors only
    /// (the seed mail's 2016 patch; Linux 4.9's vcpu_enter_guest and vmx_deliver_posted_interrupt).</summary>
    Entry,
    /// <summary>Before the 2021 rework: pi_pre_block / pi_post_block around kvm_vcpu_block; sched-out leaves NV alone.</summary>
    Kvm2019,
    /// <summary>Linux 5.17 and later: vmx_vcpu_pi_put switches NV to WAKEUP when the thread schedules out blocking.</summary>
    Kvm2021,
    /// <summary>AMD AVIC (arch/x86/kvm/svm/avic.c, mainline after the 2025 rework): IsRunning in the physical APIC ID table, the
    /// IOMMU's GA-mode IRTE, doorbells and GA-log interrupts (docs/avic.md).</summary>
    Avic,
}

/// <summary>The names the file format, the command line and the output give the designs.</summary>
public static class DesignNames
{
    public static string Name(KvmDesign d) => d switch
    {
        KvmDesign.Entry => "entry",
        KvmDesign.Kvm2019 => "kvm-2019",
        KvmDesign.Kvm2021 => "kvm-2021",
        KvmDesign.Avic => "avic",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    public static bool TryParse(string word, out KvmDesign design)
    {
        foreach (var d in Enum.GetValues<KvmDesign>())
            if (Name(d) == word) { design = d; return true; }
        design = default;
        return false;
    }

    /// <summary>The whole-system designs, as an option's error names them.</summary>
    public static string WholeSystemList => string.Join(", ", Enum.GetValues<KvmDesign>().Where(d => d != KvmDesign.Entry).Select(Name));

    public static string AllList => string.Join(", ", Enum.GetValues<KvmDesign>().Select(Name));
}
