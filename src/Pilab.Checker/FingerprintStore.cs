using System.Runtime.CompilerServices;

namespace Pilab.Checker;

/// <summary>
/// The store of hash compaction (<see cref="ExplorationOptions.HashCompaction"/>): a 64-bit
/// fingerprint per state in a <see cref="FingerprintSet"/> (8 bytes at most 3/4 full: 10.7 to 21 bytes),
/// its parent and label (8 bytes), and the states themselves only while they may still be expanded:
/// the explorer says when a level is done (<see cref="Expanded"/>) and the chunks below it are
/// dropped. The run reported is rebuilt by replaying the stored labels from the initial state.
/// States partitioned by hash keep equal fingerprints with one owner, so the chance of a missed state
/// is <see cref="FingerprintSet.OmissionBound"/> of all the states, on any number of workers.
/// </summary>
internal sealed class FingerprintStore<TState> where TState : unmanaged, IEquatable<TState>
{
    private readonly FingerprintSet _set = new();
    private readonly ChunkedArray<TState> _states = new();
    private readonly ChunkedArray<int> _parents = new();
    private readonly ChunkedArray<int> _labels = new();

    public long Count => _states.Count;

    /// <summary>The table, the links, and the states still held.</summary>
    public long Bytes => _set.Bytes + Count * 2 * sizeof(int) + _states.AllocatedBytes;

    public long AllocatedBytes => _set.Bytes + _states.AllocatedBytes + _parents.AllocatedBytes + _labels.AllocatedBytes;

    public long BytesAfter(long adding, out long replaced)
    {
        long n = Count + adding;
        return _set.BytesFor(n, out replaced) + _states.BytesFor(n) + _parents.BytesFor(n) + _labels.BytesFor(n);
    }

    public void Reserve(long adding)
    {
        long n = Count + adding;
        _set.Reserve(n);
        _states.Reserve(n);
        _parents.Reserve(n);
        _labels.Reserve(n);
    }

    public ref TState State(long i) => ref _states[i];
    public int Parent(long i) => _parents[i];
    public int Label(long i) => _labels[i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(uint hash) => _set.Prefetch(hash);

    public long Add(in TState state, int parent, int label)
    {
        if (!_set.Add(FingerprintSet.Of(in state))) return -1;
        _parents.Append(parent);
        _labels.Append(label);
        return _states.Append(state);
    }

    public void Expanded(long index) => _states.Release(index);
}

/// <summary>The hash-compaction store as the explorer sees it.</summary>
internal readonly struct HashCompactStore<TState>(FingerprintStore<TState> store) : IStateStore<TState> where TState : unmanaged, IEquatable<TState>
{
    public long Count => store.Count;
    public long Bytes => store.Bytes;
    public long AllocatedBytes => store.AllocatedBytes;
    public long MaxCount => (1L << 30) / 4 * 3;
    public long BytesAfter(long adding, out long replaced, bool full) => store.BytesAfter(adding, out replaced);
    public void Reserve(long adding, bool full) => store.Reserve(adding);
    public TState State(long i) => store.State(i);
    public int Parent(long i) => store.Parent(i);
    public bool KeepsStates => false;
    public bool KeepsLabels => true;
    public int Label(long i) => store.Label(i);
    // The fingerprint's low half is the hash's (FingerprintSet.Of), which picks the slot.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchSlot(in TState state, uint hash) => store.Prefetch(hash);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchCandidate(in TState state, uint hash) { }
    public void PrefetchKey(in TState state, uint hash) { }
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Add(in TState state, uint hash, int parent, int label) => store.Add(in state, parent, label);
    public void Expanded(long index) => store.Expanded(index);
}
