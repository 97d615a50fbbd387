using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pilab.Checker;

/// <summary>
/// The visited sets' hash. States of 16 bytes (two 64-bit words, like the model's packed state)
/// get a two-multiply mix of the words, the finaliser of the MurmurHash3/SplitMix64 family, which
/// spreads every input bit over the whole result; other sizes go through XxHash3. The size test is a
/// JIT-time constant, so each instantiation keeps one path.
/// </summary>
internal static class StateHash
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Of<TState>(in TState s) where TState : unmanaged
    {
        if (Unsafe.SizeOf<TState>() == 16 && !UseXxHash)
        {
            ulong lo = Unsafe.As<TState, ulong>(ref Unsafe.AsRef(in s));
            ulong hi = Unsafe.Add(ref Unsafe.As<TState, ulong>(ref Unsafe.AsRef(in s)), 1);
            return Mix(lo ^ Mix(hi + 0x9E3779B97F4A7C15UL));
        }
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<TState>(in s)));
    }

    /// <summary>SplitMix64's finaliser (Steele, Lea, Flood, "Fast splittable pseudorandom number generators", 2014).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>PILAB_HASH=xxhash selects XxHash3 for every state (to measure one against the other);
    /// a static readonly field, so the JIT folds the test away.</summary>
    private static readonly bool UseXxHash = Environment.GetEnvironmentVariable("PILAB_HASH") == "xxhash";

    /// <summary>XxHash3 for every size: the reference the benchmark compares against.</summary>
    public static ulong XxHash<TState>(in TState s) where TState : unmanaged =>
        XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<TState>(in s)));
}
