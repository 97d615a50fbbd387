namespace Pilab.Checker;

/// <summary>
/// How many states a search may store: the tighter of <see cref="ExplorationOptions.MaxStates"/>
/// and <see cref="ExplorationOptions.MaxMemoryBytes"/> over the engine's bytes per state (never
/// beyond an int, the width of parent links), and the message that names it when it is reached.
/// </summary>
internal readonly struct StateBound
{
    private readonly long _maxStates;
    private readonly long _maxMemoryBytes;

    public StateBound(ExplorationOptions options, int bytesPerState)
    {
        _maxStates = Math.Min(options.MaxStates, int.MaxValue - 1);
        _maxMemoryBytes = options.MaxMemoryBytes;
        States = Math.Min(_maxStates, Math.Max(1, options.MaxMemoryBytes / bytesPerState));
    }

    public long States { get; }

    /// <summary>Which bound stopped the search: the state bound when it is the tighter one.</summary>
    public string Message => States >= _maxStates
        ? $"stopped at the state bound --max-states {_maxStates}"
        : $"stopped at the memory bound --max-memory {_maxMemoryBytes / (1 << 20)} MiB ({States} states)";
}
