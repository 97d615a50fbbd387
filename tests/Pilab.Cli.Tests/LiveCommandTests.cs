using System.Text.Json;

namespace Pilab.Cli.Tests;

/// <summary>pilab live as a user runs it: bad input exits 2 without a stack trace; a bounded run of a correct order exits 0 with exact counts.</summary>
public sealed class LiveCommandTests
{
    [Fact]
    public void Live_UnknownVariant_ExitsTwo()
    {
        var r = Pilab.Invoke("live", "no-such-variant");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no such built-in variant or file", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Live_WithoutVariant_ExitsTwo()
    {
        var r = Pilab.Invoke("live");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("live needs a variant", r.Err);
    }

    [Theory]
    [InlineData("--injectors", "0")]
    [InlineData("--rate", "-1")]
    [InlineData("--seconds", "0")]
    [InlineData("--vectors", "300")]
    [InlineData("--exit-rate", "fast")]
    public void Live_BadOption_ExitsTwo(string option, string value)
    {
        var r = Pilab.Invoke("live", "fixed", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Theory]
    [InlineData("--aligned", "--rate", "5")]
    [InlineData("--aligned", "--exit-rate", "5")]
    [InlineData("--aligned", "--stall-ms", "1")]
    [InlineData("--aligned", "--injectors", "5")]
    [InlineData("--aligned", "--chaos")]
    [InlineData("--jitter", "5")]
    [InlineData("--aligned", "--jitter", "-1")]
    public void Live_AlignedWithOptionsThatDoNotApply_ExitsTwo(params string[] args)
    {
        var r = Pilab.Invoke(["live", "fixed", .. args]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("pilab:", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1000001")]
    public void Calibrate_JitterOutOfRange_ExitsTwo(string jitter)
    {
        var r = Pilab.Invoke("live", "--calibrate", "--jitter", jitter);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--jitter must be 0 to 1000000", r.Err);
    }

    [Fact]
    public void Live_AlignedFixedRounds_ExitZero_WithRoundsAndPlacementInJson()
    {
        var r = Pilab.Invoke("live", "fixed", "--aligned", "--jitter", "200", "--posts", "5000", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        var aligned = root.GetProperty("aligned");
        Assert.Equal(5000, aligned.GetProperty("rounds").GetInt64());
        Assert.Equal(0, aligned.GetProperty("strandsPerMillionRounds").GetDouble());
        Assert.Equal(200, aligned.GetProperty("jitter").GetInt32());
        Assert.Equal("safe", aligned.GetProperty("checkerTso").GetString());
        Assert.Equal("safe", aligned.GetProperty("checkerSc").GetString());
        Assert.False(aligned.GetProperty("shownOnThisCpu").GetBoolean());
        Assert.Equal(5000, root.GetProperty("delivered").GetInt64());
        Assert.Equal("safe", root.GetProperty("verdict").GetString());
        var placement = root.GetProperty("placement");
        Assert.True(placement.GetProperty("linesAligned").GetBoolean());
        Assert.Equal(2, placement.GetProperty("threads").GetArrayLength());
        Assert.Equal(0, placement.GetProperty("offsetInLine").GetProperty("descriptor").GetInt64());
    }

    [Fact]
    public void Live_BoundedFixedRun_ExitsZero_WithExactCountsInJson()
    {
        var r = Pilab.Invoke("live", "fixed", "--posts", "20000", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal(20000, root.GetProperty("posted").GetInt64());
        Assert.Equal(0, root.GetProperty("strandedAtEnd").GetArrayLength());
        Assert.True(root.GetProperty("settled").GetBoolean());
        Assert.False(root.GetProperty("lostInterrupt").GetBoolean());
        Assert.Equal(root.GetProperty("accepted").GetInt64(),
            root.GetProperty("delivered").GetInt64() + root.GetProperty("mergedInVIrr").GetInt64());
    }
}
