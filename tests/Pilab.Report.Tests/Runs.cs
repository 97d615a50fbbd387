using System.Collections.Immutable;
using System.Xml.Linq;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Report.Tests;

/// <summary>The built-ins checked the way <c>pilab report</c> checks them (SC and TSO, k = 1 and 2), once per test run.</summary>
internal static class Runs
{
    private static readonly Lazy<ImmutableArray<CheckResult>> _all = new(() =>
    [
        .. from v in Builtins.EntryDesigns
           from mm in new[] { MemoryModel.SC, MemoryModel.TSO }
           from k in new[] { 1, 2 }
           select ModelChecker.Check(v, new Configuration(Injectors: k, Memory: mm)),
    ]);

    public static ImmutableArray<CheckResult> All => _all.Value;

    /// <summary>Each whole-system built-in once, at its own configuration, as <c>pilab report</c> checks it.</summary>
    private static readonly Lazy<ImmutableArray<CheckResult>> _wholeSystem = new(() =>
        [.. Builtins.WholeSystemDesigns.Select(v => Models.Check(v, v.Check))]);

    public static ImmutableArray<CheckResult> WholeSystem => _wholeSystem.Value;

    public static CheckResult Get(string variant, MemoryModel mm, int k) =>
        All.Single(r => r.Variant.Name == variant && r.Configuration.Memory == mm && r.Configuration.Injectors == k);

    /// <summary>docs/model.md section 4's verdicts (the same table as the core tests).</summary>
    public static Verdict Expected(string variant, MemoryModel mm) => variant switch
    {
        "patch-v1" or "irq-late" => Verdict.Violation,
        "fixed-nomb" => mm == MemoryModel.TSO ? Verdict.Violation : Verdict.Safe,
        _ => Verdict.Safe,
    };

    public static TheoryData<string, MemoryModel, int> Losing()
    {
        var data = new TheoryData<string, MemoryModel, int>();
        foreach (var v in Builtins.EntryDesigns)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
                foreach (int k in new[] { 1, 2 })
                    if (Expected(v.Name, mm) == Verdict.Violation) data.Add(v.Name, mm, k);
        return data;
    }

    public static ReportInput Report() => new([.. All.Select(r => new ReportEntry(r))], Command: "pilab report");

    /// <summary>The report of every built-in: the vCPU-entry sweep and the whole-system section.</summary>
    public static ReportInput ReportOfEveryDesign() => new([.. All.Concat(WholeSystem).Select(r => new ReportEntry(r))], Command: "pilab report");

    /// <summary>Parses the standalone SVG file the way any XML tool would.</summary>
    public static XDocument ParseSvg(CheckResult r) => XDocument.Parse(SequenceDiagram.ToFile(SequenceDiagram.Render(r)));

    public static readonly XNamespace Svg = SequenceDiagram.Svg;

    public static bool HasClass(XElement e, string cls) =>
        ((string?)e.Attribute("class"))?.Split(' ').Contains(cls) == true;

    public static IEnumerable<XElement> WithClass(XContainer root, string cls) =>
        root.Descendants().Where(e => HasClass(e, cls));
}
