using System.Text;
using Pilab.Analysis;
using Pilab.Model;
using Pilab.Report;
using Pilab.Report.Json;
using CostRange = Pilab.Analysis.CostRange;
using DeliveryCost = Pilab.Analysis.DeliveryCost;

namespace Pilab.Cli;

/// <summary>How <c>pilab check</c> shows the cost of a delivery (README, "Cost of a delivery").</summary>
internal static class CostFormat
{
    /// <summary>"0.5-1" per posted interrupt; "inf" when a cycle makes it unbounded.</summary>
    public static string PerPost(CostRange r, int posts) => CostCell.PerPost(r.Min, r.Max, posts);

    /// <summary>The compact column of the check table: NOTIFY/RESCHED/cancelled/exits/host/EVENT, per post.</summary>
    public static string Column(Pilab.Protocol.Variant v, Configuration config, Pilab.Checker.Verdict verdict) =>
        verdict != Pilab.Checker.Verdict.Safe ? "-"
        : DeliveryCost.TryCompute(v, config, out _) is { } c ? string.Join(" ", Enum.GetValues<CostMetric>().Select(m => PerPost(c[m], c.Posts)))
        : "too large";

    public const string ColumnHeader = "cost/post N R C X H E";

    public const string ColumnLegend =
        "cost/post: min-max per posted interrupt over all runs of NOTIFY IPIs (N), RESCHED IPIs (R), cancelled entries (C), VM exits (X), host handler runs (H), KVM_REQ_EVENT requests handled (E); inf: a cycle repeats it without bound (host.irq is not forced; --irq-priority models hardware)";

    /// <summary><c>pilab check --cost --json</c>: the check's document with a "cost" member added
    /// (null when the variant loses: a lost interrupt has no delivery to count).</summary>
    public static string Json(CheckResult result)
    {
        CostJson? cost = null;
        if (result.Verdict == Pilab.Checker.Verdict.Safe)
            cost = DeliveryCost.TryCompute(result.Variant, result.Configuration, out string? tooLarge) is { } c
                ? new CostJson(c.Posts, new CostPerRunJson(Range(c[CostMetric.NotifyIpi]), Range(c[CostMetric.ReschedIpi]), Range(c[CostMetric.CancelledEntry]),
                    Range(c[CostMetric.VmExit]), Range(c[CostMetric.HostHandler]), Range(c[CostMetric.EventRequest])), null)
                : new CostJson(null, null, tooLarge);
        return PilabJson.Write(new CheckCostDocument(JsonReport.Result(result), cost));
    }

    private static CostRangeJson Range(CostRange r) => new(r.Min, r.Max, r.Unbounded);

    /// <summary>The table <c>pilab check --cost</c> prints under the verdict.</summary>
    public static string Table(Pilab.Protocol.Variant v, Configuration config, Pilab.Checker.Verdict verdict)
    {
        if (verdict != Pilab.Checker.Verdict.Safe)
            return "cost: only for variants that lose nothing (a lost interrupt has no delivery to count)\n";
        if (DeliveryCost.TryCompute(v, config, out string? tooLarge) is not { } c)
            return $"cost: not computed: {tooLarge}\n";
        var sb = new StringBuilder();
        sb.Append($"cost of a delivery over all {c.Terminals:N0} terminal states' runs ({c.Posts} posted interrupt{(c.Posts == 1 ? "" : "s")}; each metric's min and max on its own):\n");
        var t = new TextTable("metric", "min/run", "max/run", "per post").AlignRight(1, 2, 3);
        foreach (var m in Enum.GetValues<CostMetric>())
        {
            var r = c[m];
            t.Add(DeliveryCost.Name(m), r.Min.ToString(), r.Max?.ToString() ?? "unbounded", PerPost(r, c.Posts));
        }
        sb.Append(t);
        if (c.Ranges.Any(r => r.Unbounded))
            sb.Append("unbounded: a cycle through that step can repeat forever and still end (host.irq is enabled, never forced: docs/model.md section 5); --irq-priority takes a pending interrupt first, as hardware does\n");
        return sb.ToString();
    }
}
