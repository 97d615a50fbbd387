using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Pilab.Checker;

/// <summary>
/// A set of 64-bit keys, each numbered once in the order it was first added: the building block of
/// <see cref="TreeStore{TState}"/>'s tree compression (Blom, Lisser, van de Pol and Weber, "A database
/// approach to distributed state-space generation", 2009; Laarman, van de Pol and Weber, "Parallel
/// recursive state compression for free", SPIN 2011). The keys lie in a <see cref="PackedLog"/> by
/// number, each block of them in the bits its values need (a key that is a pair of numbers takes the
/// bits of those numbers, not 64); the
/// index is an open-addressing table of 32-bit words with linear probing, each word the key's number
/// plus one in its low bits (as many as the table's length needs) and, above them, the rest of the
/// word filled with the key's hash bits as a tag, so most probes skip reading the key. The table's
/// length is any number, not a power of two (the slot is the hash's low half scaled to the length,
/// Lemire's "fast alternative to the modulo reduction", 2016), so it grows by a quarter when it is
/// 7/8 full: between 70 % and 87.5 % full, a word costs 4.6 to 5.7 bytes a key. Growing rebuilds the
/// index from the keys in number order (read in sequence).
/// </summary>
internal sealed class InternTable
{
    private const int MinLength = 1 << 10;
    private const long MaxLength = 1L << 30;

    /// <summary>The most keys one table holds: 7/8 of its largest table.</summary>
    public const long MaxCount = MaxLength / 8 * 7;
    private readonly PackedLog _keys = new();
    private uint[] _table = new uint[MinLength];
    private int _bits = 11; // the bits of a word that hold a number plus one: enough for the table's length
    private ulong _length = MinLength;

    public long Count => _keys.Count;

    public ulong this[long i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _keys[i];
    }

    /// <summary>The bytes held now: the keys and the table.</summary>
    public long Bytes => _keys.Bytes + (long)_table.Length * sizeof(uint);

    public long AllocatedBytes => (long)_table.Length * sizeof(uint) + _keys.AllocatedBytes;

    /// <summary>The bytes allocated once room is made for <paramref name="n"/> keys, and those of the table replaced.</summary>
    public long BytesFor(long n, out long replaced)
    {
        long table = TableLength(n);
        replaced = table > _table.Length ? (long)_table.Length * sizeof(uint) : 0;
        return table * sizeof(uint) + _keys.BytesFor(n);
    }

    /// <summary>Makes room for <paramref name="n"/> keys in all, so that adding up to them allocates nothing.</summary>
    public void Reserve(long n)
    {
        long table = TableLength(n);
        if (table > _table.Length) Rebuild(table);
        _keys.Reserve(n);
    }

    private long TableLength(long n)
    {
        long table = _table.Length;
        while (n * 8 > table * 7 && table < MaxLength) table = Math.Min(MaxLength, table + table / 4);
        return table;
    }

    /// <summary>The mix that spreads a key over the table: SplitMix64's finaliser (keys here are
    /// indices and packed fields, far from uniform).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ulong key)
    {
        ulong z = key + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint Tag(ulong hash) => (uint)(hash >> (32 + _bits)) << _bits;

    /// <summary>The first slot a hash probes: its low half scaled to the table's length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Slot(ulong hash) => (int)(((hash & 0xFFFF_FFFF) * _length) >> 32);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(ulong hash)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref _table[Slot(hash)]));
    }

    /// <summary>Once the slot a hash probes first has arrived: starts loading the key its word names,
    /// if the word's tag is the hash's (the key the lookup will compare).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchKey(ulong hash)
    {
        uint e = _table[Slot(hash)];
        uint low = (1u << _bits) - 1;
        if (e != 0 && (e & ~low) == Tag(hash)) _keys.Prefetch((e & low) - 1);
    }

    /// <summary>The key's number, or -1 if it is not here.</summary>
    public long Find(ulong key, ulong hash)
    {
        uint tag = Tag(hash);
        uint low = (1u << _bits) - 1;
        int slot = Slot(hash);
        while (true)
        {
            uint e = _table[slot];
            if (e == 0) return -1;
            if ((e & ~low) == tag)
            {
                long i = (e & low) - 1;
                if (_keys[i] == key) return i;
            }
            if (++slot == _table.Length) slot = 0;
        }
    }

    /// <summary>The key's number, the key added first if new (<paramref name="added"/>).</summary>
    public long Intern(ulong key, ulong hash, out bool added)
    {
        uint tag = Tag(hash);
        uint low = (1u << _bits) - 1;
        int slot = Slot(hash);
        while (true)
        {
            uint e = _table[slot];
            if (e == 0) break;
            if ((e & ~low) == tag)
            {
                long i = (e & low) - 1;
                if (_keys[i] == key) { added = false; return i; }
            }
            if (++slot == _table.Length) slot = 0;
        }
        long index = _keys.Append(key);
        _table[slot] = tag | (uint)(index + 1);
        added = true;
        if (_keys.Count * 8 > (long)_table.Length * 7) Rebuild(TableLength(_keys.Count));
        return index;
    }

    /// <summary>A table of <paramref name="length"/> words, the keys put back in number order.</summary>
    private void Rebuild(long length)
    {
        if (length > MaxLength) throw new InvalidOperationException($"more than {MaxCount} keys in one table: the explorer bounds this");
        _table = null!; // the old table is not read: let it go before the new one is taken
        var table = GC.AllocateUninitializedArray<uint>((int)length);
        table.AsSpan().Clear();
        _table = table;
        _length = (ulong)length;
        _bits = System.Numerics.BitOperations.Log2((ulong)length) + 1;
        for (long i = 0, n = _keys.Count; i < n; i++)
        {
            ulong hash = Hash(_keys[i]);
            int slot = Slot(hash);
            while (table[slot] != 0) if (++slot == table.Length) slot = 0;
            table[slot] = Tag(hash) | (uint)(i + 1);
        }
    }
}
