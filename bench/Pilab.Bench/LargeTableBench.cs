using BenchmarkDotNet.Attributes;
using Pilab.Checker;
using Pilab.Model;

namespace Pilab.Bench;

/// <summary>
/// Why the engine prefetches: inserting already-stored states (as most successors are) into a
/// visited set far larger than the caches (8 million states: a 128 MB table, 128 MB of states), one
/// after the other, against the same inserts with each table line requested 32 inserts ahead and
/// each candidate state 16 ahead, as the engine's insert phase does. Per insert. The states are
/// arbitrary 128-bit values: only the memory traffic matters here.
/// </summary>
[MemoryDiagnoser]
public class LargeTableBench
{
    private const int Stored = 8 << 20;
    private const int Looked = 1 << 20;
    private const int Lookahead = 32;
    private VisitedSet<PiState> _set = new();
    private PiState[] _probes = [];
    private ulong[] _hashes = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _set = new VisitedSet<PiState>();
        var stored = new PiState[Stored];
        for (int i = 0; i < Stored; i++)
        {
            stored[i] = new PiState((ulong)random.NextInt64(), (ulong)random.NextInt64());
            _set.Add(stored[i], -1, 0);
        }
        // Stored states (most successors are duplicates), so the set does not change between runs.
        _probes = new PiState[Looked];
        for (int i = 0; i < Looked; i++) _probes[i] = stored[random.Next(Stored)];
        _hashes = [.. _probes.Select(p => StateHash.Of(in p))];
    }

    /// <summary>Each lookup waits for its own cache misses.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Looked)]
    public long OneAtATime()
    {
        long found = 0;
        for (int i = 0; i < Looked; i++) found += _set.Add(in _probes[i], _hashes[i], 0, 0) < 0 ? 1 : 0;
        return found;
    }

    /// <summary>The misses of the next lookups overlap with this one.</summary>
    [Benchmark(OperationsPerInvoke = Looked)]
    public long Prefetched()
    {
        long found = 0;
        for (int i = 0; i < Looked; i++)
        {
            if (i + Lookahead < Looked) _set.PrefetchSlot(_hashes[i + Lookahead]);
            if (i + Lookahead / 2 < Looked) _set.PrefetchCandidate(_hashes[i + Lookahead / 2]);
            found += _set.Add(in _probes[i], _hashes[i], 0, 0) < 0 ? 1 : 0;
        }
        return found;
    }
}
