using System.IO.Hashing;
using System.Runtime.InteropServices;
using CsCheck;
using Pilab.Checker;

namespace Pilab.Core.Tests;

/// <summary>The engine's hash of a 16-byte state, written out so that it inlines, is XxHash3's value.</summary>
public sealed class StateHashTests
{
    private static ulong Reference<T>(T s) where T : unmanaged => XxHash3.HashToUInt64(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in s)));

    [Fact]
    public void SixteenByteStates_HashAsXxHash3()
    {
        Gen.Select(Gen.ULong, Gen.ULong).Sample((lo, hi) =>
        {
            var s = (lo, hi);
            return StateHash.Of(in s) == Reference(s);
        }, iter: 100_000);
        foreach (var (lo, hi) in new[] { (0UL, 0UL), (ulong.MaxValue, ulong.MaxValue), (1UL, 0UL), (0UL, 1UL), (0x8000_0000_0000_0000UL, 0UL) })
        {
            var s = (lo, hi);
            Assert.Equal(Reference(s), StateHash.Of(in s));
        }
    }

    [Fact]
    public void OtherSizes_HashAsXxHash3()
    {
        Gen.Select(Gen.ULong, Gen.UInt).Sample((a, b) =>
        {
            var s = (a, (ulong)b, a ^ b);
            return StateHash.Of(in s) == Reference(s);
        }, iter: 10_000);
    }
}
