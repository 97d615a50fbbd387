using BenchmarkDotNet.Attributes;
using Pilab.Checker;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Bench;

/// <summary>
/// The whole system's per-state costs, each over the same 100,000 states (the first of a breadth-first
/// search of <c>kvm-2021 --mm tso -k 1 --iommu 2 -e 1 --halts 1 --preemptions 1 --migrations 1</c>, the
/// largest whole-system row of bench/vs-spin.sh): successor generation (all enabled steps, as the full
/// graph explores them), a stubborn set, the visited set's hash of each successor, and inserting the
/// states into a fresh visited set. Divide by 100,000 for one state. <see cref="Check"/> is a whole
/// full-graph search on one worker of the smaller TSO row (158,150 states).
/// </summary>
[MemoryDiagnoser]
public class WholeSystemBench
{
    private const int Count = 100_000;
    private SystemState[] _states = [];
    private ReducedSystem _system;
    private readonly Successor<SystemState>[] _buffer = new Successor<SystemState>[32];

    public static readonly Configuration Largest = new(Injectors: 1, Iommu: 2, Exits: 1, Halts: 1, Preemptions: 1, Migrations: 1, Memory: MemoryModel.TSO);
    public static readonly Configuration Smaller = Largest with { Iommu = 1 };

    [GlobalSetup]
    public void Setup()
    {
        _system = new ReducedSystem(new WholeSystemModel(Builtins.Kvm2021, Largest));
        _states = Sample.States<SystemState, ReducedSystem>(_system, Count);
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

    /// <summary>What the engine's expand phase does per state besides the model: every successor hashed.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public ulong SuccessorsHashed()
    {
        ulong x = 0;
        foreach (var s in _states)
        {
            int n = _system.Successors(s, _buffer);
            for (int i = 0; i < n; i++) x ^= StateHash.Of(_buffer[i].State);
        }
        return x;
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public long VisitedSetInsert()
    {
        var visited = new VisitedSet<SystemState>();
        for (int i = 0; i < _states.Length; i++) visited.Add(_states[i], i - 1, 0);
        return visited.Count;
    }

    [Benchmark]
    public long Check() =>
        SystemChecker.Check(Builtins.Kvm2021, Smaller, ExplorationOptions.Unreduced).Exploration.States;
}
