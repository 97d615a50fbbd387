namespace Pilab.Model;

/// <summary>KVM's names for <see cref="VcpuMode"/>, for renderers outside the model (the report).
/// Forwards to the model's own names so there is one owner of the spelling.</summary>
public static class VcpuModeText
{
    public static string Text(this VcpuMode mode) => mode.Name();
}
