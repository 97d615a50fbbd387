using CsCheck;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

using static Pilab.Core.Tests.Runs;

namespace Pilab.Core.Tests;

/// <summary>
/// Hash compaction gives the exact search's verdicts, state counts, transitions, dead ends and
/// shortest-run lengths on every built-in. It could differ only if two reachable states shared a
/// 64-bit fingerprint; at these sizes (at most a few hundred thousand states) the chance is below
/// n(n-1)/2^65, about 10^-8, so an inequality here is a bug, not bad luck.
/// </summary>
public sealed class HashCompactionTests
{
    public static TheoryData<string, MemoryModel, int, int, int, bool> Builtins_Configurations() =>
        ReductionTests.Builtins_Configurations();

    [Theory]
    [MemberData(nameof(Builtins_Configurations))]
    public void HashCompaction_MatchesTheExactSearch_OnBuiltins(string name, MemoryModel mm, int k, int n, int e, bool same)
    {
        var variant = Builtins.Find(name)!;
        var config = new Configuration(k, n, e, same, mm);
        foreach (var reduced in new[] { false, true })
        {
            var options = (reduced ? ExplorationOptions.Reduced : ExplorationOptions.Unreduced) with { RecordTerminals = true, ExhaustAfterViolation = true };
            var exact = ModelChecker.Check(variant, config, options);
            var compact = ModelChecker.Check(variant, config, options with { HashCompaction = true });
            Assert.True(compact.Exploration.HashCompaction);
            Assert.Equal(exact.Verdict, compact.Verdict);
            Assert.Equal(exact.Exploration.States, compact.Exploration.States);
            Assert.Equal(exact.Exploration.Transitions, compact.Exploration.Transitions);
            Assert.Equal(exact.Exploration.Terminals, compact.Exploration.Terminals);
            Assert.Equal(exact.Exploration.MaxDepth, compact.Exploration.MaxDepth);
            Assert.Equal(Set(exact.ExplorationOf<PiState>().TerminalStates), Set(compact.ExplorationOf<PiState>().TerminalStates));
            Assert.Equal(FingerprintSet.OmissionBound(compact.Exploration.States), compact.Exploration.OmissionProbability);
            Assert.True(compact.Exploration.OmissionProbability < 1e-6);

            // Stopping at the first violation: the rebuilt trace is a real run of the shortest length.
            var first = ModelChecker.Check(variant, config, options with { ExhaustAfterViolation = false });
            var firstCompact = ModelChecker.Check(variant, config, options with { ExhaustAfterViolation = false, HashCompaction = true });
            Assert.Equal(first.Verdict, firstCompact.Verdict);
            Assert.Equal(first.Trace?.Steps.Length, firstCompact.Trace?.Steps.Length);
            if (firstCompact.Trace is not null) AssertRealRun(variant, config, firstCompact);
        }
    }

    [Fact]
    public void HashCompaction_StoresFewerBytesPerState()
    {
        var config = new Configuration(2, 2, 1, Memory: MemoryModel.TSO);
        var exact = ModelChecker.Check(Builtins.PrePatch, config, ExplorationOptions.Unreduced);
        var compact = ModelChecker.Check(Builtins.PrePatch, config, ExplorationOptions.Unreduced with { HashCompaction = true });
        Assert.Equal(exact.Exploration.States, compact.Exploration.States);
        Assert.True(compact.Exploration.BytesPerState < exact.Exploration.BytesPerState,
            $"{compact.Exploration.BytesPerState:F1} bytes/state with hash compaction, {exact.Exploration.BytesPerState:F1} exact");
    }

    [Fact]
    public void StateBound_StopsCleanly_WithHashCompaction()
    {
        var r = ModelChecker.Check(Builtins.Fixed, new Configuration(2, 2, 1, Memory: MemoryModel.TSO),
            ExplorationOptions.Unreduced with { MaxStates = 5000, HashCompaction = true });
        Assert.Equal(Verdict.BoundReached, r.Verdict);
        Assert.Equal(5000, r.Exploration.States);
        Assert.StartsWith("stopped at the state bound", r.Exploration.BoundMessage);
    }

    [Fact]
    public void OmissionBound_IsTheBirthdayBound()
    {
        Assert.Equal(0, FingerprintSet.OmissionBound(1));
        Assert.Equal(2.0 / Math.Pow(2, 65), FingerprintSet.OmissionBound(2));
        // 10^7 states: about 2.7e-6; 2^33 states make a collision likely: the bound saturates at 1.
        Assert.InRange(FingerprintSet.OmissionBound(10_000_000), 2.7e-6, 2.72e-6);
        Assert.Equal(1.0, FingerprintSet.OmissionBound(1L << 33));
    }

    [Fact]
    public void FingerprintSet_AddsEachFingerprintOnce() =>
        Gen.ULong.Array[0, 5000].Sample(values =>
        {
            var set = new FingerprintSet();
            int added = 0;
            foreach (ulong v in values) if (set.Add(v == 0 ? 1 : v)) added++;
            var distinct = values.Select(v => v == 0 ? 1 : v).Distinct().ToArray();
            Assert.Equal(distinct.Length, added);
            Assert.Equal(distinct.Length, set.Count);
            Assert.All(distinct, v => Assert.True(set.Contains(v)));
        }, iter: 100);
}
