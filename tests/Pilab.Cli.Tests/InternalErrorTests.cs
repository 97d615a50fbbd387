namespace Pilab.Cli.Tests;

/// <summary>
/// Exit code 70: an exception pilab did not expect ends in <see cref="TopLevel"/>, the handler every
/// command runs under (Program.cs), as one line that names it and says where to report it, the stack
/// trace only with --verbose. Driven in-process, with the exception thrown where a command would throw
/// it: the product has no switch that crashes on purpose.
/// </summary>
public sealed class InternalErrorTests
{
    private static (int Code, string Err) Run(Func<int> command, bool verbose)
    {
        var err = new StringWriter { NewLine = "\n" };
        int code = TopLevel.Run(command, () => verbose, err);
        return (code, err.ToString());
    }

    private static int Throws() => throw new InvalidOperationException("the replayed run does not end in the state found");

    [Fact]
    public void UnexpectedException_IsOneLine_WithWhereToReport_AndExitCode70()
    {
        var (code, err) = Run(Throws, verbose: false);
        Assert.Equal(70, code);
        Assert.Equal("pilab: internal error: InvalidOperationException: the replayed run does not end in the state found; "
            + "please report it to pilab's maintainers with the command line and the output of 'pilab --version' (--verbose shows the stack trace)\n", err);
    }

    [Fact]
    public void Verbose_AddsTheStackTrace()
    {
        var (code, err) = Run(Throws, verbose: true);
        Assert.Equal(70, code);
        var lines = err.Split('\n');
        Assert.StartsWith("pilab: internal error: InvalidOperationException: the replayed run does not end in the state found; please report it", lines[0]);
        Assert.DoesNotContain("--verbose shows", lines[0]);
        Assert.Contains(lines, l => l.Contains("   at ") && l.Contains(nameof(Throws)));
    }

    [Fact]
    public void ControlCharactersOfTheMessage_AreEscaped()
    {
        var (code, err) = Run(() => throw new FormatException("bad\u001b[31m\0byte"), verbose: false);
        Assert.Equal(70, code);
        Assert.DoesNotContain('\u001b', err);
        Assert.DoesNotContain('\0', err);
        Assert.Single(err.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void AnExceptionFromAWorkerThread_EndsThereToo()
    {
        // As the search's workers fail: the exception is captured on its thread and rethrown on the caller's.
        var (code, err) = Run(() =>
        {
            Exception? failure = null;
            var t = new Thread(() =>
            {
                try { throw new IndexOutOfRangeException("worker 1"); }
                catch (Exception e) { failure = e; }
            });
            t.Start();
            t.Join();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure!);
            return 0;
        }, verbose: false);
        Assert.Equal(70, code);
        Assert.StartsWith("pilab: internal error: IndexOutOfRangeException: worker 1; please report it", err);
    }

    [Fact]
    public void StandardOutputThatCannotBeWritten_IsExitCode74_NotAnInternalError()
    {
        var (code, err) = Run(() => throw new StandardOutput.Failure(new IOException("No space left on device")), verbose: false);
        Assert.Equal(74, code);
        Assert.Equal("pilab: cannot write to standard output: No space left on device\n", err);
    }

    [Fact]
    public void AVerdict_PassesThrough()
    {
        Assert.Equal((1, ""), Run(() => 1, verbose: false));
    }
}
