using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pilab.Checker;

/// <summary>
/// The visited sets' hash: XxHash3 over the state's bytes (System.IO.Hashing). A two-multiply mix of
/// the two 64-bit words of a 16-byte state was tried as a cheaper alternative and measured slower
/// (bench/Pilab.Bench HotPathBench: 3.6 ns against 2.1 ns a state), so it is kept only as the
/// benchmark's reference.
/// </summary>
internal static class StateHash
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of<TState>(in TState s) where TState : unmanaged =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<TState>(in s)));

    /// <summary>SplitMix64's finaliser over the two words of a 16-byte state (Steele, Lea, Flood,
    /// "Fast splittable pseudorandom number generators", 2014): the alternative HotPathBench measures.</summary>
    public static ulong SplitMix<TState>(in TState s) where TState : unmanaged
    {
        if (Unsafe.SizeOf<TState>() != 16) return Of(in s);
        ulong lo = Unsafe.As<TState, ulong>(ref Unsafe.AsRef(in s));
        ulong hi = Unsafe.Add(ref Unsafe.As<TState, ulong>(ref Unsafe.AsRef(in s)), 1);
        return Mix(lo ^ Mix(hi + 0x9E3779B97F4A7C15UL));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
