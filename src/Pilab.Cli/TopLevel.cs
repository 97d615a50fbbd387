namespace Pilab.Cli;

/// <summary>
/// The one place an exception ends: no stack trace (unless --verbose) and never the exit code of a
/// verdict (0, 1, 3) for a failure. Standard output that cannot be written is the environment's
/// failure (<see cref="ExitCodes.OutputError"/>); anything else pilab did not expect is an internal
/// error (<see cref="ExitCodes.InternalError"/>), told in one line that says where to report it.
/// </summary>
internal static class TopLevel
{
    /// <summary>Runs the command; <paramref name="verbose"/> is asked only once it has failed (the parse sets it).</summary>
    public static int Run(Func<int> command, Func<bool> verbose, TextWriter error)
    {
        try
        {
            return command();
        }
        catch (StandardOutput.Failure e)
        {
            // What the commands read and write by name is handled where it is named; standard output is the
            // environment's: on a full disk (> /dev/full), closed, or a broken device.
            error.WriteLine($"pilab: cannot write to standard output: {Diagnostic.Printable(e.Message)}");
            if (verbose()) error.WriteLine(e);
            return ExitCodes.OutputError;
        }
        catch (Exception e)
        {
            bool stack = verbose();
            error.WriteLine($"pilab: internal error: {e.GetType().Name}: {Diagnostic.Printable(e.Message)}; please report it to pilab's maintainers with the command line and the output of 'pilab --version'{(stack ? "" : " (--verbose shows the stack trace)")}");
            if (stack) error.WriteLine(e);
            return ExitCodes.InternalError;
        }
    }
}
