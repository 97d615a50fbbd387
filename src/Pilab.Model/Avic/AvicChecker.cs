using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model.Avic;

/// <summary>The AVIC model's entry point: builds the transition system and runs the engine on it (full graph).</summary>
public static class AvicChecker
{
    public static CheckResult Check(Variant variant, Configuration configuration, ExplorationOptions? options = null)
    {
        var system = new AvicModel(variant, configuration);
        var result = BreadthFirstExplorer.Explore<AvicState, AvicModel>(system, options);
        var trace = result.Trace.IsDefaultOrEmpty ? null : AvicNarrator.Narrate(system, result.Initial, result.Trace);
        return new(variant, configuration, result, trace);
    }
}
