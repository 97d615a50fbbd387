using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>
/// The engine against a textbook breadth-first search (a queue and a hash set, nothing batched,
/// partitioned or prefetched): with one worker it must store the same states in the same order,
/// stop at the same state, and return the very same shortest run; with two or three, the same
/// states, and a run of the same length.
/// </summary>
public sealed class EngineTests
{
    public static TheoryData<string, MemoryModel, int> Cases()
    {
        var data = new TheoryData<string, MemoryModel, int>();
        foreach (var v in Builtins.EntryDesigns)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
                foreach (int k in new[] { 1, 2 })
                    data.Add(v.Name, mm, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void OneWorker_IsTheTextbookSearch_StateForState(string name, MemoryModel mm, int k)
    {
        var system = new PiSystem(Builtins.Find(name)!, new Configuration(k, 2, 1, Memory: mm));
        var reference = Textbook(system);
        var r = BreadthFirstExplorer.Explore<PiState, PiSystem>(system, ExplorationOptions.Unreduced with { Workers = 1 });
        Assert.Equal(reference.States, r.States);
        Assert.Equal(reference.Transitions, r.Transitions);
        Assert.Equal(reference.Violation is null ? Verdict.Safe : Verdict.Violation, r.Verdict);
        Assert.Equal(reference.Violation ?? [], r.Trace.Select(t => (t.Label, t.State)).ToList());

        var full = Textbook(system, exhaust: true);
        foreach (int workers in new[] { 2, 3 })
        {
            var several = BreadthFirstExplorer.Explore<PiState, PiSystem>(system, ExplorationOptions.Unreduced with { Workers = workers, ExhaustAfterViolation = true });
            Assert.Equal(full.States, several.States);
            Assert.Equal(full.Transitions, several.Transitions);
            var first = BreadthFirstExplorer.Explore<PiState, PiSystem>(system, ExplorationOptions.Unreduced with { Workers = workers });
            Assert.Equal(reference.Violation?.Count ?? 0, first.Trace.Length);
        }
    }

    /// <summary>With several workers nothing depends on timing: the same count at the stop and the
    /// same run, every time (checked over repeated runs of losing variants, where the stop falls
    /// inside a level).</summary>
    [Theory]
    [InlineData("patch-v1", 2)]
    [InlineData("irq-late", 3)]
    [InlineData("fixed-nomb", 2)]
    public void SeveralWorkers_GiveTheSameAnswerEveryRun(string name, int workers)
    {
        var system = new PiSystem(Builtins.Find(name)!, new Configuration(3, 1, 1, Memory: MemoryModel.TSO));
        var options = ExplorationOptions.Reduced with { Workers = workers };
        var first = BreadthFirstExplorer.ExploreReduced<PiState, PiSystem>(system, options);
        Assert.Equal(Verdict.Violation, first.Verdict);
        for (int i = 0; i < 5; i++)
        {
            var again = BreadthFirstExplorer.ExploreReduced<PiState, PiSystem>(system, options);
            Assert.Equal(first.States, again.States);
            Assert.Equal(first.Transitions, again.Transitions);
            Assert.Equal(first.Trace, again.Trace);
        }
    }

    /// <summary>A counter modulo 100 000 whose successor function fails at one state: the failure
    /// reaches the caller, whichever worker met it, and no worker is left waiting at a barrier.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AModelThatThrows_ThrowsToTheCaller_OnAnyNumberOfWorkers(int workers)
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            BreadthFirstExplorer.Explore<long, Failing>(new Failing(), new ExplorationOptions { Workers = workers }));
        Assert.Equal("state 54321", e.Message);
    }

    /// <summary>A ring of states 0..99 999 with a chord, failing when asked for the successors of 54 321.</summary>
    private readonly struct Failing : ITransitionSystem<long>
    {
        public long Initial => 0;
        public int MaxSuccessors => 2;
        public int Successors(in long state, Span<Successor<long>> into)
        {
            if (state == 54_321) throw new InvalidOperationException("state 54321");
            into[0] = new((state + 1) % 100_000, 0);
            into[1] = new((state * 7 + 3) % 100_000, 1);
            return 2;
        }
        public TerminalKind Classify(in long terminal) => TerminalKind.Ok;
    }

    /// <summary>Expands states in queue order; each new successor is stored with its parent. Stops
    /// at the first violating dead end unless told to go on.</summary>
    private static (long States, long Transitions, List<(int Label, PiState State)>? Violation) Textbook(PiSystem system, bool exhaust = false)
    {
        var queue = new List<(PiState State, int Parent, int Label)> { (system.Initial, -1, -1) };
        var seen = new HashSet<PiState> { system.Initial };
        var buffer = new Successor<PiState>[system.MaxSuccessors];
        long transitions = 0;
        for (int head = 0; head < queue.Count; head++)
        {
            int n = system.Successors(queue[head].State, buffer);
            transitions += n;
            if (n == 0 && system.Classify(queue[head].State) == TerminalKind.Violation && !exhaust)
            {
                var run = new List<(int, PiState)>();
                for (int i = head; queue[i].Parent >= 0; i = queue[i].Parent) run.Add((queue[i].Label, queue[i].State));
                run.Reverse();
                return (queue.Count, transitions, run);
            }
            for (int i = 0; i < n; i++)
                if (seen.Add(buffer[i].State)) queue.Add((buffer[i].State, head, buffer[i].Label));
        }
        return (queue.Count, transitions, null);
    }
}
