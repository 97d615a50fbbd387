using System.Runtime.CompilerServices;

namespace Pilab.Checker;

/// <summary>
/// Chains (<see cref="ExplorationOptions.Chains"/>): on top of the stubborn sets, a state whose stubborn
/// set has exactly one enabled transition is passed through, not stored. Each successor of a stored state
/// is followed along its chain, the run of one-successor states that starts at it, to the chain's end: the
/// first state with no successor (a dead end) or with two or more in the reduced graph. Only chain ends
/// are offered to the engine, so the visited set holds the initial state, the branching states and the
/// dead ends; a chain state reached from several stored states is walked once from each (it costs time,
/// not memory). This is what SPIN's statement merging does to a model's text, done on the reduced graph
/// while it is built, and the "state caching" idea of storing only where a search can branch.
///
/// Why every dead end is still reached: take any run of the reduced graph from a stored state. Its states
/// with one successor each lie on the chain of the stored state (or chain end) before them, and the
/// first state after that chain with zero or several successors is the chain's end, which is stored and
/// expanded in turn; a dead end has no successor, so it is a chain end itself and is classified. So the
/// dead ends stored are exactly those of the reduced graph, which are those of the full graph (up to
/// symmetry). A walk that runs into a cycle of one-successor states stops once round it (<see cref="EndOfChain"/>)
/// and at the latest after <see cref="MaxChain"/> steps: the state reached there is stored, so the search ends.
///
/// What chains do not keep is the breadth-first order by steps: a chain of k steps counts as one level,
/// so the first dead end found need not have the shortest run. <see cref="BreadthFirstExplorer.ExploreReduced"/>
/// therefore searches again without chains when a dead end other than a proper one is found, and
/// reports that search, whose run is a shortest one; the chained search's own run, with its chains
/// walked again (<see cref="ExpandRun"/>), is a real run, reported only when the second search stops at a
/// bound. The depth of a chained search counts levels of stored states.
/// </summary>
internal readonly struct Chained<TState, TSystem>(TSystem system) : ISymmetricSystem<TState>, IPartialOrderSystem<TState>, IExpandsRun<TState>, IWorkerScratch
    where TState : unmanaged, IEquatable<TState>
    where TSystem : ISymmetricSystem<TState>, IPartialOrderSystem<TState>
{
    /// <summary>The longest chain walked before its state is stored anyway (cuts cycles of one-successor states).</summary>
    public const int MaxChain = 1024;

    public TState Initial => system.Initial;
    public int MaxSuccessors => system.MaxSuccessors;
    public int Successors(in TState state, Span<Successor<TState>> into) => system.Successors(in state, into);
    public TerminalKind Classify(in TState terminal) => system.Classify(in terminal);
    public bool HasSymmetry => system.HasSymmetry;
    public TState Canonicalize(in TState state) => system.Canonicalize(in state);

    /// <summary>The inner model's per-worker tables and this one's look-ahead buffer.</summary>
    public long ScratchBytesPerWorker => (system is IWorkerScratch inner ? inner.ScratchBytesPerWorker : 0)
        + (long)system.MaxSuccessors * Unsafe.SizeOf<Successor<TState>>();

    /// <summary>Each worker thread's buffer for looking one state ahead along a chain.</summary>
    [ThreadStatic] private static Successor<TState>[]? t_ahead;

    /// <summary>The stubborn successors of the state, each replaced by the end of its chain (same label: the chain's first step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int StubbornSuccessors(in TState state, Span<Successor<TState>> into)
    {
        int n = system.StubbornSuccessors(in state, into);
        if (n == 0) return 0;
        var ahead = t_ahead;
        if (ahead is null || ahead.Length < system.MaxSuccessors) t_ahead = ahead = new Successor<TState>[system.MaxSuccessors];
        for (int i = 0; i < n; i++) into[i] = new(EndOfChain(into[i].State, ahead, null), into[i].Label);
        return n;
    }

    /// <summary>
    /// The end of the chain that starts at <paramref name="t"/>: the first state with no stubborn successor or with
    /// several; or, where the chain runs into a cycle of one-successor states, the first state of the walk met a second
    /// time at a checkpoint (Brent's cycle detection: the checkpoint moves to the current state after 1, 2, 4, ...
    /// steps, so a cycle is seen within twice the walk's tail and cycle); at the latest the state <see cref="MaxChain"/>
    /// steps on. Each step is added to <paramref name="steps"/> if given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TState EndOfChain(TState t, Successor<TState>[] ahead, List<TraceStep<TState>>? steps)
    {
        TState mark = t;
        int power = 1, since = 0;
        for (int k = 0; k < MaxChain && system.StubbornSuccessors(in t, ahead) == 1; k++)
        {
            t = ahead[0].State;
            steps?.Add(new(ahead[0].Label, t));
            if (t.Equals(mark)) break; // round a cycle: t is stored, and the search goes on from there
            if (++since == power)
            {
                mark = t;
                power <<= 1;
                since = 0;
            }
        }
        return t;
    }

    /// <summary>
    /// The stored run with its chains walked again: from each stored state (an orbit's representative under
    /// symmetry, as the search expanded it), the stubborn successor whose chain ends in the next stored state,
    /// and every step of that chain. Under symmetry each state is given as its representative, which is what
    /// <see cref="BreadthFirstExplorer.Concretise"/> matches a real run against.
    /// </summary>
    public List<TraceStep<TState>> ExpandRun(TState storedInitial, bool sym, List<TraceStep<TState>> stored)
    {
        var run = new List<TraceStep<TState>>(stored.Count * 4);
        var first = new Successor<TState>[system.MaxSuccessors];
        var ahead = new Successor<TState>[system.MaxSuccessors];
        var walk = new List<TraceStep<TState>>();
        TState current = storedInitial;
        foreach (var step in stored)
        {
            int n = system.StubbornSuccessors(in current, first);
            bool found = false;
            for (int i = 0; i < n && !found; i++)
            {
                walk.Clear();
                walk.Add(new(first[i].Label, first[i].State));
                TState end = EndOfChain(first[i].State, ahead, walk);
                found = (sym ? system.Canonicalize(in end) : end).Equals(step.State);
            }
            if (!found) throw new InvalidOperationException("rebuilding the run: no chain of a stored state ends in the next stored state");
            foreach (var w in walk) run.Add(sym ? new(w.Label, system.Canonicalize(w.State)) : w);
            current = step.State;
        }
        return run;
    }
}

/// <summary>A system whose stored runs skip states, and which can put them back (<see cref="Chained{TState, TSystem}"/>).</summary>
internal interface IExpandsRun<TState> where TState : unmanaged
{
    List<TraceStep<TState>> ExpandRun(TState storedInitial, bool sym, List<TraceStep<TState>> stored);
}
