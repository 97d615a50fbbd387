using System.Diagnostics;

namespace Pilab.Cli.Tests;

/// <summary>
/// The exit-code contract (README, "Exit codes"): 0, 1 and 3 are verdicts and nothing else gives them;
/// 2 bad usage or input, 70 internal error, 74 standard output cannot be written, 130/143 interrupted.
/// One test per defect of issue 12, each with the real executable, its exit code and its message.
/// </summary>
public sealed class ContractTests
{
    private static void NoStackTrace(Pilab.Run r)
    {
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("   at ", r.Out);
        Assert.DoesNotContain("Unhandled exception", r.Err);
    }

    [Theory]
    [InlineData("> /dev/full")]
    [InlineData(">&-")]
    public void UnwritableStandardOutput_Exits74(string redirection)
    {
        var r = Pilab.Shell($"$PILAB check fixed -q {redirection}"); // -q: on a slow machine a progress line would come first
        Assert.Equal(74, r.ExitCode);
        Assert.StartsWith("pilab: cannot write to standard output:", r.Err);
        NoStackTrace(r);
    }

    [Fact]
    public void Help_OnAFullDisk_Exits74_AndStatesTheContract()
    {
        Assert.Equal(74, Pilab.Shell("$PILAB --help > /dev/full").ExitCode);
        var help = Pilab.Invoke("--help");
        Assert.Contains("70 internal error", help.Out);
        Assert.Contains("130 interrupted by SIGINT", help.Out);
    }

    [Theory]
    [InlineData("check", "--workers", "0")]
    [InlineData("check", "--workers", "-3")]
    [InlineData("check", "--workers", "65")]
    [InlineData("check", "kvm-2021", "--workers", "0")]
    [InlineData("check", "fixed", "-w", "1024")]
    public void Workers_OutOfRange_ExitsTwo_StatingTheRange(params string[] args)
    {
        var r = Pilab.Invoke(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--workers must be 1 to 64", r.Err);
        NoStackTrace(r);
    }

    [Theory]
    [InlineData("bogus", "--store takes plain or compact")]
    [InlineData("compact --hash-compact", "give one of them")]
    public void Store_Refused_ExitsTwo(string options, string message)
    {
        var r = Pilab.Invoke(["check", "fixed", "--store", .. options.Split(' ')]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err);
        NoStackTrace(r);
    }

    [Fact]
    public void CompactStore_SameVerdictAndStates_AsThePlainStore()
    {
        var plain = Pilab.Invoke("check", "sn-no-recompute", "--json", "-q");
        var compact = Pilab.Invoke("check", "sn-no-recompute", "--json", "-q", "--store", "compact");
        Assert.Equal(1, plain.ExitCode);
        Assert.Equal(1, compact.ExitCode);
        using var a = System.Text.Json.JsonDocument.Parse(plain.Out);
        using var b = System.Text.Json.JsonDocument.Parse(compact.Out);
        Assert.Equal("plain", a.RootElement.GetProperty("store").GetString());
        Assert.Equal("compact", b.RootElement.GetProperty("store").GetString());
        Assert.Equal(a.RootElement.GetProperty("states").GetInt64(), b.RootElement.GetProperty("states").GetInt64());
        Assert.Equal(a.RootElement.GetProperty("trace").GetProperty("length").GetInt32(), b.RootElement.GetProperty("trace").GetProperty("length").GetInt32());
    }

    [Fact]
    public void MaxMemory_ThatWouldOverflow_ExitsTwo()
    {
        var r = Pilab.Invoke("check", "fixed", "--max-memory", "8796093022208");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--max-memory must be 1 to", r.Err);
    }

    [Theory]
    [InlineData("--rate", "1,5", "written with '.' as the decimal point")]
    [InlineData("--rate", "Infinity", "a finite number")]
    [InlineData("--stall-ms", "Infinity", "a finite number")]
    [InlineData("--stall-ms", "1e400", "a finite number")]
    [InlineData("--rate", "NaN", "a finite number")]
    [InlineData("--rate", "1e-300", "--rate must be 0 (as fast as possible) or 0.001 to 1e9")]
    [InlineData("--exit-rate", "1e300", "--exit-rate must be 0 (tickless) or 0.001 to 1e9")]
    [InlineData("--stall-ms", "1e9", "--stall-ms must be 0.001 to 3600000")]
    [InlineData("--seconds", "1e9", "--seconds must be more than 0 and at most 604800")]
    public void Live_NumbersOutOfRangeOrNotInvariant_ExitTwo(string option, string value, string message)
    {
        var r = Pilab.Invoke("live", "fixed", "--json", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err);
        Assert.Equal("", r.Out);
        NoStackTrace(r);
    }

    [Fact]
    public void Report_LiveSeconds_WithAComma_ExitsTwo()
    {
        var r = Pilab.Invoke("report", "fixed", "--live", "1,5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'.' as the decimal point", r.Err);
    }

    [Fact]
    public void Live_SlowRate_HonoursSeconds()
    {
        var clock = Stopwatch.StartNew();
        // At --rate 0.001 the next post is 1,000 s away: a run that waited for it would pass the limit by far.
        var r = Pilab.Invoke("live", "fixed", "--rate", "0.001", "--seconds", "0.5", "--json");
        Assert.Equal(0, r.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(300), $"took {clock.Elapsed}");
        using var doc = System.Text.Json.JsonDocument.Parse(r.Out);
    }

    [Fact]
    public void Fifo_AsVariant_IsRefused_WithoutBlocking()
    {
        string fifo = Path.Combine(Path.GetTempPath(), $"pilab-fifo-{Guid.NewGuid():N}");
        Assert.Equal(0, Pilab.Shell($"mkfifo '{fifo}'").ExitCode);
        try
        {
            var r = Pilab.Shell($"$PILAB check '{fifo}'", timeoutMs: 30_000);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"{fifo}: a FIFO (named pipe), not a variant file", r.Err);
        }
        finally { File.Delete(fifo); }
    }

    [Theory]
    [InlineData("/dev/zero", "a character device, not a variant file")]
    [InlineData("/tmp", "a directory")]
    public void DeviceOrDirectory_AsVariant_IsRefused(string path, string message)
    {
        var r = Pilab.Shell($"$PILAB check {path}", timeoutMs: 30_000);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"pilab: {path}: {message}", r.Err);
    }

    [Theory]
    [InlineData("dangling")]
    [InlineData("loop")]
    public void BrokenSymlink_AsVariant_IsRefused(string kind)
    {
        string link = Path.Combine(Path.GetTempPath(), $"pilab-link-{Guid.NewGuid():N}.pi");
        File.CreateSymbolicLink(link, kind == "loop" ? link : link + ".missing");
        try
        {
            var r = Pilab.Invoke("check", link);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains($"pilab: {link}:", r.Err);
            NoStackTrace(r);
        }
        finally { File.Delete(link); }
    }

    [Theory]
    [InlineData("export", "--promela", "fixed", "-o", "")]
    [InlineData("synthesize", "--csv", "")]
    [InlineData("report", "fixed", "--no-synthesis", "-o", "")]
    public void EmptyOutputPath_ExitsTwo(params string[] args)
    {
        var r = Pilab.Invoke(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("pilab: cannot write '': an empty file name", r.Err);
        NoStackTrace(r);
    }

    [Fact]
    public void OutputPath_ThatIsADirectory_ExitsTwo_AndLeavesNoTemporaryFile()
    {
        string dir = Directory.CreateTempSubdirectory("pilab-out-").FullName;
        var r = Pilab.Invoke("export", "--promela", "fixed", "-o", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"pilab: cannot write {dir}: it is a directory", r.Err);
        var written = Pilab.Invoke("export", "--promela", "fixed", "-o", Path.Combine(dir, "m.pml"));
        Assert.Equal(0, written.ExitCode);
        Assert.Equal(["m.pml"], Directory.GetFiles(dir).Select(Path.GetFileName));
        Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void RepeatedIrqOff_IsAPositionedError_RepeatedMb_IsAccepted()
    {
        string dup = Pilab.TempFile("base: fixed\nentry: irq.off irq.off mode.in mb sync check enter\n");
        var r = Pilab.Invoke("check", dup);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{dup}:2:16: found entry step 'irq.off', expected irq.off only once", r.Err);
        string mb = Pilab.TempFile("base: fixed\nentry: irq.off mode.in mb sync mb check enter\n");
        Assert.Equal(0, Pilab.Invoke("check", mb, "--mm", "tso").ExitCode);
    }

    /// <summary>A lone CR ends a line, as an editor shows it: the comment no longer swallows the entry line,
    /// which drops the barrier (fixed-nomb), and that loses under TSO.</summary>
    [Fact]
    public void LoneCr_EndsALine_AsAnEditorShowsIt()
    {
        string file = Pilab.TempFile("base: fixed\n# drop the barrier:\rentry: irq.off mode.in sync check enter\n");
        var r = Pilab.Invoke("check", file, "--mm", "tso", "-k", "2", "-q");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("LOSES an interrupt", r.Out);
    }

    [Fact]
    public void ControlCharactersFromAFile_AreEscapedInTheMessage()
    {
        string file = Pilab.TempFile("base: fixed\nentry: irq.off \u001b[31mbogus\0 enter\n");
        var r = Pilab.Invoke("check", file);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(":2:16: found step '\\x1b[31mbogus\\x00', expected an entry step", r.Err);
        Assert.False(r.Err.Any(c => char.IsControl(c) && c != '\n'), r.Err);
    }

    [Fact]
    public void Report_AnOptionItDoesNotHave_IsNotTakenForAVariant()
    {
        var r = Pilab.Invoke("report", "--json");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("pilab: Unrecognized command or argument '--json'.", r.Err);
        Assert.False(File.Exists("report.html"));
    }
}
