namespace Pilab.Live;

/// <summary>
/// vcpu-&gt;mode as KVM encodes it (include/linux/kvm_host.h: OUTSIDE_GUEST_MODE 0, IN_GUEST_MODE 1,
/// EXITING_GUEST_MODE 2). An int rather than an enum so that Interlocked.CompareExchange can act on it,
/// as kvm_vcpu_exiting_guest_mode's cmpxchg does.
/// </summary>
internal static class VcpuMode
{
    public const int Outside = 0;
    public const int InGuest = 1;
    public const int Exiting = 2;

    public static string Name(int mode) => mode switch
    {
        Outside => "OUTSIDE",
        InGuest => "IN_GUEST",
        Exiting => "EXITING",
        _ => $"?{mode}",
    };
}

/// <summary>The physical vectors latched in P0's local APIC (docs/model.md section 2, P0.pending), one bit each.</summary>
internal static class PendingIpi
{
    /// <summary>POSTED_INTR_VECTOR (0xf2): the posted-interrupt notification.</summary>
    public const int Notify = 1;
    /// <summary>RESCHEDULE_VECTOR (0xfd): what kvm_vcpu_kick sends.</summary>
    public const int Resched = 2;

    public static string Describe(int pending) => pending switch
    {
        0 => "none",
        Notify => "NOTIFY",
        Resched => "RESCHED",
        Notify | Resched => "NOTIFY+RESCHED",
        _ => $"?{pending}",
    };
}

/// <summary>KVM request bits (kvm_make_request); only KVM_REQ_EVENT exists here (docs/model.md section 2).</summary>
internal static class VcpuRequest
{
    public const int Event = 1;
}
