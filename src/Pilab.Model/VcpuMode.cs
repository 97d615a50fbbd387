namespace Pilab.Model;

/// <summary>vcpu->mode (KVM: OUTSIDE_GUEST_MODE, IN_GUEST_MODE, EXITING_GUEST_MODE).</summary>
public enum VcpuMode : byte { Outside = 0, InGuest = 1, Exiting = 2 }

internal static class VcpuModeNames
{
    public static string Name(this VcpuMode m) => m switch
    {
        VcpuMode.Outside => "OUTSIDE",
        VcpuMode.InGuest => "IN_GUEST",
        VcpuMode.Exiting => "EXITING",
        _ => "?",
    };
}
