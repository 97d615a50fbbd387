using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>
/// The answer does not depend on the machine: the verdict and the reported run, step by step (label
/// and state), are the same for one, two and three workers, with and without reductions, stopping at
/// the first violation or exhausting the graph. One worker is the textbook queue
/// (<see cref="EngineTests"/>), so every worker count reports the run the sequential search reports.
/// </summary>
public sealed class DeterminismTests
{
    private static readonly int[] WorkerCounts = [1, 2, 3];

    public static TheoryData<string, MemoryModel, int> Builtins_Cases()
    {
        var data = new TheoryData<string, MemoryModel, int>();
        foreach (var v in Builtins.EntryDesigns)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
                foreach (int k in new[] { 1, 2 })
                    data.Add(v.Name, mm, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Builtins_Cases))]
    public void Builtins_ReportTheSameRun_OnAnyNumberOfWorkers(string name, MemoryModel mm, int k)
    {
        var variant = Builtins.Find(name)!;
        foreach (var config in new[] { new Configuration(k, Memory: mm), new Configuration(k, 2, 1, Memory: mm) })
            foreach (var reduced in new[] { false, true })
                foreach (var exhaust in new[] { false, true })
                {
                    var options = (reduced ? ExplorationOptions.Reduced : ExplorationOptions.Unreduced) with { ExhaustAfterViolation = exhaust };
                    var one = ModelChecker.Check(variant, config, options with { Workers = 1 });
                    if (exhaust && one.Verdict != Verdict.Violation) continue; // the search stopping at the first violation was the whole search
                    foreach (int workers in WorkerCounts[1..])
                    {
                        var several = ModelChecker.Check(variant, config, options with { Workers = workers });
                        string what = $"{name} {config} {(reduced ? "reduced" : "unreduced")}{(exhaust ? " exhausted" : "")}, {workers} workers";
                        Assert.True(one.Verdict == several.Verdict, $"{what}: {several.Verdict}, one worker {one.Verdict}");
                        AssertSameRun(one.ExplorationOf<PiState>().Trace, several.ExplorationOf<PiState>().Trace, what);
                    }
                }
    }

    /// <summary>Every whole-system built-in at its own configuration, under SC and TSO.</summary>
    public static TheoryData<string, MemoryModel> System_Cases()
    {
        var data = new TheoryData<string, MemoryModel>();
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            foreach (var v in Builtins.WholeSystemDesigns)
                data.Add(v.Name, mm);
        return data;
    }

    [Theory]
    [MemberData(nameof(System_Cases))]
    public void WholeSystemBuiltins_ReportTheSameRun_OnAnyNumberOfWorkers(string name, MemoryModel mm)
    {
        var variant = Builtins.Find(name)!;
        var config = variant.Check with { Memory = mm };
        foreach (var reduced in new[] { false, true })
        {
            var options = reduced ? ExplorationOptions.Reduced : ExplorationOptions.Unreduced;
            var one = SystemChecker.Check(variant, config, options with { Workers = 1 });
            foreach (int workers in WorkerCounts[1..])
            {
                var several = SystemChecker.Check(variant, config, options with { Workers = workers });
                string what = $"{variant.Name} {config} {(reduced ? "reduced" : "unreduced")}, {workers} workers";
                Assert.True(one.Verdict == several.Verdict, $"{what}: {several.Verdict}, one worker {one.Verdict}");
                AssertSameRun(one.ExplorationOf<SystemState>().Trace, several.ExplorationOf<SystemState>().Trace, what);
            }
        }
    }

    private static void AssertSameRun<TState>(IReadOnlyList<TraceStep<TState>> expected, IReadOnlyList<TraceStep<TState>> actual, string what)
        where TState : unmanaged, IEquatable<TState>
    {
        Assert.True(expected.Count == actual.Count, $"{what}: a run of {actual.Count} steps, one worker {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
            Assert.True(expected[i].Label == actual[i].Label && expected[i].State.Equals(actual[i].State),
                $"{what}: step {i + 1} differs (label {actual[i].Label}, one worker {expected[i].Label})");
    }
}
