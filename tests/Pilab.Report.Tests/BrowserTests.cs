using System.Text.Json;
using Microsoft.Playwright;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Report.Tests;

/// <summary>
/// Opens the report in a real browser: Debian's chromium, driven by Playwright (whose own browser
/// download is never used). Skipped, saying so, where /usr/bin/chromium is absent. Screenshots and a
/// PDF print land in bin/.../TestResults/report-browser/ for a person to look at.
/// </summary>
public sealed class BrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const int Width = 1280;

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
    ];

    private static string ArtifactDir()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "TestResults", "report-browser");
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static async Task<(IPlaywright, IBrowser)> Launch()
    {
        Assert.SkipUnless(File.Exists(Chromium), $"{Chromium} is not installed (apt-get install chromium): the browser test is skipped");
        var pw = await Playwright.CreateAsync();
        var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ChromiumArgs });
        return (pw, browser);
    }

    private static async Task<(IPage Page, List<string> Requests)> Open(IBrowser browser, string html, string name)
    {
        string path = Path.Combine(ArtifactDir(), name);
        await File.WriteAllTextAsync(path, html, TestContext.Current.CancellationToken);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = Width, Height = 900 } });
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        return (page, requests);
    }

    private static async Task<T> Eval<T>(IPage page, string js) =>
        JsonSerializer.Deserialize<T>(await page.EvaluateAsync<string>($"() => JSON.stringify({js})"))!;

    [Fact]
    public async Task Report_InChromium_HasADiagramPerLoss_StrandedVectorMarked_SpecVerdicts_At1280px()
    {
        var (pw, browser) = await Launch();
        using var _ = pw;
        await using var __ = browser;
        var (page, requests) = await Open(browser, HtmlReport.Render(Runs.Report()), "report.html");
        string dir = ArtifactDir();

        // Self-contained: the browser fetched nothing but the file itself.
        Assert.All(requests, u => Assert.True(u.StartsWith("file:", StringComparison.Ordinal) || u.StartsWith("data:", StringComparison.Ordinal), u));

        // One diagram per losing run, each with as many steps as its trace and one stranded mark.
        var runs = await Eval<Dictionary<string, int[]>>(page, """
            Object.fromEntries([...document.querySelectorAll('article.run')].map(a => [a.id, [
              +a.dataset.steps,
              a.querySelectorAll('svg').length,
              a.querySelectorAll('svg g.step').length,
              a.querySelectorAll('g.stranded').length]]))
            """);
        var losing = Runs.All.Where(r => r.Verdict == Verdict.Violation).ToList();
        Assert.Equal(losing.Count, runs.Count);
        foreach (var r in losing)
        {
            string id = $"run-{r.Variant.Name}-{r.Configuration.Memory.ToString().ToLowerInvariant()}-k{r.Configuration.Injectors}";
            Assert.Equal([r.Trace!.Steps.Length, 1, r.Trace.Steps.Length, 1], runs[id]);
        }

        // The stranded vector is marked where the reader sees it: a red cell saying PIR {v1} and the words.
        var stranded = await Eval<string[]>(page, """
            [...document.querySelectorAll('#run-patch-v1-sc-k1 g.stranded')].flatMap(g => [
              g.dataset.vectors, getComputedStyle(g.querySelector('rect.stranded')).fill, g.textContent])
            """);
        Assert.Equal("v1", stranded[0]);
        Assert.Equal("rgb(254, 202, 202)", stranded[1]);
        Assert.Contains("PIR {v1}", stranded[2]);
        Assert.Contains("v1 stranded in PIR", stranded[2]);

        // The table's verdicts, as docs/model.md section 4 states them.
        var table = await Eval<Dictionary<string, string[]>>(page, """
            Object.fromEntries([...document.querySelectorAll('table.verdicts tr[data-variant]')].map(tr =>
              [tr.dataset.variant, [...tr.querySelectorAll('td[data-verdict]')].map(td => td.dataset.mm + td.dataset.k + ':' + td.innerText.split('\n')[0])]))
            """);
        Assert.Equal(["prepatch", "patch-v1", "irq-late", "fixed", "fixed-nomb"], table.Keys);
        foreach (var (variant, cells) in table)
        {
            string Word(MemoryModel mm) => Runs.Expected(variant, mm) == Verdict.Violation ? "LOSES" : "no loss";
            Assert.Equal([$"sc1:{Word(MemoryModel.SC)}", $"sc2:{Word(MemoryModel.SC)}", $"tso1:{Word(MemoryModel.TSO)}", $"tso2:{Word(MemoryModel.TSO)}"], cells);
        }

        // Readable at 1280 px: no sideways scrolling, and diagram text at least 9 px after scaling.
        var layout = await Eval<double[]>(page, """
            [document.documentElement.scrollWidth,
             Math.max(...[...document.querySelectorAll('article.run svg.sd')].map(s => s.getBoundingClientRect().width)),
             Math.min(...[...document.querySelectorAll('article.run svg.sd')].map(s => 12 * s.getBoundingClientRect().width / s.viewBox.baseVal.width))]
            """);
        Assert.True(layout[0] <= Width, $"page is {layout[0]} px wide");
        Assert.True(layout[1] <= Width, $"a diagram is {layout[1]} px wide");
        Assert.True(layout[2] >= 9, $"diagram text shrinks to {layout[2]:F1} px");

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, "report-1280.png"), FullPage = true });
        await page.Locator("#run-patch-v1-sc-k1").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "patch-v1-sc-k1.png") });
        await page.Locator("#run-fixed-nomb-tso-k1").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "fixed-nomb-tso-k1.png") });
        await page.Locator("#run-patch-v1-tso-k2").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "patch-v1-tso-k2.png") });

        // Printable: navigation hidden, each run on its own page.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        var print = await Eval<string[]>(page, """
            [getComputedStyle(document.querySelector('nav')).display,
             getComputedStyle(document.querySelector('article.run')).breakBefore]
            """);
        Assert.Equal(["none", "page"], print);
        byte[] pdf = await page.PdfAsync(new PagePdfOptions { Path = Path.Combine(dir, "report.pdf"), Format = "A4", Landscape = true, PrintBackground = true });
        int pages = System.Text.RegularExpressions.Regex.Count(System.Text.Encoding.Latin1.GetString(pdf), @"/Type\s*/Page[^s]");
        Assert.True(pages >= 1 + losing.Count, $"{pages} PDF pages for {losing.Count} runs");
        // As printed: the width of an A4 landscape page inside 10 mm margins (277 mm at 96 px per inch).
        await page.SetViewportSizeAsync(1047, 800);
        await page.Locator("table.verdicts").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "print-verdicts.png") });
        await page.Locator("#run-patch-v1-sc-k1").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "print-patch-v1-sc-k1.png") });
        TestContext.Current.SendDiagnosticMessage($"screenshots and PDF in {dir}");
    }

    /// <summary>
    /// The report as <c>pilab report</c> writes it with no arguments (the real executable), so the
    /// wiring is what the browser sees: the cost columns of every check without loss, and the order
    /// matrix of the synthesis whose tagged rows agree with the verdict table.
    /// </summary>
    [Fact]
    public async Task PilabReport_InChromium_HasTheCostColumns_AndTheOrderMatrix_At1280px()
    {
        var (pw, browser) = await Launch();
        using var _ = pw;
        await using var __ = browser;
        string dir = ArtifactDir();
        string path = Path.Combine(dir, "pilab-report.html");
        var run = PilabProcess.Invoke("report", "-o", path);
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("10 with a delivery cost", run.Out);
        Assert.Contains("order matrix of 144 entry orders", run.Out);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = Width, Height = 900 } });
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        Assert.All(requests, u => Assert.StartsWith("file:", u, StringComparison.Ordinal));

        // Cost columns: one per metric of the analysis, one row per check without loss.
        var head = await Eval<string[]>(page, "[...document.querySelectorAll('#costs thead th')].map(th => th.innerText)");
        Assert.Equal(["variant", "checked", "NOTIFY IPIs", "RESCHED IPIs", "cancelled entries", "VM exits", "host handler runs", "EVENT requests handled"], head);
        var costs = await Eval<Dictionary<string, string[]>>(page, """
            Object.fromEntries([...document.querySelectorAll('#costs tbody tr')].map(tr =>
              [tr.dataset.variant + ' ' + tr.dataset.mm + tr.dataset.k, [...tr.querySelectorAll('td.num')].map(td => td.innerText)]))
            """);
        var safe = await Eval<string[]>(page, """
            [...document.querySelectorAll('table.verdicts td[data-verdict="safe"]')].map(td => td.closest('tr').dataset.variant + ' ' + td.dataset.mm + td.dataset.k)
            """);
        Assert.Equal(10, safe.Length);
        Assert.Equal(safe.Order(), costs.Keys.Order());
        // What the 2016 patch bought (issue 3): prepatch handles a KVM_REQ_EVENT request and may cancel two entries, fixed neither.
        Assert.Equal(["0-1", "0-1", "0-2", "0-inf", "0-1", "0-1"], costs["prepatch sc1"]);
        Assert.Equal(["0-1", "0-1", "0-1", "0-inf", "0-1", "0"], costs["fixed sc1"]);
        // Without --irq-priority the VM-exit maximum is unbounded (docs/analysis.md), and the report says so.
        Assert.All(costs.Values, c => Assert.Equal("0-inf", c[3]));
        var note = await page.Locator("#costs").InnerTextAsync();
        Assert.Contains("host interrupts not forced", note);
        Assert.Contains("pilab report --irq-priority", note);

        // The order matrix: 144 orders by four configurations, the safe counts of pilab synthesize.
        var matrix = await Eval<int[]>(page, """
            [document.querySelectorAll('#orders table.orders tbody tr').length,
             document.querySelectorAll('#orders table.orders td[data-verdict]').length,
             document.querySelectorAll('#orders table.orders td[data-verdict="violation"] .fig').length,
             document.querySelectorAll('#orders table.orders td[data-verdict="violation"]').length]
            """);
        Assert.Equal([144, 576, matrix[3], matrix[3]], matrix);
        var columns = await Eval<string[]>(page, "[...document.querySelectorAll('#orders table.orders thead th.cfg')].map(th => th.innerText)");
        Assert.Equal(["SC k=1", "SC k=2", "TSO k=1", "TSO k=2"], columns);
        var foot = await Eval<string[]>(page, "[...document.querySelectorAll('#orders table.orders tfoot td')].map(td => td.innerText)");
        Assert.Equal(["48 of 144", "36 of 144", "15 of 144", "10 of 144"], foot);
        var reasons = await Eval<string[]>(page, "[...document.querySelectorAll('#orders table.reasons tr[data-reason]')].map(tr => tr.dataset.reason)");
        Assert.Equal(["dummy-handler", "store-buffer", "resched-after-check", "read-outside-after-on-read"], reasons);
        // A row tagged with a built-in's name has that built-in's verdicts in the verdict table.
        var tagged = await Eval<Dictionary<string, string[]>>(page, """
            Object.fromEntries([...document.querySelectorAll('#orders table.orders tbody tr')].filter(tr => tr.querySelector('.tag')).map(tr =>
              [tr.querySelector('.tag').innerText, [...tr.querySelectorAll('td[data-verdict]')].map(td => td.dataset.verdict)]))
            """);
        var table = await Eval<Dictionary<string, string[]>>(page, """
            Object.fromEntries([...document.querySelectorAll('table.verdicts tr[data-variant]')].map(tr =>
              [tr.dataset.variant, [...tr.querySelectorAll('td[data-verdict]')].map(td => td.dataset.verdict)]))
            """);
        Assert.Equal(["fixed", "fixed-nomb", "irq-late", "patch-v1"], tagged.Keys.Order());
        foreach (var (variant, verdicts) in tagged) Assert.Equal(table[variant], verdicts);

        // Readable at 1280 px: no sideways scrolling, nothing in the new tables smaller than 11 px.
        var layout = await Eval<double[]>(page, """
            [document.documentElement.scrollWidth,
             Math.max(...[...document.querySelectorAll('#costs table, #orders table')].map(t => t.getBoundingClientRect().right)),
             Math.min(...[...document.querySelectorAll('#costs td, #orders td .fig, #orders td code')].map(e => parseFloat(getComputedStyle(e).fontSize)))]
            """);
        Assert.True(layout[0] <= Width, $"page is {layout[0]} px wide");
        Assert.True(layout[1] <= Width, $"a table ends at {layout[1]} px");
        Assert.True(layout[2] >= 11, $"table text shrinks to {layout[2]} px");

        await page.Locator("#verdicts").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-verdicts.png") });
        await page.Locator("#costs").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-costs.png") });
        await page.Locator("#orders table.reasons").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-reasons.png") });
        await page.Locator("#orders").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-orders.png") });
        // The whole matrix is over 5,000 px tall; also its two ends at full size, for a person to read.
        // (page coordinates: the locator screenshots above scrolled the page)
        var box = await Eval<double[]>(page, "(r => [r.top + window.scrollY, r.height])(document.querySelector('#orders table.orders').getBoundingClientRect())");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, "pilab-orders-top.png"), FullPage = true, Clip = new Clip { X = 0, Y = (float)box[0], Width = Width, Height = 900 } });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, "pilab-orders-end.png"), FullPage = true, Clip = new Clip { X = 0, Y = (float)(box[0] + box[1] - 600), Width = Width, Height = 600 } });

        // Every link in the page leads somewhere in it, and every losing cell of the matrix links to its run.
        Assert.Empty(await Eval<string[]>(page, "[...document.querySelectorAll('a[href^=\"#\"]')].map(a => a.getAttribute('href').slice(1)).filter(id => !document.getElementById(id))"));
        var linked = await Eval<int[]>(page, """
            [document.querySelectorAll('#orders table.orders td[data-verdict="violation"]').length,
             document.querySelectorAll('#orders table.orders td[data-verdict="violation"] > a[href$="-run"]').length,
             document.querySelectorAll('#orders .order-run').length]
            """);
        Assert.Equal([matrix[3], matrix[3], matrix[3]], linked);
        // Following a cell's link shows its run over the matrix, away from the cell, which stays in view; its steps are the run's; back returns to the cell.
        foreach (var (column, shot) in new[] { (4, "pilab-orders-cell-run-tso.png"), (2, "pilab-orders-cell-run-sc.png") })
        {
            string cell = await Eval<string>(page, $"document.querySelector('#orders table.orders tbody td:nth-child({column})[data-verdict=\"violation\"]').id");
            Assert.False(await page.Locator($"#{cell}-run").IsVisibleAsync());
            await page.Locator($"#{cell} > a").ClickAsync();
            var shown = await Eval<double[]>(page, $$"""
                ((r, c) => [r.top, r.bottom, window.innerHeight, c.top, c.bottom, Math.max(0, Math.min(r.right, c.right) - Math.max(r.left, c.left)) * Math.max(0, Math.min(r.bottom, c.bottom) - Math.max(r.top, c.top))])(
                  document.getElementById('{{cell}}-run').getBoundingClientRect(), document.getElementById('{{cell}}').getBoundingClientRect())
                """);
            Assert.True(await page.Locator($"#{cell}-run").IsVisibleAsync());
            Assert.True(shown[0] >= 0 && shown[1] <= shown[2], $"the run is at {shown[0]}-{shown[1]} of {shown[2]} px");
            Assert.True(shown[3] >= 0 && shown[4] <= shown[2], $"the cell is at {shown[3]}-{shown[4]} px");
            Assert.Equal(0, shown[5]);
            var steps = await Eval<int[]>(page, $"(r => [+r.dataset.steps, r.querySelectorAll('ol.trace li').length])(document.getElementById('{cell}-run'))");
            Assert.Equal(steps[0], steps[1]);
            Assert.StartsWith("printf '%s\\n' 'base: fixed' 'entry: ", await page.Locator($"#{cell}-run code.repro-cmd").InnerTextAsync());
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, shot) });
            await page.Locator($"#{cell}-run .back a").ClickAsync();
            Assert.False(await page.Locator($"#{cell}-run").IsVisibleAsync());
            Assert.Equal($"#{cell}", await Eval<string>(page, "location.hash"));
        }
        TestContext.Current.SendDiagnosticMessage($"pilab report {new FileInfo(path).Length:N0} bytes; screenshots in {dir}");
    }

    /// <summary>
    /// A diagram stepped through in the browser with no script: the numbers, previous and next, and the
    /// arrow keys select a step; it is highlighted, the steps before it dimmed, the ones after it and
    /// the end row faded, and its words shown above the diagram. Both designs' diagrams.
    /// </summary>
    [Fact]
    public async Task Report_InChromium_StepsThroughADiagram_WithNoScript()
    {
        var (pw, browser) = await Launch();
        using var _ = pw;
        await using var __ = browser;
        string dir = ArtifactDir();
        var (page, requests) = await Open(browser, HtmlReport.Render(Runs.ReportOfEveryDesign() with { Version = "0.0.0-test" }), "report-stepping.html");
        Assert.All(requests, u => Assert.StartsWith("file:", u, StringComparison.Ordinal));
        Assert.Equal(0, await Eval<int>(page, "document.scripts.length"));

        // Every diagram has an input and a label per step and one for the whole run, a caption for each, and a highlight per step.
        var controls = await Eval<int[][]>(page, """
            [...document.querySelectorAll('article.run')].map(a => [+a.dataset.steps,
              a.querySelectorAll('.stepper > input[type=radio]').length,
              [...a.querySelectorAll('.steps-bar label:not(.prev):not(.next)')].filter(l => document.getElementById(l.htmlFor)?.closest('article') === a).length,
              a.querySelectorAll('.caps .cap').length,
              a.querySelectorAll('svg g.step .hl').length])
            """);
        Assert.Equal(15, controls.Length);
        Assert.All(controls, c => Assert.Equal([c[0], c[0] + 1, c[0] + 1, c[0] + 1, c[0]], c));

        string Opacity(string run, string selector) => $"[...document.querySelectorAll('#{run} svg {selector}')].map(g => getComputedStyle(g).opacity)";
        async Task<string[]> Steps(string run) => await Eval<string[]>(page, Opacity(run, "g.step"));
        const string run1 = "run-fixed-nomb-tso-k1";
        int n = Runs.Get("fixed-nomb", MemoryModel.TSO, 1).Trace!.Steps.Length;
        Assert.All(await Steps(run1), o => Assert.Equal("1", o));

        // A number: that step current, those before dimmed, those after faded, the end row faded.
        await page.Locator($"#{run1} .steps-bar label[for='{run1}-s4']:not(.prev):not(.next)").ClickAsync();
        string[] Expected(int current) => [.. Enumerable.Range(1, n).Select(i => i < current ? "0.42" : i == current ? "1" : "0.1")];
        Assert.Equal(Expected(4), await Steps(run1));
        Assert.Equal(["0.1"], await Eval<string[]>(page, Opacity(run1, "g.end")));
        // The bands of P0's state (IF = 0, guest runs) up to the current step only: one stretch before each step and one after the last.
        string[] bands = [.. Enumerable.Range(0, n + 1).Select(i => i <= 4 ? "1" : "0.1")];
        Assert.Equal(bands, await Eval<string[]>(page, Opacity(run1, "g.seg")));
        Assert.Equal("rgb(253, 230, 138)", await Eval<string>(page, $"getComputedStyle(document.querySelector('#{run1} g.step[data-index=\"4\"] .hl')).fill"));
        Assert.Equal("none", await Eval<string>(page, $"getComputedStyle(document.querySelector('#{run1} g.step[data-index=\"3\"] .hl')).fill"));
        Assert.StartsWith($"step 4 of {n} · ", Assert.Single(await page.Locator($"#{run1} .caps .cap:visible").AllInnerTextsAsync()));
        await page.Locator($"#{run1}").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "stepped-fixed-nomb-tso-k1-step4.png") });

        // Next and previous.
        await page.Locator($"#{run1} .pn[data-i='4'] label.next").ClickAsync();
        Assert.Equal(Expected(5), await Steps(run1));
        await page.Locator($"#{run1} .pn[data-i='5'] label.prev").ClickAsync();
        await page.Locator($"#{run1} .pn[data-i='4'] label.prev").ClickAsync();
        Assert.Equal(Expected(3), await Steps(run1));

        // The keyboard: the inputs take the focus (the bar shows it), the arrow keys move between steps, to the last one, where the end row shows.
        await page.FocusAsync($"#{run1}-s3");
        for (int i = 3; i < n; i++) await page.Keyboard.PressAsync("ArrowRight");
        Assert.Equal(Expected(n), await Steps(run1));
        Assert.Equal(["1"], await Eval<string[]>(page, Opacity(run1, "g.end")));
        Assert.Equal("solid", await Eval<string>(page, $"getComputedStyle(document.querySelector('#{run1} .steps-bar')).outlineStyle"));
        await page.Keyboard.PressAsync("ArrowLeft");
        Assert.Equal(Expected(n - 1), await Steps(run1));
        // Each diagram steps on its own.
        Assert.All(await Steps("run-patch-v1-sc-k1"), o => Assert.Equal("1", o));
        await page.Locator($"#{run1} .steps-bar label.all").ClickAsync();
        Assert.All(await Steps(run1), o => Assert.Equal("1", o));

        // A whole-system diagram, scrolled sideways in its box: the caption above says what the step does.
        const string run2 = "run-kvm-2019-cpu-injector-sc-k1";
        int m = Runs.WholeSystem.Single(r => r.Variant.Name == "kvm-2019-cpu-injector").Trace!.Steps.Length;
        await page.Locator($"#{run2} .steps-bar label[for='{run2}-s12']:not(.prev):not(.next)").ClickAsync();
        string[] expected2 = [.. Enumerable.Range(1, m).Select(i => i < 12 ? "0.42" : i == 12 ? "1" : "0.1")];
        Assert.Equal(expected2, await Steps(run2));
        Assert.StartsWith($"step 12 of {m} · ", Assert.Single(await page.Locator($"#{run2} .caps .cap:visible").AllInnerTextsAsync()));
        await page.Locator($"#{run2}").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "stepped-kvm-2019-cpu-injector-step12.png") });

        // Printed, every diagram is whole and the controls are gone.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        Assert.All(await Steps(run2), o => Assert.Equal("1", o));
        Assert.Equal("none", await Eval<string>(page, $"getComputedStyle(document.querySelector('#{run2} .steps-bar')).display"));
    }

    /// <summary>
    /// A real live run's latency (pilab report --live) on log scales: every sample in a bar, the count
    /// axis in decades from 1 to the first at or above the tallest bar, the latency axis labelled at its
    /// decades, a bar for every non-empty bucket (the tail too) and none for the empty ones.
    /// </summary>
    [Fact]
    public async Task PilabReport_Live_InChromium_DrawsTheLatencyOnLogScales()
    {
        var (pw, browser) = await Launch();
        using var _ = pw;
        await using var __ = browser;
        string dir = ArtifactDir();
        string path = Path.Combine(dir, "pilab-report-live.html");
        var run = PilabProcess.Invoke("report", "fixed", "--no-synthesis", "--live", "1", "-o", path);
        Assert.True(run.ExitCode == 0, run.Err);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = Width, Height = 900 } });
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        var bars = await Eval<double[][]>(page, "[...document.querySelectorAll('#latency svg rect.bar')].map(b => [+b.dataset.count, b.getBoundingClientRect().height])");
        var ticks = await Eval<string[][]>(page, """
            [[...document.querySelectorAll('#latency svg text.y-tick')].map(t => t.textContent),
             [...document.querySelectorAll('#latency svg text.x-tick')].map(t => t.textContent),
             [document.querySelector('#latency p.note').textContent]]
            """);
        string note = ticks[2][0];
        long samples = long.Parse(note[..note.IndexOf(" latency samples", StringComparison.Ordinal)], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(samples > 0, note);
        Assert.Equal(samples, (long)bars.Sum(b => b[0]));
        Assert.All(bars, b => Assert.True(b[0] == 0 ? b[1] == 0 : b[1] >= 3, $"a bar of {b[0]} samples is {b[1]} px tall"));
        int decades = (int)Math.Ceiling(Math.Log10(bars.Max(b => b[0])) - 1e-12);
        Assert.Equal(Enumerable.Range(0, Math.Max(2, decades + 1)).Select(d => d switch { < 3 => $"{Math.Pow(10, d)}", < 6 => $"{Math.Pow(10, d - 3)}k", _ => $"{Math.Pow(10, d - 6)}M" }), ticks[0]);
        Assert.NotEmpty(ticks[1]);
        Assert.All(ticks[1], t => Assert.Matches(@"^(0\.0*1|10*|[0-9]{1,3}(,000)+)$", t));
        await page.Locator("#latency").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-live-latency.png") });
    }

    /// <summary>
    /// <c>pilab report</c> with no arguments also checks every whole-system built-in: its table with the
    /// stories, and each losing run's diagram with the whole-system lifelines, visible and readable at
    /// 1280 px (scrolling sideways in its box), whole on a 1920 px screen, and on the page when printed.
    /// </summary>
    [Fact]
    public async Task PilabReport_InChromium_ShowsTheWholeSystemTable_AndItsDiagrams()
    {
        var (pw, browser) = await Launch();
        using var _ = pw;
        await using var __ = browser;
        string dir = ArtifactDir();
        string path = Path.Combine(dir, "pilab-report-whole-system.html");
        var run = PilabProcess.Invoke("report", "--no-synthesis", "-o", path);
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.EndsWith("; whole system: 13 variants, 8 losing runs drawn\n", run.Out);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = Width, Height = 900 } });
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        Assert.All(requests, u => Assert.StartsWith("file:", u, StringComparison.Ordinal));

        // One row per whole-system built-in: its verdict and its story, findings with a red badge.
        var rows = await Eval<string[][]>(page, """
            [...document.querySelectorAll('table.whole-system tbody tr')].map(tr => [tr.dataset.variant,
              tr.querySelector('td[data-verdict]').innerText, tr.querySelector('td.story').innerText,
              tr.querySelector('td.story .badge') ? getComputedStyle(tr.querySelector('td.story .badge')).backgroundColor : ''])
            """);
        var expected = Builtins.WholeSystemDesigns.Concat(Builtins.AvicDesigns).Select(v => Models.Check(v, v.Check)).ToList();
        Assert.Equal(expected.Select(r => new[] { r.Variant.Name, CheckText.VerdictCell(r.Verdict), CheckText.Story(r), CheckText.Story(r) == "FINDING" ? "rgb(185, 28, 28)" : "" }), rows);

        // Each losing verdict links to a visible diagram of that run, drawn with the whole-system lifelines.
        var links = await Eval<string[]>(page, "[...document.querySelectorAll('table.whole-system td[data-verdict] a')].map(a => a.getAttribute('href'))");
        Assert.Equal(8, links.Length);
        foreach (string href in links)
        {
            var diagram = page.Locator($"{href} svg.sd");
            Assert.True(await diagram.IsVisibleAsync(), href);
            var seen = await Eval<string[]>(page, $$"""
                (a => [a.dataset.steps, String(a.querySelectorAll('svg g.step').length),
                  [...a.querySelectorAll('svg g.head .head-title')].map(t => t.textContent).join('|'),
                  a.querySelector('svg g.head.memory .head-sub').textContent,
                  String(12 * a.querySelector('svg').getBoundingClientRect().width / a.querySelector('svg').viewBox.baseVal.width)])(document.querySelector('{{href}}'))
                """);
            Assert.Equal(seen[0], seen[1]);
            Assert.Contains("vCPU thread|P0 processor|P2 processor|guest", seen[2]);
            Assert.Equal(href.StartsWith("#run-avic", StringComparison.Ordinal)
                ? "IRR · IsRunning · host ID · IRTE.IsRun · IRTE.Dest · IRTE.GALogIntr · thread's CPU · thread state · mode"
                : "PIR · ON · SN · NV · NDST · vIRR · P0 wake list · P2 wake list · thread's CPU · thread state · mode", seen[3]);
            Assert.True(double.Parse(seen[4], System.Globalization.CultureInfo.InvariantCulture) >= 9, $"{href}: diagram text at {seen[4]} px");
        }
        // At 1280 px the page itself never scrolls sideways: a wide diagram scrolls in its box.
        Assert.True(await Eval<double>(page, "document.documentElement.scrollWidth") <= Width);

        await page.Locator("#whole-system").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-whole-system.png") });
        await page.Locator("#run-kvm-2019-cpu-injector-sc-k1").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-kvm-2019-cpu-injector.png") });
        await page.Locator("#run-avic-erratum-1235-sc-k1").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-avic-erratum-1235.png") });

        // On a 1920 px screen the widest whole-system diagram fits whole, and the page still does not scroll sideways.
        await page.SetViewportSizeAsync(1920, 1000);
        var wide = await Eval<double[]>(page, """
            [document.documentElement.scrollWidth,
             Math.max(...[...document.querySelectorAll('article.whole-system .diagram')].map(d => d.scrollWidth - d.clientWidth))]
            """);
        Assert.True(wide[0] <= 1920, $"page is {wide[0]} px wide");
        Assert.True(wide[1] <= 0, $"a whole-system diagram overflows its box by {wide[1]} px");
        await page.Locator("#run-kvm-2019-cpu-injector-sc-k1 .diagram").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(dir, "pilab-kvm-2019-cpu-injector-1920.png") });

        // Printed: each whole-system run on its own page, the diagram within the page's width.
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        await page.SetViewportSizeAsync(1047, 800);
        var print = await Eval<string[]>(page, """
            [getComputedStyle(document.querySelector('article.whole-system')).breakBefore,
             String(Math.max(...[...document.querySelectorAll('article.whole-system svg')].map(s => s.getBoundingClientRect().right)))]
            """);
        Assert.Equal("page", print[0]);
        Assert.True(double.Parse(print[1], System.Globalization.CultureInfo.InvariantCulture) <= 1047, $"a printed diagram ends at {print[1]} px");
        TestContext.Current.SendDiagnosticMessage($"pilab report --no-synthesis {new FileInfo(path).Length:N0} bytes; screenshots in {dir}");
    }

    [Fact]
    public async Task StandaloneSvg_InChromium_ShowsEveryStep_AndTheStrandedVector()
    {
        var (pw, browser) = await Launch();
        using var _ = pw;
        await using var __ = browser;
        var r = Runs.Get("patch-v1", MemoryModel.SC, 1);
        string path = Path.Combine(ArtifactDir(), "patch-v1.svg");
        await File.WriteAllTextAsync(path, SequenceDiagram.ToFile(SequenceDiagram.Render(r)), TestContext.Current.CancellationToken);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = Width, Height = 900 } });
        await page.GotoAsync(new Uri(path).AbsoluteUri);
        var seen = await Eval<string[]>(page, """
            [document.documentElement.localName,
             String(document.querySelectorAll('g.step').length),
             [...document.querySelectorAll('g.step')].map(g => g.dataset.step).join(' '),
             document.querySelector('g.stranded').getAttribute('data-vectors'),
             getComputedStyle(document.querySelector('g.stranded rect')).fill]
            """);
        Assert.Equal(["svg", "11", string.Join(' ', r.Trace!.Steps.Select(s => s.Step)), "v1", "rgb(254, 202, 202)"], seen);
        // A full-page screenshot of an SVG document hangs in Chromium; size the viewport to the drawing instead.
        var size = await Eval<double[]>(page, "[document.documentElement.width.baseVal.value, document.documentElement.height.baseVal.value]");
        await page.SetViewportSizeAsync((int)Math.Ceiling(size[0]), (int)Math.Ceiling(size[1]));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactDir(), "patch-v1-svg.png") });
    }

    [Fact]
    public async Task WholeSystemSvg_InChromium_ShowsItsLifelines_EveryStep_AndTheStrandedVector()
    {
        var (pw, browser) = await Launch();
        using var _ = pw;
        await using var __ = browser;
        var runs = new (string Name, CheckResult Result)[]
        {
            ("ndst-blocked-migration", WholeSystemTraceTests.NdstBlockedMigration()),
            ("halt-without-wakeup-vector", Models.Check(Builtins.HaltWithoutWakeupVector, Builtins.HaltWithoutWakeupVector.Check)),
            ("kvm-2021-unarmed-migration", VariantFile.Load(Path.Combine(VariantsDir(), "loses", "kvm-2021-unarmed-migration.variant")).Variant! is var u ? Models.Check(u, u.Check) : null!),
        };
        foreach (var (name, r) in runs)
        {
            string path = Path.Combine(ArtifactDir(), name + ".svg");
            await File.WriteAllTextAsync(path, SequenceDiagram.ToFile(SequenceDiagram.Render(r)), TestContext.Current.CancellationToken);
            var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = Width, Height = 900 } });
            await page.GotoAsync(new Uri(path).AbsoluteUri);
            var seen = await Eval<string[]>(page, """
                [String(document.querySelectorAll('g.step').length),
                 [...document.querySelectorAll('g.step')].map(g => g.dataset.step).join(' '),
                 [...document.querySelectorAll('g.head .head-title')].map(t => t.textContent).join('|'),
                 document.querySelector('g.stranded').getAttribute('data-vectors')]
                """);
            Assert.Equal([r.Trace!.Steps.Length.ToString(), string.Join(' ', r.Trace.Steps.Select(s => s.Step)),
                string.Join('|', SequenceLayout.Build(r.Trace).Lifelines.Select(l => l.Title)), "v1"], seen);
            Assert.Contains("P2 processor", seen[2]);
            var size = await Eval<double[]>(page, "[document.documentElement.width.baseVal.value, document.documentElement.height.baseVal.value]");
            await page.SetViewportSizeAsync((int)Math.Ceiling(size[0]), (int)Math.Ceiling(size[1]));
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactDir(), name + "-svg.png") });
        }
    }

    /// <summary>The repository's variants/ folder, found upwards from the test's directory.</summary>
    private static string VariantsDir()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "variants", "loses"))) return Path.Combine(d.FullName, "variants");
        throw new DirectoryNotFoundException("variants/");
    }

    [Fact]
    public async Task OptionalSections_InChromium_DrawTheHandMadeMatrixAndHistogram()
    {
        var (pw, browser) = await Launch();
        using var _ = pw;
        await using var __ = browser;
        var input = Runs.Report() with
        {
            Orders = new OrderMatrix(["SC k=1", "TSO k=1"],
            [
                new("irq.off mode.in mb sync check enter", [new(Verdict.Safe), new(Verdict.Safe)], "fixed"),
                new("irq.off mode.in sync check enter", [new(Verdict.Safe), new(Verdict.Violation, "store buffering")], "fixed-nomb"),
                new("irq.off sync mode.in mb check enter", [new(Verdict.Violation, "sync before mode.in"), new(Verdict.Violation, "sync before mode.in")], "patch-v1"),
            ], "hand-made data for the test, not a synthesis result"),
            Latencies = [new LatencyHistogram("hand-made latency data for the test", "µs",
                [new(0.5, 12), new(1, 340), new(2, 910), new(4, 260), new(8, 31), new(16, 4)], [new("p50", 1.4), new("p99", 5.9)], 5)],
        };
        var (page, _) = await Open(browser, HtmlReport.Render(input), "report-optional.html");
        var counts = await Eval<int[]>(page, """
            [document.querySelectorAll('#orders td[data-verdict]').length,
             document.querySelectorAll('#orders td[data-verdict="violation"]').length,
             document.querySelectorAll('#latency svg rect.bar').length,
             Math.round(Math.max(...[...document.querySelectorAll('#latency svg rect.bar')].map(b => b.getBoundingClientRect().height)))]
            """);
        Assert.Equal(6, counts[0]);
        Assert.Equal(3, counts[1]);
        Assert.Equal(6, counts[2]);
        Assert.True(counts[3] > 100, $"tallest bar {counts[3]} px");
        // Log scales: the count axis labelled at each decade up to 1k, the latency axis at 1 and 10 µs; the tail's 4 samples a visible bar.
        var axes = await Eval<string[][]>(page, """
            [[...document.querySelectorAll('#latency svg text.y-tick')].map(t => t.textContent),
             [...document.querySelectorAll('#latency svg text.x-tick')].map(t => t.textContent),
             [...document.querySelectorAll('#latency svg g.pct')].map(g => g.dataset.name),
             [String(document.querySelector('#latency svg rect.bar[data-count="4"]').getBoundingClientRect().height)]]
            """);
        Assert.Equal(["1", "10", "100", "1k"], axes[0]);
        Assert.Equal(["1", "10"], axes[1]);
        Assert.Equal(["p50", "p99"], axes[2]);
        Assert.True(double.Parse(axes[3][0], System.Globalization.CultureInfo.InvariantCulture) > 30, $"the tail's bar is {axes[3][0]} px");
        await page.Locator("#orders").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(ArtifactDir(), "orders.png") });
        await page.Locator("#latency").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(ArtifactDir(), "latency.png") });
    }
}
