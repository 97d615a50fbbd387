using Pilab.Checker;
using Pilab.Model.Avic;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Model;

/// <summary>
/// The result of checking one variant, of any design, in one configuration: the verdict and figures
/// of the search, and the shortest run it reports, narrated. Every command reads this one type.
/// </summary>
public sealed record CheckResult(
    Variant Variant,
    Configuration Configuration,
    ExplorationResult Exploration,
    Trace? Trace)
{
    public Verdict Verdict => Exploration.Verdict;

    /// <summary>The model that checked it.</summary>
    public IModel Model => Models.For(Variant);

    /// <summary>The search's result with its states, for the analyses of one model.</summary>
    public ExplorationResult<TState> ExplorationOf<TState>() where TState : unmanaged => (ExplorationResult<TState>)Exploration;

    /// <summary>The length of the shortest run reported, 0 when there is none.</summary>
    public int TraceLength => Exploration.TraceLength;

    /// <summary>The configuration in the words of the output, with the figures its design has.</summary>
    public string ConfigurationText => Configuration.Text(Variant.Design);
}

/// <summary>
/// What each model offers the pipeline: which designs it checks, whether it has reductions and a
/// delivery-cost analysis, and the check itself. <see cref="Models.For"/> is the one place that
/// picks the model for a variant; the configuration's rules per design are <see cref="Configuration.Problem"/>.
/// </summary>
public interface IModel
{
    /// <summary>The model's name in the output ("vCPU entry", "whole system").</summary>
    string Name { get; }

    /// <summary>Whether it offers partial-order reduction and symmetry (else it explores the full graph whatever the options say).</summary>
    bool Reductions { get; }

    CheckResult Check(Variant variant, Configuration configuration, ExplorationOptions? options = null);
}

/// <summary>The models and the one place that picks a model for a variant.</summary>
public static class Models
{
    public static readonly IModel Entry = new EntryModel();
    public static readonly IModel WholeSystem = new WholeSystemModelSeam();
    public static readonly IModel Avic = new AvicModelSeam();

    public static IModel For(Variant variant) => variant.IsAvic ? Avic : variant.WholeSystem ? WholeSystem : Entry;

    /// <summary>The one line a command that cannot serve a variant's design says, naming the design.</summary>
    public static string Refusal(string command, Variant variant, string why) =>
        $"{command} cannot serve {variant.Name}: it is of design {DesignNames.Name(variant.Design)} ({For(variant).Name} model), and {why}";

    /// <summary>Checks a variant of any design with the model its design picks.</summary>
    public static CheckResult Check(Variant variant, Configuration configuration, ExplorationOptions? options = null) =>
        For(variant).Check(variant, configuration, options);

    private sealed class EntryModel : IModel
    {
        public string Name => "vCPU entry";
        public bool Reductions => true;
        public CheckResult Check(Variant variant, Configuration configuration, ExplorationOptions? options) =>
            ModelChecker.Check(variant, configuration, options);
    }

    private sealed class AvicModelSeam : IModel
    {
        public string Name => "AVIC";
        public bool Reductions => false;
        public CheckResult Check(Variant variant, Configuration configuration, ExplorationOptions? options) =>
            AvicChecker.Check(variant, configuration, options);
    }

    private sealed class WholeSystemModelSeam : IModel
    {
        public string Name => "whole system";
        public bool Reductions => true;
        public CheckResult Check(Variant variant, Configuration configuration, ExplorationOptions? options) =>
            SystemChecker.Check(variant, configuration, options);
    }
}

/// <summary>The vCPU-entry model's entry point: builds the transition system and runs the engine on it.</summary>
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
