namespace Pilab.Checker;

/// <summary>
/// The bounds of a search: how many states it may store (<see cref="ExplorationOptions.MaxStates"/>,
/// never beyond an int, the width of parent links), how many bytes its large allocations may hold
/// (<see cref="ExplorationOptions.MaxMemoryBytes"/>: tables, state chunks, parent links, mailboxes,
/// keys, ranks, frontiers, each counted before it is allocated), and the messages that name them.
/// </summary>
internal readonly struct StateBound
{
    private readonly long _maxStates;

    public StateBound(ExplorationOptions options)
    {
        _maxStates = Math.Min(options.MaxStates, int.MaxValue - 1);
        Bytes = options.MaxMemoryBytes;
    }

    public long States => _maxStates;

    public long Bytes { get; }

    public string StateMessage => $"stopped at the state bound --max-states {_maxStates}";

    /// <summary>The search held <paramref name="held"/> bytes, and its next allocation would have taken it past the bound.</summary>
    public string MemoryMessage(long held, long states) =>
        $"stopped at the memory bound --max-memory {Bytes / (1 << 20)} MiB: the search held {held / (1 << 20)} MiB with {states:N0} states, and growing would pass the bound";
}
