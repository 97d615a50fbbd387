using System.Numerics;
using System.Runtime.CompilerServices;

namespace Pilab.Live;

/// <summary>
/// 256 interrupt vectors as four 64-bit words: the layout of the posted-interrupt descriptor's PIR
/// (SDM 29.6: bits 255:0 of the descriptor) and of the virtual APIC's IRR. Vector v is bit v % 64 of
/// word v / 64.
/// </summary>
[InlineArray(Words)]
internal struct PirWords
{
    public const int Words = 4;
    public const int Vectors = 256;

    private ulong _word;

    public static int WordOf(int vector) => vector >> 6;

    public static ulong BitOf(int vector) => 1UL << (vector & 63);

    /// <summary>True when no vector is set. Only for a copy the caller owns (no ordering).</summary>
    public readonly bool IsEmpty
    {
        get
        {
            for (int i = 0; i < Words; i++)
                if (this[i] != 0) return false;
            return true;
        }
    }

    public readonly int Count
    {
        get
        {
            int n = 0;
            for (int i = 0; i < Words; i++) n += BitOperations.PopCount(this[i]);
            return n;
        }
    }

    /// <summary>The highest set vector, or -1: the guest takes the highest-priority vector first (SDM 29.2.2, virtual-interrupt delivery).</summary>
    public readonly int Highest()
    {
        for (int i = Words - 1; i >= 0; i--)
            if (this[i] != 0) return (i << 6) + 63 - BitOperations.LeadingZeroCount(this[i]);
        return -1;
    }

    /// <summary>The set vectors as text, e.g. "{0x20, 0x21}" (not for the hot loop).</summary>
    public readonly string Describe()
    {
        var parts = new List<string>();
        for (int v = 0; v < Vectors; v++)
            if ((this[WordOf(v)] & BitOf(v)) != 0) parts.Add($"0x{v:x2}");
        return "{" + string.Join(", ", parts) + "}";
    }

    public readonly IReadOnlyList<int> ToList()
    {
        var list = new List<int>();
        for (int v = 0; v < Vectors; v++)
            if ((this[WordOf(v)] & BitOf(v)) != 0) list.Add(v);
        return list;
    }
}
