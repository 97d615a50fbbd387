using System.Globalization;
using System.Net;
using System.Text;
using System.Xml.Linq;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Report;

/// <summary>
/// The report as one self-contained HTML file (inline CSS and SVG, no script, nothing fetched):
/// the verdict table, the delivery costs where measured, the synthesis order matrix and the live
/// latency histogram where given, and a sequence diagram for every losing (or stuck) run. Readable at
/// 1280 px and printable (one diagram per page). The markup is also well-formed XML after the doctype,
/// which the tests use.
/// </summary>
public static class HtmlReport
{
    public static string Render(ReportInput input)
    {
        var all = input.Entries.IsDefault ? [] : input.Entries;
        // The vCPU-entry checks (memory model and injectors swept) and the whole-system ones (each once, at its own configuration).
        var entries = all.Where(e => !e.Result.Variant.WholeSystem).ToList();
        var whole = all.Where(e => e.Result.Variant.WholeSystem).ToList();
        var anchors = Anchors(all);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
        sb.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
        var losing = entries.Where(e => e.Result.Trace is not null).ToList();
        var wholeLosing = whole.Where(e => e.Result.Trace is not null).ToList();
        int longest = losing.Concat(wholeLosing).Select(e => e.Result.Trace!.Steps.Length).DefaultIfEmpty(0).Max();
        sb.Append("<title>").Append(E(input.Title)).Append("</title>\n<style>").Append(Css).Append(StepperCss(longest)).Append(SequenceDiagram.Style).Append("</style>\n</head>\n<body>\n");

        bool entryTable = entries.Count > 0 || whole.Count == 0;
        sb.Append("<header>\n<h1>").Append(E(input.Title)).Append("</h1>\n");
        if (input.Command is not null || input.Version is not null)
        {
            sb.Append("<p class=\"cmd\">");
            if (input.Command is not null) sb.Append("<code>").Append(E(input.Command)).Append("</code>");
            if (input.Version is not null) sb.Append(" <span class=\"version\">pilab ").Append(E(input.Version)).Append("</span>");
            sb.Append("</p>\n");
        }
        sb.Append("<p class=\"lead\">").Append(E(Summary(entries, whole))).Append("</p>\n");
        var nav = new List<string>();
        if (entryTable) nav.Add("<a href=\"#verdicts\">verdicts</a>");
        if (whole.Count > 0) nav.Add("<a href=\"#whole-system\">whole system</a>");
        if (entries.Any(e => e.Cost is not null)) nav.Add("<a href=\"#costs\">delivery cost</a>");
        if (input.Orders is not null) nav.Add("<a href=\"#orders\">order matrix</a>");
        if (!input.Latencies.IsDefaultOrEmpty) nav.Add("<a href=\"#latency\">live latency</a>");
        if (losing.Count > 0) nav.Add($"<a href=\"#runs\">losing runs ({losing.Count})</a>");
        if (wholeLosing.Count > 0) nav.Add($"<a href=\"#whole-system-runs\">whole-system runs ({wholeLosing.Count})</a>");
        sb.Append("<nav>").AppendJoin(" · ", nav).Append("</nav>\n</header>\n<main>\n");

        if (entryTable) VerdictTable(sb, entries, anchors);
        if (whole.Count > 0) WholeSystemTable(sb, whole, anchors, input.WholeSystemOptions);
        if (entries.Any(e => e.Cost is not null)) CostTable(sb, entries, whole.Count > 0);
        if (input.Orders is not null) OrderSection(sb, input.Orders, input.Version);
        if (!input.Latencies.IsDefaultOrEmpty) LatencySection(sb, input.Latencies);
        if (losing.Count > 0) Runs(sb, losing, anchors, input.Version);
        if (wholeLosing.Count > 0) WholeSystemRuns(sb, wholeLosing, anchors, input.Version);
        sb.Append("</main>\n<footer><p>Written by pilab").Append(input.Version is null ? "" : " " + E(input.Version)).Append(". Steps and numbers: docs/model.md section 3 and the seed mail's pairing (1) PIR, (2) ON, (3) mode, (4a) IRQs off / NOTIFY, (4b) check / kick")
          .Append(whole.Count > 0 ? "; the whole-system model: docs/whole-system.md" : "").Append(".</p></footer>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static string Summary(IReadOnlyList<ReportEntry> entries, IReadOnlyList<ReportEntry> whole)
    {
        if (whole.Count == 0) return Counts(entries) + ".";
        string text = entries.Count == 0 ? "" : "vCPU entry: " + Counts(entries) + ". ";
        int findings = whole.Count(e => e.Result.Verdict != Verdict.Safe && CheckText.Story(e.Result) == "FINDING");
        return text + "Whole system, each variant once at its own configuration: " + Counts(whole)
            + (findings > 0 ? $" ({findings} of them a FINDING: a race in code KVM ran or runs)" : "") + ".";
    }

    private static string Counts(IReadOnlyList<ReportEntry> entries)
    {
        int variants = entries.Select(e => e.Result.Variant.Name).Distinct().Count();
        int lose = entries.Count(e => e.Result.Verdict == Verdict.Violation);
        int safe = entries.Count(e => e.Result.Verdict == Verdict.Safe);
        int other = entries.Count - lose - safe;
        return $"{variants} variant{(variants == 1 ? "" : "s")}, {entries.Count} check{(entries.Count == 1 ? "" : "s")}: "
            + $"{safe} without loss, {lose} losing an interrupt{(other > 0 ? $", {other} stuck or without verdict" : "")}";
    }

    /// <summary>Variants as rows, configurations (memory model, injectors) as columns.</summary>
    private static void VerdictTable(StringBuilder sb, IReadOnlyList<ReportEntry> entries, Dictionary<ReportEntry, string> anchors)
    {
        var columns = entries.Select(e => Column(e.Result.Configuration)).Distinct()
            .OrderBy(c => c.Memory).ThenBy(c => c.Injectors).ToList();
        var variants = entries.Select(e => e.Result.Variant).DistinctBy(v => v.Name).ToList();
        sb.Append("<section id=\"verdicts\">\n<h2>Verdicts: vCPU entry</h2>\n");
        if (entries.Count > 0)
        {
            var c0 = entries[0].Result.Configuration;
            sb.Append("<p class=\"note\">The vCPU-entry model (docs/model.md): every variant under sequential consistency (SC) and x86-TSO, with k injecting CPUs; ")
              .Append(E($"{c0.Posts} post(s) per injector, {c0.Exits} guest exit(s){(c0.SameVector ? ", all injectors post v1" : ", injector i posts vi")}{(c0.IrqPriority ? ", host interrupts first" : "")}"))
              .Append(". ").Append(E(GraphNote(entries))).Append(" A losing cell links to its shortest run.</p>\n");
        }
        sb.Append("<table class=\"verdicts\">\n<thead><tr><th>variant</th><th>vCPU entry order</th><th>injector</th>");
        foreach (var c in columns) sb.Append("<th class=\"cfg\">").Append(E($"{c.Memory} k={c.Injectors}")).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var v in variants)
        {
            sb.Append("<tr data-variant=\"").Append(E(v.Name)).Append("\"><th class=\"name\" title=\"").Append(E(v.Description)).Append("\">").Append(E(v.Name)).Append("</th>");
            sb.Append("<td class=\"order\"><code>").Append(E(v.EntryText)).Append("</code></td><td class=\"order\"><code>").Append(E(v.InjectorText)).Append("</code></td>");
            foreach (var c in columns)
            {
                var e = entries.FirstOrDefault(x => x.Result.Variant.Name == v.Name && Column(x.Result.Configuration) == c);
                if (e is null) { sb.Append("<td class=\"v\">-</td>"); continue; }
                var r = e.Result;
                var x = r.Exploration;
                string verdict = JsonReport.VerdictName(r.Verdict);
                sb.Append("<td class=\"v v-").Append(verdict).Append("\" data-verdict=\"").Append(verdict)
                  .Append("\" data-mm=\"").Append(c.Memory.ToString().ToLowerInvariant()).Append("\" data-k=\"").Append(c.Injectors).Append("\">");
                string word = Word(r.Verdict);
                if (anchors.TryGetValue(e, out var id))
                    sb.Append("<a href=\"#").Append(id).Append("\">").Append(word).Append("</a>");
                else
                    sb.Append("<span class=\"word\">").Append(word).Append("</span>");
                sb.Append("<span class=\"fig\">");
                if (r.Trace is not null) sb.Append(r.Trace.Steps.Length).Append(" steps · ");
                sb.Append(x.States.ToString("N0", CultureInfo.InvariantCulture)).Append(" states</span></td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</section>\n");
    }

    /// <summary>
    /// The whole-system checks, one row each at its own configuration, with the columns of
    /// <c>pilab check</c>'s whole-system table (CheckText.WholeSystemTable) and its story: FINDING (a race
    /// pilab found in code KVM ran or runs), historical fix or design. A losing verdict links to its run.
    /// </summary>
    private static void WholeSystemTable(StringBuilder sb, IReadOnlyList<ReportEntry> whole, Dictionary<ReportEntry, string> anchors, string? options)
    {
        bool flags = whole.Any(e => e.Result.Configuration.SameVector || e.Result.Configuration.IrqPriority);
        sb.Append("<section id=\"whole-system\">\n<h2>Verdicts: whole system</h2>\n<p class=\"note\">")
          .Append("The whole-system model (docs/whole-system.md): the vCPU thread also halts and blocks on a wake list, is preempted and scheduled in again, ")
          .Append("and migrates between P0 and P2; CPU injectors and IOMMU posters post to its posted-interrupt descriptor. ")
          .Append(whole.Any(e => e.Result.Variant.IsAvic) ? "Rows of design avic (docs/avic.md) are AMD AVIC: no descriptor, but the vAPIC backing page's IRR, IsRunning and the host ID of the physical APIC ID entry, the IOMMU's GA-mode IRTE, doorbells and GA-log interrupts; their k CPU posters are guest IPIs the AVIC hardware sends or KVM's svm_deliver_interrupt. " : "")
          .Append("Each variant is checked once, at its own configuration (its <code>check:</code> line")
          .Append(options is null ? "" : $", with <code>{E(options)}</code> laid over it").Append("): ")
          .Append("<b>k</b> CPU injectors, <b>j</b> IOMMU posters, <b>n</b> posts each, <b>e</b> guest exits; the guest may halt <b>h</b> times, ")
          .Append("the thread be preempted <b>p</b> times and migrate <b>m</b> times. ")
          .Append(GraphNote(whole)).Append(' ')
          .Append("A losing verdict links to its shortest run.</p>\n");
        sb.Append("<table class=\"whole-system\">\n<thead><tr><th>variant</th><th>design</th><th>wake-up vector</th>");
        foreach (var (h, t) in new[] { ("mm", "memory model"), ("k", "CPU injectors"), ("j", "IOMMU posters"), ("n", "posts per poster"), ("e", "guest exits"), ("h", "guest halts"), ("p", "preemptions"), ("m", "migrations") })
            sb.Append("<th class=\"cfg\" title=\"").Append(t).Append("\">").Append(h).Append("</th>");
        if (flags) sb.Append("<th>also</th>");
        sb.Append("<th class=\"cfg\">verdict</th><th class=\"metric\">states</th><th class=\"metric\">trace</th><th>story</th><th>delivery cost</th></tr></thead>\n<tbody>\n");
        for (int i = 0; i < whole.Count; i++)
        {
            var e = whole[i];
            var r = e.Result;
            var v = r.Variant;
            var c = r.Configuration;
            string verdict = JsonReport.VerdictName(r.Verdict);
            string story = CheckText.Story(r);
            string storyClass = story switch { "FINDING" => "finding", "historical fix" => "fix", _ => "design" };
            sb.Append("<tr data-variant=\"").Append(E(v.Name)).Append("\" data-design=\"").Append(E(DesignNames.Name(v.Design)))
              .Append("\" data-story=\"").Append(storyClass).Append('"').Append(storyClass == "finding" ? " class=\"finding\"" : "").Append('>');
            sb.Append("<th class=\"name\" title=\"").Append(E(v.Description)).Append("\">").Append(E(v.Name)).Append("</th>");
            sb.Append("<td>").Append(E(DesignNames.Name(v.Design))).Append("</td><td>").Append(v.IsAvic ? "-" : v.WakeupArmed(c) ? "armed" : "not armed").Append("</td>");
            sb.Append("<td>").Append(c.Memory).Append("</td>");
            foreach (int x in new[] { c.Injectors, c.Iommu, c.Posts, c.Exits, c.Halts, c.Preemptions, c.Migrations })
                sb.Append("<td class=\"num\">").Append(x).Append("</td>");
            if (flags)
                sb.Append("<td>").Append(E(string.Join(" ", new[] { c.SameVector ? "same-vector" : null, c.IrqPriority ? "irq-priority" : null }.Where(f => f is not null)))).Append("</td>");
            sb.Append("<td class=\"v v-").Append(verdict).Append("\" data-verdict=\"").Append(verdict).Append("\">");
            if (anchors.TryGetValue(e, out var id)) sb.Append("<a href=\"#").Append(id).Append("\">").Append(Word(r.Verdict)).Append("</a>");
            else sb.Append("<span class=\"word\">").Append(Word(r.Verdict)).Append("</span>");
            sb.Append("</td><td class=\"num\">").Append(r.Exploration.States.ToString("N0", CultureInfo.InvariantCulture)).Append("</td>");
            sb.Append("<td class=\"num\">").Append(r.Trace is null ? "-" : r.Trace.Steps.Length.ToString(CultureInfo.InvariantCulture)).Append("</td>");
            sb.Append("<td class=\"story story-").Append(storyClass).Append("\">").Append(storyClass == "finding" ? "<span class=\"badge\">FINDING</span>" : E(story)).Append("</td>");
            if (i == 0)
                sb.Append("<td class=\"why\" rowspan=\"").Append(whole.Count).Append("\">not measured: the cost of a delivery and the order matrix are of the vCPU-entry model only</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n<p class=\"note\"><b>story</b>: <span class=\"badge\">FINDING</span> a race pilab found in code KVM ran or runs; ")
          .Append("<b>historical fix</b> the code before a KVM commit that fixed the race; <b>design</b> a design proved in that configuration.</p>\n</section>\n");
    }

    /// <summary>
    /// One row per check with a cost (the CLI measures it for the checks without loss), one column per
    /// metric, per posted interrupt. The note says which configuration the figures are for, since the
    /// maxima depend on it: without IrqPriority the loops through host.irq make some unbounded.
    /// </summary>
    /// <summary>Which graph the state counts are of: a reduced graph keeps the verdicts and shortest-run lengths, not the counts.</summary>
    private static string GraphNote(IReadOnlyList<ReportEntry> entries)
    {
        bool por = entries.Any(e => e.Result.Exploration.PartialOrder), sym = entries.Any(e => e.Result.Exploration.Symmetry);
        return (por, sym) switch
        {
            (true, true) => "States of the graph reduced by partial-order reduction and poster symmetry (pilab report --no-por --no-symmetry counts the full graph).",
            (true, false) => "States of the graph reduced by partial-order reduction (pilab report --no-por counts the full graph).",
            (false, true) => "States of the graph reduced by poster symmetry.",
            _ => "States of the full graph.",
        } + (entries.Any(e => e.Result.Exploration.Chains)
            ? " Where a search found no losing run, only the states where the reduced graph branches or ends are counted (chains; --no-chains counts every state of it)."
            : "");
    }

    private static void CostTable(StringBuilder sb, IReadOnlyList<ReportEntry> entries, bool wholeSystem)
    {
        var rows = entries.Where(e => e.Cost is not null).ToList();
        var metrics = rows.SelectMany(e => e.Cost!.Cells.IsDefault ? [] : e.Cost.Cells.Select(c => c.Metric)).Distinct().ToList();
        var c0 = rows[0].Result.Configuration;
        sb.Append("<section id=\"costs\">\n<h2>Delivery cost</h2>\n<p class=\"note\">")
          .Append("Per posted interrupt, minimum-maximum over all runs that end (docs/model.md section 5: the patch exists to make injection cheaper without losing interrupts), ")
          .Append("each metric on its own, for every check without loss. Configuration: ")
          .Append(E($"{c0.Posts} post(s) per injector, {c0.Exits} guest exit(s){(c0.SameVector ? ", all injectors post v1" : "")}, "))
          .Append(c0.IrqPriority ? "<b>host interrupts first</b> (<code>--irq-priority</code>, as hardware takes them)" : "<b>host interrupts not forced</b> (no <code>--irq-priority</code>)")
          .Append("; memory model and injectors per row.")
          .Append(wholeSystem ? " The whole-system checks have no row here: the cost of a delivery (and the order matrix) is counted on the vCPU-entry model only." : "")
          .Append("</p>\n");
        if (rows.Any(e => !e.Cost!.Cells.IsDefault && e.Cost.Cells.Any(c => c.Unbounded)))
            sb.Append("<p class=\"note\"><b>inf</b>: a cycle through that step can repeat forever and still end. ")
              .Append(c0.IrqPriority ? "" : "Here <code>host.irq</code> is enabled, never forced, so a kicked vCPU can enter, take the RESCHED exit and re-enter without end; <code>pilab report --irq-priority</code> takes a pending interrupt first, as hardware does, and every maximum is finite.")
              .Append("</p>\n");
        sb.Append("<table class=\"costs\">\n<thead><tr><th>variant</th><th class=\"cfg\">checked</th>");
        foreach (var m in metrics) sb.Append("<th class=\"metric\">").Append(E(m)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var e in rows)
        {
            var cost = e.Cost!;
            var c = e.Result.Configuration;
            sb.Append("<tr data-variant=\"").Append(E(e.Result.Variant.Name)).Append("\" data-mm=\"").Append(c.Memory.ToString().ToLowerInvariant())
              .Append("\" data-k=\"").Append(c.Injectors).Append("\"><th class=\"name\">").Append(E(e.Result.Variant.Name))
              .Append("</th><td class=\"cfg\">").Append(E($"{c.Memory} k={c.Injectors}")).Append("</td>");
            if (cost.NotComputed is not null || cost.Cells.IsDefault)
            {
                sb.Append("<td class=\"why\" colspan=\"").Append(Math.Max(1, metrics.Count)).Append("\">not computed: ").Append(E(cost.NotComputed ?? "no figures")).Append("</td></tr>\n");
                continue;
            }
            foreach (var m in metrics)
            {
                var cell = cost.Cells.FirstOrDefault(x => x.Metric == m);
                if (cell.Metric is null) { sb.Append("<td class=\"num\">-</td>"); continue; }
                sb.Append("<td class=\"num").Append(cell.Unbounded ? " inf" : "").Append("\" data-metric=\"").Append(E(m)).Append("\">")
                  .Append(E(cell.PerPost(cost.Posts))).Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void OrderSection(StringBuilder sb, OrderMatrix m, string? version)
    {
        string Slug(string text) => new(text.Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray());
        string CellId(int row, int column) => $"order-{row + 1}-{Slug(m.Columns[column])}";
        sb.Append("<section id=\"orders\">\n<h2>Order matrix</h2>\n");
        if (m.Note is not null) sb.Append("<p class=\"note\">").Append(E(m.Note)).Append("</p>\n");
        if (!m.Reasons.IsDefaultOrEmpty) ReasonLegend(sb, m);
        sb.Append("<table class=\"orders\">\n<thead><tr><th>vCPU entry order</th>");
        foreach (var c in m.Columns) sb.Append("<th class=\"cfg\">").Append(E(c)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        for (int ri = 0; ri < m.Rows.Length; ri++)
        {
            var row = m.Rows[ri];
            sb.Append("<tr><td class=\"order\"><code>").Append(E(row.Order)).Append("</code>");
            if (row.Name is not null) sb.Append(" <span class=\"tag\">").Append(E(row.Name)).Append("</span>");
            sb.Append("</td>");
            for (int i = 0; i < m.Columns.Length; i++)
            {
                if (i >= row.Cells.Length) { sb.Append("<td class=\"v\">-</td>"); continue; }
                var cell = row.Cells[i];
                string verdict = JsonReport.VerdictName(cell.Verdict);
                sb.Append("<td class=\"v v-").Append(verdict).Append("\" data-verdict=\"").Append(verdict).Append('"');
                if (cell.Run is not null)
                    sb.Append(" id=\"").Append(CellId(ri, i)).Append("\"><a href=\"#").Append(CellId(ri, i)).Append("-run\" title=\"its shortest run\">").Append(Word(cell.Verdict)).Append("</a>");
                else sb.Append('>').Append(Word(cell.Verdict));
                if (cell.Reason is not null) sb.Append("<span class=\"fig\">").Append(E(cell.Reason)).Append("</span>");
                sb.Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n<tfoot><tr><th>orders without loss</th>");
        for (int i = 0; i < m.Columns.Length; i++)
        {
            int safe = m.Rows.Count(r => i < r.Cells.Length && r.Cells[i].Verdict == Verdict.Safe);
            sb.Append("<td class=\"num\">").Append(safe).Append(" of ").Append(m.Rows.Length).Append("</td>");
        }
        sb.Append("</tr></tfoot>\n</table>\n");
        if (m.Reasons.IsDefaultOrEmpty)
        {
            var reasons = m.Rows.SelectMany(r => r.Cells).Where(c => c.Reason is not null).GroupBy(c => c.Reason!).OrderByDescending(g => g.Count()).ToList();
            if (reasons.Count > 0)
            {
                sb.Append("<p class=\"note\">Reason classes: ");
                sb.AppendJoin(", ", reasons.Select(g => $"{E(g.Key)} ({g.Count()})"));
                sb.Append(".</p>\n");
            }
        }
        OrderRuns(sb, m, CellId, version);
        sb.Append("</section>\n");
    }

    /// <summary>
    /// The shortest run of every losing cell that has one, as a list of its steps (a matrix of 144 orders
    /// has hundreds: a diagram each would make the report tens of megabytes), with the lines that draw it
    /// again. On screen each is shown only when its cell's link is followed (CSS :target), on a wide
    /// screen over the matrix on the side away from the cell's column, and links back to its cell.
    /// </summary>
    private static void OrderRuns(StringBuilder sb, OrderMatrix m, Func<int, int, string> cellId, string? version)
    {
        var runs = m.Rows.SelectMany((row, ri) => row.Cells.Select((cell, ci) => (row, ri, cell, ci))).Where(x => x.cell.Run is not null && x.ci < m.Columns.Length).ToList();
        if (runs.Count == 0) return;
        sb.Append("<div class=\"order-runs\" id=\"order-runs\">\n<p class=\"note\">The shortest run of each of the ").Append(runs.Count)
          .Append(" losing cells, the run its reason class was read from: follow a cell's link to see it here.</p>\n");
        foreach (var (row, ri, cell, ci) in runs)
        {
            var r = cell.Run!.Result;
            var t = r.Trace!;
            string id = cellId(ri, ci);
            // Beside the matrix, on the side away from the cell's column, so the cell stays in view.
            sb.Append("<div class=\"order-run").Append(2 * ci >= m.Columns.Length ? " at-left" : "").Append("\" id=\"").Append(id).Append("-run\" data-steps=\"").Append(t.Steps.Length).Append("\">\n<p class=\"back\"><a href=\"#").Append(id)
              .Append("\">back to the cell ↑</a></p>\n<h4><code>").Append(E(row.Order)).Append("</code> <span class=\"cfg\">").Append(E(m.Columns[ci])).Append("</span></h4>\n<p class=\"what\">")
              .Append(Word(cell.Verdict));
            if (cell.Reason is not null) sb.Append(", reason class <code>").Append(E(cell.Reason)).Append("</code>");
            sb.Append(": the shortest run, ").Append(t.Steps.Length).Append(" steps</p>\n<ol class=\"trace\">");
            foreach (var s in t.Steps)
            {
                // Terse markup: a matrix has hundreds of these runs.
                sb.Append("<li><em>").Append(T(TraceText.Actor(t, s))).Append("</em> <code>").Append(T(s.Step)).Append("</code>");
                if (s.Seed is not null) sb.Append(" <b class=\"seed-").Append(E(s.Seed)).Append("\">").Append(T(s.Seed)).Append("</b>");
                sb.Append(' ').Append(T(TraceText.Text(t, s))).Append("</li>");
            }
            sb.Append("</ol>\n<p class=\"diagnosis\">⇒ ").Append(T(TraceText.Diagnosis(t))).Append("</p>\n");
            // The version is the header's: these are lists, not diagrams.
            Reproduce(sb, cell.Run.Reproduce, null, "get it again (add --svg run.svg for its diagram)");
            sb.Append("</div>\n");
        }
        sb.Append("</div>\n");
    }

    /// <summary>
    /// Above the long matrix, what a reviewer wants first: per column how many orders lose nothing and
    /// how many lose for each reason class, with the class's meaning and rule.
    /// </summary>
    private static void ReasonLegend(StringBuilder sb, OrderMatrix m)
    {
        sb.Append("<table class=\"reasons\">\n<thead><tr><th>outcome</th>");
        foreach (var c in m.Columns) sb.Append("<th class=\"cfg\">").Append(E(c)).Append("</th>");
        sb.Append("<th>meaning (rule)</th></tr></thead>\n<tbody>\n<tr class=\"safe\"><th class=\"name\">no loss</th>");
        for (int i = 0; i < m.Columns.Length; i++)
            sb.Append("<td class=\"num v-safe\">").Append(m.Rows.Count(r => i < r.Cells.Length && r.Cells[i].Verdict == Verdict.Safe)).Append("</td>");
        sb.Append("<td class=\"note\">of ").Append(m.Rows.Length).Append(" orders</td></tr>\n");
        foreach (var reason in m.Reasons)
        {
            var counts = Enumerable.Range(0, m.Columns.Length)
                .Select(i => m.Rows.Count(r => i < r.Cells.Length && r.Cells[i].Verdict != Verdict.Safe && r.Cells[i].Reason == reason.Id)).ToList();
            if (counts.Sum() == 0) continue;
            sb.Append("<tr data-reason=\"").Append(E(reason.Id)).Append("\"><th class=\"name\"><code>").Append(E(reason.Id)).Append("</code></th>");
            foreach (int n in counts) sb.Append("<td class=\"num").Append(n > 0 ? " v-violation" : "").Append("\">").Append(n).Append("</td>");
            sb.Append("<td>").Append(E(reason.Meaning)).Append("<span class=\"rule\">").Append(E(reason.Rule)).Append("</span></td></tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
    }

    private static void LatencySection(StringBuilder sb, IEnumerable<LatencyHistogram> histograms)
    {
        sb.Append("<section id=\"latency\">\n<h2>Live latency</h2>\n");
        foreach (var h in histograms)
        {
            long samples = h.Buckets.IsDefault ? 0 : h.Buckets.Sum(b => b.Count);
            sb.Append("<div class=\"live\">\n<p class=\"note\">").Append(samples.ToString("N0", CultureInfo.InvariantCulture)).Append(" latency samples");
            if (h.Seconds > 0) sb.Append(" in ").Append(h.Seconds.ToString("0.#", CultureInfo.InvariantCulture)).Append(" s");
            if (!h.Percentiles.IsDefaultOrEmpty)
            {
                sb.Append("; ");
                sb.AppendJoin(", ", h.Percentiles.Select(p => $"{E(p.Name)} {p.Value.ToString("0.###", CultureInfo.InvariantCulture)} {E(h.Unit)}"));
            }
            sb.Append('.');
            if (h.Note is not null) sb.Append(' ').Append(E(h.Note));
            sb.Append("</p>\n<div class=\"chart\">").Append(HistogramChart.Render(h).ToString(SaveOptions.DisableFormatting)).Append("</div>\n</div>\n");
        }
        sb.Append("</section>\n");
    }

    private static void Runs(StringBuilder sb, List<ReportEntry> losing, Dictionary<ReportEntry, string> anchors, string? version)
    {
        sb.Append("<section id=\"runs\">\n<h2>Shortest losing runs: vCPU entry</h2>\n");
        sb.Append("<div class=\"howto\"><p><b>How to read a diagram.</b> Time goes down. Each column is a CPU: the injectors on the left "
            + "(KVM's <code>vmx_deliver_posted_interrupt</code>), then memory (the posted-interrupt descriptor's PIR and ON, and <code>vcpu-&gt;mode</code>), "
            + "under TSO P0's store buffer, then P0's vCPU thread (<code>vcpu_enter_guest</code>), P0's processor and the guest. "
            + "Each step is a box with its docs/model.md name; the coloured badge is the seed mail's number, which pairs an injector step with the entry step it must be ordered against "
            + "(1 PIR, 2 ON, 3 mode, 4a IRQs off / NOTIFY IPI, 4b check / kick). "
            + "The memory row shows the state after each step, changed cells in yellow; the last row marks in red what is left behind.</p>"
            + StepHowTo + "</div>\n");
        foreach (var e in losing) Article(sb, e, anchors[e], version);
        sb.Append("</section>\n");
    }

    /// <summary>The whole-system runs, with the model's own lifelines and memory cells (Trace.Cells).</summary>
    private static void WholeSystemRuns(StringBuilder sb, List<ReportEntry> losing, Dictionary<ReportEntry, string> anchors, string? version)
    {
        sb.Append("<section id=\"whole-system-runs\">\n<h2>Shortest losing runs: whole system</h2>\n");
        sb.Append("<div class=\"howto\"><p><b>How to read a whole-system diagram.</b> Time goes down. On the left the CPU injectors "
            + "(<code>vmx_deliver_posted_interrupt</code>, from whichever CPU) and the IOMMU posters (VT-d posted-interrupt remapping); then memory: "
            + "the posted-interrupt descriptor (PIR, ON, SN suppress-notification, NV notification vector, NDST destination CPU), the guest's vIRR, "
            + "the wake lists of P0 and P2, the CPU the vCPU thread is on and its state, and <code>vcpu-&gt;mode</code>; under TSO the thread's store buffer; "
            + "then the vCPU thread (entry, <code>kvm_vcpu_block</code>, <code>sched.in</code>), the processors P0 and P2 (local APIC and the host's handlers) and the guest. "
            + "The memory row shows the state after each step, changed cells in yellow; the last row marks in red the vector left behind. "
            + "A <span class=\"badge\">FINDING</span> is a race pilab found in code KVM ran or runs. "
            + "These diagrams are wide: on a narrow screen one scrolls sideways in its box (the words of each step are on the right, and above the diagram while stepping); printed, it fits the page.</p>"
            + StepHowTo + "</div>\n");
        foreach (var e in losing) Article(sb, e, anchors[e], version);
        sb.Append("</section>\n");
    }

    private const string StepHowTo = "<p><b>Stepping through a run.</b> The numbers above each diagram select a step (no script: the page stays a plain file): "
        + "the step is highlighted, the steps before it stay readable, the ones after it fade, and its words appear above the diagram; "
        + "<em>previous</em> and <em>next</em> move one step, <em>all</em> shows the whole run again. From the keyboard: Tab to the numbers, then the arrow keys. "
        + "Under each heading, the command that draws the same run again (<code>pilab explain</code> with the configuration spelled out) and the version of pilab that drew it.</p>";

    /// <summary>
    /// One losing run: its heading, the command that draws it again with the version that drew it, the
    /// step controls and its diagram. The diagram's own style element is left out (the page's head
    /// holds the same rules once), and it keeps at least three quarters of its drawn size on screen, so
    /// its 12 px text never shrinks below 9 px: a wider one scrolls in its box (on a screen wider than
    /// the page, a whole-system diagram's box takes the screen's width), and it is never drawn larger
    /// than its own size.
    /// </summary>
    private static void Article(StringBuilder sb, ReportEntry e, string id, string? version)
    {
        var r = e.Result;
        var c = r.Configuration;
        var v = r.Variant;
        string story = CheckText.Story(r);
        sb.Append("<article class=\"run violation").Append(v.WholeSystem ? " whole-system" : "").Append("\" id=\"").Append(id).Append("\" data-variant=\"").Append(E(v.Name))
          .Append("\" data-mm=\"").Append(c.Memory.ToString().ToLowerInvariant()).Append("\" data-k=\"").Append(c.Injectors);
        if (v.WholeSystem) sb.Append("\" data-design=\"").Append(E(DesignNames.Name(v.Design))).Append("\" data-story=\"").Append(E(story));
        sb.Append("\" data-steps=\"").Append(r.Trace!.Steps.Length).Append("\">\n");
        sb.Append("<h3>").Append(E(v.Name)).Append(" <span class=\"cfg\">").Append(E(v.WholeSystem ? $"{DesignNames.Name(v.Design)}, {r.ConfigurationText}" : c.ToString())).Append("</span>");
        if (v.WholeSystem) sb.Append(story == "FINDING" ? " <span class=\"badge\">FINDING</span>" : $" <span class=\"tag\">{E(story)}</span>");
        sb.Append("</h3>\n<p class=\"desc\">").Append(E(v.Description)).Append("</p>\n");
        Reproduce(sb, e.Reproduce, version, "draw it again");
        var svg = SequenceDiagram.Render(r, id);
        svg.Element(SequenceDiagram.Svg + "style")?.Remove();
        double width = double.Parse((string)svg.Attribute("width")!, CultureInfo.InvariantCulture);
        svg.SetAttributeValue("style", $"min-width:{Math.Ceiling(width * 0.75).ToString(CultureInfo.InvariantCulture)}px;max-width:{width.ToString(CultureInfo.InvariantCulture)}px");
        Stepper(sb, r.Trace, id);
        sb.Append("<div class=\"diagram\">").Append(svg.ToString(SaveOptions.DisableFormatting)).Append("</div>\n</div>\n</article>\n");
    }

    /// <summary>The command line that draws a run again, and the version of pilab that drew this one.</summary>
    private static void Reproduce(StringBuilder sb, Reproduction? reproduce, string? version, string what)
    {
        if (reproduce is null && version is null) return;
        sb.Append("<p class=\"repro\">");
        if (reproduce?.Command is { } command)
            sb.Append("To ").Append(what).Append(": <code class=\"repro-cmd\">").Append(T(command)).Append("</code>");
        else if (reproduce?.Why is { } why)
            sb.Append("<span class=\"repro-why\">").Append(E(why)).Append("</span>");
        if (version is not null) sb.Append(" <span class=\"version\">(pilab ").Append(E(version)).Append(")</span>");
        sb.Append("</p>\n");
    }

    /// <summary>
    /// The controls that step through a diagram with no script: one radio input per step (and one for
    /// the whole run, checked first), then the bar of their labels with previous and next, then one
    /// caption per step. The page's style (<see cref="StepperCss"/>) shows the caption, the previous
    /// and next of the checked input and dims the diagram's other steps; the inputs stay focusable, so
    /// the arrow keys move through the steps. The stepper's div is closed by the caller, after the diagram.
    /// </summary>
    private static void Stepper(StringBuilder sb, Trace trace, string id)
    {
        int n = trace.Steps.Length;
        sb.Append("<div class=\"stepper\" data-steps=\"").Append(n).Append("\">\n");
        for (int i = 0; i <= n; i++)
        {
            sb.Append("<input type=\"radio\" class=\"st\" name=\"").Append(id).Append("-step\" id=\"").Append(id).Append("-s").Append(i)
              .Append("\" data-i=\"").Append(i).Append("\" aria-label=\"").Append(i == 0 ? "the whole run" : E($"step {i} of {n}: {trace.Steps[i - 1].Step}")).Append('"');
            if (i == 0) sb.Append(" checked=\"checked\"");
            sb.Append(" />");
        }
        string L(int i, string text, string? cls = null) =>
            $"<label for=\"{id}-s{i}\" data-i=\"{i}\"{(cls is null ? "" : $" class=\"{cls}\"")}>{text}</label>";
        sb.Append("\n<div class=\"steps-bar\"><span class=\"steps-title\">step through:</span> ").Append(L(0, "all", "all"));
        for (int i = 1; i <= n; i++) sb.Append(L(i, i.ToString(CultureInfo.InvariantCulture)));
        sb.Append("<span class=\"pn\" data-i=\"0\">").Append(L(1, "first step ›", "next")).Append("</span>");
        for (int i = 1; i <= n; i++)
            sb.Append("<span class=\"pn\" data-i=\"").Append(i).Append("\">").Append(L(i - 1, i == 1 ? "‹ all" : "‹ previous", "prev"))
              .Append(L(i == n ? 0 : i + 1, i == n ? "all ›" : "next ›", "next")).Append("</span>");
        sb.Append("</div>\n<div class=\"caps\">");
        foreach (var s in trace.Steps)
        {
            sb.Append("<p class=\"cap\" data-i=\"").Append(s.Index).Append("\"><b>step ").Append(s.Index).Append(" of ").Append(n).Append("</b> · ")
              .Append(E(TraceText.Actor(trace, s))).Append(" <code>").Append(E(s.Step)).Append("</code>");
            if (s.Seed is not null) sb.Append(" <span class=\"seed seed-").Append(E(s.Seed)).Append("\">").Append(E(s.Seed)).Append("</span>");
            sb.Append(": ").Append(E(TraceText.Text(trace, s))).Append("</p>");
        }
        sb.Append("<p class=\"cap\" data-i=\"0\">").Append(n).Append(" steps · ⇒ ").Append(E(TraceText.Diagnosis(trace))).Append("</p></div>\n");
    }

    /// <summary>
    /// The rules that make the step controls work, one set per step number up to the longest run drawn
    /// (a rule names a step by number, the same in every diagram): the checked input's label, caption
    /// and previous/next are shown, its step is highlighted, the steps before it dimmed, the ones after
    /// it (and the end row, while a step follows, and the bands of P0's state after it) faded. Screen
    /// only: printed, every diagram is whole.
    /// </summary>
    private static string StepperCss(int longest)
    {
        if (longest == 0) return "";
        var sb = new StringBuilder("@media screen{\n");
        string On(int i) => $".stepper>input[data-i=\"{i}\"]:checked";
        sb.AppendJoin(",", Enumerable.Range(0, longest + 1).Select(i => $"{On(i)}~.steps-bar label[data-i=\"{i}\"]:not(.prev):not(.next)")).Append("{background:#1d4ed8;color:#fff;border-color:#1d4ed8}\n");
        sb.AppendJoin(",", Enumerable.Range(0, longest + 1).Select(i => $"{On(i)}~.steps-bar .pn[data-i=\"{i}\"]")).Append("{display:inline}\n");
        sb.AppendJoin(",", Enumerable.Range(0, longest + 1).Select(i => $"{On(i)}~.caps .cap[data-i=\"{i}\"]")).Append("{display:block}\n");
        sb.Append(".stepper>input.st:not([data-i=\"0\"]):checked~.diagram g.step{opacity:.42}\n");
        sb.AppendJoin(",", Enumerable.Range(1, longest).Select(i => $"{On(i)}~.diagram g.step[data-index=\"{i}\"]")).Append("{opacity:1}\n");
        sb.AppendJoin(",", Enumerable.Range(1, longest).Select(i => $"{On(i)}~.diagram g.step[data-index=\"{i}\"] .hl")).Append("{fill:#fde68a;fill-opacity:.55;stroke:#d97706;stroke-width:1.5}\n");
        sb.AppendJoin(",", Enumerable.Range(1, longest).Select(i => $"{On(i)}~.diagram g.step[data-index=\"{i}\"]~g.step")).Append("{opacity:.1}\n");
        sb.AppendJoin(",", Enumerable.Range(1, longest).Select(i => $"{On(i)}~.diagram g.step[data-index=\"{i}\"]~g.step~g.end")).Append("{opacity:.1}\n");
        sb.AppendJoin(",", Enumerable.Range(1, longest).Select(i => $"{On(i)}~.diagram g.seg[data-index=\"{i}\"]~g.seg")).Append("{opacity:.1}\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    /// <summary>A stable, unique id per drawn run: variant-mm-kN (suffixed if the same combination repeats).</summary>
    private static Dictionary<ReportEntry, string> Anchors(IReadOnlyList<ReportEntry> entries)
    {
        var map = new Dictionary<ReportEntry, string>(ReferenceEqualityComparer.Instance);
        var used = new HashSet<string>();
        foreach (var e in entries.Where(e => e.Result.Trace is not null))
        {
            var c = e.Result.Configuration;
            string baseId = "run-" + new string(e.Result.Variant.Name.Select(ch => char.IsAsciiLetterOrDigit(ch) ? char.ToLowerInvariant(ch) : '-').ToArray())
                + $"-{c.Memory.ToString().ToLowerInvariant()}-k{c.Injectors}";
            string id = baseId;
            for (int i = 2; !used.Add(id); i++) id = $"{baseId}-{i}";
            map[e] = id;
        }
        return map;
    }

    private static (MemoryModel Memory, int Injectors) Column(Configuration c) => (c.Memory, c.Injectors);

    private static string Word(Verdict v) => v switch
    {
        Verdict.Safe => "no loss",
        Verdict.Violation => "LOSES",
        Verdict.Stuck => "STUCK",
        _ => "bound",
    };

    private static string E(string s) => WebUtility.HtmlEncode(s);

    /// <summary>Text between tags: only &amp;, &lt; and &gt; need escaping there (quotes do in attributes, <see cref="E"/>).</summary>
    private static string T(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private const string Css = """

        *{box-sizing:border-box}
        body{margin:0 auto;max-width:1260px;padding:0 18px 40px;font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;font-size:14px;line-height:1.45;color:#1f2933;background:#fff}
        header{border-bottom:2px solid #d9e2ec;margin-bottom:8px}
        h1{font-size:24px;margin:18px 0 4px}
        h2{font-size:19px;margin:26px 0 8px;border-bottom:1px solid #e4e7eb;padding-bottom:3px}
        h3{font-size:16px;margin:22px 0 4px}
        h3 .cfg{font-weight:400;color:#52606d;font-size:13px}
        code{font-family:"DejaVu Sans Mono","Liberation Mono",Consolas,monospace;font-size:12.5px}
        .cmd code{background:#f0f4f8;padding:2px 6px;border-radius:3px}
        .lead{font-size:15px;margin:6px 0}
        nav{margin:6px 0 10px;color:#52606d}
        nav a,td a{color:#1d4ed8}
        .note,.desc{color:#52606d;margin:4px 0 8px}
        table{border-collapse:collapse;margin:6px 0 10px}
        th,td{border:1px solid #cbd2d9;padding:5px 8px;text-align:left;vertical-align:top}
        thead th{background:#f0f4f8;font-size:13px}
        th.name{white-space:nowrap}
        td.order code{font-size:12px}
        th.cfg{text-align:center;white-space:nowrap}
        td.v{text-align:center;white-space:nowrap;font-weight:700;min-width:104px}
        td.v .fig{display:block;font-weight:400;font-size:11.5px;color:#52606d}
        td.v-safe{background:#dcfce7;color:#166534}
        td.v-violation{background:#fee2e2;color:#991b1b}
        td.v-violation a{color:#991b1b}
        td.v-stuck{background:#ffedd5;color:#9a3412}
        td.v-bound-reached{background:#f1f5f9;color:#475569}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        td.num.inf{color:#9a3412}
        td.why{color:#52606d;font-style:italic}
        th.metric{text-align:right}
        table.reasons td .rule{display:block;color:#7b8794;font-size:11.5px}
        table.reasons td.num{font-weight:700}
        table.orders td,table.orders th{padding:2px 8px}
        table.orders td.v{min-width:150px;line-height:1.25}
        table.whole-system td,table.whole-system th{padding:4px 7px}
        table.whole-system td.v{min-width:80px}
        table.whole-system td.why{max-width:170px;font-size:12.5px;vertical-align:middle}
        tr.finding th.name{box-shadow:inset 4px 0 0 #b91c1c}
        td.story{white-space:nowrap}
        td.story-fix{color:#52606d}
        td.story-design{color:#166534}
        .badge{display:inline-block;background:#b91c1c;color:#fff;font-weight:700;border-radius:3px;padding:0 5px;font-size:11.5px;letter-spacing:.03em}
        h3 .badge,h3 .tag{vertical-align:2px}
        .tag{display:inline-block;background:#e0e7ff;color:#3730a3;border-radius:3px;padding:0 5px;font-size:11.5px}
        .howto{background:#f8fafc;border:1px solid #e4e7eb;border-radius:6px;padding:2px 12px;margin:8px 0 4px}
        .diagram svg,.chart svg{display:block;width:100%;height:auto}
        .chart svg{max-width:960px}
        .diagram{border:1px solid #e4e7eb;border-radius:6px;padding:4px;overflow-x:auto}
        @media screen and (min-width:1300px){article.run.whole-system .diagram{margin-left:calc(630px - 50vw);width:calc(100vw - 52px)}}
        .version{color:#7b8794;font-size:12px;white-space:nowrap}
        .repro{margin:2px 0 6px;font-size:12.5px;color:#52606d}
        .repro code{background:#f0f4f8;padding:1px 5px;border-radius:3px;user-select:all;overflow-wrap:anywhere}
        .repro-why{font-style:italic}
        .stepper{position:relative}
        .stepper>input.st{position:absolute;top:0;left:0;width:1px;height:1px;margin:0;opacity:0;pointer-events:none}
        .steps-bar{display:flex;flex-wrap:wrap;align-items:center;gap:3px;margin:6px 0 4px;padding:2px}
        .steps-bar .steps-title{color:#52606d;font-size:12.5px;margin-right:4px}
        .steps-bar label{display:inline-block;min-width:25px;padding:1px 5px;border:1px solid #cbd2d9;border-radius:3px;text-align:center;font-size:12px;line-height:1.5;cursor:pointer;background:#fff;color:#1f2933;font-variant-numeric:tabular-nums;user-select:none}
        .steps-bar label:hover{background:#e0e7ff}
        .steps-bar label.all{padding:1px 8px}
        .steps-bar .pn{display:none;margin-left:12px}
        .steps-bar .pn label{font-weight:700;color:#1d4ed8;border-color:#93c5fd;margin-right:3px;padding:1px 9px}
        .stepper>input.st:focus-visible~.steps-bar{outline:2px solid #2563eb;outline-offset:1px;border-radius:4px}
        .caps .cap{display:none;margin:2px 0 6px;padding:4px 10px;background:#fffbeb;border-left:4px solid #d97706;font-size:13px}
        .caps .cap[data-i="0"]{background:#fff5f5;border-color:#c53030;color:#9b2c2c}
        span.seed,ol.trace b{display:inline-block;min-width:18px;padding:0 4px;border-radius:9px;background:#52606d;color:#fff;font-size:10.5px;font-weight:700;text-align:center;line-height:1.6}
        span.seed-1,ol.trace b.seed-1{background:#7c3aed}
        span.seed-2,ol.trace b.seed-2{background:#d97706}
        span.seed-3,ol.trace b.seed-3{background:#0f766e}
        span.seed-4a,ol.trace b.seed-4a{background:#2563eb}
        span.seed-4b,ol.trace b.seed-4b{background:#9d174d}
        table.orders td:target{outline:3px solid #1d4ed8;outline-offset:-3px}
        .order-run{display:none;border:1px solid #cbd2d9;border-radius:6px;padding:2px 12px 6px;margin:8px 0;background:#fff}
        .order-run:target{display:block}
        @media screen and (min-width:1100px){.order-run:target{position:fixed;right:12px;top:12px;width:min(620px,46vw);max-height:calc(100vh - 24px);overflow:auto;box-shadow:0 6px 28px rgba(15,23,42,.28);z-index:10}.order-run.at-left:target{left:12px;right:auto}}
        .order-run h4{margin:8px 0 4px;font-size:14px}
        .order-run h4 .cfg{font-weight:400;color:#52606d}
        .order-run .back{float:right;margin:8px 0 0 12px;font-size:12.5px}
        .order-run .what{margin:2px 0;font-weight:700;color:#991b1b;font-size:13px}
        .order-run ol.trace{margin:4px 0;padding-left:30px;font-size:12.5px}
        .order-run ol.trace li{margin:1px 0}
        .order-run ol.trace em{display:inline-block;min-width:88px;color:#52606d;font-style:normal}
        .order-run .diagnosis{margin:4px 0;color:#9b2c2c;font-weight:700;font-size:12.5px}
        footer{margin-top:30px;border-top:1px solid #e4e7eb;color:#7b8794;font-size:12px}
        @page{size:A4 landscape;margin:10mm}
        @media print{
          body{max-width:none;padding:0;font-size:10.5pt}
          nav,.howto,.steps-bar,.caps,.order-runs{display:none}
          a{color:inherit;text-decoration:none}
          h2{break-after:avoid}
          article.run{break-before:page;break-inside:avoid}
          .diagram{border:none;padding:0;overflow:visible}
          .diagram svg{min-width:0 !important}
          td.v-safe,td.v-violation,td.v-stuck,.badge,tr.finding th.name,.sd .cell,.sd .band-if,.sd .band-guest,.sd .zebra{-webkit-print-color-adjust:exact;print-color-adjust:exact}
        }

        """;
}
