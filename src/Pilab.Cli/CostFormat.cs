using System.Text;
using Pilab.Analysis;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary>How <c>pilab check</c> shows the cost of a delivery (README, "Cost of a delivery").</summary>
internal static class CostFormat
{
    /// <summary>"0.5-1" per posted interrupt; "inf" when a cycle makes it unbounded.</summary>
    public static string PerPost(CostRange r, int posts)
    {
        string min = Number(r.Min, posts);
        if (r.Max is not { } max) return $"{min}-inf";
        string mx = Number(max, posts);
        return min == mx ? min : $"{min}-{mx}";
    }

    private static string Number(int count, int posts) =>
        count % posts == 0 ? (count / posts).ToString() : ((double)count / posts).ToString("0.##");

    /// <summary>The compact column of the check table: NOTIFY/RESCHED/cancelled/exits/host/EVENT, per post.</summary>
    public static string Column(CostResult c) =>
        string.Join(" ", Enum.GetValues<CostMetric>().Select(m => PerPost(c[m], c.Posts)));

    public const string ColumnHeader = "cost/post N R C X H E";

    public const string ColumnLegend =
        "cost/post: min-max per posted interrupt over all runs of NOTIFY IPIs (N), RESCHED IPIs (R), cancelled entries (C), VM exits (X), host handler runs (H), KVM_REQ_EVENT requests handled (E); inf: a cycle repeats it without bound (host.irq is not forced; --irq-priority models hardware)";

    /// <summary><c>pilab check --cost --json</c>: the check's JSON object with a "cost" member added
    /// (null when the variant loses: a lost interrupt has no delivery to count).</summary>
    public static string WithCost(string checkJson, Pilab.Protocol.Variant variant, Pilab.Model.Configuration config, Pilab.Checker.Verdict verdict)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(checkJson)!.AsObject();
        if (verdict != Pilab.Checker.Verdict.Safe)
        {
            node["cost"] = null;
            return node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        }
        var c = DeliveryCost.Compute(variant, config);
        var metrics = new System.Text.Json.Nodes.JsonObject();
        foreach (var m in Enum.GetValues<CostMetric>())
            metrics[m.ToString()] = new System.Text.Json.Nodes.JsonObject { ["min"] = c[m].Min, ["max"] = c[m].Max, ["unbounded"] = c[m].Unbounded };
        node["cost"] = new System.Text.Json.Nodes.JsonObject { ["posts"] = c.Posts, ["perRun"] = metrics };
        return node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The table <c>pilab check --cost</c> prints under the verdict.</summary>
    public static string Table(CostResult c)
    {
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
            sb.Append("unbounded: a cycle through that step can repeat forever and still end (host.irq is enabled, never forced: SPEC.md section 5); --irq-priority takes a pending interrupt first, as hardware does\n");
        return sb.ToString();
    }
}
