using System.Diagnostics;

namespace Pilab.Checker;

/// <summary>A running search's figures, handed to <see cref="ExplorationOptions.Progress"/> between
/// rounds: the level being expanded, the states stored and transitions taken so far, the visited
/// set's bytes against <see cref="ExplorationOptions.MaxMemoryBytes"/>, the workers and the time.
/// <see cref="Final"/> is set on the one call made when a search that reported progress ends.</summary>
public readonly record struct ExplorationProgress(
    int Depth,
    long States,
    long Transitions,
    long StoreBytes,
    long BoundBytes,
    int Workers,
    TimeSpan Elapsed,
    bool Final = false)
{
    public double StatesPerSecond => Elapsed.TotalSeconds > 0 ? States / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// The engine's side of <see cref="ExplorationOptions.Progress"/>: <see cref="Due"/> is asked between
/// rounds (one clock read), and says yes no sooner than <see cref="First"/> after the search began and
/// then at most every <see cref="Every"/>; so a short search reports nothing, and a long one costs a
/// clock read per round.
/// </summary>
internal sealed class ProgressClock
{
    public static readonly TimeSpan First = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(0.5);

    private readonly Action<ExplorationProgress>? _sink;
    private readonly long _start;
    private long _next;
    private bool _reported;

    public ProgressClock(Action<ExplorationProgress>? sink, long start)
    {
        _sink = sink;
        _start = start;
        _next = start + (long)(First.TotalSeconds * Stopwatch.Frequency);
    }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    /// <summary>Whether a report is wanted now.</summary>
    public bool Due => _sink is not null && Stopwatch.GetTimestamp() >= _next;

    public void Report(ExplorationProgress p)
    {
        if (_sink is null) return;
        _sink(p);
        _reported = true;
        _next = Stopwatch.GetTimestamp() + (long)(Every.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The last call, marked <see cref="ExplorationProgress.Final"/>, only when progress was reported (a live line to clear).</summary>
    public void Finish(ExplorationProgress p)
    {
        if (_sink is null || !_reported) return;
        _sink(p with { Final = true });
    }
}
