using System.Globalization;
using System.Xml.Linq;

namespace Pilab.Report;

/// <summary>A latency histogram as an SVG bar chart: one bar per bucket, labelled by its upper bound.</summary>
public static class HistogramChart
{
    private static readonly XNamespace Svg = SequenceDiagram.Svg;
    private const double Width = 960, Height = 300, Left = 64, Right = 16, Top = 36, Bottom = 58;

    public static XElement Render(LatencyHistogram h)
    {
        var buckets = h.Buckets.IsDefault ? [] : h.Buckets;
        long max = buckets.IsEmpty ? 0 : buckets.Max(b => b.Count);
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        var svg = new XElement(Svg + "svg",
            new XAttribute("viewBox", $"0 0 {F(Width)} {F(Height)}"),
            new XAttribute("width", F(Width)), new XAttribute("height", F(Height)),
            new XAttribute("class", "hist"), new XAttribute("role", "img"), new XAttribute("aria-label", h.Title),
            new XElement(Svg + "title", h.Title),
            new XElement(Svg + "style", Style),
            Text(Left, 20, h.Title, "h-title", null));
        // Axes and three gridlines: 0, half and the tallest bar.
        foreach (var frac in new[] { 0.0, 0.5, 1.0 })
        {
            double y = Top + plotH * (1 - frac);
            svg.Add(new XElement(Svg + "line", new XAttribute("x1", F(Left)), new XAttribute("x2", F(Width - Right)),
                new XAttribute("y1", F(y)), new XAttribute("y2", F(y)), new XAttribute("class", frac == 0 ? "axis" : "grid")));
            svg.Add(Text(Left - 6, y + 4, ((long)Math.Round(max * frac)).ToString("N0", CultureInfo.InvariantCulture), "tick", "end"));
        }
        if (buckets.IsEmpty)
        {
            svg.Add(Text(Left + plotW / 2, Top + plotH / 2, "no samples", "tick", "middle"));
            return svg;
        }
        double slot = plotW / buckets.Length;
        double barW = Math.Max(2, slot * 0.8);
        int labelEvery = Math.Max(1, (int)Math.Ceiling(buckets.Length / (plotW / 56)));
        for (int i = 0; i < buckets.Length; i++)
        {
            var b = buckets[i];
            double bh = max == 0 ? 0 : plotH * b.Count / max;
            double x = Left + slot * i + (slot - barW) / 2;
            string bound = $"≤{b.UpperBound.ToString("0.###", CultureInfo.InvariantCulture)} {h.Unit}";
            svg.Add(new XElement(Svg + "rect", new XAttribute("x", F(x)), new XAttribute("y", F(Top + plotH - bh)),
                new XAttribute("width", F(barW)), new XAttribute("height", F(bh)), new XAttribute("class", "bar"),
                new XAttribute("data-count", b.Count), new XAttribute("data-bound", b.UpperBound.ToString(CultureInfo.InvariantCulture)),
                new XElement(Svg + "title", $"{bound}: {b.Count:N0}")));
            if (b.Count > 0 && barW >= 18)
                svg.Add(Text(x + barW / 2, Top + plotH - bh - 4, b.Count.ToString("N0", CultureInfo.InvariantCulture), "count", "middle"));
            if (i % labelEvery == 0)
                svg.Add(Text(x + barW / 2, Top + plotH + 16, bound, "tick", "middle"));
        }
        svg.Add(Text(Left + plotW / 2, Height - 12, $"latency ({h.Unit}), bucket upper bounds", "tick", "middle"));
        return svg;
    }

    private static XElement Text(double x, double y, string text, string cls, string? anchor)
    {
        var t = new XElement(Svg + "text", new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("class", cls), text);
        if (anchor is not null) t.Add(new XAttribute("text-anchor", anchor));
        return t;
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private const string Style = """
        .hist text{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;font-size:11px;fill:#334e68}
        .hist .h-title{font-size:14px;font-weight:700;fill:#1f2933}
        .hist .axis{stroke:#334e68}
        .hist .grid{stroke:#d9e2ec;stroke-dasharray:3 3}
        .hist .bar{fill:#3b6fb6}
        .hist .count{font-size:10px}
        """;
}
