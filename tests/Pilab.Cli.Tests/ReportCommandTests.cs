using System.Xml.Linq;

namespace Pilab.Cli.Tests;

/// <summary><c>pilab report</c> and <c>pilab explain --svg</c> as a user runs them: files written, exit codes, messages.</summary>
public sealed class ReportCommandTests
{
    private static string TempPath(string ext) => Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.{ext}");

    [Fact]
    public void Report_OfTheBuiltins_WritesOneHtmlFile_WithEveryLosingRunDrawn()
    {
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", "-o", path);
            Assert.Equal(0, r.ExitCode);
            long bytes = new FileInfo(path).Length;
            Assert.Equal($"wrote {path} ({bytes:N0} bytes): 5 variants, 20 checks, 10 with a delivery cost, 10 losing runs drawn, order matrix of 144 entry orders; "
                + "whole system: 13 variants, 8 losing runs drawn\n", r.Out);
            string html = File.ReadAllText(path);
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.Equal(10, html.Split("<article class=\"run violation\"").Length - 1);
            Assert.Equal(8, html.Split("<article class=\"run violation whole-system\"").Length - 1);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Report_OfNamedVariants_ChecksOnlyThose()
    {
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", "fixed", "irq-late", "-o", path, "-e", "1");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("2 variants, 8 checks, 4 with a delivery cost, 4 losing runs drawn", r.Out);
            Assert.Contains("1 guest exit(s)", File.ReadAllText(path));
        }
        finally { File.Delete(path); }
    }

    /// <summary>The report's cost section, one row per check without loss, as "variant mm k: cells".</summary>
    private static List<string> CostRows(string html)
    {
        var doc = XDocument.Parse(html["<!DOCTYPE html>".Length..]);
        var section = doc.Descendants("section").Single(s => (string?)s.Attribute("id") == "costs");
        return [.. section.Descendants("tbody").Single().Elements("tr").Select(tr =>
            $"{(string)tr.Attribute("data-variant")!} {(string)tr.Attribute("data-mm")!} {(string)tr.Attribute("data-k")!}: "
            + string.Join(" ", tr.Elements("td").Skip(1).Select(td => td.Value)))];
    }

    [Fact]
    public void Report_WithIrqPriority_CostsAreBounded_AndTheSameAsCheckCost()
    {
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", "prepatch", "fixed", "fixed-nomb", "--irq-priority", "--no-synthesis", "-o", path);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("3 variants, 12 checks, 10 with a delivery cost, 2 losing runs drawn\n", r.Out);
            string html = File.ReadAllText(path);
            Assert.DoesNotContain("id=\"orders\"", html);
            Assert.Contains("host interrupts first</b> (<code>--irq-priority</code>", html);
            var rows = CostRows(html);
            Assert.Equal(10, rows.Count);
            Assert.DoesNotContain(rows, row => row.Contains("inf"));
            // The figures pilab check --cost prints (the cost/post column, N R C X H E), row by row.
            var check = Pilab.Invoke("check", "--irq-priority").Out.Split('\n')
                .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(w => w.Length > 12 && w[3] == "no" && w[4] == "loss" && w[0] is "prepatch" or "fixed" or "fixed-nomb")
                .Select(w => $"{w[0]} {w[1].ToLowerInvariant()} {w[2]}: {string.Join(" ", w[^6..])}").ToList();
            Assert.Equal(check, rows);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Report_OrderMatrix_HasEveryOrder_WithTheCountsOfSynthesize()
    {
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", "fixed", "-o", path);
            Assert.Equal(0, r.ExitCode);
            var doc = XDocument.Parse(File.ReadAllText(path)["<!DOCTYPE html>".Length..]);
            var orders = doc.Descendants("section").Single(s => (string?)s.Attribute("id") == "orders");
            var matrix = orders.Descendants("table").Single(t => (string?)t.Attribute("class") == "orders");
            Assert.Equal(144, matrix.Element("tbody")!.Elements("tr").Count());
            Assert.Equal(["48 of 144", "36 of 144", "15 of 144", "10 of 144"], matrix.Element("tfoot")!.Descendants("td").Select(td => td.Value));
            // Each losing cell links to its run, which says how to get it again: run as printed, with --svg, it draws that run.
            var cells = matrix.Element("tbody")!.Descendants("td").Where(td => (string?)td.Attribute("data-verdict") == "violation").ToList();
            Assert.All(cells, td => Assert.Equal($"#{(string)td.Attribute("id")!}-run", (string?)td.Element("a")?.Attribute("href")));
            var runs = orders.Descendants("div").Where(d => (string?)d.Attribute("class") is "order-run" or "order-run at-left").ToDictionary(d => (string)d.Attribute("id")!);
            Assert.Equal(cells.Count, runs.Count);
            foreach (string id in new[] { "order-9-sc-k-1", "order-3-tso-k-2", "order-144-tso-k-1" })
            {
                var shown = runs[id + "-run"];
                var steps = shown.Descendants("li").Select(li => li.Element("code")!.Value).ToList();
                Assert.Equal((int)shown.Attribute("data-steps")!, steps.Count);
                string command = shown.Descendants("code").Single(c => (string?)c.Attribute("class") == "repro-cmd").Value;
                var (run, dir) = RunPrinted(command + " --svg run.svg");
                try
                {
                    Assert.True(run.ExitCode == 1, run.Err);
                    XNamespace svg = "http://www.w3.org/2000/svg";
                    Assert.Equal(steps, XDocument.Load(Path.Combine(dir, "run.svg")).Descendants(svg + "g").Where(g => (string?)g.Attribute("class") == "step").Select(g => (string)g.Attribute("data-step")!));
                }
                finally { Directory.Delete(dir, true); }
            }
            // pilab synthesize says the same for k = 1 and k = 2.
            foreach (var (k, sc, tso) in new[] { ("1", 48, 15), ("2", 36, 10) })
            {
                var s = Pilab.Invoke("synthesize", "-k", k).Out;
                Assert.Contains($"safe under SC :  {sc} of 144", s);
                Assert.Contains($"safe under TSO:  {tso} of 144", s);
            }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Report_Live_DrawsOneHistogramPerVariant_WhoseBarsHoldEverySample()
    {
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", "fixed", "irq-late", "--no-synthesis", "--live", "0.3", "-o", path);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("2 live latency histograms", r.Out);
            Assert.Contains("pilab: running fixed live for 0.3 s", r.Err);
            Assert.Contains("pilab: running irq-late live for 0.3 s", r.Err);
            var doc = XDocument.Parse(File.ReadAllText(path)["<!DOCTYPE html>".Length..]);
            var section = doc.Descendants("section").Single(s => (string?)s.Attribute("id") == "latency");
            var runs = section.Elements("div").ToList();
            Assert.Equal(2, runs.Count);
            XNamespace svg = "http://www.w3.org/2000/svg";
            foreach (var (run, variant) in runs.Zip(new[] { "fixed", "irq-late" }))
            {
                Assert.Contains($"post to guest handler, {variant} (pilab live", run.Descendants(svg + "title").First().Value);
                var note = run.Element("p")!.Value;
                long samples = long.Parse(note[..note.IndexOf(" latency samples", StringComparison.Ordinal)], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
                var bars = run.Descendants(svg + "rect").Where(b => (string?)b.Attribute("class") == "bar").ToList();
                Assert.Equal(samples, bars.Sum(b => (long)b.Attribute("data-count")!));
                // Doubling buckets in microseconds.
                var bounds = bars.Select(b => double.Parse((string)b.Attribute("data-bound")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
                for (int i = 1; i < bounds.Count; i++) Assert.Equal(bounds[i - 1] * 2, bounds[i]);
            }
        }
        finally { File.Delete(path); }
    }

    /// <summary>The report's diagrams, by article id: the reproduction line (or why there is none), the version shown, and the diagram's steps.</summary>
    private static Dictionary<string, (string? Command, string Text, XElement Svg)> Articles(string html)
    {
        var doc = XDocument.Parse(html["<!DOCTYPE html>".Length..]);
        XNamespace svg = "http://www.w3.org/2000/svg";
        return doc.Descendants("article").ToDictionary(a => (string)a.Attribute("id")!, a =>
        {
            var p = a.Elements("p").Single(e => (string?)e.Attribute("class") == "repro");
            return ((string?)p.Descendants("code").SingleOrDefault(), p.Value, a.Descendants(svg + "svg").Single());
        });
    }

    /// <summary>The steps of a diagram as drawn (the SVG of each step group, its marker ids made neutral), to compare two drawings of one run.</summary>
    private static List<string> DrawnSteps(XElement svg, string idPrefix)
    {
        XNamespace ns = "http://www.w3.org/2000/svg";
        return [.. svg.Descendants(ns + "g").Where(g => (string?)g.Attribute("class") == "step")
            .Select(g => g.ToString(SaveOptions.DisableFormatting).Replace($"url(#{idPrefix}-m-", "url(#m-"))];
    }

    /// <summary>Runs a command line the report printed, in a fresh folder, with pilab the executable under test; returns the folder.</summary>
    private static (Pilab.Run Run, string Dir) RunPrinted(string command)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"pilab-repro-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return (Pilab.Shell($"cd {dir} && pilab() {{ $PILAB \"$@\"; }} && {command}"), dir);
    }

    [Fact]
    public void Report_EachDiagram_HasTheCommandThatDrawsItAgain_AndPilabsVersion()
    {
        string path = TempPath("html");
        string file = Path.Combine(VariantsDir(), "loses", "kvm-2021-unarmed-migration.variant");
        try
        {
            var r = Pilab.Invoke("report", "fixed-nomb", file, "--no-synthesis", "-o", path);
            Assert.Equal(0, r.ExitCode);
            string version = Pilab.Invoke("--version").Out.Trim();
            Assert.Matches(@"^\d+\.\d+\.\d+", version);
            string html = File.ReadAllText(path);
            Assert.Contains($"<span class=\"version\">pilab {version}</span>", html);
            var articles = Articles(html);
            Assert.Equal(["run-fixed-nomb-tso-k1", "run-fixed-nomb-tso-k2", "run-kvm-2021-unarmed-migration-sc-k1"], articles.Keys);
            Assert.Equal("pilab explain fixed-nomb --mm tso -k 2 -n 1 -e 0 --svg fixed-nomb-tso-k2.svg", articles["run-fixed-nomb-tso-k2"].Command);
            Assert.Equal($"pilab explain {file} --mm sc -k 1 --iommu 0 -n 1 -e 0 --halts 1 --preemptions 1 --migrations 1 --svg kvm-2021-unarmed-migration-sc-k1.svg",
                articles["run-kvm-2021-unarmed-migration-sc-k1"].Command);
            foreach (var (id, (command, text, svg)) in articles)
            {
                Assert.EndsWith($"(pilab {version})", text);
                // The line, run as printed, draws the same run: step for step the same drawing.
                var (run, dir) = RunPrinted(command!);
                try
                {
                    Assert.True(run.ExitCode == 1, run.Err);
                    string drawn = Path.Combine(dir, command!.Split(' ')[^1]);
                    Assert.Equal(DrawnSteps(svg, id), DrawnSteps(XDocument.Load(drawn).Root!, "sd"));
                }
                finally { Directory.Delete(dir, true); }
            }

            // The search options that choose the run go with it.
            r = Pilab.Invoke("report", "patch-v1", "--no-synthesis", "--no-por", "--no-symmetry", "-o", path);
            Assert.Equal(0, r.ExitCode);
            var (cmd, _, full) = Articles(File.ReadAllText(path))["run-patch-v1-tso-k2"];
            Assert.Equal("pilab explain patch-v1 --mm tso -k 2 -n 1 -e 0 --no-por --no-symmetry --svg patch-v1-tso-k2.svg", cmd);
            var (again, at) = RunPrinted(cmd!);
            try
            {
                Assert.Equal(1, again.ExitCode);
                Assert.Equal(DrawnSteps(full, "run-patch-v1-tso-k2"), DrawnSteps(XDocument.Load(Path.Combine(at, "patch-v1-tso-k2.svg")).Root!, "sd"));
            }
            finally { Directory.Delete(at, true); }
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Report_ARunNoCommandLineCanReproduce_SaysWhy_InsteadOfAWrongLine()
    {
        // The file's check line sets same-vector; the report's sweep checks the vCPU entry without it,
        // and pilab explain keeps a check line's same-vector (no option turns it off).
        string variant = Pilab.TempFile("base: fixed-nomb\ncheck: mm=tso k=1 same-vector\n");
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", variant, "--no-synthesis", "-o", path);
            Assert.Equal(0, r.ExitCode);
            var articles = Articles(File.ReadAllText(path));
            Assert.Equal(2, articles.Count);
            Assert.All(articles.Values, a =>
            {
                Assert.Null(a.Command);
                Assert.StartsWith("no command line reproduces this run: the variant's own check line sets same-vector, which pilab explain keeps", a.Text);
            });
        }
        finally { File.Delete(path); File.Delete(variant); }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("3601")]
    public void Report_Live_BadSeconds_ExitsTwo_WritesNothing(string seconds)
    {
        string path = TempPath("html");
        var r = Pilab.Invoke("report", "fixed", "--live", seconds, "-o", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("pilab: --live takes seconds, more than 0 and at most 3600", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Report_SaysWhichGraphItsStatesAreOf_TheFullOneWithNoReductions()
    {
        string path = TempPath("html");
        try
        {
            Assert.Equal(0, Pilab.Invoke("report", "prepatch", "--no-synthesis", "-o", path).ExitCode);
            Assert.Contains("States of the graph reduced by partial-order reduction", File.ReadAllText(path));
            Assert.Equal(0, Pilab.Invoke("report", "prepatch", "--no-synthesis", "--no-por", "--no-symmetry", "-w", "1", "-o", path).ExitCode);
            string html = File.ReadAllText(path);
            Assert.Contains("States of the full graph.", html);
            // prepatch under SC, k = 1: the full graph's 187 states (pilab check prepatch --no-por --no-symmetry).
            Assert.Contains("187 states</span>", html);
        }
        finally { File.Delete(path); }
    }

    /// <summary>The report's whole-system table, one row per check, as "variant: verdict story".</summary>
    private static List<string> WholeSystemRows(string html)
    {
        var doc = XDocument.Parse(html["<!DOCTYPE html>".Length..]);
        var section = doc.Descendants("section").Single(s => (string?)s.Attribute("id") == "whole-system");
        return [.. section.Descendants("tbody").Single().Elements("tr").Select(tr =>
            $"{(string)tr.Attribute("data-variant")!}: {tr.Elements("td").Single(td => td.Attribute("data-verdict") is not null).Value} {tr.Elements("td").Single(td => ((string?)td.Attribute("class"))?.StartsWith("story") == true).Value}")];
    }

    [Fact]
    public void Report_OfTheBuiltins_HasTheWholeSystemRows_AsPilabCheckTellsTheirStories()
    {
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", "--no-synthesis", "-o", path);
            Assert.Equal(0, r.ExitCode);
            string html = File.ReadAllText(path);
            Assert.Equal([
                "kvm-2021: no loss design", "kvm-2019: no loss design", "sn-no-recompute: LOSES historical fix", "ndst-blocked-migration: LOSES historical fix",
                "halt-without-wakeup-vector: LOSES historical fix", "kvm-2021-unarmed-migration: LOSES FINDING", "kvm-2019-cpu-injector: LOSES FINDING", "kvm-2025: no loss design", "recompute-if-sn-set: no loss design",
                "avic: no loss design", "avic-erratum-1235: LOSES historical fix", "avic-set-running-stale-cpu: LOSES historical fix", "avic-irte-not-running: LOSES historical fix"], WholeSystemRows(html));
            // The same verdicts and stories as pilab check's whole-system table.
            var check = Pilab.Invoke("check").Out.Split('\n').SkipWhile(l => !l.StartsWith("whole system", StringComparison.Ordinal)).Skip(3)
                .Select(l => l.Split("  ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).Where(w => w.Length > 10)
                .Select(w => $"{w[0]}: {w[^6]} {w[^1]}").ToList();
            Assert.Equal(check, WholeSystemRows(html));
            // The command line's default: the whole system reduced by POR too (no built-in posts the same vector twice).
            Assert.Contains("States of the graph reduced by partial-order reduction (pilab report --no-por counts the full graph).", html);
            Assert.Contains("The whole-system checks have no row here", html);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Report_OfAWholeSystemFile_ChecksItAtItsOwnConfiguration_WithTheOptionsLaidOver()
    {
        string path = TempPath("html");
        string file = Path.Combine(VariantsDir(), "loses", "kvm-2021-unarmed-migration.variant");
        try
        {
            var r = Pilab.Invoke("report", file, "-o", path);
            Assert.Equal(0, r.ExitCode);
            Assert.Equal($"wrote {path} ({new FileInfo(path).Length:N0} bytes): whole system: 1 variant, 1 losing run drawn\n", r.Out);
            string html = File.ReadAllText(path);
            var doc = XDocument.Parse(html["<!DOCTYPE html>".Length..]);
            // Only the whole-system sections: no vCPU-entry table, no cost, no order matrix of entry orders.
            Assert.Equal(["whole-system", "whole-system-runs"], doc.Descendants("section").Select(s => (string)s.Attribute("id")!));
            // (A file has no line that marks a finding, so its story is read from the verdict alone.)
            Assert.StartsWith("kvm-2021-unarmed-migration: LOSES ", Assert.Single(WholeSystemRows(html)));
            var article = Assert.Single(doc.Descendants("article"));
            Assert.Equal("run-kvm-2021-unarmed-migration-sc-k1", (string?)article.Attribute("id"));
            Assert.Contains("SC k=1 j=0 n=1 e=0 h=1 p=1 m=1", article.Element("h3")!.Value);

            // With a built-in of either design and an option laid over the whole-system one's own configuration.
            r = Pilab.Invoke("report", "fixed", "kvm-2019", "--irq-priority", "--no-synthesis", "-o", path);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("1 variant, 4 checks, 4 with a delivery cost, 0 losing runs drawn; whole system: 1 variant, 0 losing runs drawn", r.Out);
            html = File.ReadAllText(path);
            Assert.Contains("with <code>--irq-priority</code> laid over it", html);
            Assert.Contains("<td>irq-priority</td>", html);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Report_WholeSystem_ExitCodes_BoundAndLive()
    {
        string path = TempPath("html");
        try
        {
            // A whole-system check that stops at --max-states: the report is written, exit code 3.
            var r = Pilab.Invoke("report", "kvm-2021", "--max-states", "100", "-o", path);
            Assert.Equal(3, r.ExitCode);
            Assert.Contains("<td class=\"v v-bound-reached\" data-verdict=\"bound-reached\"><span class=\"word\">bound</span>", File.ReadAllText(path));
            File.Delete(path);
            // The live runtime runs the vCPU entry only: a whole-system variant alone is refused by name.
            r = Pilab.Invoke("report", "kvm-2021", "--live", "0.2", "--quiet", "-o", path);
            Assert.Equal(2, r.ExitCode);
            Assert.Contains("cannot serve kvm-2021: it is of design kvm-2021", r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
            Assert.False(File.Exists(path));
            // An unknown name among whole-system ones: exit 2, nothing written.
            r = Pilab.Invoke("report", "kvm-2019", "no-such-variant", "-o", path);
            Assert.Equal(2, r.ExitCode);
            Assert.False(File.Exists(path));
        }
        finally { File.Delete(path); }
    }

    /// <summary>The repository's variants/ folder, found upwards from the test's directory.</summary>
    private static string VariantsDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "variants", "loses"))) return Path.Combine(d.FullName, "variants");
        throw new DirectoryNotFoundException("variants/");
    }

    [Fact]
    public void Report_UnknownVariant_ExitsTwo_WritesNothing()
    {
        string path = TempPath("html");
        var r = Pilab.Invoke("report", "patch-v1", "no-such-variant", "-o", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such-variant: no such built-in variant or file", r.Err);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Report_UnwritableOutput_ExitsTwo_WithoutStackTrace()
    {
        var r = Pilab.Invoke("report", "fixed", "-o", "/nonexistent-dir/report.html");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("pilab: cannot write /nonexistent-dir/report.html:", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Explain_Svg_WritesTheDiagram_AndKeepsThePlainTimelineOnAPipe()
    {
        string path = TempPath("svg");
        try
        {
            var r = Pilab.Invoke("explain", "patch-v1", "--svg", path);
            Assert.Equal(1, r.ExitCode);
            // stdout is a pipe here: the plain TimelineRenderer text, no colour codes.
            Assert.Contains("  # | P0 (vCPU thread, cpu, guest)", r.Out);
            Assert.DoesNotContain("\u001b[", r.Out);
            Assert.Contains($"wrote {path}", r.Err);
            var svg = XDocument.Load(path).Root!;
            Assert.Equal("svg", svg.Name.LocalName);
            Assert.Equal("11", (string?)svg.Attribute("data-steps"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Explain_Svg_OfASafeVariant_SaysThereIsNothingToDraw()
    {
        string path = TempPath("svg");
        var r = Pilab.Invoke("explain", "fixed", "--svg", path);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("has no losing run to draw", r.Err);
        Assert.False(File.Exists(path));
    }
}
