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
    }


    // One shard per 128 bytes (two cache lines, against the adjacent-line prefetcher): every add
    // writes its shard's lock and count, and shards sharing a line would make the workers' caches
    // fight over it although they touch different shards.
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 128)]
    private struct Shard
    {
        public ulong[] Table;
        public int Used;
        public int Lock;
    }

    public ConcurrentVisitedSet(long bound)
    {
        _bound = bound;
        for (int i = 0; i < _shards.Length; i++) _shards[i].Table = new ulong[1 << 12];
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

    /// <summary>Adds the state if new: 1 if added, 0 if already there, -1 if the bound is reached.</summary>
    public int Add(in TState state, int parent, int label, ref Block block)
    {
        ulong h = StateHash.Of(in state);
        // The word keeps the hash's low 32 bits, which also pick the slot: growing rehashes from the
        // words alone, without reading (cache-missing) the states under the shard's lock. The shard
        // comes from the top bits, which the word does not need.
        uint tag = (uint)h;
        ref Shard shard = ref _shards[h >> (64 - ShardBits)];

        // Lock-free probe. Volatile.Read of the table and of each word pairs with the Volatile.Write
        // that published them, so the state an index points to is already written. A table replaced
        // by growth meanwhile is still a correct (older) picture: a hit in it is a real hit, a miss
        // falls through to the locked probe.
        var table = Volatile.Read(ref shard.Table);
        int mask = table.Length - 1;
        int slot = (int)tag & mask;
        while (true)
        {
            ulong e = Volatile.Read(ref table[slot]);
            if (e == 0) break;
            if ((uint)(e >> 32) == tag && State((long)(uint)e - 1).Equals(state)) return 0;
            slot = (slot + 1) & mask;
        }

        // A worker about to reserve a new block makes sure the chunk it will land in exists before
        // taking the lock: allocating (and zeroing, and faulting in) 24 MiB of chunk arrays under a
        // shard's lock would stall every worker that hashes to that shard.
        if (block.Next == block.End) PrepareChunk(Volatile.Read(ref _reserved.Value));

        var spin = new SpinWait();
        // Interlocked.CompareExchange acquires the shard (full fence); the Volatile.Write below releases it.
        while (Interlocked.CompareExchange(ref shard.Lock, 1, 0) != 0) spin.SpinOnce(-1);
        try
        {
            table = shard.Table;
            mask = table.Length - 1;
            slot = (int)tag & mask;
            while (true)
            {
                ulong e = table[slot];
                if (e == 0) break;
                if ((uint)(e >> 32) == tag && State((long)(uint)e - 1).Equals(state)) return 0;
                slot = (slot + 1) & mask;
            }
            if (block.Next == block.End)
            {
                long start = Interlocked.Add(ref _reserved.Value, BlockSize) - BlockSize;
                if (start + BlockSize > _bound) return -1;
                block.Next = start;
                block.End = start + BlockSize;
            }
            long index = block.Next++;
            block.Added++;
            int c = (int)(index >> Shift);
            int o = (int)(index & Mask);
            EnsureChunk(c)[o] = state;
            _parents[c]![o] = parent;
            _labels[c]![o] = label;
            // Release: the state is written before the word that points to it becomes visible.
            Volatile.Write(ref table[slot], ((ulong)tag << 32) | (ulong)(index + 1));
            if (++shard.Used * 2 > table.Length) Grow(ref shard);
            return 1;
        }
        finally
        {
            Volatile.Write(ref shard.Lock, 0);
        }
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

    private void Grow(ref Shard shard)
    {
        var old = shard.Table;
        var table = new ulong[old.Length * 2];
        int mask = table.Length - 1;
        foreach (ulong e in old)
        {
            if (e == 0) continue;
            int slot = (int)(uint)(e >> 32) & mask;
            while (table[slot] != 0) slot = (slot + 1) & mask;
            table[slot] = e;
        }
        // Release: lock-free readers see a fully built table.
        Volatile.Write(ref shard.Table, table);
    }
}
