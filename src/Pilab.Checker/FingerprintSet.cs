using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Pilab.Checker;

/// <summary>
/// The visited set of hash compaction (Wolper and Leroy, "Reliable hashing without collision
/// detection", CAV 1993; SPIN's -DHC, TLC's fingerprints): an open-addressing table of 64-bit
/// fingerprints, no states. Two states with the same fingerprint are taken for one, so a state may be
/// missed; <see cref="OmissionBound"/> bounds the chance of that. The slot comes from the
/// fingerprint's own bits, so the table stores all 64 of them and the chance depends on the number
/// of states only, not on the table's size.
/// </summary>
internal sealed class FingerprintSet
{
    private ulong[] _table = new ulong[1 << 16];
    private int _mask = (1 << 16) - 1;
    private long _count;

    public long Count => _count;

    /// <summary>The table's bytes now.</summary>
    public long Bytes => (long)_table.Length * sizeof(ulong);

    /// <summary>The table's bytes once it has room for <paramref name="n"/> fingerprints, and those of the table it replaces.</summary>
    public long BytesFor(long n, out long replaced)
    {
        long table = TableLength(n);
        replaced = table > _table.Length ? Bytes : 0;
        return table * sizeof(ulong);
    }

    /// <summary>Grows the table (in one step) to hold <paramref name="n"/> fingerprints in all at load at most 3/4.</summary>
    public void Reserve(long n)
    {
        long table = TableLength(n);
        if (table > _table.Length) Grow((int)table);
    }

    private long TableLength(long n)
    {
        long table = _table.Length;
        while (n * 4 > table * 3 && table < 1 << 30) table *= 2;
        return table;
    }

    /// <summary>Starts loading the slot a fingerprint whose low half is <paramref name="low"/> probes first.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(uint low)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref _table[(int)low & _mask]));
    }

    /// <summary>The fingerprint of a state: its 64-bit XxHash3, with 0 (the empty slot) moved to 1.</summary>
    public static ulong Of<TState>(in TState state) where TState : unmanaged
    {
        ulong f = StateHash.Of(in state);
        return f == 0 ? 1 : f;
    }

    /// <summary>Adds the fingerprint if new; true if it was added.</summary>
    public bool Add(ulong f)
    {
        int slot = (int)f & _mask;
        while (true)
        {
            ulong e = _table[slot];
            if (e == 0) break;
            if (e == f) return false;
            slot = (slot + 1) & _mask;
        }
        _table[slot] = f;
        // Load at most 3/4: linear probing's expected probes for a miss are still about 8.5 there
        // (Knuth, TAOCP 6.4), and the table is most of the memory hash compaction uses.
        if (++_count * 4 > (long)_table.Length * 3) Grow(_table.Length * 2);
        return true;
    }

    public bool Contains(ulong f)
    {
        int slot = (int)f & _mask;
        while (true)
        {
            ulong e = _table[slot];
            if (e == 0) return false;
            if (e == f) return true;
            slot = (slot + 1) & _mask;
        }
    }

    private void Grow(int length)
    {
        var old = _table;
        _table = new ulong[length];
        _mask = _table.Length - 1;
        foreach (ulong e in old)
        {
            if (e == 0) continue;
            int slot = (int)e & _mask;
            while (_table[slot] != 0) slot = (slot + 1) & _mask;
            _table[slot] = e;
        }
    }

    /// <summary>
    /// An upper bound on the probability that some state was missed: a state is missed only if its
    /// fingerprint equals that of another reachable state, and with fingerprints uniform over 2^64
    /// values the chance that any two of n states share one is at most n(n-1)/2 / 2^64 = n(n-1)/2^65
    /// (the birthday bound; Holzmann, "The SPIN Model Checker", 2004, ch. 9).
    /// </summary>
    public static double OmissionBound(long n) => Math.Min(1.0, (double)n * (n - 1) / Math.Pow(2, 65));
}
