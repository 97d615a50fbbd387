using System.Runtime.CompilerServices;

namespace Pilab.Checker;

/// <summary>
/// The visited set shared by the parallel workers: the same layout as <see cref="VisitedSet{TState}"/>
/// (states in discovery order with parent index and label, and a table of (32 hash bits, index)
/// words), with the table split into shards by the hash's top bits. A lookup first probes without a
/// lock; only a state not found takes its shard's lock, probes again and appends. A worker appends
/// into a block of indices it reserved (one shared atomic add per <see cref="BlockSize"/> states,
/// not per state); the unused tail of its block at the end of a level is a hole
/// (<see cref="CloseBlock"/>), which the explorer skips.
/// </summary>
internal sealed class ConcurrentVisitedSet<TState> where TState : unmanaged, IEquatable<TState>
{
    private const int Shift = 20;
    private const int ChunkSize = 1 << Shift;
    private const int Mask = ChunkSize - 1;
    private const int MaxChunks = (int.MaxValue >> Shift) + 1;
    private const int ShardBits = 8;

    private readonly TState[]?[] _states = new TState[MaxChunks][];
    private readonly int[]?[] _parents = new int[MaxChunks][];
    private readonly int[]?[] _labels = new int[MaxChunks][];
    private readonly Shard[] _shards = new Shard[1 << ShardBits];
    private long _bound;
    private readonly PaddedCounter _reserved = new(); // indices handed out in blocks: alone on its cache line
    public const int BlockSize = 4096; // divides the chunk size, so a block never straddles two chunks

    /// <summary>A worker's block of reserved indices and how many states it added.</summary>
    public struct Block
    {
        public long Next, End, Added;
        public int[]? ShardAdds; // this worker's adds per shard: the load estimate that triggers growth
    }


    // One shard per 128 bytes (two cache lines, against the adjacent-line prefetcher): every add
    // writes its shard's lock and count, and shards sharing a line would make the workers' caches
    // fight over it although they touch different shards.
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 128)]
    private struct Shard
    {
        public ulong[] Table;
        public ulong[]? Frozen; // the table a growth is copying, else null
        public int Lock;
    }

    private readonly int _workers;

    public ConcurrentVisitedSet(long bound, int workers)
    {
        _bound = bound;
        _workers = workers;
        for (int i = 0; i < _shards.Length; i++) _shards[i].Table = NewTable(1 << 12);
    }

    /// <summary>The end of the indices handed out, holes included; read between levels (the level
    /// barrier publishes every worker's writes).</summary>
    public long End => Volatile.Read(ref _reserved.Value);

    /// <summary>Between levels: retires a worker's block; returns the unused rest of it, a hole in
    /// the index range (empty if the block was full or never reserved).</summary>
    public (long Start, long End) CloseBlock(ref Block block)
    {
        var hole = (block.Next, block.End);
        block.Next = block.End = 0;
        return hole;
    }

    /// <summary>Between levels: the end of the indices that may be handed out (holes included).</summary>
    public void SetIndexLimit(long limit) => _bound = Math.Min(limit, int.MaxValue - 1);

    public static int BytesPerState => VisitedSet<TState>.BytesPerState;

    /// <summary>The bytes held now, between levels: the indices handed out with their links, and the shards' tables.</summary>
    public long Bytes
    {
        get
        {
            long table = 0;
            foreach (var s in _shards) table += s.Table.Length;
            return End * (Unsafe.SizeOf<TState>() + 8) + table * sizeof(ulong);
        }
    }

    public ref TState State(long i) => ref _states[i >> Shift]![i & Mask];
    public int Parent(long i) => _parents[i >> Shift]![i & Mask];
    public int Label(long i) => _labels[i >> Shift]![i & Mask];

    /// <summary>
    /// Adds the state if new: 1 if added, 0 if already there, -1 if the bound is reached. No lock:
    /// the state goes to the worker's next reserved index first, then the word pointing to it is
    /// compare-and-swapped into an empty slot (the release that publishes the state). A failed swap
    /// means another worker filled that slot meanwhile: probe on from there (it may be this very
    /// state, then it is a duplicate and the index stays free for the next one).
    /// </summary>
    public int Add(in TState state, int parent, int label, ref Block block)
    {
        ulong h = StateHash.Of(in state);
        // The word keeps the hash's low 32 bits, which also pick the slot: growing rehashes from the
        // words alone, without reading (cache-missing) the states. The shard comes from the top bits.
        uint tag = (uint)h;
        int si = (int)(h >> (64 - ShardBits));
        ref Shard shard = ref _shards[si];
        long mine = -1;
        while (true)
        {
            // Volatile.Read of the table and of each word pairs with the swap that published them, so
            // the state an index points to is already written. A table replaced by growth meanwhile
            // still holds every word it had: a hit in it is a real hit.
            var table = Volatile.Read(ref shard.Table);
            int mask = table.Length - 1;
            int slot = (int)tag & mask;
            while (true)
            {
                ulong e = Volatile.Read(ref table[slot]);
                if (e == 0)
                {
                    if (mine < 0)
                    {
                        if (block.Next == block.End && !Reserve(ref block)) return -1;
                        mine = block.Next;
                        int c = (int)(mine >> Shift);
                        int o = (int)(mine & Mask);
                        EnsureChunk(c)[o] = state;
                        _parents[c]![o] = parent;
                        _labels[c]![o] = label;
                    }
                    e = Interlocked.CompareExchange(ref table[slot], ((ulong)tag << 32) | (ulong)(mine + 1), 0);
                    if (e == 0) break;
                }
                long index = (long)(uint)e - 1;
                if ((uint)(e >> 32) == tag && State(index).Equals(state))
                    // Our own word, copied into a grown table before we saw the growth (below).
                    return index == mine ? Commit(ref block, si, table) : 0;
                slot = (slot + 1) & mask;
            }
            // Swapped in. Unless a growth has begun copying this table (it marks the shard before
            // reading the slots, and the swap and the mark are both full fences, so one of the two
            // sides sees the other) or has replaced it, the word is in the live table.
            if (Volatile.Read(ref shard.Frozen) != table && Volatile.Read(ref shard.Table) == table)
                return Commit(ref block, si, table);
            // Else wait for the new table and look again: it holds our word if the copy saw it.
            var spin = new SpinWait();
            while (Volatile.Read(ref shard.Table) == table) spin.SpinOnce(-1);
        }
    }

    /// <summary>A new block of indices for the worker; false past the bound.</summary>
    private bool Reserve(ref Block block)
    {
        long start = Interlocked.Add(ref _reserved.Value, BlockSize) - BlockSize;
        if (start + BlockSize > _bound) return false;
        block.Next = start;
        block.End = start + BlockSize;
        block.ShardAdds ??= new int[1 << ShardBits];
        // The chunk the next block will land in, made now rather than when a state is due there.
        PrepareChunk(start + BlockSize);
        return true;
    }

    /// <summary>
    /// The state at the worker's reserved index is in the set. The shard's load is estimated from
    /// this worker's own adds to it, times the workers: with hashes spread evenly that is the count,
    /// and the worker that added most always overestimates it, so no table fills past half; no shared
    /// counter is written per state.
    /// </summary>
    private int Commit(ref Block block, int si, ulong[] table)
    {
        block.Next++;
        block.Added++;
        if ((long)++block.ShardAdds![si] * _workers * 2 > table.Length) Grow(ref _shards[si], table);
        return 1;
    }

    private void PrepareChunk(long index)
    {
        if (index >= _bound) return;
        int c = (int)(index >> Shift);
        if (c < MaxChunks && _states[c] is null) NewChunk(c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TState[] EnsureChunk(int c) => _states[c] ?? NewChunk(c);

    /// <summary>The first index in a chunk allocates it; two shards may race for it, so the arrays
    /// are installed by compare-and-swap and a loser adopts the winner's.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private TState[] NewChunk(int c)
    {
        Interlocked.CompareExchange(ref _parents[c], new int[ChunkSize], null);
        Interlocked.CompareExchange(ref _labels[c], new int[ChunkSize], null);
        Interlocked.CompareExchange(ref _states[c], new TState[ChunkSize], null);
        return _states[c]!;
    }

    /// <summary>
    /// A zeroed table whose pages are already written. Fresh memory from the OS is mapped on first
    /// touch; a first touch that reads (a probe, or the copy's test for an empty slot) maps the
    /// shared zero page, and the write that follows replaces it, which must flush that page from the
    /// TLB of every CPU running a worker: an inter-processor interrupt per page (perf showed
    /// ptep_clear_flush under page faults taking 8% of a two-worker run). Writing the zeros first
    /// faults each page once, with no flush.
    /// </summary>
    private static ulong[] NewTable(int length)
    {
        var table = GC.AllocateUninitializedArray<ulong>(length);
        table.AsSpan().Clear();
        return table;
    }

    /// <summary>Doubles a shard's table. Growers take the shard's lock (the adds do not); the mark
    /// tells an add that swapped its word into the old table during the copy to look again.</summary>
    private static void Grow(ref Shard shard, ulong[] old)
    {
        if (Interlocked.CompareExchange(ref shard.Lock, 1, 0) != 0) return; // another worker grows it
        try
        {
            if (shard.Table != old || old.Length >= 1 << 30) return;
            Interlocked.Exchange(ref shard.Frozen, old);
            var table = NewTable(old.Length * 2);
            int mask = table.Length - 1;
            for (int i = 0; i < old.Length; i++)
            {
                ulong e = Volatile.Read(ref old[i]);
                if (e == 0) continue;
                int slot = (int)(uint)(e >> 32) & mask;
                while (table[slot] != 0) slot = (slot + 1) & mask;
                table[slot] = e;
            }
            // Release: lock-free readers see a fully built table; then the mark goes.
            Volatile.Write(ref shard.Table, table);
            Volatile.Write(ref shard.Frozen, null);
        }
        finally
        {
            Volatile.Write(ref shard.Lock, 0);
        }
    }
}
