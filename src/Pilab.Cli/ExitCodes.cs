namespace Pilab.Cli;

/// <summary>pilab's exit codes (README, "Exit codes"; <c>pilab --help</c>). Nothing but a verdict gives 0, 1 or 3.</summary>
internal static class ExitCodes
{
    public const int NoLoss = 0;
    public const int Violation = 1;
    /// <summary>Bad usage or input: an option, a variant, a file named on the command line that cannot be read or written.</summary>
    public const int BadInput = 2;
    public const int BoundReached = 3;
    /// <summary>An internal error (an exception pilab did not expect): EX_SOFTWARE of sysexits.h.</summary>
    public const int InternalError = 70;
    /// <summary>Standard output (or another stream of the environment) could not be written: EX_IOERR.</summary>
    public const int OutputError = 74;
    /// <summary>Stopped by SIGINT (128 + 2), with the figures so far.</summary>
    public const int Interrupted = 130;
    /// <summary>Stopped by SIGTERM (128 + 15), with the figures so far.</summary>
    public const int Terminated = 143;

    /// <summary>The line <c>--help</c> and the README give.</summary>
    public const string Contract = "exit codes: 0 no loss, 1 an interrupt is lost, 2 bad usage or input, 3 bound reached (no verdict), "
        + "70 internal error, 74 standard output cannot be written, 130 interrupted by SIGINT, 143 by SIGTERM (figures so far)";
}
