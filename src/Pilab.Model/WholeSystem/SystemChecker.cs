using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model.WholeSystem;

/// <summary>The whole-system model's entry point: builds the transition system and runs the engine on it,
/// with the reductions the options ask for (<see cref="ReducedSystem"/>).</summary>
public static class SystemChecker
{
    public static CheckResult Check(Variant variant, Configuration configuration, ExplorationOptions? options = null)
    {
        var system = new WholeSystemModel(variant, configuration);
        var result = BreadthFirstExplorer.ExploreReduced<SystemState, ReducedSystem>(new ReducedSystem(system), options);
        var trace = result.Trace.IsDefaultOrEmpty ? null : SystemNarrator.Narrate(system, result.Initial, result.Trace);
        return new(variant, configuration, result, trace);
    }
}
