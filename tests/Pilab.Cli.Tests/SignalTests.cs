using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Pilab.Cli.Tests;

/// <summary>
/// SIGINT and SIGTERM stop each long command cleanly: the figures so far, valid JSON with --json, exit
/// code 130 (SIGINT) or 143 (SIGTERM), and no output file, whole or partial, nor a temporary one.
/// pilab is started through env --default-signal, since a test host may run with SIGINT ignored (as a
/// background job of a shell does), which a child inherits and the runtime then honours.
/// </summary>
public sealed class SignalTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int SigInt = 2, SigTerm = 15;

    private static (int ExitCode, string Out, string Err, TimeSpan AfterSignal) RunAndSignal(int signal, params string[] args)
    {
        var psi = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["--default-signal=INT,TERM", "dotnet", Path.Combine(AppContext.BaseDirectory, "pilab.dll"), .. args])
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // Signal once it is well into its work: 1.5 s of CPU time, past the runtime's start and the handlers' installation.
        var limit = Stopwatch.StartNew();
        while (CpuSeconds(p.Id) < 1.5 && !p.HasExited && limit.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(50);
        Assert.False(p.HasExited, "the command ended before it could be signalled: " + stderr.Result);
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, kill(p.Id, signal));
        if (!p.WaitForExit(60_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("still running 60 s after the signal");
        }
        return (p.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
    }

    private static double CpuSeconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime + stime, in clock ticks of 1/100 s
        }
        catch (IOException) { return 0; }
    }

    private static string TempDir() => Directory.CreateTempSubdirectory("pilab-signal-").FullName;

    [Theory]
    [InlineData(SigInt, 130, "SIGINT")]
    [InlineData(SigTerm, 143, "SIGTERM")]
    public void Check_StopsAtTheNextRound_WithTheFiguresSoFar_AsJson(int signal, int code, string name)
    {
        var r = RunAndSignal(signal, "check", "fixed", "--mm", "tso", "-k", "4", "-n", "2", "--no-por", "--no-symmetry", "-w", "1", "--max-memory", "2000", "--json");
        Assert.Equal(code, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("bound-reached", doc.RootElement.GetProperty("verdict").GetString());
        Assert.StartsWith("interrupted", doc.RootElement.GetProperty("bound").GetString());
        Assert.True(doc.RootElement.GetProperty("states").GetInt64() > 1000);
        Assert.Contains($"pilab: interrupted by {name}", r.Err);
        Assert.True(r.AfterSignal < TimeSpan.FromSeconds(10), $"took {r.AfterSignal} to stop");
    }

    [Fact]
    public void Explain_PrintsTheFiguresSoFar_AndWritesNoSvg()
    {
        string dir = TempDir();
        string svg = Path.Combine(dir, "run.svg");
        var r = RunAndSignal(SigInt, "explain", "fixed", "--mm", "tso", "-k", "4", "-n", "2", "--no-por", "--no-symmetry", "-w", "2", "--max-memory", "2000", "--svg", svg);
        Assert.Equal(130, r.ExitCode);
        Assert.Contains("interrupted: stopped at the end of a round", r.Out);
        Assert.Contains("states explored", r.Out);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void Synthesize_PrintsValidJson_AndWritesNoCsv()
    {
        string dir = TempDir();
        string csv = Path.Combine(dir, "orders.csv");
        var r = RunAndSignal(SigTerm, "synthesize", "-k", "2", "-n", "2", "--json", "--csv", csv);
        Assert.Equal(143, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("SIGTERM", doc.RootElement.GetProperty("interrupted").GetString());
        Assert.Equal(144, doc.RootElement.GetProperty("orders").GetArrayLength());
        Assert.Contains("not written", r.Err);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void Report_WritesNoFile_NeitherWholeNorPartial()
    {
        string dir = TempDir();
        string html = Path.Combine(dir, "report.html");
        var r = RunAndSignal(SigInt, "report", "fixed", "-n", "3", "--no-synthesis", "--max-memory", "500", "-o", html);
        Assert.Equal(130, r.ExitCode);
        Assert.Contains("checks of 1 variants started", r.Out);
        Assert.Contains($"{html} not written", r.Err);
        Assert.Empty(Directory.GetFileSystemEntries(dir));
    }

    [Fact]
    public void Barriers_PrintsValidJson_WithNoAnswer()
    {
        var r = RunAndSignal(SigTerm, "barriers", "fixed-nomb", "-k", "3", "-n", "2", "--json");
        Assert.Equal(143, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal("SIGTERM", doc.RootElement.GetProperty("interrupted").GetString());
        Assert.Contains("the search for barriers has no answer", r.Err);
    }

    [Fact]
    public void Live_SigTerm_StopsWithinASecond_WithValidJson()
    {
        var r = RunAndSignal(SigTerm, "live", "fixed", "--seconds", "120", "--rate", "0.01", "--json");
        Assert.Equal(143, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.True(r.AfterSignal < TimeSpan.FromSeconds(3), $"took {r.AfterSignal} to stop");
    }
}
