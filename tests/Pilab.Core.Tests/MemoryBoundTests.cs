using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>
/// --max-memory counts the search's large allocations and stops before one would pass it: a small
/// bound stops a large search cleanly, with the figures so far and a message naming the bound, on one
/// and two workers, with either store and with hash compaction; where it stops depends on the sizes only, so a second
/// run stops at the same count. The default bound is positive and at most the memory available.
/// </summary>
public class MemoryBoundTests
{
    private static readonly Configuration Large = new(Injectors: 2, Posts: 4, Memory: MemoryModel.TSO);

    [Theory]
    [InlineData(1, false, StateStore.Plain)]
    [InlineData(2, false, StateStore.Plain)]
    [InlineData(1, true, StateStore.Plain)]
    [InlineData(2, true, StateStore.Plain)]
    [InlineData(1, false, StateStore.Compact)]
    [InlineData(2, false, StateStore.Compact)]
    public void SmallBound_StopsWithTheFiguresSoFar_AtTheSameCountEachRun(int workers, bool hashCompaction, StateStore store)
    {
        var options = ExplorationOptions.Unreduced with { MaxMemoryBytes = 24L << 20, Workers = workers, HashCompaction = hashCompaction, Store = store };
        var first = ModelChecker.Check(Builtins.Fixed, Large, options);
        var again = ModelChecker.Check(Builtins.Fixed, Large, options);
        Assert.Equal(Verdict.BoundReached, first.Verdict);
        Assert.StartsWith("stopped at the memory bound --max-memory 24 MiB", first.Exploration.BoundMessage);
        Assert.True(first.Exploration.States > 1000, $"{first.Exploration.States} states");
        Assert.Equal(first.Exploration.States, again.Exploration.States);
        Assert.Equal(first.Exploration.Transitions, again.Exploration.Transitions);
    }

    [Fact]
    public void DefaultBound_IsPositive_AndAtMostTheMemoryAvailable()
    {
        long bound = ExplorationOptions.DefaultMaxMemory();
        Assert.True(bound > 0);
        // Available memory moves with the machine's load: compared with a reading taken just after,
        // with slack for what others took in between.
        Assert.True(bound <= ExplorationOptions.AvailableMemory() + (256L << 20), $"{bound} > {ExplorationOptions.AvailableMemory()}");
    }
}
