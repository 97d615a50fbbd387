using BenchmarkDotNet.Attributes;
using Pilab.Checker;
using Pilab.Model;

namespace Pilab.Bench;

/// <summary>Per-state costs, each over the same 100,000 states: successor generation (all enabled
/// steps, and a stubborn set), the canonical form, the two hashes, and inserting into a fresh
/// visited set. Divide by 100,000 for the cost of one state.</summary>
[MemoryDiagnoser]
public class HotPathBench
{
    private const int Count = 100_000;
    private PiState[] _states = [];
    private PiSystem _system;
    private readonly Successor<PiState>[] _buffer = new Successor<PiState>[16];

    [GlobalSetup]
    public void Setup()
    {
        _system = Sample.System();
        _states = Sample.States(Count);
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int Successors()
    {
        int total = 0;
        foreach (var s in _states) total += _system.Successors(s, _buffer);
        return total;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int StubbornSuccessors()
    {
        int total = 0;
        foreach (var s in _states) total += _system.StubbornSuccessors(s, _buffer);
        return total;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public ulong HashSplitMix()
    {
        ulong x = 0;
        foreach (var s in _states) x ^= StateHash.SplitMix(s);
        return x;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public ulong HashXxHash3()
    {
        ulong x = 0;
        foreach (var s in _states) x ^= StateHash.Of(s);
        return x;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public long VisitedSetInsert()
    {
        var visited = new VisitedSet<PiState>();
        for (int i = 0; i < _states.Length; i++) visited.Add(_states[i], i - 1, 0);
        return visited.Count;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public long VisitedSetLookup()
    {
        long found = 0;
        foreach (var s in _states) found += _lookup.Add(s, 0, 0) < 0 ? 1 : 0;
        return found;
    }

    private VisitedSet<PiState> _lookup = new();

    [GlobalSetup(Target = nameof(VisitedSetLookup))]
    public void SetupLookup()
    {
        Setup();
        _lookup = new VisitedSet<PiState>();
        foreach (var s in _states) _lookup.Add(s, 0, 0);
    }
}
