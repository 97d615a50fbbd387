using System.Runtime.CompilerServices;

namespace Pilab.Checker;

/// <summary>
/// The compact exact store (<see cref="StateStore.Compact"/>): tree compression in two levels, for
/// 16-byte states. A state is split into its two 64-bit halves; each half is interned once in a table
/// of its own (<see cref="InternTable"/>), and the state is the pair of their numbers, itself
/// interned in the root table, whose numbers are the states' numbers, in the order added. Distinct
/// halves are far fewer than states (the thread's half and the posters' half vary largely
/// independently). The root pairs and the parent links lie in <see cref="PackedLog"/>s, each block of
/// 16 Ki in the bits its values need: a pair takes the bits of the two halves' counts (28-34 bits on
/// the largest searches measured, not 64), a parent link those of the stretch of the level before
/// that a block's parents span (about 15, not 32; breadth-first in queue order, consecutive states
/// have nearby parents). So a state costs its packed pair (3-4 bytes), its packed parent link (about
/// 2), the root table's word (4 bytes, 70 to 87.5 % full: 4.6 to 5.7) and a little for the halves'
/// tables: 11-13 bytes (bench/README.md, "Bytes a state"). The label of the step that reached a state
/// is not kept: the explorer recomputes it, for the run it reports, as the first successor of the
/// parent that is the state (which is the message the sequential queue takes first). Slower than
/// <see cref="VisitedSet{TState}"/> (three lookups a successor instead of one).
/// </summary>
internal sealed class TreeStore<TState> where TState : unmanaged, IEquatable<TState>
{
    private readonly InternTable _low = new(), _high = new(), _roots = new();
    private readonly PackedLog _parents = new(maxWidth: 32); // each state's parent's number plus one

    public TreeStore()
    {
        if (Unsafe.SizeOf<TState>() != 16)
            throw new NotSupportedException($"the compact store splits 16-byte states; {typeof(TState).Name} has {Unsafe.SizeOf<TState>()} bytes");
    }

    public long Count => _roots.Count;

    public long Bytes => _roots.Bytes + _low.Bytes + _high.Bytes + _parents.Bytes;

    public long AllocatedBytes => _roots.AllocatedBytes + _low.AllocatedBytes + _high.AllocatedBytes + _parents.AllocatedBytes;

    /// <summary>Every new state is taken to bring two new halves: the most it can take.</summary>
    public long BytesAfter(long adding, out long replaced)
    {
        long bytes = _roots.BytesFor(Count + adding, out long r0) + _low.BytesFor(_low.Count + adding, out long r1)
            + _high.BytesFor(_high.Count + adding, out long r2) + _parents.BytesFor(Count + adding);
        replaced = r0 + r1 + r2;
        return bytes;
    }

    public void Reserve(long adding)
    {
        _roots.Reserve(Count + adding);
        _low.Reserve(_low.Count + adding);
        _high.Reserve(_high.Count + adding);
        _parents.Reserve(Count + adding);
    }

    public TState State(long i)
    {
        ulong pair = _roots[i];
        var s = default(TState);
        ref ulong w = ref Unsafe.As<TState, ulong>(ref s);
        w = _low[(long)(uint)pair];
        Unsafe.Add(ref w, 1) = _high[(long)(pair >> 32)];
        return s;
    }

    public int Parent(long i) => (int)_parents[i] - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Low(in TState s) => Unsafe.As<TState, ulong>(ref Unsafe.AsRef(in s));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong High(in TState s) => Unsafe.Add(ref Unsafe.As<TState, ulong>(ref Unsafe.AsRef(in s)), 1);

    /// <summary>A state whose halves were both found by <see cref="PrefetchRoot"/>, with its pair:
    /// valid for good (a half's number never changes), so the insert a few messages later skips the
    /// halves' lookups. Direct-mapped by the state's hash.</summary>
    private struct Known
    {
        public ulong Lo, Hi, Pair;
        public bool Valid;
    }

    private const int KnownSlots = 64;
    private readonly Known[] _known = new Known[KnownSlots];

    /// <summary>Starts loading the halves' table slots.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchHalves(in TState s)
    {
        _low.Prefetch(InternTable.Hash(Low(in s)));
        _high.Prefetch(InternTable.Hash(High(in s)));
    }

    /// <summary>Once the halves' slots have arrived: if both halves are known, notes the pair and
    /// starts loading the root slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchRoot(in TState s, uint hash)
    {
        ulong lo = Low(in s), hi = High(in s);
        long a = _low.Find(lo, InternTable.Hash(lo));
        if (a < 0) return;
        long b = _high.Find(hi, InternTable.Hash(hi));
        if (b < 0) return;
        ulong pair = (ulong)a | (ulong)b << 32;
        _known[hash % KnownSlots] = new Known { Lo = lo, Hi = hi, Pair = pair, Valid = true };
        _roots.Prefetch(InternTable.Hash(pair));
    }

    /// <summary>Once the root slot has arrived: starts loading the root pair it names, if its tag matches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchPair(in TState s, uint hash)
    {
        ref Known k = ref _known[hash % KnownSlots];
        if (k.Valid && k.Lo == Low(in s) && k.Hi == High(in s)) _roots.PrefetchKey(InternTable.Hash(k.Pair));
    }

    public long Add(in TState s, uint hash, int parent)
    {
        ulong lo = Low(in s), hi = High(in s);
        ulong pair;
        ref Known k = ref _known[hash % KnownSlots];
        if (k.Valid && k.Lo == lo && k.Hi == hi) pair = k.Pair;
        else
        {
            long a = _low.Intern(lo, InternTable.Hash(lo), out _);
            long b = _high.Intern(hi, InternTable.Hash(hi), out _);
            pair = (ulong)a | (ulong)b << 32;
        }
        long index = _roots.Intern(pair, InternTable.Hash(pair), out bool added);
        if (!added) return -1;
        _parents.Append((ulong)(uint)(parent + 1));
        return index;
    }
}

/// <summary>The compact store as the explorer sees it.</summary>
internal readonly struct CompactStore<TState>(TreeStore<TState> store) : IStateStore<TState> where TState : unmanaged, IEquatable<TState>
{
    public long Count => store.Count;
    public long Bytes => store.Bytes;
    public long AllocatedBytes => store.AllocatedBytes;
    public long MaxCount => InternTable.MaxCount;
    public long BytesAfter(long adding, out long replaced, bool full) => store.BytesAfter(adding, out replaced);
    public void Reserve(long adding, bool full) => store.Reserve(adding);
    public TState State(long i) => store.State(i);
    public int Parent(long i) => store.Parent(i);
    public bool KeepsStates => true;
    public bool KeepsLabels => false;
    public int Label(long i) => throw new InvalidOperationException("the compact store keeps no labels");
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchSlot(in TState state, uint hash) => store.PrefetchHalves(in state);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchCandidate(in TState state, uint hash) => store.PrefetchRoot(in state, hash);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchKey(in TState state, uint hash) => store.PrefetchPair(in state, hash);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Add(in TState state, uint hash, int parent, int label) => store.Add(in state, hash, parent);
    public void Expanded(long index) { }
}
