using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>
/// Exact state and transition counts of small configurations, without reductions. Any change to
/// the model's semantics or to what a state holds changes them; a change to how states are stored
/// or explored must not.
/// </summary>
public sealed class StateCountTests
{
    [Theory]
    [InlineData("prepatch", MemoryModel.SC, 1, 187, 302)]
    [InlineData("prepatch", MemoryModel.TSO, 2, 14_221, 36_776)]
    [InlineData("fixed", MemoryModel.SC, 1, 117, 171)]
    [InlineData("fixed", MemoryModel.SC, 2, 3_085, 6_308)]
    [InlineData("fixed", MemoryModel.TSO, 1, 155, 238)]
    [InlineData("fixed", MemoryModel.TSO, 2, 4_571, 10_027)]
    [InlineData("fixed-nomb", MemoryModel.SC, 1, 104, 152)]
    public void SafeVariant_ExploresExactly(string name, MemoryModel mm, int k, long states, long transitions)
    {
        var r = ModelChecker.Check(Builtins.Find(name)!, new Configuration(Injectors: k, Memory: mm));
        Assert.Equal(Verdict.Safe, r.Verdict);
        Assert.Equal(states, r.Exploration.States);
        Assert.Equal(transitions, r.Exploration.Transitions);
    }

    [Fact]
    public void Fixed_OneInjectorSc_HasExactlyOneTerminalState()
    {
        // With one post and no guest exits every run ends the same way: the guest runs, v1 delivered.
        var r = ModelChecker.Check(Builtins.Fixed, new Configuration());
        Assert.Equal(1, r.Exploration.Terminals);
    }

    [Fact]
    public void ExhaustingAfterViolation_CountsTheWholeStateSpace()
    {
        var first = ModelChecker.Check(Builtins.PatchV1, new Configuration());
        var all = ModelChecker.Check(Builtins.PatchV1, new Configuration(), new ExplorationOptions { ExhaustAfterViolation = true });
        Assert.Equal(Verdict.Violation, all.Verdict);
        Assert.True(all.Exploration.States > first.Exploration.States);
        Assert.Equal(first.Trace!.Steps.Length, all.Trace!.Steps.Length);
    }

    [Fact]
    public void StateBound_StopsWithFiguresSoFar()
    {
        var r = ModelChecker.Check(Builtins.Fixed, new Configuration(Injectors: 2), new ExplorationOptions { MaxStates = 500 });
        Assert.Equal(Verdict.BoundReached, r.Verdict);
        Assert.Equal(500, r.Exploration.States);
        Assert.Contains("--max-states 500", r.Exploration.BoundMessage);
    }

    [Fact]
    public void MemoryBound_StopsBeforeOutgrowingIt()
    {
        var r = ModelChecker.Check(Builtins.Fixed, new Configuration(Injectors: 2), new ExplorationOptions { MaxMemoryBytes = 16 * 1024 });
        Assert.Equal(Verdict.BoundReached, r.Verdict);
        Assert.Contains("memory bound", r.Exploration.BoundMessage);
    }
}
