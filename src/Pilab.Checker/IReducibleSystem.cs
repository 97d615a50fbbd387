namespace Pilab.Checker;

/// <summary>
/// A model whose state space has symmetries: permutations of its parts (say, interchangeable
/// processes) that map every transition to a transition and every dead end to a dead end of the
/// same <see cref="TerminalKind"/>. The engine stores one representative per orbit (Ip and Dill,
/// "Better verification through symmetry", 1996); a counterexample is re-concretised from the
/// initial state by matching representatives, so traces stay real runs.
/// </summary>
public interface ISymmetricSystem<TState> : ITransitionSystem<TState> where TState : unmanaged, IEquatable<TState>
{
    /// <summary>False when no nontrivial symmetry applies (the engine then skips canonicalising).</summary>
    bool HasSymmetry { get; }

    /// <summary>The representative of the state's orbit: equal for two states iff one is a permutation of the other.</summary>
    TState Canonicalize(in TState state);
}

/// <summary>
/// A model that can name a stubborn set (Valmari, "Stubborn sets for reduced state space
/// generation", 1990) in the deadlock-preserving sense: a set T of transitions, containing one
/// enabled at the state whenever any is, such that
/// (D1) for t in T and any run w of transitions outside T, w·t is possible only if t·w is, and both
/// reach the same state; (D2) some enabled t in T stays enabled along every such w.
/// Exploring only T's successors then reaches every dead end of the full graph, and at the same
/// depth: a shortest run to a dead end, w1·t·w2 with t the first step from T, becomes t·w1·w2 of the
/// same length (the induction in Valmari's proof). No cycle proviso is needed for dead ends.
/// </summary>
public interface IPartialOrderSystem<TState> : ITransitionSystem<TState> where TState : unmanaged, IEquatable<TState>
{
    /// <summary>Writes the successors through the transitions of a stubborn set; returns how many
    /// (0 exactly when the state is a dead end).</summary>
    int StubbornSuccessors(in TState state, Span<Successor<TState>> into);
}

/// <summary>
/// A model that keeps tables of its own on each worker thread (allocated on a thread's first use and kept
/// by it, as a per-worker cache of choices is): the engine counts them against
/// <see cref="ExplorationOptions.MaxMemoryBytes"/> as it counts its own tables, once per worker.
/// </summary>
public interface IWorkerScratch
{
    /// <summary>The bytes one worker thread's tables take.</summary>
    long ScratchBytesPerWorker { get; }
}
