namespace Pilab.Checker;

/// <summary>A system with no symmetry and no stubborn sets: the full state graph. A struct, so the
/// engine's generic code specialises for it and the hooks cost nothing.</summary>
internal readonly struct Unreduced<TState, TSystem>(TSystem system) : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
    where TState : unmanaged, IEquatable<TState>
    where TSystem : ITransitionSystem<TState>
{
    public TState Initial => system.Initial;
    public int MaxSuccessors => system.MaxSuccessors;
    public int Successors(in TState state, Span<Successor<TState>> into) => system.Successors(in state, into);
    public TerminalKind Classify(in TState terminal) => system.Classify(in terminal);
    public bool HasSymmetry => false;
    public TState Canonicalize(in TState state) => state;
    public int StubbornSuccessors(in TState state, Span<Successor<TState>> into) => system.Successors(in state, into);
}
