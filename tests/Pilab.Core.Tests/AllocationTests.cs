using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>The work done per state (successors, stubborn set, canonical form, hash and probe of the
/// visited set) allocates nothing; only the visited set's storage grows, in large chunks.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData(MemoryModel.SC)]
    [InlineData(MemoryModel.TSO)]
    public void ExpandingAndLookingUpStates_AllocatesNothing(MemoryModel mm)
    {
        var system = new PiSystem(Builtins.Fixed, new Configuration(Injectors: 2, Posts: 2, Exits: 1, SameVector: true, Memory: mm));
        var visited = new VisitedSet<PiState>();
        var buffer = new Successor<PiState>[system.MaxSuccessors];
        visited.Add(system.Initial, -1, -1);
        for (long i = 0; i < visited.Count; i++)
        {
            int n = system.Successors(visited.State(i), buffer);
            for (int j = 0; j < n; j++) visited.Add(buffer[j].State, (int)i, buffer[j].Label);
        }
        Assert.True(visited.Count > 10_000);

        // Second pass over the whole graph: every successor is already stored.
        long before = GC.GetAllocatedBytesForCurrentThread();
        long added = 0;
        for (long i = 0; i < visited.Count; i++)
        {
            var s = visited.State(i);
            int n = system.Successors(s, buffer);
            for (int j = 0; j < n; j++) if (visited.Add(buffer[j].State, (int)i, buffer[j].Label) >= 0) added++;
            n = system.StubbornSuccessors(s, buffer);
            for (int j = 0; j < n; j++) if (visited.Add(system.Canonicalize(buffer[j].State), (int)i, buffer[j].Label) >= 0) added++;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // The initial state is symmetric, so the reachable states are closed under permuting the
        // injectors: canonical forms were stored by the first pass too.
        Assert.Equal(0, added);
        Assert.Equal(0, allocated);
    }

    /// <summary>The whole system (docs/whole-system.md): its successors, stubborn sets, chains (each stubborn
    /// successor followed to its chain's end) and orbit representatives allocate nothing, under SC and TSO, with halts, preemptions, migrations and IOMMU posters.</summary>
    [Theory]
    [InlineData(MemoryModel.SC)]
    [InlineData(MemoryModel.TSO)]
    public void TheWholeSystem_ExpandsAndLooksUpStates_AllocatingNothing(MemoryModel mm)
    {
        var config = new Configuration(Injectors: 2, Iommu: 2, Exits: 1, SameVector: true, Halts: 1, Preemptions: 1, Migrations: 1, Memory: mm);
        var system = new ReducedSystem(new WholeSystemModel(Builtins.Kvm2021, config));
        Assert.True(system.HasSymmetry);
        var visited = new VisitedSet<SystemState>();
        var buffer = new Successor<SystemState>[system.MaxSuccessors];
        visited.Add(system.Initial, -1, -1);
        for (long i = 0; i < visited.Count && visited.Count < 200_000; i++)
        {
            int n = system.Successors(visited.State(i), buffer);
            for (int j = 0; j < n; j++) visited.Add(buffer[j].State, (int)i, buffer[j].Label);
        }
        Assert.True(visited.Count > 10_000);

        // A first pass over the states for what the runtime creates once, on first use (the sort helper
        // the orbit representative's Span.Sort takes); then every state again, measured.
        Expand(system, visited, buffer, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Expand(system, visited, buffer, out long transitions, out ulong mix);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(transitions > visited.Count);
        Assert.NotEqual(0UL, mix);
        Assert.Equal(0, allocated);
    }

    private static void Expand(ReducedSystem system, VisitedSet<SystemState> visited, Successor<SystemState>[] buffer, out long transitions, out ulong mix)
    {
        transitions = 0;
        mix = 0;
        for (long i = 0; i < visited.Count; i++)
        {
            var s = visited.State(i);
            int n = system.Successors(s, buffer);
            transitions += n;
            for (int j = 0; j < n; j++) mix ^= StateHash.Of(buffer[j].State) + (ulong)j;
            n = system.StubbornSuccessors(s, buffer);
            for (int j = 0; j < n; j++) mix ^= StateHash.Of(system.Canonicalize(buffer[j].State));
            if (n == 0) _ = system.Classify(s);
            n = new Chained<SystemState, ReducedSystem>(system).StubbornSuccessors(s, buffer);
            for (int j = 0; j < n; j++) mix ^= StateHash.Of(buffer[j].State) * 3;
        }
    }

    [Fact]
    public void TheCompactStore_LooksUpStates_AllocatingNothing()
    {
        var system = new PiSystem(Builtins.Fixed, new Configuration(Injectors: 2, Posts: 2, Exits: 1, SameVector: true, Memory: MemoryModel.TSO));
        var store = new TreeStore<PiState>();
        var buffer = new Successor<PiState>[system.MaxSuccessors];
        store.Add(system.Initial, (uint)StateHash.Of(system.Initial), -1);
        for (long i = 0; i < store.Count; i++)
        {
            int n = system.Successors(store.State(i), buffer);
            for (int j = 0; j < n; j++) store.Add(buffer[j].State, (uint)StateHash.Of(buffer[j].State), (int)i);
        }
        Assert.True(store.Count > 10_000);

        long before = GC.GetAllocatedBytesForCurrentThread();
        long added = 0;
        for (long i = 0; i < store.Count; i++)
        {
            var s = store.State(i);
            int n = system.Successors(s, buffer);
            for (int j = 0; j < n; j++)
            {
                uint hash = (uint)StateHash.Of(buffer[j].State);
                store.PrefetchHalves(buffer[j].State);
                store.PrefetchRoot(buffer[j].State, hash);
                store.PrefetchPair(buffer[j].State, hash);
                if (store.Add(buffer[j].State, hash, (int)i) >= 0) added++;
            }
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, added);
        Assert.Equal(0, allocated);
    }
}
