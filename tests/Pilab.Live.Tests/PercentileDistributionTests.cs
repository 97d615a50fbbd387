using HdrHistogram;
using Pilab.Live;

namespace Pilab.Live.Tests;

/// <summary>
/// <c>pilab live --hgrm</c>: the latency in HdrHistogram's percentile distribution format, the text its
/// <c>outputPercentileDistribution</c> prints (HdrHistogram's AbstractHistogram.java and
/// PercentileIterator.java): a header of four right-aligned columns and a blank line; one line per
/// percentile step, the steps starting at 0 % and getting twice as fine in each half of the remaining
/// distance to 100 % (5 per half), each with the highest value equivalent to the one reached, the step's
/// percentile, the count so far and 1/(1-percentile); one last line at 100 % without that column; then
/// the mean and standard deviation (of the values' median equivalents), the maximum, the total count,
/// and the histogram's buckets and sub-buckets.
/// </summary>
public sealed class PercentileDistributionTests
{
    [Fact]
    public void KnownHistogram_GivesHdrHistogramsText()
    {
        // Nanoseconds, 3 significant digits, up to 10 s: 2048 sub-buckets (unit resolution up to 2047),
        // 24 buckets. 3000 lies in a bucket of resolution 2, so it is reported as 3001 (median 3001);
        // 5000 in one of resolution 4: reported as 5003, its median 5002.
        var h = new LongHistogram(10_000_000_000L, 3);
        foreach (long ns in new long[] { 1000, 2000, 3000, 5000 }) h.RecordValue(ns);

        // Each value holds a quarter of the count: the steps 0, 10, 20 % stay on the first value, 30-50 % on
        // the second; from 50 % the steps are 5 % (55-75 %) and from 75 % 2.5 %; 77.5 % reaches the last
        // value, and the last line is 100 %. Mean (1000 + 2000 + 3001 + 5002) / 4 = 2750.75 ns, standard
        // deviation sqrt(((1750.75)^2 + (750.75)^2 + (250.25)^2 + (2251.25)^2) / 4) = 1479.82 ns.
        const string expected =
            "       Value     Percentile TotalCount 1/(1-Percentile)\n" +
            "\n" +
            "       1.000 0.000000000000          1           1.00\n" +
            "       1.000 0.100000000000          1           1.11\n" +
            "       1.000 0.200000000000          1           1.25\n" +
            "       2.000 0.300000000000          2           1.43\n" +
            "       2.000 0.400000000000          2           1.67\n" +
            "       2.000 0.500000000000          2           2.00\n" +
            "       3.001 0.550000000000          3           2.22\n" +
            "       3.001 0.600000000000          3           2.50\n" +
            "       3.001 0.650000000000          3           2.86\n" +
            "       3.001 0.700000000000          3           3.33\n" +
            "       3.001 0.750000000000          3           4.00\n" +
            "       5.003 0.775000000000          4           4.44\n" +
            "       5.003 1.000000000000          4\n" +
            "#[Mean    =        2.751, StdDeviation   =        1.480]\n" +
            "#[Max     =        5.003, Total count    =            4]\n" +
            "#[Buckets =           24, SubBuckets     =         2048]\n";
        Assert.Equal(expected, LiveReport.PercentileDistribution(h, unitsPerMicrosecond: 1000));
    }

    [Fact]
    public void LiveRun_Histogram_WritesEverySampleInMicroseconds()
    {
        var run = new LiveRun(new LiveOptions(Builtins.Fixed) { Seconds = null, MaxPosts = 5_000, ExitRate = 2000 });
        run.Start();
        while (!run.PostsDone) Thread.Sleep(5);
        var r = run.Finish();
        string text = LiveReport.PercentileDistribution(run.LatencyHistogram, LiveReport.TicksPerMicrosecond);
        var lines = text.Split('\n');
        Assert.Equal("       Value     Percentile TotalCount 1/(1-Percentile)", lines[0]);
        Assert.Contains($"Total count    = {r.Latency!.Count,12}]", text);
        // The maximum in microseconds, to the histogram's resolution (3 significant digits).
        string max = lines.Single(l => l.StartsWith("#[Max"))[12..24];
        Assert.InRange(double.Parse(max, System.Globalization.CultureInfo.InvariantCulture), r.Latency.Max / 1000 * 0.999, r.Latency.Max / 1000 * 1.001);
        // The last percentile line is 100 % at the count of samples.
        string last = lines.Last(l => l.Length > 0 && !l.StartsWith('#'));
        Assert.EndsWith($"1.000000000000 {r.Latency.Count,10}", last);
    }
}
