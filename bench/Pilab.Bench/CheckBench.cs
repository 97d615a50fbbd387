using BenchmarkDotNet.Attributes;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Bench;

/// <summary>A whole check of the seed's fixed order under TSO (2 injectors, 2 posts, 1 guest exit;
/// about 280,000 states in the full graph), without and with reductions, one and two workers.</summary>
[MemoryDiagnoser]
public class CheckBench
{
    private static readonly Configuration Config = new(Injectors: 2, Posts: 2, Exits: 1, Memory: MemoryModel.TSO);

    [Params(false, true)]
    public bool Reductions { get; set; }

    [Params(1, 2)]
    public int Workers { get; set; }

    [Benchmark]
    public long Check()
    {
        var options = (Reductions ? ExplorationOptions.Reduced : ExplorationOptions.Unreduced) with { Workers = Workers };
        return ModelChecker.Check(Builtins.Fixed, Config, options).Exploration.States;
    }
}
