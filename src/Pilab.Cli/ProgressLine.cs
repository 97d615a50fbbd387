using System.CommandLine;
using System.Globalization;
using Pilab.Checker;

namespace Pilab.Cli;

/// <summary>
/// The progress of a search that runs longer than a second, on stderr (stdout, the answer, never
/// changes): on a terminal, one live line rewritten in place and cleared when the search ends; to a
/// pipe or a file, or with --json, a plain line every few seconds, in the spirit of SPIN's
/// <c>Depth= States= Transitions= Memory=</c> lines. --quiet turns it off. The engine calls the sink
/// between rounds and rate-limits it (<see cref="ExplorationOptions.Progress"/>); this only prints.
/// </summary>
internal static class ProgressLine
{
    /// <summary>How often a plain line is printed (the first as soon as the engine reports, after a second).</summary>
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(3);

    private static TimeSpan? _lastPlain; // when the running search's last plain line was printed
    private static int _liveWidth; // the live line's length on the terminal, to clear

    /// <summary>Sets the process's sink for the command's searches, from its --quiet and --json.</summary>
    public static void Install(ParseResult p, CommonOptions common, bool json = false) =>
        Install(p.GetValue(common.Quiet), json || p.GetValue(common.Json));

    public static void Install(bool quiet, bool json)
    {
        if (quiet) ExplorationOptions.ProcessProgress = null;
        else if (!json && !Console.IsErrorRedirected) ExplorationOptions.ProcessProgress = p => Guarded(Live, p);
        else ExplorationOptions.ProcessProgress = p => Guarded(Plain, p);
    }

    /// <summary>Progress is no part of the answer: a stderr that cannot be written ends it, not the search.</summary>
    private static void Guarded(Action<ExplorationProgress> print, ExplorationProgress p)
    {
        try { print(p); }
        catch (IOException) { ExplorationOptions.ProcessProgress = null; }
    }

    /// <summary>The figures as one line: depth, states (and their rate), transitions, memory of the bound, workers, time.</summary>
    public static string Text(ExplorationProgress p)
    {
        var c = CultureInfo.InvariantCulture;
        return string.Create(c, $"depth {p.Depth}, {p.States:N0} states ({p.StatesPerSecond:N0}/s), {p.Transitions:N0} transitions, {p.StoreBytes >> 20:N0} MiB of {p.BoundBytes >> 20:N0} MiB, {p.Workers} worker{(p.Workers == 1 ? "" : "s")}, {p.Elapsed.TotalSeconds:F1} s");
    }

    private static void Plain(ExplorationProgress p)
    {
        if (p.Final)
        {
            _lastPlain = null;
            return;
        }
        if (_lastPlain is { } last && p.Elapsed >= last && p.Elapsed - last < PlainEvery) return;
        _lastPlain = p.Elapsed;
        Console.Error.WriteLine($"pilab: {Text(p)}");
    }

    private static void Live(ExplorationProgress p)
    {
        if (p.Final)
        {
            Console.Error.Write("\r" + new string(' ', _liveWidth) + "\r");
            _liveWidth = 0;
            return;
        }
        string line = $"pilab: {Text(p)}";
        int width;
        try { width = Console.WindowWidth; }
        catch (IOException) { width = 0; }
        // A line wider than the terminal would wrap, and '\r' would not get back to its start.
        if (width > 1 && line.Length > width - 1) line = line[..(width - 1)];
        Console.Error.Write("\r" + line.PadRight(_liveWidth));
        _liveWidth = line.Length;
    }
}
