using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model;

/// <summary>The result of checking one variant in one configuration, with its trace.</summary>
public sealed record CheckResult(
    Variant Variant,
    Configuration Configuration,
    ExplorationResult<PiState> Exploration,
    Trace? Trace)
{
    public Verdict Verdict => Exploration.Verdict;
}

/// <summary>The model's entry point: builds the transition system and runs the engine on it.</summary>
public static class ModelChecker
{
    public static CheckResult Check(Variant variant, Configuration configuration, ExplorationOptions? options = null)
    {
        var system = new PiSystem(variant, configuration);
        var result = BreadthFirstExplorer.ExploreReduced<PiState, PiSystem>(system, options);
        var trace = result.Trace.IsDefaultOrEmpty ? null : Narrator.Narrate(system, result.Initial, result.Trace);
        return new(variant, configuration, result, trace);
    }
}
