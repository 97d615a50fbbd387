using System.Runtime.InteropServices;
using Pilab.Checker;

namespace Pilab.Cli;

/// <summary>
/// SIGINT and SIGTERM: the first one asks every search to stop at its next round
/// (<see cref="ExplorationOptions.ProcessStop"/>) and the command to print the figures so far, write
/// no output file, and exit with <see cref="ExitCodes.Interrupted"/> or <see cref="ExitCodes.Terminated"/>.
/// A second signal ends the process at once, as it would without pilab's handler.
/// </summary>
internal static class Interrupt
{
    private static readonly CancellationTokenSource Source = new();
    private static int _signal; // 0, or the first signal's number
    private static readonly List<PosixSignalRegistration> Registrations = [];

    public static CancellationToken Token => Source.Token;

    /// <summary>Whether a signal asked the run to stop.</summary>
    public static bool Requested => Volatile.Read(ref _signal) != 0;

    /// <summary>The exit code of an interrupted run: 130 after SIGINT, 143 after SIGTERM (128 + the signal).</summary>
    public static int ExitCode => Volatile.Read(ref _signal) == 15 ? ExitCodes.Terminated : ExitCodes.Interrupted;

    /// <summary>The signal's name, for a message.</summary>
    public static string Name => Volatile.Read(ref _signal) == 15 ? "SIGTERM" : "SIGINT";

    /// <summary>Installs the handlers (once, at start).</summary>
    public static void Install()
    {
        ExplorationOptions.ProcessStop = Source.Token;
        if (OperatingSystem.IsWindows() || OperatingSystem.IsBrowser()) return;
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c => On(c, 2)));
        Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => On(c, 15)));
    }

    private static void On(PosixSignalContext context, int signal)
    {
        // The second signal is not cancelled: the runtime's default ends the process.
        if (Interlocked.CompareExchange(ref _signal, signal, 0) != 0) return;
        context.Cancel = true;
        Source.Cancel();
    }

    /// <summary>The result of an interrupted command: one line on stderr and the signal's exit code.</summary>
    public static int Stopped(string what)
    {
        Console.Error.WriteLine($"pilab: interrupted by {Name}: {what}");
        return ExitCode;
    }
}
