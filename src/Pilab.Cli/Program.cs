using System.CommandLine;
using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Cli;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;

Interrupt.Install();
StandardOutput.Install();
var common = new CommonOptions();
var svgOut = new Option<string>("--svg") { Description = "also write the shortest run as an SVG sequence diagram to this file" };
var root = new RootCommand("pilab: model checker and live runtime for KVM's APICv posted-interrupt delivery. " + ExitCodes.Contract);
var verbose = new Option<bool>("--verbose") { Description = "on an internal error (exit code 70), also print its stack trace", Recursive = true };
root.Options.Add(verbose);

var list = new Command("list", "the built-in variants of every design, with descriptions and the configuration each is checked in");
list.SetAction(_ =>
{
    var t = new TextTable("variant", "entry order", "injector", "check", "description");
    foreach (var v in Builtins.EntryDesigns) t.Add(v.Name, v.EntryText, v.InjectorText, v.Check.CheckLine(v.Design), v.Description);
    Console.Write(t);
    var w = new TextTable("whole-system variant", "design", "sched-in", "check", "description");
    foreach (var v in Builtins.WholeSystemDesigns) w.Add(v.Name, DesignNames.Name(v.Design), v.SchedInText, v.Check.CheckLine(v.Design), v.Description);
    foreach (var v in Builtins.AvicDesigns) w.Add(v.Name, DesignNames.Name(v.Design), "-", v.Check.CheckLine(v.Design), v.Description);
    Console.Write("\n" + w);
    return ExitCodes.NoLoss;
});
root.Subcommands.Add(list);

var check = new Command("check", "check one variant of any design in its own configuration, options overriding it (exit 0 no loss, 1 violation, 2 bad input, 3 bound); with no variant, the vCPU-entry built-ins under SC and TSO for k=1 and k=2, then each whole-system and AVIC built-in at its own configuration");
common.AddTo(check);
check.Options.Add(common.Quiet);
common.Variant.Arity = ArgumentArity.ZeroOrOne;
var cost = new Option<bool>("--cost") { Description = "also the cost of a delivery: min and max per posted interrupt of NOTIFY and RESCHED IPIs, cancelled entries, VM exits, host handler runs" };
check.Options.Add(cost);
check.SetAction(p => p.GetValue(common.Variant) is null ? CheckAll(p) : CheckOne(p, explain: false));
root.Subcommands.Add(check);

var explain = new Command("explain", "the shortest run that loses an interrupt, step by step, or the proof that none exists");
common.AddTo(explain);
explain.Options.Add(common.Quiet);
explain.Options.Add(svgOut);
explain.SetAction(p => CheckOne(p, explain: true));
root.Subcommands.Add(explain);
root.Subcommands.Add(LiveCommand.Create(common));
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(SynthesizeCommand.Create());
root.Subcommands.Add(BarriersCommand.Create());
root.Subcommands.Add(TestCommand.Create());
root.Subcommands.Add(Completion.Create());

// The one place an exception ends (TopLevel): no stack trace and no exit code of a verdict (0, 1, 3) for a failure.
bool showStack = args.Contains("--verbose");
return TopLevel.Run(() =>
{
    // Bare pilab (or pilab --verbose alone) prints the help, as git and cargo do.
    var parsed = root.Parse(args.All(a => a == "--verbose") ? ["--help"] : args);
    showStack = parsed.GetValue(verbose);
    if (parsed.Errors.Count > 0) return ParseErrors.Report(parsed);
    // pilab's own exception handling and signal handling (Interrupt), not System.CommandLine's.
    int code = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
    Console.Out.Flush();
    return code;
}, () => showStack, Console.Error);

int CheckOne(ParseResult p, bool explain)
{
    if (p.GetValue(common.Variant) is null)
    {
        Console.Error.WriteLine("pilab: explain needs a variant: a built-in (pilab list) or a file");
        return ExitCodes.BadInput;
    }
    ProgressLine.Install(p, common); // before the options are made: they take the process's sink
    if (!common.TryResolve(p, out var variant, out var config, out var options)) return ExitCodes.BadInput;
    bool wantCost = !explain && p.GetValue(cost);
    if (wantCost && variant.WholeSystem)
        return CommonOptions.Refuse("check --cost", variant, "the delivery cost is computed for design entry only");
    string? svg = explain ? p.GetValue(svgOut) : null;
    var result = Models.Check(variant, config, options);
    if (p.GetValue(common.Json))
        Console.WriteLine(wantCost ? CostFormat.Json(result) : JsonReport.Write(result));
    else if (explain && result.Trace is not null && !variant.WholeSystem && !Console.IsOutputRedirected)
    {
        // A terminal gets the coloured timeline (of the vCPU-entry design's columns); pipes, files and the whole system keep the plain text below.
        Console.Write(CheckText.Explain(result, timeline: false));
        Spectre.Console.AnsiConsole.Write(ConsoleTimeline.Render(result.Trace));
    }
    else
        Console.Write(explain ? CheckText.Explain(result) : CheckText.Summary(result));
    if (wantCost && !p.GetValue(common.Json))
        Console.Write(CostFormat.Table(variant, config, result.Verdict));
    if (Interrupt.Requested && result.Verdict == Pilab.Checker.Verdict.BoundReached)
        return Interrupt.Stopped($"the figures so far are above{(svg is not null ? $"; {Diagnostic.Printable(svg)} not written" : "")}");
    if (svg is not null && !ReportFiles.WriteSvg(result, svg))
        return ExitCodes.BadInput;
    return ExitCode(result.Verdict);
}

int CheckAll(ParseResult p)
{
    // The table sweeps the memory model and the injectors of the vCPU-entry designs itself, and checks each
    // whole-system built-in at its own configuration: an option that would be ignored is refused.
    if (common.GivenNames(p, common.Mm, common.Injectors).ToList() is { Count: > 0 } swept)
    {
        Console.Error.WriteLine($"pilab: check with no variant sweeps --mm and --injectors itself (SC and TSO, k=1 and 2); {string.Join(" and ", swept)} {(swept.Count == 1 ? "needs" : "need")} a variant");
        return ExitCodes.BadInput;
    }
    ProgressLine.Install(p, common); // before the options are made: they take the process's sink
    if (common.Exploration(p) is not { } options) return ExitCodes.BadInput;
    var entryConfig = common.Configuration(p, MemoryModel.SC);
    if (entryConfig.UsesWholeSystem)
    {
        Console.Error.WriteLine($"pilab: check with no variant: {string.Join(", ", common.GivenNames(p, common.Iommu, common.Ipiv, common.Halts, common.Preemptions, common.Migrations))} would apply to the whole-system rows only, each at its own configuration; check one whole-system variant with them instead");
        return ExitCodes.BadInput;
    }
    if (entryConfig.Problem(KvmDesign.Entry) is { } problem)
    {
        Console.Error.WriteLine($"pilab: {problem}");
        return ExitCodes.BadInput;
    }
    var results = new List<CheckResult>();
    foreach (var v in Builtins.EntryDesigns)
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            foreach (int k in new[] { 1, 2 })
                results.Add(Models.Check(v, entryConfig with { Memory = mm, Injectors = k }, options));
    // Each whole-system built-in once, at its own configuration with the options given (posts, exits, same vector, irq priority) laid over it.
    // A built-in whose design an option has no meaning for (--irq-priority for design avic) is left out, and the output says so.
    var wholeSystem = new List<CheckResult>();
    var leftOut = new List<(Variant Variant, string Why)>();
    foreach (var v in Builtins.WholeSystemDesigns.Concat(Builtins.AvicDesigns))
    {
        var c = common.Overlay(p, v.Check);
        if (c.Problem(v.Design) is { } wp) leftOut.Add((v, wp));
        else wholeSystem.Add(Models.Check(v, c, options));
    }
    string? leftOutNote = leftOut.Count == 0 ? null
        : $"left out: {string.Join(", ", leftOut.Select(l => l.Variant.Name))} ({leftOut[0].Why})";
    if (p.GetValue(common.Json))
    {
        if (leftOutNote is not null) Console.Error.WriteLine($"pilab: {leftOutNote}");
        Console.WriteLine(JsonReport.Write([.. results, .. wholeSystem]));
    }
    else
    {
        var t = new TextTable("variant", "mm", "k", "verdict", "states", "transitions", "trace", "time", CostFormat.ColumnHeader).AlignRight(2, 4, 5, 6, 7);
        foreach (var r in results)
        {
            var x = r.Exploration;
            t.Add(r.Variant.Name, r.Configuration.Memory.ToString(), r.Configuration.Injectors.ToString(), CheckText.VerdictCell(r.Verdict),
                x.States.ToString("N0"), x.Transitions.ToString("N0"), r.TraceLength == 0 ? "-" : r.TraceLength.ToString(),
                $"{x.Elapsed.TotalMilliseconds:F0} ms",
                CostFormat.Column(r.Variant, r.Configuration, r.Verdict));
        }
        Console.WriteLine($"posts per injector {entryConfig.Posts}, guest exits {entryConfig.Exits}{(entryConfig.SameVector ? ", same vector" : "")}{(entryConfig.IrqPriority ? ", irq priority" : "")}; {CheckText.ReductionNote(options.PartialOrder, options.Symmetry, options.Chains)}; 'trace' is the length of the shortest losing run");
        Console.Write(t);
        Console.WriteLine(CostFormat.ColumnLegend);
        Console.Write("\n" + CheckText.WholeSystemTable(wholeSystem));
        if (leftOutNote is not null) Console.WriteLine(leftOutNote);
    }
    if (Interrupt.Requested) return Interrupt.Stopped("the checks from then on stopped after their first round ('bound')");
    return results.Concat(wholeSystem).Any(r => r.Verdict == Pilab.Checker.Verdict.BoundReached) ? ExitCodes.BoundReached : ExitCodes.NoLoss;
}

static int ExitCode(Verdict v) => v switch
{
    Pilab.Checker.Verdict.Safe => ExitCodes.NoLoss,
    Pilab.Checker.Verdict.BoundReached => ExitCodes.BoundReached,
    _ => ExitCodes.Violation,
};
