using System.Globalization;
using System.Xml.Linq;

namespace Pilab.Report;

/// <summary>
/// A latency histogram as an SVG bar chart on log-log axes, so the tail is as visible as the bulk: the
/// latency axis is logarithmic (each bucket one bar, its width its span on that axis: equal widths for
/// doubling buckets), labelled at every decade with unlabelled ticks between; the count axis is
/// logarithmic too, labelled at every decade from 1, and a bar rises from below 1 so a bucket of one
/// sample still shows. An empty bucket has a bar of no height (it has no logarithm) and says so in its
/// title. The percentiles (p50, p99, p99.9, max) are drawn as marked lines across the plot.
/// </summary>
public static class HistogramChart
{
    private static readonly XNamespace Svg = SequenceDiagram.Svg;
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private const double Width = 960, Height = 340, Left = 70, Right = 18, Top = 68, Bottom = 56;
    private const double PlotW = Width - Left - Right, PlotH = Height - Top - Bottom;

    /// <summary>The count axis starts here, below 1, so a bucket of one sample has a visible bar.</summary>
    public const double CountFloor = 0.5;

    public static XElement Render(LatencyHistogram h)
    {
        var buckets = h.Buckets.IsDefault ? [] : h.Buckets;
        long max = buckets.IsEmpty ? 0 : buckets.Max(b => b.Count);
        var svg = new XElement(Svg + "svg",
            new XAttribute("viewBox", $"0 0 {F(Width)} {F(Height)}"),
            new XAttribute("width", F(Width)), new XAttribute("height", F(Height)),
            new XAttribute("class", "hist"), new XAttribute("role", "img"), new XAttribute("aria-label", h.Title),
            new XElement(Svg + "title", h.Title),
            new XElement(Svg + "style", Style),
            Text(Left, 20, h.Title, "h-title", null));
        if (buckets.IsEmpty || max == 0)
        {
            svg.Add(Line(Left, Top + PlotH, Width - Right, Top + PlotH, "axis"));
            svg.Add(Text(Left + PlotW / 2, Top + PlotH / 2, "no samples", "tick", "middle"));
            return svg;
        }

        // The count axis: decades from 1 to the first power of ten at or above the largest count.
        int topDecade = Math.Max(1, (int)Math.Ceiling(Math.Log10(max) - 1e-12));
        // A fifth of a decade above the top one: room for the count over a bar that reaches it.
        double logLo = Math.Log10(CountFloor), logHi = topDecade + 0.2;
        double Y(double count) => Top + PlotH * (1 - (Math.Log10(count) - logLo) / (logHi - logLo));
        for (int d = 0; d <= topDecade; d++)
        {
            double y = Y(Math.Pow(10, d));
            svg.Add(Line(Left, y, Width - Right, y, "grid", ("data-decade", Decade(d))));
            svg.Add(Text(Left - 8, y + 4, Decade(d), "tick y-tick", "end"));
            if (d < topDecade)
                for (int m = 2; m <= 9; m++) svg.Add(Line(Left - 4, Y(m * Math.Pow(10, d)), Left, Y(m * Math.Pow(10, d)), "minor"));
        }
        var yTitle = Text(16, Top + PlotH / 2, "samples (log scale)", "tick axis-title", "middle");
        yTitle.Add(new XAttribute("transform", $"rotate(-90 16 {F(Top + PlotH / 2)})"));
        svg.Add(yTitle);

        // The latency axis: bucket i spans (lower_i, upper_i], the first bucket's lower bound as far
        // below it as the next bucket's (half, for doubling buckets); equal steps on the axis per bucket.
        var x = new LogAxis(buckets);
        double slot = PlotW / buckets.Length;
        var counts = new List<XElement>(); // drawn last, over the percentile lines
        double barW = Math.Max(1.5, slot * 0.86);
        for (int i = 0; i < buckets.Length; i++)
        {
            var b = buckets[i];
            double bx = Left + slot * i + (slot - barW) / 2;
            double top = b.Count > 0 ? Y(b.Count) : Top + PlotH;
            string bound = $"{Number(x.Lower(i))}-{Number(b.UpperBound)} {h.Unit}";
            svg.Add(new XElement(Svg + "rect", new XAttribute("x", F(bx)), new XAttribute("y", F(top)),
                new XAttribute("width", F(barW)), new XAttribute("height", F(Top + PlotH - top)), new XAttribute("class", "bar"),
                new XAttribute("data-count", b.Count), new XAttribute("data-bound", b.UpperBound.ToString(C)),
                new XElement(Svg + "title", $"{bound}: {(b.Count == 0 ? "no samples" : b.Count.ToString("N0", C) + (b.Count == 1 ? " sample" : " samples"))}")));
            string count = b.Count.ToString("N0", C);
            if (count.Length * 6 > slot - 2) count = Compact(b.Count);
            if (b.Count > 0 && count.Length * 6 <= slot - 2)
                counts.Add(Text(bx + barW / 2, top - 4, count, "count", "middle"));
        }
        svg.Add(Line(Left, Top + PlotH, Width - Right, Top + PlotH, "axis"));
        svg.Add(Line(Left, Top, Left, Top + PlotH, "axis"));

        // Decade ticks (labelled) and the ticks between them, where the axis has them.
        double lo = x.Lower(0), hi = buckets[^1].UpperBound;
        for (int d = (int)Math.Floor(Math.Log10(lo)); Math.Pow(10, d) <= hi * (1 + 1e-12); d++)
            for (int m = 1; m <= 9; m++)
            {
                double v = m * Math.Pow(10, d);
                if (v < lo * (1 - 1e-12) || v > hi * (1 + 1e-12)) continue;
                double tx = Left + slot * x.Position(v);
                if (m == 1)
                {
                    svg.Add(Line(tx, Top + PlotH, tx, Top + PlotH + 7, "axis", ("data-decade", Number(v))));
                    svg.Add(Text(tx, Top + PlotH + 20, Number(v), "tick x-tick", "middle"));
                }
                else svg.Add(Line(tx, Top + PlotH, tx, Top + PlotH + 4, "minor"));
            }
        svg.Add(Text(Left + PlotW / 2, Height - 10, $"latency ({h.Unit}, log scale): one bar per bucket", "tick axis-title", "middle"));

        // The percentiles, where the axis reaches them: a line across the plot each; those drawn at the
        // same place share one label ("p99, p99.9, max 26,345"), and a label close to the one before it
        // goes a row higher.
        var marks = (h.Percentiles.IsDefault ? [] : h.Percentiles).Where(p => p.Value > 0 && p.Value >= lo * (1 - 1e-9) && p.Value <= hi * (1 + 1e-9))
            .Select(p => (p.Name, p.Value, X: Left + slot * x.Position(p.Value))).OrderBy(p => p.X).ToList();
        double lastX = double.NegativeInfinity;
        int row = 0;
        for (int i = 0; i < marks.Count;)
        {
            int j = i;
            while (j + 1 < marks.Count && marks[j + 1].X - marks[i].X < 2) j++;
            var same = marks.GetRange(i, j - i + 1);
            double px = marks[i].X;
            row = px - lastX < 90 ? (row + 1) % 3 : 0;
            lastX = px;
            string label = $"{string.Join(", ", same.Select(p => p.Name))} {Number(marks[i].Value)}";
            double ly = Top - 8 - 13 * row;
            foreach (var (p, k) in same.Select((p, k) => (p, k)))
            {
                var g = new XElement(Svg + "g", new XAttribute("class", "pct"), new XAttribute("data-name", p.Name), new XAttribute("data-value", p.Value.ToString(C)),
                    new XElement(Svg + "title", $"{p.Name}: {Number(p.Value)} {h.Unit}"),
                    Line(p.X, ly + 4, p.X, Top + PlotH, "pct-line"));
                if (k == 0) g.Add(Text(px, ly, label, "pct-text", px > Width - Right - 80 ? "end" : px < Left + 60 ? "start" : "middle"));
                svg.Add(g);
            }
            i = j + 1;
        }
        svg.Add(counts);
        return svg;
    }

    /// <summary>Where a value lies on the latency axis, in buckets from the left edge (0 to the bucket count), log-linear within its bucket.</summary>
    private sealed class LogAxis(System.Collections.Immutable.ImmutableArray<LatencyBucket> buckets)
    {
        public double Lower(int i) =>
            i > 0 ? buckets[i - 1].UpperBound
            : buckets.Length > 1 && buckets[1].UpperBound > buckets[0].UpperBound ? buckets[0].UpperBound * buckets[0].UpperBound / buckets[1].UpperBound
            : buckets[0].UpperBound / 2;

        public double Position(double v)
        {
            for (int i = 0; i < buckets.Length; i++)
            {
                double lo = Lower(i), hi = buckets[i].UpperBound;
                if (v <= hi * (1 + 1e-12) || i == buckets.Length - 1)
                    return i + Math.Clamp(Math.Log(Math.Max(v, lo) / lo) / Math.Log(hi / lo), 0, 1);
            }
            return buckets.Length;
        }
    }

    /// <summary>A decade's label on the count axis: 1, 10, 100, 1k ... 1M ... 1G.</summary>
    private static string Decade(int d) => d switch
    {
        < 3 => Math.Pow(10, d).ToString("0", C),
        < 6 => Math.Pow(10, d - 3).ToString("0", C) + "k",
        < 9 => Math.Pow(10, d - 6).ToString("0", C) + "M",
        _ => Math.Pow(10, d - 9).ToString("0", C) + "G",
    };

    private static string Compact(long n) => n switch
    {
        < 1_000 => n.ToString(C),
        < 1_000_000 => (n / 1e3).ToString("0.#", C) + "k",
        < 1_000_000_000 => (n / 1e6).ToString("0.#", C) + "M",
        _ => (n / 1e9).ToString("0.#", C) + "G",
    };

    /// <summary>A latency figure: up to three decimals, thousands separated.</summary>
    private static string Number(double v) => v.ToString(v >= 1000 ? "#,0" : "0.###", C);

    private static XElement Line(double x1, double y1, double x2, double y2, string cls, params (string Name, string Value)[] data)
    {
        var l = new XElement(Svg + "line", new XAttribute("x1", F(x1)), new XAttribute("x2", F(x2)),
            new XAttribute("y1", F(y1)), new XAttribute("y2", F(y2)), new XAttribute("class", cls));
        foreach (var (n, v) in data) l.Add(new XAttribute(n, v));
        return l;
    }

    private static XElement Text(double x, double y, string text, string cls, string? anchor)
    {
        var t = new XElement(Svg + "text", new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("class", cls), text);
        if (anchor is not null) t.Add(new XAttribute("text-anchor", anchor));
        return t;
    }

    private static string F(double v) => v.ToString("0.#", C);

    private const string Style = """
        .hist text{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;font-size:11px;fill:#334e68}
        .hist .h-title{font-size:14px;font-weight:700;fill:#1f2933}
        .hist .axis{stroke:#334e68}
        .hist .minor{stroke:#7b8794}
        .hist .grid{stroke:#d9e2ec;stroke-dasharray:3 3}
        .hist .bar{fill:#3b6fb6}
        .hist .count{font-size:10px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
        .hist .axis-title{font-size:11.5px;fill:#52606d}
        .hist .pct-line{stroke:#c53030;stroke-width:1.2;stroke-dasharray:5 3}
        .hist .pct-text{font-size:10.5px;font-weight:700;fill:#c53030}
        """;
}
