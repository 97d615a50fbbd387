using System.Collections.Immutable;

namespace Pilab.Checker;

public enum Verdict : byte
{
    /// <summary>Every reachable dead end satisfies the property.</summary>
    Safe,
    /// <summary>A reachable dead end violates the property; the trace is a shortest run to it.</summary>
    Violation,
    /// <summary>No violation, but a dead end that is not a proper end is reachable.</summary>
    Stuck,
    /// <summary>The state or memory bound stopped the search first; no verdict.</summary>
    BoundReached,
}

/// <summary>One step of a counterexample: the label taken and the state it led to.</summary>
public readonly record struct TraceStep<TState>(int Label, TState State) where TState : unmanaged;

public sealed record ExplorationResult<TState>(
    Verdict Verdict,
    long States,
    long Transitions,
    long Terminals,
    int MaxDepth,
    TimeSpan Elapsed,
    TState Initial,
    ImmutableArray<TraceStep<TState>> Trace,
    string? BoundMessage) where TState : unmanaged
{
    public double StatesPerSecond => Elapsed.TotalSeconds > 0 ? States / Elapsed.TotalSeconds : 0;
}

public sealed record ExplorationOptions
{
    /// <summary>Stop after this many distinct states (the result is BoundReached).</summary>
    public long MaxStates { get; init; } = int.MaxValue - 1;

    /// <summary>Stop before the visited set outgrows this many bytes.</summary>
    public long MaxMemoryBytes { get; init; } = DefaultMaxMemory();

    /// <summary>Keep exploring after a violation (to count the whole state space).</summary>
    public bool ExhaustAfterViolation { get; init; }

    /// <summary>Most of the machine: three quarters of the memory the GC may use.</summary>
    public static long DefaultMaxMemory() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;
}
