using System.Collections.Immutable;
using System.Xml.Linq;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
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
    public void WholeSystem_OneRowPerBuiltin_WithItsConfigurationVerdictAndStory()
    {
        var doc = Parse(HtmlReport.Render(Runs.ReportOfEveryDesign()));
        Assert.Equal(["verdicts", "whole-system", "runs", "whole-system-runs"], Html(doc, "section").Select(s => (string)s.Attribute("id")!));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "whole-system");
        var table = Html(new XDocument(section), "table").Single();
        Assert.Equal(["variant", "design", "wake-up vector", "mm", "k", "j", "n", "e", "h", "p", "m", "verdict", "states", "trace", "story", "delivery cost"],
            Html(new XDocument(table), "thead").Single().Descendants("th").Select(th => th.Value));
        var rows = Html(new XDocument(table), "tbody").Single().Elements("tr").ToList();
        Assert.Equal(Builtins.WholeSystemDesigns.Select(v => v.Name), rows.Select(r => (string)r.Attribute("data-variant")!));
        var ids = Html(doc, "article").Select(a => (string)a.Attribute("id")!).ToHashSet();
        foreach (var (row, r) in rows.Zip(Runs.WholeSystem))
        {
            var c = r.Configuration;
            var cells = row.Elements("td").Select(td => td.Value).ToList();
            Assert.Equal([DesignNames.Name(r.Variant.Design), r.Variant.WakeupArmed(c.Iommu) ? "armed" : "not armed", c.Memory.ToString(),
                $"{c.Injectors}", $"{c.Iommu}", $"{c.Posts}", $"{c.Exits}", $"{c.Halts}", $"{c.Preemptions}", $"{c.Migrations}",
                r.Verdict == Verdict.Safe ? "no loss" : "LOSES", r.Exploration.States.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
                r.Trace is null ? "-" : $"{r.Trace.Steps.Length}", CheckText.Story(r)], cells.Take(14));
            var verdict = row.Elements("td").Single(td => td.Attribute("data-verdict") is not null);
            Assert.Equal(JsonReport.VerdictName(r.Verdict), (string?)verdict.Attribute("data-verdict"));
            var link = verdict.Descendants("a").SingleOrDefault();
            if (r.Trace is null) Assert.Null(link);
            else Assert.Contains(((string)link!.Attribute("href")!)[1..], ids);
            // A finding is marked where the eye lands: the row and a badge.
            Assert.Equal(CheckText.Story(r) == "FINDING", (string?)row.Attribute("class") == "finding");
        }
        Assert.Equal(["design", "design", "historical fix", "historical fix", "historical fix", "FINDING", "FINDING", "design", "design"], rows.Select(r => r.Elements("td").ElementAt(13).Value));
        // The cost column says why it is empty, once for every row.
        var why = Assert.Single(rows[0].Elements("td"), td => (string?)td.Attribute("class") == "why");
        Assert.Equal($"{rows.Count}", (string?)why.Attribute("rowspan"));
        Assert.Contains("vCPU-entry model only", why.Value);
        // The note: each at its own configuration, the full graph (the library's default).
        string note = section.Elements("p").First().Value;
        Assert.Contains("at its own configuration", note);
        Assert.Contains("States of the full graph.", note);
    }

    [Fact]
    public void WholeSystem_OneDiagramPerLosingRun_WithTheWholeSystemLifelinesAndCells()
    {
        var doc = Parse(HtmlReport.Render(Runs.ReportOfEveryDesign()));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "whole-system-runs");
        var articles = Html(new XDocument(section), "article").ToList();
        var losing = Runs.WholeSystem.Where(r => r.Trace is not null).ToList();
        Assert.Equal(5, losing.Count);
        Assert.Equal(losing.Select(r => r.Variant.Name), articles.Select(a => (string)a.Attribute("data-variant")!));
        foreach (var (a, r) in articles.Zip(losing))
        {
            var svg = Assert.Single(a.Descendants(Runs.Svg + "svg"));
            Assert.Equal(r.Trace!.Steps.Length, Runs.WithClass(svg, "step").Count());
            var heads = Runs.WithClass(svg, "head").ToList();
            Assert.Equal(SequenceLayout.Build(r.Trace).Lifelines.Select(l => l.Title), heads.Select(h => Runs.WithClass(h, "head-title").Single().Value));
            Assert.Contains("vCPU thread", heads.Select(h => Runs.WithClass(h, "head-title").Single().Value));
            Assert.Contains("P2 processor", heads.Select(h => Runs.WithClass(h, "head-title").Single().Value));
            string memory = Runs.WithClass(heads.Single(h => Runs.HasClass(h, "memory")), "head-sub").Single().Value;
            Assert.Equal("PIR · ON · SN · NV · NDST · vIRR · P0 wake list · P2 wake list · thread's CPU · thread state · mode", memory);
            Assert.Single(Runs.WithClass(svg, "stranded"), e => e.Name.LocalName == "g");
            // The page's head holds the diagram's style once, not every diagram.
            Assert.Empty(svg.Elements(Runs.Svg + "style"));
            Assert.Equal(CheckText.Story(r), (string?)a.Attribute("data-story"));
        }
        Assert.Contains("FINDING", articles.Single(a => (string?)a.Attribute("data-variant") == "kvm-2019-cpu-injector").Element("h3")!.Value);
    }

    [Fact]
    public void WholeSystemOnly_LeavesOutTheEntrySections_AndNamesTheOptionsLaidOver()
    {
        var input = new ReportInput([.. Runs.WholeSystem.Take(3).Select(r => new ReportEntry(r))], WholeSystemOptions: "--irq-priority");
        string html = HtmlReport.Render(input);
        var doc = Parse(html);
        Assert.Equal(["whole-system", "whole-system-runs"], Html(doc, "section").Select(s => (string)s.Attribute("id")!));
        Assert.Contains("with <code>--irq-priority</code> laid over it", html);
        Assert.StartsWith("Whole system, each variant once at its own configuration: 3 variants, 3 checks: 2 without loss, 1 losing an interrupt", Html(doc, "p").First(p => (string?)p.Attribute("class") == "lead").Value);
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
        var doc = Parse(HtmlReport.Render(Runs.Report() with { Latencies = [h] }));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "latency");
        var svg = Assert.Single(section.Descendants(Runs.Svg + "svg"));
        Assert.Equal([40L, 120, 30, 0, 2], Runs.WithClass(svg, "bar").Select(b => (long)b.Attribute("data-count")!));
        Assert.Contains("192 latency samples in 5 s; p50 1.6 µs, p99 9.5 µs.", section.Value);
    }

    private static CostRow Cost(int posts, int? maxExits, params string[] metrics) =>
        new(posts, [.. metrics.Select((m, i) => new CostCell(m, i % 2, m == "VM exits" ? maxExits : i + 1))]);

    [Fact]
    public void CostTable_ShowsMinMaxPerPost_OneColumnPerMetric_OneRowPerCostedCheck()
    {
        var entries = Runs.All.Select(r => new ReportEntry(r, r.Verdict == Verdict.Safe ? Cost(r.Configuration.Injectors, 4, "NOTIFY IPIs", "VM exits", "RESCHED IPIs") : null)).ToImmutableArray();
        var doc = Parse(HtmlReport.Render(new ReportInput(entries)));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "costs");
        Assert.Equal(["variant", "checked", "NOTIFY IPIs", "VM exits", "RESCHED IPIs"], Html(new XDocument(section), "th").Take(5).Select(th => th.Value));
        var rows = Html(new XDocument(section), "tbody").Single().Elements().ToList();
        Assert.Equal(Runs.All.Count(r => r.Verdict == Verdict.Safe), rows.Count);
        Assert.Equal(["prepatch sc 1", "prepatch sc 2", "prepatch tso 1", "prepatch tso 2"],
            rows.Take(4).Select(r => $"{(string)r.Attribute("data-variant")!} {(string)r.Attribute("data-mm")!} {(string)r.Attribute("data-k")!}"));
        // Per run (0-1, 1-4, 0-3) divided by the posts: k = 1 shows the run's figures, k = 2 halves them.
        string Nums(XElement row) => string.Join(" ", Html(new XDocument(row), "td").Where(td => ((string?)td.Attribute("class"))?.StartsWith("num") == true).Select(td => td.Value));
        Assert.Equal("0-1 1-4 0-3", Nums(rows[0]));
        Assert.Equal("0-0.5 0.5-2 0-1.5", Nums(rows[1]));
        Assert.Contains("host interrupts not forced", section.Value);
        Assert.DoesNotContain("inf:", section.Value);
    }

    [Fact]
    public void CostTable_Unbounded_ShowsInf_AndSaysWhy_NotComputed_SaysWhy()
    {
        var fixedSc = Runs.Get("fixed", MemoryModel.SC, 1);
        var fixedTso = Runs.Get("fixed", MemoryModel.TSO, 1);
        var entries = ImmutableArray.Create(
            new ReportEntry(fixedSc, Cost(1, null, "NOTIFY IPIs", "VM exits")),
            new ReportEntry(fixedTso, new CostRow(1, [], "more than 100 states: too large to keep every edge for the cost")));
        var doc = Parse(HtmlReport.Render(new ReportInput(entries)));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "costs");
        var rows = Html(new XDocument(section), "tbody").Single().Elements().ToList();
        var inf = Html(new XDocument(rows[0]), "td").Single(td => (string?)td.Attribute("data-metric") == "VM exits");
        Assert.Equal("num inf", (string?)inf.Attribute("class"));
        Assert.Equal("1-inf", inf.Value);
        Assert.Contains("pilab report --irq-priority", section.Value);
        var why = Html(new XDocument(rows[1]), "td").Last();
        Assert.Equal("2", (string?)why.Attribute("colspan"));
        Assert.Equal("not computed: more than 100 states: too large to keep every edge for the cost", why.Value);
    }

    [Theory]
    [InlineData(0, null, 1, "0-inf")]
    [InlineData(2, 2, 1, "2")]
    [InlineData(1, 3, 2, "0.5-1.5")]
    [InlineData(0, 2, 3, "0-0.67")]
    public void CostCell_PerPost(int min, int? max, int posts, string expected) =>
        Assert.Equal(expected, new CostCell("m", min, max).PerPost(posts));

    [Fact]
    public void OrderMatrix_WithReasons_CountsEachClassPerColumn_AboveTheMatrix()
    {
        var matrix = new OrderMatrix(["SC k=1", "TSO k=1"],
        [
            new("a enter", [new(Verdict.Safe), new(Verdict.Safe)]),
            new("b enter", [new(Verdict.Safe), new(Verdict.Violation, "store-buffer")]),
            new("c enter", [new(Verdict.Violation, "dummy-handler"), new(Verdict.Violation, "dummy-handler")]),
        ], Reasons: [new("dummy-handler", "NOTIFY eaten", "rule 1"), new("unused", "never", "rule 2"), new("store-buffer", "mode.in buffered", "rule 3")]);
        var doc = Parse(HtmlReport.Render(Runs.Report() with { Orders = matrix }));
        var section = Html(doc, "section").Single(s => (string?)s.Attribute("id") == "orders");
        var legend = Html(new XDocument(section), "table").First();
        Assert.Equal("reasons", (string?)legend.Attribute("class"));
        var rows = Html(new XDocument(legend), "tbody").Single().Elements().ToList();
        Assert.Equal(["no loss|2|1", "dummy-handler|1|1", "store-buffer|0|1"],
            rows.Select(r => string.Join("|", r.Elements().Take(3).Select(e => e.Value))));
        Assert.Contains("NOTIFY eatenrule 1", rows[1].Value);
        Assert.DoesNotContain("Reason classes:", section.Value);
    }

    /// <summary>The report of every design with a reproduction line per run, a version, and a matrix whose losing cell has its run.</summary>
    private static ReportInput Linked()
    {
        var patch = Runs.Get("patch-v1", MemoryModel.SC, 1);
        var matrix = new OrderMatrix(["SC k=1", "TSO k=1"],
        [
            new("irq.off mode.in mb sync check enter", [new(Verdict.Safe), new(Verdict.Safe)], "fixed"),
            new("irq.off sync mode.in mb check enter", [new(Verdict.Violation, "read-outside-after-on-read", new OrderRun(patch, Reproduction.Of("printf x > o.variant && pilab explain o.variant"))),
                new(Verdict.Violation, "store-buffer")], "patch-v1"),
        ], "hand-made");
        var entries = Runs.All.Concat(Runs.WholeSystem).Select(r => new ReportEntry(r, Reproduce: r.Trace is null ? null
            : r.Variant.Name == "irq-late" ? Reproduction.None("no command line: a reason given for the test")
            : Reproduction.Of($"pilab explain {r.Variant.Name} --mm {r.Configuration.Memory.ToString().ToLowerInvariant()} -k {r.Configuration.Injectors} --svg x.svg")));
        return new ReportInput([.. entries], Command: "pilab report", Orders: matrix, Version: "1.2.3+abc");
    }

    [Fact]
    public void EveryInPageLink_LeadsToAnElementOfThePage_AndEveryIdIsUnique()
    {
        var doc = Parse(HtmlReport.Render(Linked()));
        var ids = doc.Descendants().Select(e => (string?)e.Attribute("id")).Where(id => id is not null).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var targets = Html(doc, "a").Select(a => (string)a.Attribute("href")!).ToList();
        Assert.All(targets, h => Assert.StartsWith("#", h));
        Assert.All(targets, h => Assert.Contains(h[1..], ids));
        var labels = Html(doc, "label").Select(l => (string)l.Attribute("for")!).ToList();
        Assert.All(labels, f => Assert.Contains(f, ids));
        // The matrix's losing cell with a run links to it, and the run back to the cell; the one without has no link.
        var cells = Html(doc, "td").Where(td => (string?)td.Attribute("data-verdict") == "violation" && td.Ancestors("table").First().Attribute("class")?.Value == "orders").ToList();
        Assert.Equal(2, cells.Count);
        Assert.Equal("#order-2-sc-k-1-run", (string?)cells[0].Element("a")!.Attribute("href"));
        Assert.Equal("order-2-sc-k-1", (string?)cells[0].Attribute("id"));
        Assert.Null(cells[1].Element("a"));
        var run = Html(doc, "div").Single(d => (string?)d.Attribute("id") == "order-2-sc-k-1-run");
        Assert.Equal(Runs.Get("patch-v1", MemoryModel.SC, 1).Trace!.Steps.Select(s => s.Step), run.Descendants("li").Select(li => li.Element("code")!.Value));
        Assert.Equal("#order-2-sc-k-1", (string?)run.Descendants("a").Single().Attribute("href"));
        Assert.Equal("printf x > o.variant && pilab explain o.variant", run.Descendants("code").Single(c => (string?)c.Attribute("class") == "repro-cmd").Value);
    }

    [Fact]
    public void EveryDiagram_HasAStepControlPerStep_ACaptionPerStep_AndAHighlightPerStep()
    {
        string html = HtmlReport.Render(Linked());
        var doc = Parse(html);
        var articles = Html(doc, "article").ToList();
        Assert.Equal(15, articles.Count);
        int longest = 0;
        foreach (var a in articles)
        {
            string id = (string)a.Attribute("id")!;
            int n = int.Parse((string)a.Attribute("data-steps")!);
            longest = Math.Max(longest, n);
            var inputs = Html(new XDocument(a), "input").ToList();
            Assert.Equal(Enumerable.Range(0, n + 1).Select(i => $"{id}-s{i}"), inputs.Select(i => (string)i.Attribute("id")!));
            Assert.All(inputs, i => Assert.Equal(("radio", $"{id}-step"), ((string)i.Attribute("type")!, (string)i.Attribute("name")!)));
            Assert.Equal(["checked"], inputs.Select(i => (string?)i.Attribute("checked")).Where(c => c is not null));
            var bar = Html(new XDocument(a), "div").Single(d => (string?)d.Attribute("class") == "steps-bar");
            Assert.Equal(Enumerable.Range(0, n + 1).Select(i => $"{id}-s{i}"), bar.Elements("label").Select(l => (string)l.Attribute("for")!));
            // Previous and next for the whole run and every step.
            var pn = bar.Elements("span").Where(sp => (string?)sp.Attribute("class") == "pn").ToList();
            Assert.Equal(Enumerable.Range(0, n + 1).Select(i => $"{i}"), pn.Select(sp => (string)sp.Attribute("data-i")!));
            Assert.Equal([$"{id}-s1"], pn[0].Elements("label").Select(l => (string)l.Attribute("for")!));
            Assert.Equal([$"{id}-s{n - 1}", $"{id}-s0"], pn[n].Elements("label").Select(l => (string)l.Attribute("for")!));
            var caps = Html(new XDocument(a), "p").Where(p => (string?)p.Attribute("class") == "cap").ToList();
            Assert.Equal(n + 1, caps.Count);
            Assert.StartsWith($"step 1 of {n} · ", caps[0].Value);
            var svg = a.Descendants(Runs.Svg + "svg").Single();
            var steps = Runs.WithClass(svg, "step").ToList();
            Assert.Equal(Enumerable.Range(1, n).Select(i => $"{i}"), steps.Select(g => (string)g.Attribute("data-index")!));
            Assert.All(steps, g => Assert.Single(Runs.WithClass(g, "hl")));
            Assert.Equal(Enumerable.Range(0, n + 1).Select(i => $"{i}"), Runs.WithClass(svg, "seg").Select(g => (string)g.Attribute("data-index")!));
        }
        // The page's rules cover the longest run, and no further.
        Assert.Contains($"input[data-i=\"{longest}\"]:checked~.diagram g.step[data-index=\"{longest}\"]", html);
        Assert.DoesNotContain($"input[data-i=\"{longest + 1}\"]", html);
    }

    [Fact]
    public void EveryDiagram_ShowsTheCommandThatDrawsItAgain_OrWhyNone_AndTheVersion()
    {
        var doc = Parse(HtmlReport.Render(Linked()));
        var head = Html(doc, "p").First(p => (string?)p.Attribute("class") == "cmd");
        Assert.Equal(["pilab report", "pilab 1.2.3+abc"], head.Elements().Select(e => e.Value));
        foreach (var a in Html(doc, "article"))
        {
            var repro = a.Elements("p").Single(p => (string?)p.Attribute("class") == "repro");
            string variant = (string)a.Attribute("data-variant")!;
            Assert.EndsWith("(pilab 1.2.3+abc)", repro.Value);
            if (variant == "irq-late")
            {
                Assert.Empty(repro.Descendants("code"));
                Assert.StartsWith("no command line: a reason given for the test", repro.Value);
            }
            else Assert.Equal($"pilab explain {variant} --mm {(string)a.Attribute("data-mm")!} -k {(string)a.Attribute("data-k")!} --svg x.svg", repro.Descendants("code").Single().Value);
        }
        Assert.Contains("Written by pilab 1.2.3+abc.", Html(doc, "footer").Single().Value);
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
