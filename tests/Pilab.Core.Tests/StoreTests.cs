using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

using static Pilab.Core.Tests.Runs;

namespace Pilab.Core.Tests;

/// <summary>
/// The compact store (tree compression) is the plain store's search with less memory: the same
/// verdicts, states, transitions, dead ends, depths and the very same run (labels and states, step for
/// step) on every built-in, reduced and not, on one and two workers; hash compaction on the
/// partitioned engine gives that run too, on any number of workers.
/// </summary>
public sealed class StoreTests
{
    public static TheoryData<string, MemoryModel, int, int, int, bool> Builtins_Configurations() =>
        ReductionTests.Builtins_Configurations();

    [Theory]
    [MemberData(nameof(Builtins_Configurations))]
    public void CompactStore_GivesThePlainStoresSearch_OnBuiltins(string name, MemoryModel mm, int k, int n, int e, bool same)
    {
        var variant = Builtins.Find(name)!;
        var config = new Configuration(k, n, e, same, mm);
        foreach (var reduced in new[] { false, true })
            foreach (int workers in new[] { 1, 2 })
                foreach (bool exhaust in new[] { true, false })
                {
                    var options = (reduced ? ExplorationOptions.Reduced : ExplorationOptions.Unreduced) with { RecordTerminals = true, ExhaustAfterViolation = exhaust, Workers = workers };
                    var plain = ModelChecker.Check(variant, config, options);
                    var compact = ModelChecker.Check(variant, config, options with { Store = StateStore.Compact });
                    Assert.Equal(StateStore.Compact, compact.Exploration.Store);
                    AssertSameSearch(plain, compact);
                    if (compact.Trace is not null) AssertRealRun(variant, config, compact);
                }
    }

    [Theory]
    [InlineData("prepatch", MemoryModel.TSO)]
    [InlineData("fixed", MemoryModel.TSO)]
    [InlineData("irq-late", MemoryModel.SC)]
    public void HashCompaction_GivesTheExactRun_OnEveryWorkerCount(string name, MemoryModel mm)
    {
        var variant = Builtins.Find(name)!;
        var config = new Configuration(2, 2, 1, false, mm);
        foreach (int workers in new[] { 1, 2, 3 })
            foreach (bool exhaust in new[] { true, false })
            {
                var options = ExplorationOptions.Reduced with { RecordTerminals = true, ExhaustAfterViolation = exhaust, Workers = workers };
                var exact = ModelChecker.Check(variant, config, options);
                var hashed = ModelChecker.Check(variant, config, options with { HashCompaction = true });
                Assert.True(hashed.Exploration.HashCompaction);
                Assert.Null(hashed.Exploration.Store);
                Assert.Equal(workers, hashed.Exploration.Workers);
                Assert.Equal(FingerprintSet.OmissionBound(hashed.Exploration.States), hashed.Exploration.OmissionProbability);
                AssertSameSearch(exact, hashed);
            }
    }

    [Fact]
    public void CompactStore_TakesAtMost16BytesAState_LessThanAThirdOfThePlainStores()
    {
        // Everything the search holds at the end: the tables at their real length, the packed pairs
        // and parent links with their open blocks, the mailboxes (11.8 bytes a state here, 42.8 plain).
        var config = new Configuration(2, 4, 0, Memory: MemoryModel.TSO);
        var plain = ModelChecker.Check(Builtins.Fixed, config, ExplorationOptions.Unreduced);
        var compact = ModelChecker.Check(Builtins.Fixed, config, ExplorationOptions.Unreduced with { Store = StateStore.Compact });
        Assert.Equal(plain.Exploration.States, compact.Exploration.States);
        Assert.True(plain.Exploration.States > 500_000, $"{plain.Exploration.States} states");
        Assert.True(compact.Exploration.BytesPerState <= 16 && compact.Exploration.BytesPerState * 3 < plain.Exploration.BytesPerState,
            $"compact {compact.Exploration.BytesPerState:F1} bytes/state, plain {plain.Exploration.BytesPerState:F1}");
    }

    [Fact]
    public void InternTable_NumbersEachKeyOnce_InTheOrderAdded_AcrossRebuilds()
    {
        var t = new InternTable();
        var rng = new Random(15);
        var keys = Enumerable.Range(0, 50_000).Select(_ => (ulong)rng.NextInt64()).Distinct().ToArray();
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i, t.Intern(keys[i], InternTable.Hash(keys[i]), out bool added));
            Assert.True(added);
        }
        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(i, t.Intern(keys[i], InternTable.Hash(keys[i]), out bool added));
            Assert.False(added);
            Assert.Equal(i, t.Find(keys[i], InternTable.Hash(keys[i])));
            Assert.Equal(keys[i], t[i]);
        }
        Assert.Equal(-1, t.Find(0, InternTable.Hash(0)));
        Assert.Equal(keys.Length, t.Count);
    }

    [Fact]
    public void PackedLog_ReadsBackEveryValue_AtEachBlocksWidth()
    {
        // Blocks of constant values (0 bits), small numbers, full 64-bit values, two fields of unequal
        // widths, values far from zero in a narrow stretch, and an open block left unpacked at the end.
        var rng = new Random(16);
        int b = PackedLog.BlockSize;
        var values = new List<ulong>();
        values.AddRange(Enumerable.Repeat(0x1234_5678_9ABC_DEF0UL, b));
        values.AddRange(Enumerable.Range(0, b).Select(i => (ulong)(uint)rng.Next(1000)));
        values.AddRange(Enumerable.Range(0, b).Select(_ => (ulong)rng.NextInt64() ^ (ulong)rng.NextInt64() << 1));
        values.AddRange(Enumerable.Range(0, b).Select(_ => (uint)rng.Next(1 << 20) | (ulong)(uint)rng.Next(1 << 5) << 32));
        values.AddRange(Enumerable.Range(0, b).Select(_ => (ulong)(uint.MaxValue - (uint)rng.Next(300)) | (ulong)(3_000_000_000u + (uint)rng.Next(70_000)) << 32));
        values.Add(ulong.MaxValue);
        values.AddRange(Enumerable.Range(0, b).Select(i => (ulong)(uint)(i * 7)));
        values.AddRange(Enumerable.Range(0, b / 3).Select(_ => (ulong)rng.NextInt64()));
        var log = new PackedLog();
        for (int i = 0; i < values.Count; i++) Assert.Equal(i, log.Append(values[i]));
        Assert.Equal(values.Count, log.Count);
        for (int i = 0; i < values.Count; i++) Assert.True(values[i] == log[i], $"value {i}: {values[i]:X} read as {log[i]:X}");
        Assert.True(log.Bytes < values.Count * 8L, $"{log.Bytes} bytes for {values.Count} values");
    }

    [Fact]
    public void PackedLog_AppendsWithoutAllocating_OnceReserved_WithinTheBytesItCounted()
    {
        var log = new PackedLog(maxWidth: 32);
        long n = 5L * PackedLog.BlockSize + 77;
        long counted = log.BytesFor(n);
        log.Reserve(n);
        Assert.True(log.AllocatedBytes <= counted, $"{log.AllocatedBytes} allocated, {counted} counted");
        var rng = new Random(17);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long i = 0; i < n; i++) log.Append((ulong)rng.NextInt64(uint.MaxValue));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(log.AllocatedBytes <= counted, $"{log.AllocatedBytes} allocated, {counted} counted");
        Assert.Throws<InvalidOperationException>(() =>
        {
            var narrow = new PackedLog(maxWidth: 8);
            for (int i = 0; i < PackedLog.BlockSize; i++) narrow.Append((ulong)i);
        });
    }

    /// <summary>Everything but the time and the bytes: verdict, figures, dead ends, and the run step for step.</summary>
    internal static void AssertSameSearch(CheckResult a, CheckResult b)
    {
        Assert.Equal(a.Verdict, b.Verdict);
        Assert.Equal(a.Exploration.States, b.Exploration.States);
        Assert.Equal(a.Exploration.Transitions, b.Exploration.Transitions);
        Assert.Equal(a.Exploration.Terminals, b.Exploration.Terminals);
        Assert.Equal(a.Exploration.MaxDepth, b.Exploration.MaxDepth);
        var x = a.ExplorationOf<PiState>();
        var y = b.ExplorationOf<PiState>();
        Assert.Equal(Set(x.TerminalStates), Set(y.TerminalStates));
        Assert.Equal(x.Trace.Select(s => (s.Label, s.State.Lo, s.State.Hi)), y.Trace.Select(s => (s.Label, s.State.Lo, s.State.Hi)));
    }
}
