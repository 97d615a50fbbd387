using System.Collections.Immutable;
using System.Xml.Linq;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Report;

namespace Pilab.Report.Tests;

public sealed class HtmlReportTests
{
    /// <summary>The report's markup is well-formed XML after its doctype; parse it as such.</summary>
    internal static XDocument Parse(string html)
    {
        const string doctype = "<!DOCTYPE html>";
        Assert.StartsWith(doctype, html);
        return XDocument.Parse(html[doctype.Length..]);
    }

    private static IEnumerable<XElement> Html(XDocument doc, string name) => doc.Descendants().Where(e => e.Name.LocalName == name && e.Name.Namespace == XNamespace.None);

    [Fact]
    public void Builtins_OneArticlePerLosingRun_EachWithOneDiagram()
    {
        var doc = Parse(HtmlReport.Render(Runs.Report()));
        var articles = Html(doc, "article").ToList();
        Assert.Equal(10, articles.Count); // patch-v1 and irq-late x 4, fixed-nomb under TSO x 2
        Assert.Equal(Runs.All.Count(r => r.Verdict == Verdict.Violation), articles.Count);
        foreach (var a in articles)
        {
            var svg = Assert.Single(a.Descendants(Runs.Svg + "svg"));
            Assert.Equal((string?)a.Attribute("data-steps"), (string?)svg.Attribute("data-steps"));
            Assert.Equal(int.Parse((string)a.Attribute("data-steps")!), Runs.WithClass(svg, "step").Count());
        }
        Assert.Equal(articles.Count, articles.Select(a => (string)a.Attribute("id")!).Distinct().Count());
    }

    [Fact]
    public void VerdictTable_HasSpecsVerdict_InEveryCell_AndLinksEveryLoss()
    {
        var doc = Parse(HtmlReport.Render(Runs.Report()));
        var rows = Html(doc, "tr").Where(tr => tr.Attribute("data-variant") is not null).ToList();
        Assert.Equal(["prepatch", "patch-v1", "irq-late", "fixed", "fixed-nomb"], rows.Select(r => (string)r.Attribute("data-variant")!));
        var ids = Html(doc, "article").Select(a => (string)a.Attribute("id")!).ToHashSet();
        foreach (var row in rows)
        {
            var cells = Html(new XDocument(row), "td").Where(td => td.Attribute("data-verdict") is not null).ToList();
            Assert.Equal(["sc/1", "sc/2", "tso/1", "tso/2"], cells.Select(c => $"{(string)c.Attribute("data-mm")!}/{(string)c.Attribute("data-k")!}"));
            foreach (var c in cells)
            {
                var mm = (string)c.Attribute("data-mm")! == "sc" ? MemoryModel.SC : MemoryModel.TSO;
                string expected = JsonReport.VerdictName(Runs.Expected((string)row.Attribute("data-variant")!, mm));
                Assert.Equal(expected, (string?)c.Attribute("data-verdict"));
                var link = Html(new XDocument(c), "a").SingleOrDefault();
                if (expected == "violation") Assert.Contains(((string)link!.Attribute("href")!)[1..], ids);
                else Assert.Null(link);
            }
        }
    }

    [Fact]
    public void Report_IsSelfContained_NothingToFetch()
    {
        string html = HtmlReport.Render(Runs.Report());
        foreach (var bad in new[] { "<script", "<link", "<img", "src=", "@import", "url(http", "https://" })
            Assert.DoesNotContain(bad, html, StringComparison.OrdinalIgnoreCase);
        // The only absolute URI is the SVG namespace name, which is never fetched.
        Assert.Equal(html.Split("http://").Length - 1, html.Split("http://www.w3.org/2000/svg").Length - 1);
        Assert.Contains("@media print", html);
    }

    [Fact]
    public void OptionalSections_AreLeftOut_WhenNotGiven()
    {
        var doc = Parse(HtmlReport.Render(Runs.Report()));
        var sections = Html(doc, "section").Select(s => (string)s.Attribute("id")!).ToList();
        Assert.Equal(["verdicts", "runs"], sections);
    }

    [Fact]
    public void OrderMatrix_DrawsEveryCell_WithItsVerdictAndReason_AndCountsTheSafeOrders()
    {
        var matrix = new OrderMatrix(["SC k=1", "TSO k=1"],
        [
            new("irq.off mode.in mb sync check enter", [new(Verdict.Safe), new(Verdict.Safe)], "fixed"),
            new("irq.off mode.in sync check enter", [new(Verdict.Safe), new(Verdict.Violation, "store buffering")]),
            new("irq.off sync mode.in mb check enter", [new(Verdict.Violation, "sync before mode.in"), new(Verdict.Violation, "sync before mode.in")], "patch-v1"),
        ], "3 hand-made orders");
        var doc = Parse(HtmlReport.Render(Runs.Report() with { Orders = matrix }));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "orders");
        var cells = Html(new XDocument(section), "td").Where(td => td.Attribute("data-verdict") is not null).ToList();
        Assert.Equal(["safe", "safe", "safe", "violation", "violation", "violation"], cells.Select(c => (string)c.Attribute("data-verdict")!));
        Assert.Equal(["", "", "", "store buffering", "sync before mode.in", "sync before mode.in"],
            cells.Select(c => Html(new XDocument(c), "span").SingleOrDefault()?.Value ?? ""));
        var foot = Html(new XDocument(section), "tfoot").Single();
        Assert.Equal(["2 of 3", "1 of 3"], Html(new XDocument(foot), "td").Select(td => td.Value));
        Assert.Contains("sync before mode.in (2), store buffering (1)", section.Value);
    }

    [Fact]
    public void LatencyHistogram_IsDrawn_WithOneBarPerBucket_AndItsPercentiles()
    {
        var h = new LatencyHistogram("delivery latency, fixed, 2 injectors", "µs",
            [new(1, 40), new(2, 120), new(4, 30), new(8, 0), new(16, 2)],
            [new("p50", 1.6), new("p99", 9.5)], Seconds: 5);
        var doc = Parse(HtmlReport.Render(Runs.Report() with { Latency = h }));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "latency");
        var svg = Assert.Single(section.Descendants(Runs.Svg + "svg"));
        Assert.Equal([40L, 120, 30, 0, 2], Runs.WithClass(svg, "bar").Select(b => (long)b.Attribute("data-count")!));
        Assert.Contains("192 deliveries in 5 s; p50 1.6 µs, p99 9.5 µs.", section.Value);
    }

    [Fact]
    public void CostTable_ShowsMinMax_WhenCostsAreGiven()
    {
        var entries = Runs.All.Take(2).Select((r, i) => new ReportEntry(r, new DeliveryCost(new(1, 1), new(0, i), new(0, 2), new(0, 0)))).ToImmutableArray();
        var doc = Parse(HtmlReport.Render(new ReportInput(entries)));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "costs");
        var rows = Html(new XDocument(section), "tbody").Single().Elements().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(["1", "0-1", "0-2", "0"], Html(new XDocument(rows[1]), "td").Where(td => (string?)td.Attribute("class") == "num").Select(td => td.Value));
    }

    [Fact]
    public void Text_IsEscaped()
    {
        var r = Runs.Get("patch-v1", MemoryModel.SC, 1);
        var odd = r with { Variant = r.Variant with { Name = "a<b&\"c\"", Description = "<script>x</script>" } };
        string html = HtmlReport.Render(new ReportInput([new ReportEntry(odd)], Title: "t<i>t"));
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<i>", html);
        var doc = Parse(html);
        Assert.Equal("t<i>t", Html(doc, "h1").Single().Value);
    }
}
