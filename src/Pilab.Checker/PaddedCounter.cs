using System.Runtime.InteropServices;

namespace Pilab.Checker;

/// <summary>A counter alone on its cache line (64 bytes either side), so the workers that bump it
/// do not invalidate the fields read on every lookup beside it (false sharing).</summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal sealed class PaddedCounter
{
    [FieldOffset(64)] public long Value;
}
