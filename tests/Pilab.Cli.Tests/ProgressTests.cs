using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pilab.Cli.Tests;

/// <summary>
/// Progress (issue 13): a search that runs longer than a second prints its figures to stderr, a plain
/// line every few seconds when stderr is not a terminal (as here, piped) or with --json; --quiet turns
/// it off; stdout, the answer, is the same either way; a short check prints nothing.
/// </summary>
public sealed partial class ProgressTests
{
    // About 6 million states: a few seconds on one worker.
    private static readonly string[] Long = ["check", "fixed", "--mm", "tso", "-k", "2", "-n", "4", "-e", "2", "--no-por", "--no-symmetry", "--workers", "1"];

    [GeneratedRegex(@"^pilab: depth \d+, [\d,]+ states \([\d,]+/s\), [\d,]+ transitions, [\d,]+ MiB of [\d,]+ MiB, 1 worker, \d+\.\d s$")]
    private static partial Regex ProgressLine();

    [GeneratedRegex(@"\d+\.\d+ s\b")]
    private static partial Regex Seconds();

    [GeneratedRegex(@", (\d+\.\d+) s, ")]
    private static partial Regex SearchSeconds();

    /// <summary>The search's own time, from the summary line.</summary>
    private static double SearchTime(string stdout) => double.Parse(SearchSeconds().Match(stdout).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void LongCheck_Piped_PrintsProgress_QuietPrintsNone_StdoutTheSame()
    {
        var loud = Pilab.Invoke(Long);
        var quiet = Pilab.Invoke([.. Long, "--quiet"]);
        Assert.Equal(0, loud.ExitCode);
        Assert.Equal(0, quiet.ExitCode);
        Assert.Equal("", quiet.Err);
        // The answer does not change, its timing aside.
        Assert.Equal(Seconds().Replace(quiet.Out, "T"), Seconds().Replace(loud.Out, "T"));
        if (SearchTime(loud.Out) < 1.5) Assert.Skip($"the search took {SearchTime(loud.Out)} s here: too fast to be sure of a progress line");
        var lines = loud.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.Matches(ProgressLine(), l));
        Assert.DoesNotContain('\r', loud.Err); // not a live line: stderr is a pipe
    }

    [Fact]
    public void LongCheck_Json_StillPrintsPlainProgress_OnStderrOnly()
    {
        var r = Pilab.Invoke([.. Long, "--json"]);
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out); // stdout is the JSON alone
        Assert.Equal("safe", doc.RootElement.GetProperty("verdict").GetString());
        if (r.Err == "" && doc.RootElement.GetProperty("seconds").GetDouble() < 1.5) Assert.Skip("the search was too fast here to be sure of a progress line");
        Assert.All(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.Matches(ProgressLine(), l));
        Assert.NotEqual("", r.Err);
    }

    [Theory]
    [InlineData("check", "fixed")]
    [InlineData("explain", "fixed")]
    [InlineData("check", "fixed", "--json")]
    public void ShortCheck_PrintsNoProgress(params string[] args)
    {
        var r = Pilab.Invoke(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Err);
    }

    [Theory]
    [InlineData("check")]
    [InlineData("explain")]
    [InlineData("synthesize")]
    [InlineData("barriers")]
    [InlineData("report")]
    [InlineData("test")]
    public void Quiet_IsAnOption_WhereSearchesRun(string command)
    {
        var r = Pilab.Invoke(command, "--help");
        Assert.Contains("--quiet", r.Out);
    }
}
