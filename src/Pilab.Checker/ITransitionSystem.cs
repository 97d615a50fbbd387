namespace Pilab.Checker;

/// <summary>A successor of a state and the label of the step that reached it.</summary>
public readonly record struct Successor<TState>(TState State, int Label) where TState : unmanaged;

/// <summary>What a state with no enabled step is.</summary>
public enum TerminalKind : byte
{
    /// <summary>A proper end that satisfies the property.</summary>
    Ok,
    /// <summary>A proper end that violates the property.</summary>
    Violation,
    /// <summary>No step is enabled but the system did not reach a proper end (a deadlock).</summary>
    Stuck,
}

/// <summary>
/// What the engine needs of a model: an initial state, the successors of a state written into a
/// caller-owned buffer (so exploring allocates nothing per state), and a verdict on dead ends.
/// Implement it as a struct so the engine's generic code is specialised for it.
/// </summary>
public interface ITransitionSystem<TState> where TState : unmanaged, IEquatable<TState>
{
    TState Initial { get; }

    /// <summary>An upper bound on the successors of any state (the buffer's size).</summary>
    int MaxSuccessors { get; }

    /// <summary>Writes the successors of <paramref name="state"/> into <paramref name="into"/>; returns how many.</summary>
    int Successors(in TState state, Span<Successor<TState>> into);

    TerminalKind Classify(in TState terminal);
}
