using System.Globalization;
using System.Xml.Linq;
using CsCheck;
using Pilab.Report;

namespace Pilab.Report.Tests;

public sealed class HistogramChartTests
{
    [Fact]
    public void BarHeights_AreProportionalToCounts_TallestFillsThePlot()
    {
        var h = new LatencyHistogram("t", "ns", [new(100, 10), new(200, 40), new(400, 20), new(800, 0)]);
        var svg = XDocument.Parse(HistogramChart.Render(h).ToString());
        var heights = Runs.WithClass(svg, "bar").Select(b => double.Parse((string)b.Attribute("height")!, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, heights.Count);
        double tallest = heights[1];
        Assert.True(tallest > 100);
        Assert.Equal(tallest / 4, heights[0], 0.2);
        Assert.Equal(tallest / 2, heights[2], 0.2);
        Assert.Equal(0, heights[3]);
    }

    [Fact]
    public void NoBuckets_SaysSo_InsteadOfFailing()
    {
        var svg = HistogramChart.Render(new LatencyHistogram("empty", "ns", []));
        Assert.Empty(Runs.WithClass(svg, "bar"));
        Assert.Contains(svg.Descendants(Runs.Svg + "text"), t => t.Value == "no samples");
    }

    [Fact]
    public void DoublingMicroseconds_PutsEachValueInTheFirstBucketThatHoldsIt_KeepingEmptyBucketsBetween()
    {
        var buckets = LatencyHistogram.DoublingMicroseconds([(100, 5), (125, 1), (126, 2), (1000, 3), (1001, 4), (5000, 1), (9000, 0)]);
        Assert.Equal([new(0.125, 6), new(0.25, 2), new(0.5, 0), new(1, 3), new(2, 4), new(4, 0), new(8, 1)], buckets);
        Assert.Empty(LatencyHistogram.DoublingMicroseconds([]));
    }

    [Fact]
    public void DoublingMicroseconds_KeepsEverySample_AndEveryBoundHolds() =>
        Gen.Select(Gen.Double[1, 1e8], Gen.Long[1, 1000]).Array[1, 50].Sample(values =>
        {
            var buckets = LatencyHistogram.DoublingMicroseconds(values.Select(v => (v.Item1, v.Item2)));
            Assert.Equal(values.Sum(v => v.Item2), buckets.Sum(b => b.Count));
            for (int i = 1; i < buckets.Length; i++) Assert.Equal(buckets[i - 1].UpperBound * 2, buckets[i].UpperBound);
            Assert.True(values.Max(v => v.Item1) / 1000 <= buckets[^1].UpperBound);
            Assert.True(values.Min(v => v.Item1) / 1000 > buckets[0].UpperBound / 2 || buckets[0].UpperBound == 0.125);
        });
}
