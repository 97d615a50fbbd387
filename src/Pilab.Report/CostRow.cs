using System.Collections.Immutable;
using System.Globalization;

namespace Pilab.Report;

/// <summary>
/// The cost of a delivery in one check (docs/model.md section 5, "the reason the patch exists is to make
/// injection cheaper"), as the report shows it: per metric the fewest and most over all runs, counted
/// per run and shown per posted interrupt (divided by <see cref="Posts"/>). Plain data: the CLI fills
/// it from the analysis, <see cref="HtmlReport"/> draws it. <see cref="NotComputed"/> says why a
/// check has no figures (e.g. a state graph too large to keep every edge).
/// </summary>
public sealed record CostRow(int Posts, ImmutableArray<CostCell> Cells, string? NotComputed = null);

/// <summary>One metric of a <see cref="CostRow"/>: per run, Max null when a cycle makes it unbounded.</summary>
public readonly record struct CostCell(string Metric, int Min, int? Max)
{
    public bool Unbounded => Max is null;

    /// <summary>Per posted interrupt: "1", "0.5-1", or "0-inf" when unbounded.</summary>
    public string PerPost(int posts) => PerPost(Min, Max, posts);

    /// <summary>The one format of a cost range per posted interrupt, shared with <c>pilab check</c>'s table.</summary>
    public static string PerPost(int min, int? max, int posts)
    {
        string lo = Number(min, posts);
        if (max is not { } m) return $"{lo}-inf";
        string hi = Number(m, posts);
        return lo == hi ? lo : $"{lo}-{hi}";
    }

    private static string Number(int count, int posts) =>
        count % posts == 0 ? (count / posts).ToString(CultureInfo.InvariantCulture) : ((double)count / posts).ToString("0.##", CultureInfo.InvariantCulture);
}
