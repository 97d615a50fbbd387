using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Pilab.Checker;

/// <summary>
/// The exact visited set: every state once, in a chunked array in discovery order (which, under
/// breadth-first search, is also the queue), with its parent's index and the label of the step that
/// reached it, so a counterexample is rebuilt without storing traces. The index is an
/// open-addressing table of (32 hash bits, index) words with linear probing; the stored hash bits
/// let most probes skip the state comparison (the layout of dotnet/runtime's HashSet: struct
/// entries, no object per element).
/// </summary>
internal sealed class VisitedSet<TState> where TState : unmanaged, IEquatable<TState>
{
    private readonly ChunkedArray<TState> _states = new();
    private readonly ChunkedArray<int> _parents = new();
    private readonly ChunkedArray<int> _labels = new();
    private ulong[] _table = new ulong[1 << 16];
    private int _mask = (1 << 16) - 1;
    // The memory bound refused the table's doubling: it fills up to 3/4 instead of 1/2 (Reserve's full).
    private bool _full;

    public long Count => _states.Count;

    /// <summary>The bytes held now: the states with their links, and the table.</summary>
    public long Bytes => Count * (Unsafe.SizeOf<TState>() + 8) + (long)_table.Length * sizeof(ulong);

    /// <summary>The bytes allocated now: the table and the chunks of states and links.</summary>
    public long AllocatedBytes => (long)_table.Length * sizeof(ulong) + _states.AllocatedBytes + _parents.AllocatedBytes + _labels.AllocatedBytes;

    /// <summary>The bytes allocated once <see cref="Reserve"/> made room for this many more states, and
    /// (<paramref name="replaced"/>) those of the table it replaces, held until the old one is collected.</summary>
    public long BytesAfter(long adding, out long replaced, bool full = false)
    {
        long n = Count + adding;
        long table = TableLength(n, full);
        replaced = table > _table.Length ? (long)_table.Length * sizeof(ulong) : 0;
        return table * sizeof(ulong) + _states.BytesFor(n) + _parents.BytesFor(n) + _labels.BytesFor(n);
    }

    /// <summary>Makes room for this many more states: the table grown (in one step) so they keep it at
    /// most half full, or with <paramref name="full"/> (the memory bound cannot hold a doubling) at most
    /// three quarters full, and the chunks they take allocated, so that adding them allocates nothing.
    /// Linear probing at 3/4 costs about 8.5 probes a miss instead of 2.5 (Knuth, TAOCP 6.4): a search
    /// pays that only in its last rounds, for a quarter more states in the same memory.</summary>
    public void Reserve(long adding, bool full = false)
    {
        _full = full;
        long n = Count + adding;
        long table = TableLength(n, full);
        if (table > _table.Length) Grow((int)table);
        _states.Reserve(n);
        _parents.Reserve(n);
        _labels.Reserve(n);
    }

    private long TableLength(long n, bool full)
    {
        long table = _table.Length;
        while ((full ? n * 4 > table * 3 : n * 2 > table) && table < 1 << 30) table *= 2;
        return table;
    }

    public ref TState State(long i) => ref _states[i];
    public int Parent(long i) => _parents[i];
    public int Label(long i) => _labels[i];

    /// <summary>Adds the state if new; returns its index, or -1 if it was already there.</summary>
    public long Add(in TState state, int parent, int label) => Add(in state, Hash(state), parent, label);

    /// <summary>
    /// Starts loading the table line a state with this hash probes first, so that an insert issued a
    /// few states later finds it in cache: the probes of a large table are cache misses, and issued
    /// back to back they overlap instead of waiting one after the other.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchSlot(ulong hash) => Prefetch(ref _table[(int)(uint)hash & _mask]);

    /// <summary>Once the slot's line has arrived: starts loading the stored state its word names, if
    /// the word's hash bits match (the comparison the insert will make).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchCandidate(ulong hash)
    {
        ulong e = _table[(int)(uint)hash & _mask];
        if (e != 0 && (uint)(e >> 32) == (uint)hash) Prefetch(ref _states[(long)(uint)e - 1]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch<T>(ref T at)
    {
        // A hint only: a stale address after the table grew costs nothing but the hint.
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref at));
    }

    /// <summary>As <see cref="Add(in TState, int, int)"/>, with the state's <see cref="StateHash"/> already computed.</summary>
    public long Add(in TState state, ulong hash, int parent, int label)
    {
        ulong h = hash;
        // The word keeps the hash's low 32 bits, which also pick the slot: growing rehashes from the
        // words alone, without reading the states (a cache miss each).
        uint tag = (uint)h;
        int slot = (int)tag & _mask;
        while (true)
        {
            ulong e = _table[slot];
            if (e == 0) break;
            if ((uint)(e >> 32) == tag && _states[(long)(uint)e - 1].Equals(state)) return -1;
            slot = (slot + 1) & _mask;
        }
        long index = _states.Append(state);
        if (index >= int.MaxValue) throw new InvalidOperationException("more than 2^31 states: the explorer bounds this");
        _parents.Append(parent);
        _labels.Append(label);
        _table[slot] = ((ulong)tag << 32) | (ulong)(index + 1);
        if (_full ? _states.Count * 4 > (long)_table.Length * 3 : _states.Count * 2 > _table.Length) Grow(_table.Length * 2);
        return index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Hash(in TState s) => StateHash.Of(in s);

    private void Grow(int length)
    {
        var old = _table;
        // Zeros written first: a read of an untouched page maps the zero page, and the write after
        // it faults again to replace it (one fault per page instead of two).
        _table = GC.AllocateUninitializedArray<ulong>(length);
        _table.AsSpan().Clear();
        _mask = _table.Length - 1;
        foreach (ulong e in old)
        {
            if (e == 0) continue;
            int slot = (int)(uint)(e >> 32) & _mask;
            while (_table[slot] != 0) slot = (slot + 1) & _mask;
            _table[slot] = e;
        }
    }
}
