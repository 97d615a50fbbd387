using Pilab.Protocol;

namespace Pilab.Live;

/// <summary>What a live run does (the CLI's options; the tests set it directly).</summary>
public sealed record LiveOptions(Variant Variant)
{
    /// <summary>The first vector injectors post: 0x20, the first one not reserved for exceptions (SDM 6.2).</summary>
    public const int FirstVector = 0x20;

    /// <summary>Wall-clock limit in seconds; null for none (then <see cref="MaxPosts"/> must bound the run).</summary>
    public double? Seconds { get; init; } = 10;
    public int Injectors { get; init; } = 1;
    /// <summary>Posts per second per injector; 0 posts as fast as it can.</summary>
    public double Rate { get; init; }
    /// <summary>VM exits per second of guest time the guest causes itself; 0 is a tickless guest that never exits on its own.</summary>
    public double ExitRate { get; init; } = 1000;
    public bool Chaos { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>Stop after this many posts in all (shared among the injectors); 0 for no bound.</summary>
    public long MaxPosts { get; init; }
    /// <summary>How many vectors each injector cycles through (injector i posts 0x20 + i*n ... 0x20 + i*n + n - 1).</summary>
    public int VectorsPerInjector { get; init; } = 1;
    /// <summary>How long a strand must last before the watchdog reports it.</summary>
    public double StallMilliseconds { get; init; } = 0.1;
    /// <summary>After a report, the watchdog forces a VM exit (RESCHED, as an unrelated host interrupt would) so that a tickless guest goes on.</summary>
    public bool Rescue { get; init; } = true;
    /// <summary>
    /// The aligned mode: rounds in which P0's entry and one post of each injector start together
    /// (<see cref="AlignedRound"/>); <see cref="MaxPosts"/> then bounds the rounds (one post per injector each).
    /// </summary>
    public bool Aligned { get; init; }
    /// <summary>Aligned mode: each round, P0 or the first injector (at random), and each further injector (at random,
    /// on its own draw), waits 0 to this many iterations of a delay loop (a multiply-add chain, about a nanosecond
    /// each) after the round opens, to sweep the offsets between them.</summary>
    public int Jitter { get; init; }
    public const int MaxJitter = 1_000_000;
    /// <summary>Aligned mode: at most this many injectors (the prediction's check of fixed with 4 takes seconds, 1.75M states under TSO).</summary>
    public const int MaxAlignedInjectors = 4;
    /// <summary>Pin P0 and the injectors to distinct CPUs (Linux; see <see cref="CorePinning"/>).</summary>
    public bool Pin { get; init; } = true;
    /// <summary>How long the end-of-run grace period may take to reach a terminal state.</summary>
    public double GraceSeconds { get; init; } = 5;

    /// <summary>The ranges <see cref="Problem"/> enforces: a period of Stopwatch ticks (and a run's
    /// length) must fit a long, so neither 1e-300 posts per second nor an infinite --stall-ms is a run.</summary>
    public const double MaxSeconds = 604800, MinRate = 0.001, MaxRate = 1e9, MinStallMilliseconds = 0.001, MaxStallMilliseconds = 3_600_000;

    /// <summary>Null when the options make sense, else what is wrong (for the command line).</summary>
    public string? Problem() =>
        Seconds is { } s && !(s > 0 && s <= MaxSeconds) ? $"--seconds must be more than 0 and at most {MaxSeconds} (a week), not {s}"
        : Seconds is null && MaxPosts <= 0 ? "a run needs --seconds or --posts"
        : Injectors is < 1 or > 64 ? $"--injectors must be 1 to 64, not {Injectors}"
        : !(Rate == 0 || Rate is >= MinRate and <= MaxRate) ? $"--rate must be 0 (as fast as possible) or {MinRate} to {MaxRate:0e0} posts per second, not {Rate}"
        : !(ExitRate == 0 || ExitRate is >= MinRate and <= MaxRate) ? $"--exit-rate must be 0 (tickless) or {MinRate} to {MaxRate:0e0} exits per second, not {ExitRate}"
        : MaxPosts < 0 ? $"--posts must be 0 (no bound) or positive, not {MaxPosts}"
        : VectorsPerInjector < 1 || FirstVector + (long)Injectors * VectorsPerInjector > PirWords.Vectors
            ? $"--injectors x --vectors must fit in vectors 0x20-0xff (224), not {Injectors} x {VectorsPerInjector}"
        : Aligned && Injectors > MaxAlignedInjectors ? $"--aligned runs 1 to {MaxAlignedInjectors} injectors (the checker's prediction beside the rounds checks as many), not {Injectors}"
        : Aligned && Rate != 0 ? "--aligned paces itself (one post per round): --rate does not apply"
        : Aligned && ExitRate != 0 ? "--aligned rounds end at the settled guest: the guest makes no exits of its own, so --exit-rate does not apply"
        : Aligned && Chaos ? "--aligned sweeps the offset with --jitter: --chaos does not apply"
        : !Aligned && Jitter != 0 ? "--jitter needs --aligned"
        : Jitter is < 0 or > MaxJitter ? $"--jitter must be 0 to {MaxJitter}, not {Jitter}"
        : !(StallMilliseconds is >= MinStallMilliseconds and <= MaxStallMilliseconds) ? $"--stall-ms must be {MinStallMilliseconds} to {MaxStallMilliseconds} (an hour), not {StallMilliseconds}"
        : null;
}
