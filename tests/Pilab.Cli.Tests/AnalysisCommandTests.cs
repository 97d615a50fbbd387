namespace Pilab.Cli.Tests;

/// <summary>synthesize, barriers, export and check --cost as a user runs them.</summary>
public sealed class AnalysisCommandTests
{
    [Fact]
    public void Synthesize_PrintsTheCounts_AndWritesOneCsvRowPerOrder()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.csv");
        try
        {
            var r = Pilab.Invoke("synthesize", "--csv", csv);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("safe under SC :  48 of 144 (40 with mb, 8 without)", r.Out);
            Assert.Contains("safe under TSO:  15 of 144 (15 with mb, 0 without)", r.Out);
            Assert.Equal(145, File.ReadAllLines(csv).Length);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void Synthesize_BadInjector_ExitsTwo()
    {
        var r = Pilab.Invoke("synthesize", "--injector", "pir.set wibble");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'wibble'", r.Err);
    }

    [Fact]
    public void Barriers_FixedNoMb_NamesTheMbAfterModeIn()
    {
        var r = Pilab.Invoke("barriers", "fixed-nomb");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("minimal barrier sets (1):\n  { entry: mb after mode.in (before on.read) }", r.Out);
    }

    [Fact]
    public void Barriers_PatchV1_ExitsOne_ShowingTheScRun()
    {
        var r = Pilab.Invoke("barriers", "patch-v1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no set of barriers can help: the variant already loses under SC", r.Out);
        Assert.Contains("v1 is stranded", r.Out);
    }

    [Fact]
    public void Export_WritesPromela_AndNeedsAFormat()
    {
        var r = Pilab.Invoke("export", "--promela", "fixed", "--mm", "tso", "-k", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("/* pilab export: variant fixed [TSO k=2 n=1 e=0]", r.Out);
        Assert.Equal(2, Pilab.Invoke("export", "fixed").ExitCode);
    }

    [Fact]
    public void CheckCost_ShowsWhatThePatchSaved()
    {
        var pre = Pilab.Invoke("check", "prepatch", "--cost", "--irq-priority", "--mm", "sc", "-k", "1");
        var fixd = Pilab.Invoke("check", "fixed", "--cost", "--irq-priority", "--mm", "sc", "-k", "1");
        Assert.Matches(@"cancelled entries\s+0\s+2\s+0-2", pre.Out);
        Assert.Matches(@"EVENT requests handled\s+0\s+1\s+0-1", pre.Out);
        Assert.Matches(@"cancelled entries\s+0\s+1\s+0-1", fixd.Out);
        Assert.Matches(@"EVENT requests handled\s+0\s+0\s+0", fixd.Out);
    }
}
