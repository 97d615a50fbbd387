using System.Collections.Immutable;

namespace Pilab.Checker;

public enum Verdict : byte
{
    /// <summary>Every reachable dead end satisfies the property.</summary>
    Safe,
    /// <summary>A reachable dead end violates the property; the trace is a shortest run to it.</summary>
    Violation,
    /// <summary>No violation, but a dead end that is not a proper end is reachable.</summary>
    Stuck,
    /// <summary>The state or memory bound stopped the search first; no verdict.</summary>
    BoundReached,
}

/// <summary>The one vocabulary of verdicts in every command's machine-readable output (JSON, CSV).</summary>
public static class Verdicts
{
    public static string Name(Verdict v) => v switch
    {
        Verdict.Safe => "safe",
        Verdict.Violation => "violation",
        Verdict.Stuck => "stuck",
        Verdict.BoundReached => "bound-reached",
        _ => throw new ArgumentOutOfRangeException(nameof(v)),
    };
}

/// <summary>One step of a counterexample: the label taken and the state it led to.</summary>
public readonly record struct TraceStep<TState>(int Label, TState State) where TState : unmanaged;

/// <summary>What a search found, whatever the model's states: the verdict and the figures. The
/// run and the states are on <see cref="ExplorationResult{TState}"/>.</summary>
public abstract record ExplorationResult(
    Verdict Verdict,
    long States,
    long Transitions,
    long Terminals,
    int MaxDepth,
    TimeSpan Elapsed,
    string? BoundMessage)
{
    public double StatesPerSecond => Elapsed.TotalSeconds > 0 ? States / Elapsed.TotalSeconds : 0;

    /// <summary>The length of the run reported (0 when there is none).</summary>
    public abstract int TraceLength { get; }

    /// <summary>Threads that explored.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Whether stubborn sets and symmetry were in force (the model may offer neither).</summary>
    public bool PartialOrder { get; init; }
    public bool Symmetry { get; init; }

    /// <summary>Whether the visited set kept 64-bit fingerprints instead of states (<see cref="ExplorationOptions.HashCompaction"/>).</summary>
    public bool HashCompaction { get; init; }

    /// <summary>With hash compaction, an upper bound on the probability that a state was missed:
    /// n(n-1)/2^65 for n states (<see cref="FingerprintSet.OmissionBound"/>); 0 for the exact search.</summary>
    public double OmissionProbability { get; init; }

    /// <summary>The bytes the visited set (and, with hash compaction, the parent links and the peak
    /// of the two frontiers) held at the end: what a state costs, divided by <see cref="States"/>.</summary>
    public long StoreBytes { get; init; }

    public double BytesPerState => States > 0 ? (double)StoreBytes / States : 0;
}

/// <summary>A search's result with its initial state and the run it reports, as the model's states.</summary>
public sealed record ExplorationResult<TState>(
    Verdict Verdict,
    long States,
    long Transitions,
    long Terminals,
    int MaxDepth,
    TimeSpan Elapsed,
    TState Initial,
    ImmutableArray<TraceStep<TState>> Trace,
    string? BoundMessage) : ExplorationResult(Verdict, States, Transitions, Terminals, MaxDepth, Elapsed, BoundMessage)
    where TState : unmanaged
{
    public override int TraceLength => Trace.IsDefault ? 0 : Trace.Length;

    /// <summary>The dead ends reached (their orbit representatives under symmetry), when
    /// <see cref="ExplorationOptions.RecordTerminals"/> asked for them; else empty.</summary>
    public ImmutableArray<TState> TerminalStates { get; init; } = [];
}

public sealed record ExplorationOptions
{
    /// <summary>Stop after this many distinct states (the result is BoundReached).</summary>
    public long MaxStates { get; init; } = int.MaxValue - 1;

    /// <summary>Stop before the visited set outgrows this many bytes.</summary>
    public long MaxMemoryBytes { get; init; } = DefaultMaxMemory();

    /// <summary>Keep exploring after a violation (to count the whole state space).</summary>
    public bool ExhaustAfterViolation { get; init; }

    /// <summary>Explore only stubborn sets where the model offers them (<see cref="IPartialOrderSystem{TState}"/>).
    /// Keeps verdicts, every dead end and shortest-run lengths; changes the state count. Off by
    /// default here, so state counts quoted from the library are those of the full graph (the
    /// command line turns it on unless --no-por).</summary>
    public bool PartialOrder { get; init; }

    /// <summary>Store one state per symmetry orbit where the model offers it (<see cref="ISymmetricSystem{TState}"/>).
    /// Keeps verdicts, dead ends up to symmetry and shortest-run lengths; changes the state count.
    /// Off by default here; on at the command line unless --no-symmetry.</summary>
    public bool Symmetry { get; init; }

    /// <summary>Threads exploring, the states partitioned among them by hash; 1 is the plain sequential search.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Store a 64-bit fingerprint per state instead of the state (SPIN's -DHC, TLC's
    /// fingerprints): less memory per state, at the price of a small chance of missing a state, which
    /// the result bounds (<see cref="ExplorationResult{TState}.OmissionProbability"/>). One thread:
    /// <see cref="Workers"/> does not apply.</summary>
    public bool HashCompaction { get; init; }

    /// <summary>Collect the dead ends reached (tests compare them with and without reductions).</summary>
    public bool RecordTerminals { get; init; }

    /// <summary>Asks the search to stop (a signal): it is looked at between rounds, never per state, and
    /// the result is then <see cref="Verdict.BoundReached"/> with <see cref="InterruptedMessage"/> and the
    /// figures so far. A search started after the request stops after its first round. Defaults to
    /// <see cref="ProcessStop"/>, so every search of a process that a signal should stop (the command
    /// line sets it once) obeys it, however deep in an analysis its options were made.</summary>
    public CancellationToken Stop { get; init; } = ProcessStop;

    /// <summary>The process's own stop request (SIGINT, SIGTERM), the default of <see cref="Stop"/>; none unless the command line sets it.</summary>
    public static CancellationToken ProcessStop { get; set; }

    /// <summary>Called with the figures so far while the search runs (a progress line): by the
    /// coordinator between rounds, never per state, no sooner than a second after the search began and
    /// then at most twice a second (<see cref="ProgressClock"/>); once more, marked final, when a search
    /// that reported ends. On the searching thread: it should return at once. Defaults to
    /// <see cref="ProcessProgress"/>, as <see cref="Stop"/> does to <see cref="ProcessStop"/>, so every
    /// search of the process reports, however deep in an analysis its options were made.</summary>
    public Action<ExplorationProgress>? Progress { get; init; } = ProcessProgress;

    /// <summary>The process's progress sink, the default of <see cref="Progress"/>; none unless the command line sets it.</summary>
    public static Action<ExplorationProgress>? ProcessProgress { get; set; }

    /// <summary>The bound message of a search stopped by <see cref="Stop"/>.</summary>
    public const string InterruptedMessage = "interrupted: stopped at the end of a round";

    /// <summary>The full state graph, one thread (the defaults): what exact state counts are quoted for.</summary>
    public static ExplorationOptions Unreduced => new();

    /// <summary>Stubborn sets and symmetry, one thread: the command line's default.</summary>
    public static ExplorationOptions Reduced => new() { PartialOrder = true, Symmetry = true };

    /// <summary>Most of the machine: three quarters of the memory the GC may use.</summary>
    public static long DefaultMaxMemory() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4 * 3;
}
