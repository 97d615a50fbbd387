using System.Globalization;
using System.Xml.Linq;
using CsCheck;
using Pilab.Report;

namespace Pilab.Report.Tests;

public sealed class HistogramChartTests
{
    private static double Attr(XElement e, string name) => double.Parse((string)e.Attribute(name)!, CultureInfo.InvariantCulture);

    [Fact]
    public void BarHeights_AreLogarithmic_InTheCount_FromBelowOne_AndAnEmptyBucketHasNone()
    {
        var h = new LatencyHistogram("t", "ns", [new(100, 10), new(200, 40), new(400, 1), new(800, 0)]);
        var svg = XDocument.Parse(HistogramChart.Render(h).ToString());
        var heights = Runs.WithClass(svg, "bar").Select(b => Attr(b, "height")).ToList();
        Assert.Equal(4, heights.Count);
        // log10(count / 0.5): a bucket of one sample still shows, an empty one has no bar.
        double unit = heights[1] / Math.Log10(40 / HistogramChart.CountFloor);
        Assert.Equal(Math.Log10(10 / HistogramChart.CountFloor) * unit, heights[0], 0.2);
        Assert.Equal(Math.Log10(1 / HistogramChart.CountFloor) * unit, heights[2], 0.2);
        Assert.True(heights[2] > 10, $"a bucket of one sample is {heights[2]} px tall");
        Assert.Equal(0, heights[3]);
        Assert.Contains(Runs.WithClass(svg, "bar").Last().Descendants(), e => e.Value == "400-800 ns: no samples");
    }

    [Fact]
    public void Axes_AreLabelledAtEveryDecade()
    {
        // Doubling buckets from 0.125 µs to 64 µs, the largest count 123,456: counts 1 to 1M, latency 0.1, 1 and 10 µs.
        var h = new LatencyHistogram("t", "µs", [.. Enumerable.Range(-3, 10).Select(e => new LatencyBucket(Math.Pow(2, e), e == 0 ? 123_456 : e < 3 ? 700 : 3))]);
        var svg = XDocument.Parse(HistogramChart.Render(h).ToString());
        Assert.Equal(["1", "10", "100", "1k", "10k", "100k", "1M"], Runs.WithClass(svg, "y-tick").Select(t => t.Value));
        Assert.Equal(["0.1", "1", "10"], Runs.WithClass(svg, "x-tick").Select(t => t.Value));
        // Each decade's gridline at equal steps on the count axis; each latency decade where log scale puts it (1 µs: the upper edge of bucket 4 of 10).
        var grid = Runs.WithClass(svg, "grid").Select(l => Attr(l, "y1")).ToList();
        Assert.All(grid.Zip(grid.Skip(1)).Select(p => p.First - p.Second).ToList(), d => Assert.Equal(grid[0] - grid[1], d, 0.15));
        var ticks = svg.Descendants(Runs.Svg + "line").Where(l => l.Attribute("data-decade") is not null && (string?)l.Attribute("class") == "axis").ToDictionary(l => (string)l.Attribute("data-decade")!, l => Attr(l, "x1"));
        var bars = Runs.WithClass(svg, "bar").ToList();
        double slot = Attr(bars[1], "x") - Attr(bars[0], "x");
        Assert.Equal(Attr(bars[4], "x") - (slot - Attr(bars[4], "width")) / 2, ticks["1"], 0.15);
        // 10 µs: in bucket (8, 16], log2(10 / 8) of the way.
        Assert.Equal(Attr(bars[7], "x") - (slot - Attr(bars[7], "width")) / 2 + slot * Math.Log2(10.0 / 8), ticks["10"], 0.15);
    }

    [Fact]
    public void Percentiles_AreMarked_TheOnesAtOnePlaceUnderOneLabel()
    {
        var h = new LatencyHistogram("t", "µs", [new(1, 40), new(2, 120), new(4, 30), new(8, 0), new(16, 2)],
            [new("p50", 1.6), new("p99", 12.5), new("p99.9", 12.5), new("max", 12.5), new("beyond", 99)]);
        var svg = XDocument.Parse(HistogramChart.Render(h).ToString());
        var marks = Runs.WithClass(svg, "pct").ToList();
        Assert.Equal(["p50", "p99", "p99.9", "max"], marks.Select(m => (string)m.Attribute("data-name")!));
        Assert.Equal(["p50 1.6", "p99, p99.9, max 12.5"], Runs.WithClass(svg, "pct-text").Select(t => t.Value));
    }

    [Fact]
    public void AnyHistogram_IsDrawnWithinThePlot_WithNoNaN_AndEverySampleInABar() =>
        Gen.Select(Gen.Int[-3, 20], Gen.Long[0, 5_000_000].Array[1, 30]).Sample((first, counts) =>
        {
            var h = new LatencyHistogram("t", "µs", [.. counts.Select((c, i) => new LatencyBucket(Math.Pow(2, first + i), c))], [new("p50", Math.Pow(2, first + counts.Length / 2))]);
            string text = HistogramChart.Render(h).ToString();
            Assert.DoesNotContain("NaN", text);
            Assert.DoesNotContain("Infinity", text);
            var svg = XDocument.Parse(text);
            var bars = Runs.WithClass(svg, "bar").ToList();
            if (counts.All(c => c == 0))
            {
                Assert.Empty(bars);
                Assert.Contains(svg.Descendants(Runs.Svg + "text"), t => t.Value == "no samples");
                return;
            }
            Assert.Equal(counts.Sum(), bars.Sum(b => (long)b.Attribute("data-count")!));
            double height = Attr(svg.Root!, "height");
            Assert.All(bars, b => Assert.True(Attr(b, "height") >= 0 && Attr(b, "y") + Attr(b, "height") <= height && Attr(b, "y") >= 0));
            Assert.All(bars.Where(b => (long)b.Attribute("data-count")! > 0), b => Assert.True(Attr(b, "height") > 0));
        });

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
