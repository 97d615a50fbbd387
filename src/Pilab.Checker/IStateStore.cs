using System.Runtime.CompilerServices;

namespace Pilab.Checker;

/// <summary>Which exact visited set the search keeps (<see cref="ExplorationOptions.Store"/>).</summary>
public enum StateStore : byte
{
    /// <summary>Each state whole, with its parent and label, indexed by a table of (hash bits, index)
    /// words (<see cref="VisitedSet{TState}"/>): about 40-56 bytes a state, the fastest.</summary>
    Plain,
    /// <summary>Tree compression (<see cref="TreeStore{TState}"/>): each half of a state interned once,
    /// a state a pair of half numbers, with its parent, both bit-packed; the label is recomputed for
    /// the run reported. About 11-13 bytes a state on large searches.</summary>
    Compact,
}

/// <summary>The names the command line and the reports use for <see cref="StateStore"/>.</summary>
public static class StateStores
{
    public static string Name(StateStore s) => s switch
    {
        StateStore.Plain => "plain",
        StateStore.Compact => "compact",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };
}

/// <summary>
/// What <see cref="PartitionedExplorer"/> needs of one worker's visited set: states numbered in the
/// order they were added (under breadth-first search, also the queue), each with its parent's number,
/// a table to find them by, and the memory they take, counted before it is allocated. Implemented by
/// structs that hold their store by reference, so the engine's generic code is specialised (and its
/// calls inlined) for each, and a copy of one is the same store.
/// </summary>
internal interface IStateStore<TState> where TState : unmanaged, IEquatable<TState>
{
    long Count { get; }

    /// <summary>The most states the store can hold (its tables' largest size).</summary>
    long MaxCount { get; }

    /// <summary>The bytes held now: what a state costs, the table included (the figure reported).</summary>
    long Bytes { get; }

    /// <summary>The bytes of every large allocation now (what --max-memory counts).</summary>
    long AllocatedBytes { get; }

    /// <summary>The bytes allocated once <see cref="Reserve"/> made room for this many more states, and
    /// (<paramref name="replaced"/>) those of the tables it replaces, held until collected. With
    /// <paramref name="full"/> (the memory bound cannot hold a doubling) a store whose table may fill
    /// further does so (the plain store: to 3/4 instead of 1/2); the others grow by their own rule.</summary>
    long BytesAfter(long adding, out long replaced, bool full);

    /// <summary>Makes room for this many more states, so that adding them allocates nothing (<paramref name="full"/>
    /// as for <see cref="BytesAfter"/>).</summary>
    void Reserve(long adding, bool full);

    /// <summary>The state numbered <paramref name="i"/>; for a store that keeps only the levels being
    /// expanded and built (<see cref="KeepsStates"/> false), one of those.</summary>
    TState State(long i);

    int Parent(long i);

    /// <summary>Whether every state stays readable (else only the last two levels' do).</summary>
    bool KeepsStates { get; }

    /// <summary>Whether labels are stored (else the run's labels are recomputed from its states).</summary>
    bool KeepsLabels { get; }

    int Label(long i);

    /// <summary>Starts loading what adding this state will read first (a few inserts ahead).</summary>
    void PrefetchSlot(in TState state, uint hash);

    /// <summary>Once that has arrived: starts loading what adding it reads next.</summary>
    void PrefetchCandidate(in TState state, uint hash);

    /// <summary>Once that has arrived too: starts loading what adding it reads last (the compact store:
    /// the root pair its root slot names; the others have no third read).</summary>
    void PrefetchKey(in TState state, uint hash);

    /// <summary>Adds the state if new; its index, or -1 if it was there. <paramref name="hash"/> is the
    /// low half of its <see cref="StateHash"/>.</summary>
    long Add(in TState state, uint hash, int parent, int label);

    /// <summary>The states below <paramref name="index"/> will not be expanded again.</summary>
    void Expanded(long index);
}

/// <summary>The plain store: <see cref="VisitedSet{TState}"/>.</summary>
internal readonly struct PlainStore<TState>(VisitedSet<TState> set) : IStateStore<TState> where TState : unmanaged, IEquatable<TState>
{
    public long Count => set.Count;
    public long Bytes => set.Bytes;
    public long AllocatedBytes => set.AllocatedBytes;
    public long MaxCount => long.MaxValue;
    public long BytesAfter(long adding, out long replaced, bool full) => set.BytesAfter(adding, out replaced, full);
    public void Reserve(long adding, bool full) => set.Reserve(adding, full);
    public TState State(long i) => set.State(i);
    public int Parent(long i) => set.Parent(i);
    public bool KeepsStates => true;
    public bool KeepsLabels => true;
    public int Label(long i) => set.Label(i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchSlot(in TState state, uint hash) => set.PrefetchSlot(hash);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchCandidate(in TState state, uint hash) => set.PrefetchCandidate(hash);
    public void PrefetchKey(in TState state, uint hash) { }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Add(in TState state, uint hash, int parent, int label) => set.Add(in state, hash, parent, label);
    public void Expanded(long index) { }
}
