using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Bench;

/// <summary>The states a benchmark works on: the first <paramref name="count"/> states of a
/// breadth-first search of the seed's fixed order under TSO, 3 injectors, 2 posts, 1 guest exit.</summary>
public static class Sample
{
    public static readonly Configuration Configuration = new(Injectors: 3, Posts: 2, Exits: 1, Memory: MemoryModel.TSO);

    public static PiSystem System() => new(Builtins.Fixed, Configuration);

    public static PiState[] States(int count) => States<PiState, PiSystem>(System(), count);

    /// <summary>The first <paramref name="count"/> states of a breadth-first search of any model's full graph.</summary>
    public static TState[] States<TState, TSystem>(TSystem system, int count)
        where TState : unmanaged, IEquatable<TState>
        where TSystem : ITransitionSystem<TState>
    {
        var visited = new VisitedSet<TState>();
        var buffer = new Successor<TState>[system.MaxSuccessors];
        visited.Add(system.Initial, -1, -1);
        for (long i = 0; i < visited.Count && visited.Count < count; i++)
        {
            int n = system.Successors(visited.State(i), buffer);
            for (int j = 0; j < n; j++) visited.Add(buffer[j].State, (int)i, buffer[j].Label);
        }
        var states = new TState[Math.Min(count, visited.Count)];
        for (int i = 0; i < states.Length; i++) states[i] = visited.State(i);
        return states;
    }
}
