using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pilab.Checker;

/// <summary>
/// The visited sets' hash: XxHash3 over the state's bytes (System.IO.Hashing). A two-multiply mix of
/// the two 64-bit words of a 16-byte state was tried as a cheaper alternative and measured slower
/// (bench/Pilab.Bench HotPathBench: 3.6 ns against 2.1 ns a state), so it is kept only as the
/// benchmark's reference. For a 16-byte state (both models' states) the same value is computed here,
/// XXH3's path for inputs of 9 to 16 bytes written out (xxhash.h, XXH3_len_9to16_64b, seed 0), so that
/// it inlines into the engine's loops: System.IO.Hashing's own code starts unoptimised and is
/// recompiled only after the runtime's tiering delay, which a search of a few hundred thousand states
/// spent most of its time in (tests/Pilab.Core.Tests/StateHashTests.cs checks the values are XxHash3's).
/// </summary>
internal static class StateHash
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of<TState>(in TState s) where TState : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<TState>(in s));
        if (Unsafe.SizeOf<TState>() != 16) return XxHash3.HashToUInt64(bytes);
        // XXH3_len_9to16_64b with the default secret's words at bytes 24, 32, 40 and 48, and seed 0.
        ulong lo = BinaryPrimitives.ReadUInt64LittleEndian(bytes) ^ (0x1F67B3B7A4A44072UL ^ 0x78E5C0CC4EE679CBUL);
        ulong hi = BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(8)) ^ (0x2172FFCC7DD05A82UL ^ 0x8E2443F7744608B8UL);
        ulong high = Math.BigMul(lo, hi, out ulong low);
        ulong acc = 16 + BinaryPrimitives.ReverseEndianness(lo) + hi + (high ^ low);
        // XXH3_avalanche
        acc ^= acc >> 37;
        acc *= 0x165667919E3779F9UL;
        return acc ^ (acc >> 32);
    }

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
