using System.Globalization;
using System.Xml.Linq;
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
}
