using System.Text.Json;

namespace Pilab.Cli.Tests;

/// <summary><c>pilab live --hgrm FILE</c>: the run's latency histogram in HdrHistogram's percentile distribution format.</summary>
public sealed class LiveHgrmTests
{
    [Fact]
    public void Live_Hgrm_WritesTheHistogramOfTheSamplesTheJsonCounts()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.hgrm");
        try
        {
            var r = Pilab.Invoke("live", "fixed", "--posts", "2000", "--json", "--hgrm", path);
            Assert.Equal(0, r.ExitCode);
            long count = JsonDocument.Parse(r.Out).RootElement.GetProperty("latencyNs").GetProperty("count").GetInt64();
            var lines = File.ReadAllLines(path);
            Assert.Equal("       Value     Percentile TotalCount 1/(1-Percentile)", lines[0]);
            Assert.Equal("", lines[1]);
            Assert.Equal($"#[Max     = ", lines[^2][..12]);
            Assert.EndsWith($"Total count    = {count,12}]", lines[^2]);
            Assert.StartsWith("#[Buckets = ", lines[^1]);
            Assert.EndsWith($"1.000000000000 {count,10}", lines[^4]);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Live_Hgrm_EmptyPath_IsRefusedBeforeTheRun()
    {
        var r = Pilab.Invoke("live", "fixed", "--seconds", "600", "--hgrm", "");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("an empty file name", r.Err);
    }
}
