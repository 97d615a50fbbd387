using System.Collections.Immutable;
using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;
using DeliveryCost = Pilab.Analysis.DeliveryCost;

namespace Pilab.Cli;

/// <summary>
/// Maps the analysis results (issue 3) to the report's plain data records, so Pilab.Report never
/// depends on Pilab.Analysis: the cost of a delivery to a <see cref="CostRow"/>, the synthesis to an
/// <see cref="OrderMatrix"/>.
/// </summary>
internal static class ReportData
{
    /// <summary>
    /// The cost of a delivery, computed as <c>pilab check --cost</c> does: in the configuration as
    /// given (docs/analysis.md, "Decision"), so without IrqPriority some maxima are unbounded and the
    /// report says so. Null for a check that loses or gets stuck: there is no delivery to count.
    /// </summary>
    public static CostRow? Cost(CheckResult result)
    {
        if (result.Verdict != Pilab.Checker.Verdict.Safe) return null;
        if (DeliveryCost.TryCompute(result.Variant, result.Configuration, out string? tooLarge) is not { } c)
            return new CostRow(result.Configuration.Injectors * result.Configuration.Posts, [], tooLarge);
        return new CostRow(c.Posts, [.. Enum.GetValues<CostMetric>().Select(m => new CostCell(DeliveryCost.Name(m), c[m].Min, c[m].Max))]);
    }

    /// <summary>
    /// Every entry order (OrderSynthesis: 144) checked with the default injector side (fixed's) under SC
    /// and TSO for each injector count, as one matrix; the columns follow the verdict table's order. Each
    /// losing cell carries its shortest run, checked again as the synthesis checked it (same variant,
    /// configuration and search, so the same run the reason class was read from), and the command line
    /// that draws it again.
    /// </summary>
    public static OrderMatrix Orders(Configuration configuration, IReadOnlyList<int> injectorCounts, ExplorationOptions options)
    {
        var side = InjectorSide.Default;
        var runs = injectorCounts.Select(k => OrderSynthesis.Run(side, configuration with { Injectors = k }, options)).ToList();
        var columns = new List<string>();
        var outcomes = new List<Func<int, (OrderOutcome Outcome, Variant Order, Configuration Checked)>>();
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            for (int i = 0; i < injectorCounts.Count; i++)
            {
                var rows = runs[i];
                var checkedIn = configuration with { Memory = mm, Injectors = injectorCounts[i] };
                columns.Add($"{mm} k={injectorCounts[i]}");
                outcomes.Add(r => (mm == MemoryModel.SC ? rows[r].Sc : rows[r].Tso, rows[r].Variant, checkedIn));
            }
        var first = runs[0];
        var cells = new OrderCell[first.Length, columns.Count];
        // Each run is small, and the run reported is the same on any number of workers: one worker per
        // check, the checks side by side.
        var one = options with { Workers = 1 };
        Parallel.For(0, first.Length * columns.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Workers }, i =>
        {
            var (o, order, checkedIn) = outcomes[i % columns.Count](i / columns.Count);
            cells[i / columns.Count, i % columns.Count] = Cell(o, order, side, checkedIn, one);
        });
        var matrixRows = ImmutableArray.CreateBuilder<OrderRow>(first.Length);
        for (int r = 0; r < first.Length; r++)
        {
            var named = Builtins.EntryDesigns.FirstOrDefault(b => b.Entry.SequenceEqual(first[r].Variant.Entry) && SameInjectorSide(b, side));
            matrixRows.Add(new OrderRow(first[r].Text, [.. Enumerable.Range(0, columns.Count).Select(c => cells[r, c])], named?.Name));
        }
        string note = $"Every order of irq.off, mode.in, mb, sync (on.read on.clear pir.drain), check, then enter: {first.Length} orders "
            + $"({first.Count(o => o.HasMb)} with mb). Injector side of {side.Name}: {side.InjectorText}; "
            + $"{configuration.Posts} post(s) per injector, {configuration.Exits} guest exit(s){(configuration.IrqPriority ? ", host interrupts first" : "")}. "
            + "A tag names the built-in variant with that order. A losing cell shows the reason class of its shortest run (pilab synthesize) and links to that run.";
        var reasons = ReasonRule.All.Select(r => new OrderReason(r.Id, r.Meaning, r.Rule)).ToImmutableArray();
        return new OrderMatrix([.. columns], matrixRows.MoveToImmutable(), note, reasons);
    }

    private static bool SameInjectorSide(Variant a, Variant b) =>
        a.Injector.SequenceEqual(b.Injector) && a.OnAlreadySet == b.OnAlreadySet && a.Requests == b.Requests;

    /// <summary>A cell; a losing one with its run, checked again as <see cref="OrderSynthesis"/> checked it.</summary>
    private static OrderCell Cell(OrderOutcome o, Variant order, Variant side, Configuration configuration, ExplorationOptions options)
    {
        if (o.Safe || o.Verdict == Pilab.Checker.Verdict.BoundReached) return new(o.Verdict, o.Safe ? null : o.Reason?.Rule.Id);
        var result = ModelChecker.Check(order, configuration, options);
        return new(o.Verdict, o.Reason?.Rule.Id, result.Trace is null ? null : new OrderRun(result, ReportReproduce.Order(order, side, configuration, options)));
    }
}
