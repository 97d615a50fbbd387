namespace Pilab.Checker;

/// <summary>
/// The bounds of a search: how many states it may store (<see cref="ExplorationOptions.MaxStates"/>,
/// never beyond an int, the width of parent links), how many bytes its large allocations may hold
/// (<see cref="ExplorationOptions.MaxMemoryBytes"/> less <see cref="ExplorationOptions.BaselineBytes"/>: tables, state chunks, parent links, mailboxes,
/// keys, ranks, frontiers, each counted before it is allocated), and the messages that name them.
/// </summary>
internal readonly struct StateBound
{
    private readonly long _maxStates;
    private readonly long _maxMemory, _baseline, _scratch;

    /// <param name="scratch">What the model's own per-worker tables take, all workers together (<see cref="IWorkerScratch"/>).</param>
    public StateBound(ExplorationOptions options, long scratch = 0)
    {
        _maxStates = Math.Min(options.MaxStates, int.MaxValue - 1);
        _maxMemory = options.MaxMemoryBytes;
        _baseline = Math.Max(0, options.BaselineBytes);
        _scratch = Math.Max(0, scratch);
        Bytes = Math.Max(0, _maxMemory - _baseline - _scratch);
    }

    public long States => _maxStates;

    public long Bytes { get; }

    public string StateMessage => $"stopped at the state bound --max-states {_maxStates}";

    /// <summary>
    /// After a large array was replaced (a table doubled; keys, ranks or a frontier grown): the old one
    /// is garbage, which the bound counted only until it is dropped. A blocking collection drops it now,
    /// so that what the process holds is what the bound counts; left to the GC, old tables linger
    /// until its next full collection, and two workers ran up to 13 % over the bound that way. A
    /// search replaces its arrays a few dozen times at most (they double), and the heap is a few large
    /// arrays of plain values, so a collection costs little. Every store the engines use must report the
    /// bytes of each array it replaces through <see cref="Replaced"/> (see <see cref="PartitionedExplorer"/>'s plan).
    /// The collection is the aggressive kind, which also gives the freed pages back to the system: a
    /// forced one kept them, and a replaced table's pages are reused only by later smaller arrays, so
    /// the compact store (whose tables grow by a quarter at a time and whose packed logs take few
    /// chunks) ran 45 % over a 300 MiB bound that way (10 % with this).
    /// </summary>
    public static void Reclaim() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

    /// <summary>An array of this many bytes was replaced: the garbage is dropped (<see cref="Reclaim"/>) once
    /// it comes to 1/32 of the bound (3 %), not for every small array a small search outgrows.</summary>
    public void Replaced(ref long garbage, long bytes)
    {
        garbage += bytes;
        if (garbage == 0 || garbage * 32 < Bytes) return;
        Reclaim();
        garbage = 0;
    }

    /// <summary>The search held <paramref name="held"/> bytes, and its next allocation would have taken it past the bound.</summary>
    public string MemoryMessage(long held, long states) =>
        $"stopped at the memory bound --max-memory {_maxMemory / (1 << 20)} MiB: the search held {held / (1 << 20)} MiB with {states:N0} states"
        + (_baseline > 0 ? $" besides the runtime's {_baseline / (1 << 20)} MiB" : "")
        + (_scratch > 0 ? $" and the model's per-worker tables' {(_scratch + (1 << 20) - 1) / (1 << 20)} MiB" : "") + ", and growing would pass the bound";
}
