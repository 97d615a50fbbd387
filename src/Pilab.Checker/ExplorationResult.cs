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

    /// <summary>Whether only chain ends were stored (<see cref="ExplorationOptions.Chains"/>): then <see cref="States"/>
    /// counts the initial state, the branching states and the dead ends, <see cref="Transitions"/> the steps from one
    /// stored state to the end of a chain, and <see cref="MaxDepth"/> levels of stored states.</summary>
    public bool Chains { get; init; }

    /// <summary>Whether the visited set kept 64-bit fingerprints instead of states (<see cref="ExplorationOptions.HashCompaction"/>).</summary>
    public bool HashCompaction { get; init; }

    /// <summary>Successors posted by one worker to another (the state's owner by hash): what would cross
    /// the network if the workers were machines. 0 on one worker.</summary>
    public long RemoteMessages { get; init; }

    /// <summary>The bytes of one such message: the state, the low half of its hash, its parent's number,
    /// the step's label and its place in the queue order.</summary>
    public int MessageBytes { get; init; }

    /// <summary>The exact store the search kept (<see cref="ExplorationOptions.Store"/>); null with hash compaction.</summary>
    public StateStore? Store { get; init; }

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

    /// <summary>Stop before the search's large allocations (tables, states, links, mailboxes, keys,
    /// ranks, frontiers) would outgrow this many bytes, less <see cref="BaselineBytes"/>.
    /// Defaults to <see cref="DefaultMaxMemory"/> as it was when the process first asked.</summary>
    public long MaxMemoryBytes { get; init; } = ProcessDefaultMaxMemory.Value;

    private static readonly Lazy<long> ProcessDefaultMaxMemory = new(DefaultMaxMemory);

    /// <summary>What the process holds besides the search (the runtime, measured by the caller): taken
    /// off <see cref="MaxMemoryBytes"/>, so that the bound is on the process's resident memory, as the
    /// command line has it. 0 by default: the bound is then on the search's large allocations alone.</summary>
    public long BaselineBytes { get; init; }

    /// <summary>Keep exploring after a violation (to count the whole state space).</summary>
    public bool ExhaustAfterViolation { get; init; }

    /// <summary>Explore only stubborn sets where the model offers them (<see cref="IPartialOrderSystem{TState}"/>).
    /// Keeps verdicts, every dead end and shortest-run lengths; changes the state count. Off by
    /// default here, so state counts quoted from the library are those of the full graph (the
    /// command line turns it on unless --no-por).</summary>
    public bool PartialOrder { get; init; }

    /// <summary>With <see cref="PartialOrder"/>, store only the states where the reduced graph branches or ends: a state
    /// with one stubborn successor is passed through (<see cref="Chained{TState, TSystem}"/>). Keeps verdicts and every
    /// dead end; a run is reported from a second search without chains, so it is still a shortest one. Changes the
    /// state and transition counts and the depth. Off by default here; on at the command line unless --no-chains.</summary>
    public bool Chains { get; init; }

    /// <summary>Store one state per symmetry orbit where the model offers it (<see cref="ISymmetricSystem{TState}"/>).
    /// Keeps verdicts, dead ends up to symmetry and shortest-run lengths; changes the state count.
    /// Off by default here; on at the command line unless --no-symmetry.</summary>
    public bool Symmetry { get; init; }

    /// <summary>Threads exploring, the states partitioned among them by hash; 1 is the plain sequential search.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Store a 64-bit fingerprint per state instead of the state (SPIN's -DHC, TLC's
    /// fingerprints): less memory per state, at the price of a small chance of missing a state, which
    /// the result bounds (<see cref="ExplorationResult{TState}.OmissionProbability"/>). On any number
    /// of <see cref="Workers"/>, as the exact search; <see cref="Store"/> does not apply.</summary>
    public bool HashCompaction { get; init; }

    /// <summary>The exact search's visited set: <see cref="StateStore.Plain"/> (the default, the fastest)
    /// or <see cref="StateStore.Compact"/> (tree compression, less than half the bytes a state). Same
    /// states, verdicts, counts and runs either way.</summary>
    public StateStore Store { get; init; } = StateStore.Plain;

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

    /// <summary>What the runtime itself holds besides a search's large allocations (code, the GC's own
    /// structures, small objects): left out of the default bound.</summary>
    public const long RuntimeBaselineBytes = 64L << 20;

    /// <summary>
    /// Most of what this process may still use: 80 % of the memory available to it (<see
    /// cref="AvailableMemory"/>) less the runtime's baseline; at least 1 MiB, at most what is available.
    /// </summary>
    public static long DefaultMaxMemory()
    {
        long available = AvailableMemory();
        long bound = available / 5 * 4 - RuntimeBaselineBytes;
        return Math.Max(Math.Min(1L << 20, available), Math.Min(bound, available));
    }

    /// <summary>
    /// The memory this process may still take: the least of the kernel's MemAvailable (/proc/meminfo)
    /// and, under a cgroup limit, that limit less what the group uses (v2: memory.max less
    /// memory.current; v1: memory.limit_in_bytes less memory.usage_in_bytes). Where none of those can
    /// be read, what the GC takes for available (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>,
    /// itself a cgroup's limit where there is one) less the heap's size.
    /// </summary>
    public static long AvailableMemory()
    {
        long available = long.MaxValue;
        if (MemInfoAvailable() is long meminfo) available = meminfo;
        if (Difference("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current") is long v2) available = Math.Min(available, v2);
        else if (Difference("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes") is long v1) available = Math.Min(available, v1);
        if (available == long.MaxValue)
        {
            var info = GC.GetGCMemoryInfo();
            available = info.TotalAvailableMemoryBytes - info.HeapSizeBytes;
        }
        return Math.Max(0, available);
    }

    private static long? MemInfoAvailable()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
            {
                if (!line.StartsWith("MemAvailable:", StringComparison.Ordinal)) continue;
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length >= 2 && long.TryParse(parts[1], out long kib) ? kib * 1024 : null;
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return null;
    }

    /// <summary>A cgroup's limit less its usage; null where either is unreadable or there is no limit ("max", or v1's huge number).</summary>
    private static long? Difference(string limitFile, string usageFile)
    {
        try
        {
            if (!File.Exists(limitFile) || !File.Exists(usageFile)) return null;
            string limit = File.ReadAllText(limitFile).Trim();
            if (!long.TryParse(limit, out long max) || max >= 1L << 60) return null;
            if (!long.TryParse(File.ReadAllText(usageFile).Trim(), out long used)) return null;
            return Math.Max(0, max - used);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }
}
