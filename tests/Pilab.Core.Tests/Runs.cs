using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>What the engine tests assert of a search's output, whichever engine or reduction made it.</summary>
internal static class Runs
{
    /// <summary>Every step of the reported trace is a real transition of the full system, and it ends in a dead end that is not a proper one.</summary>
    public static void AssertRealRun(Variant variant, Configuration config, CheckResult r) =>
        AssertRealRun(new PiSystem(variant, config), r.ExplorationOf<PiState>());

    public static void AssertRealRun(PiSystem system, ExplorationResult<PiState> r)
    {
        var buffer = new Successor<PiState>[system.MaxSuccessors];
        var s = system.Initial;
        foreach (var step in r.Trace)
        {
            int n = system.Successors(s, buffer);
            Assert.Contains(new Successor<PiState>(step.State, step.Label), buffer[..n]);
            s = step.State;
        }
        Assert.NotEqual(TerminalKind.Ok, system.Classify(s));
        Assert.Equal(0, system.Successors(s, buffer));
    }

    /// <summary>States as a set of their two words, for comparing terminal states regardless of order.</summary>
    public static HashSet<(ulong, ulong)> Set(IEnumerable<PiState> states) => [.. states.Select(s => (s.Lo, s.Hi))];
}
