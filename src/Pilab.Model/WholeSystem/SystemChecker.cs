using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model.WholeSystem;

/// <summary>The result of checking one whole-system variant in one configuration, with its trace.</summary>
public sealed record SystemCheckResult(
    SystemVariant Variant,
    SystemConfiguration Configuration,
    ExplorationResult<SystemState> Exploration,
    Trace? Trace)
{
    public Verdict Verdict => Exploration.Verdict;
}

/// <summary>The whole-system model's entry point: builds the transition system and runs the engine on it.</summary>
public static class SystemChecker
{
    public static SystemCheckResult Check(SystemVariant variant, SystemConfiguration configuration, ExplorationOptions? options = null)
    {
        var system = new WholeSystemModel(variant, configuration);
        var result = BreadthFirstExplorer.Explore<SystemState, WholeSystemModel>(system, options);
        var trace = result.Trace.IsDefaultOrEmpty ? null : SystemNarrator.Narrate(system, result.Initial, result.Trace);
        return new(variant, configuration, result, trace);
    }

    /// <summary>
    /// The rows of <c>pilab check</c>'s whole-system table (each under SC and TSO): every whole-system
    /// built-in in a configuration that exercises it. The 2019 races are checked with an IOMMU poster
    /// only, as SPEC.md tells their stories (a CPU injector adds the race found in kvm-2019 itself, the
    /// last row, which would otherwise be the shortest run of all three).
    /// </summary>
    public static IReadOnlyList<(SystemVariant Variant, SystemConfiguration Configuration)> TableRows(MemoryModel memory) =>
    [
        (SystemBuiltins.Kvm2021, Standard(memory)),
        (SystemBuiltins.Kvm2019, Standard(memory) with { Injectors = 0 }),
        (SystemBuiltins.SnNoRecompute, new(Injectors: 0, Iommu: 1, Preemptions: 1, Memory: memory)),
        (SystemBuiltins.NdstBlockedMigration, Standard(memory) with { Injectors = 0 }),
        (SystemBuiltins.HaltWithoutWakeupVector, new(Injectors: 0, Iommu: 1, Halts: 1, Memory: memory)),
        (SystemBuiltins.Kvm2019, Standard(memory)),
        (SystemBuiltins.Kvm2021, Standard(memory) with { Iommu = 0 }),
    ];

    /// <summary>
    /// The configuration <c>pilab check</c> uses for the whole-system table: one CPU injector and one
    /// IOMMU poster, one HLT, one preemption and one migration (SPEC.md section 7; the "must show").
    /// </summary>
    public static SystemConfiguration Standard(MemoryModel memory) =>
        new(Injectors: 1, Iommu: 1, Posts: 1, Halts: 1, Preemptions: 1, Migrations: 1, Memory: memory);
}
