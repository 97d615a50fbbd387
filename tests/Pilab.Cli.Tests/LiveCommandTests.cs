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
