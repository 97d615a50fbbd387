using System.CommandLine;
using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Cli;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;

var common = new CommonOptions();
var svgOut = new Option<string>("--svg") { Description = "also write the shortest run as an SVG sequence diagram to this file" };
var root = new RootCommand("pilab: model checker and live runtime for KVM's APICv posted-interrupt delivery");

var list = new Command("list", "the built-in variants with descriptions");
list.SetAction(_ =>
{
    var t = new TextTable("variant", "entry order", "injector", "description");
    foreach (var v in Builtins.All) t.Add(v.Name, v.EntryText, v.InjectorText, v.Description);
    Console.Write(t);
    var w = new TextTable("whole-system variant", "design", "sched-in", "description");
    foreach (var v in SystemBuiltins.WholeSystem) w.Add(v.Name, SystemStepNames.Name(v.Design), v.SchedInText, v.Description);
    Console.Write("\n" + w);
    return ExitCodes.NoLoss;
});
root.Subcommands.Add(list);

var check = new Command("check", "check one variant (exit 0 no loss, 1 violation, 2 bad input, 3 bound); with no variant, every built-in under SC and TSO for k=1 and k=2, then the whole-system built-ins of SPEC.md section 7");
common.AddTo(check);
common.Variant.Arity = ArgumentArity.ZeroOrOne;
var cost = new Option<bool>("--cost") { Description = "also the cost of a delivery: min and max per posted interrupt of NOTIFY and RESCHED IPIs, cancelled entries, VM exits, host handler runs" };
check.Options.Add(cost);
check.SetAction(p => p.GetValue(common.Variant) is null ? CheckAll(p) : CheckOne(p, explain: false));
root.Subcommands.Add(check);

var explain = new Command("explain", "the shortest run that loses an interrupt, step by step, or the proof that none exists");
common.AddTo(explain);
explain.Options.Add(svgOut);
explain.SetAction(p => CheckOne(p, explain: true));
root.Subcommands.Add(explain);
root.Subcommands.Add(LiveCommand.Create(common));
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(SynthesizeCommand.Create());
root.Subcommands.Add(BarriersCommand.Create());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var e in parsed.Errors) Console.Error.WriteLine($"pilab: {e.Message}");
    Console.Error.WriteLine("pilab: see 'pilab --help'");
    return ExitCodes.BadInput;
}
return parsed.Invoke();

int CheckOne(ParseResult p, bool explain)
{
    if (p.GetValue(common.Variant) is null)
    {
        Console.Error.WriteLine("pilab: explain needs a variant: a built-in (pilab list) or a file");
        return ExitCodes.BadInput;
    }
    if (WholeSystemCommand.TryCheckOne(p, common, explain) is { } wholeSystemExit) return wholeSystemExit;
    if (!common.TryResolve(p, out var variant, out var config)) return ExitCodes.BadInput;
    var result = ModelChecker.Check(variant, config, common.Exploration(p));
    if (p.GetValue(common.Json))
        Console.WriteLine(!explain && p.GetValue(cost) ? CostFormat.WithCost(JsonReport.Write(result), variant, config, result.Verdict) : JsonReport.Write(result));
    else if (explain && result.Trace is not null && !Console.IsOutputRedirected)
    {
        // A terminal gets the coloured timeline; pipes and files keep the plain text below.
        Console.Write(Explain(result, timeline: false));
        Spectre.Console.AnsiConsole.Write(ConsoleTimeline.Render(result.Trace));
    }
    else
        Console.Write(explain ? Explain(result) : Summary(result));
    if (!explain && p.GetValue(cost) && !p.GetValue(common.Json))
        Console.Write(CostFormat.Table(variant, config, result.Verdict));
    if (explain && p.GetValue(svgOut) is { } svgPath && !ReportFiles.WriteSvg(result, svgPath))
        return ExitCodes.BadInput;
    return ExitCode(result.Verdict);
}

int CheckAll(ParseResult p)
{
    var results = new List<CheckResult>();
    var options = common.Exploration(p);
    var baseConfig = common.Configuration(p);
    if (baseConfig.Problem() is { } problem)
    {
        Console.Error.WriteLine($"pilab: {problem}");
        return ExitCodes.BadInput;
    }
    foreach (var v in Builtins.All)
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            foreach (int k in new[] { 1, 2 })
                results.Add(ModelChecker.Check(v, baseConfig with { Memory = mm, Injectors = k }, options));
    // SPEC.md section 7's built-ins, in the configuration that exercises them (only when the section 4 options are at their defaults).
    var wholeSystem = baseConfig != new Configuration() ? [] : WholeSystemCommand.CheckAll(options);
    if (p.GetValue(common.Json))
    {
        Console.WriteLine(JsonReport.Write(results, wholeSystem));
    }
    else
    {
        var t = new TextTable("variant", "mm", "k", "verdict", "states", "transitions", "trace", "time", CostFormat.ColumnHeader).AlignRight(2, 4, 5, 6, 7);
        foreach (var r in results)
        {
            var x = r.Exploration;
            t.Add(r.Variant.Name, r.Configuration.Memory.ToString(), r.Configuration.Injectors.ToString(), Verdict(r),
                x.States.ToString("N0"), x.Transitions.ToString("N0"), r.Trace is null ? "-" : r.Trace.Steps.Length.ToString(),
                $"{x.Elapsed.TotalMilliseconds:F0} ms",
                CostFormat.Column(r.Variant, r.Configuration, r.Verdict));
        }
        Console.WriteLine($"posts per injector {baseConfig.Posts}, guest exits {baseConfig.Exits}{(baseConfig.SameVector ? ", same vector" : "")}{(baseConfig.IrqPriority ? ", irq priority" : "")}; {ReductionNote(options)}; 'trace' is the length of the shortest losing run");
        Console.Write(t);
        Console.WriteLine(CostFormat.ColumnLegend);
        if (wholeSystem.Count > 0) Console.Write("\n" + WholeSystemCommand.Table(wholeSystem));
    }
    return results.Any(r => r.Verdict == Pilab.Checker.Verdict.BoundReached) || wholeSystem.Any(r => r.Verdict == Pilab.Checker.Verdict.BoundReached)
        ? ExitCodes.BoundReached : ExitCodes.NoLoss;
}

static string ReductionNote(ExplorationOptions o) => (o.PartialOrder, o.Symmetry) switch
{
    (true, true) => "states of the graph reduced by POR and symmetry (--no-por --no-symmetry for the full graph)",
    (true, false) => "states of the graph reduced by POR",
    (false, true) => "states of the graph reduced by symmetry",
    _ => "states of the full graph",
};

static string Verdict(CheckResult r) => r.Verdict switch
{
    Pilab.Checker.Verdict.Safe => "no loss",
    Pilab.Checker.Verdict.Violation => "LOSES",
    Pilab.Checker.Verdict.Stuck => "STUCK",
    _ => "bound",
};

static int ExitCode(Verdict v) => v switch
{
    Pilab.Checker.Verdict.Safe => ExitCodes.NoLoss,
    Pilab.Checker.Verdict.BoundReached => ExitCodes.BoundReached,
    _ => ExitCodes.Violation,
};

static string Summary(CheckResult r)
{
    var x = r.Exploration;
    string head = $"{r.Variant.Name} [{r.Configuration}]: ";
    string reduced = (x.PartialOrder, x.Symmetry) switch
    {
        (true, true) => ", reduced by POR and symmetry",
        (true, false) => ", reduced by POR",
        (false, true) => ", reduced by symmetry",
        _ => "",
    };
    string figures = $"{x.States:N0} states, {x.Transitions:N0} transitions, depth {x.MaxDepth}, {x.Elapsed.TotalSeconds:F3} s, {x.Workers} worker{(x.Workers == 1 ? "" : "s")}{reduced}{Compaction(x)}";
    return r.Verdict switch
    {
        Pilab.Checker.Verdict.Safe => $"{head}no lost interrupt ({figures}, {x.Terminals:N0} terminal states)\n",
        Pilab.Checker.Verdict.Violation => $"{head}LOSES an interrupt: shortest run {r.Trace!.Steps.Length} steps ({figures})\n=> {TraceText.Diagnosis(r.Trace)}\n(pilab explain shows the run)\n",
        Pilab.Checker.Verdict.Stuck => $"{head}STUCK: a state with no enabled step that is not a proper end, {r.Trace!.Steps.Length} steps ({figures})\n=> {TraceText.Diagnosis(r.Trace)}\n",
        _ => $"{head}no verdict: {x.BoundMessage}; so far {figures}, no violation among them\n",
    };
}

// The birthday bound of FingerprintSet.OmissionBound, and what a state cost.
static string Compaction(Pilab.Checker.ExplorationResult<Pilab.Model.PiState> x) => x.HashCompaction
    ? $", hash compaction: P(missed state) <= n(n-1)/2^65 = {x.OmissionProbability:G3}, {x.BytesPerState:F1} bytes/state"
    : "";

static string Explain(CheckResult r, bool timeline = true)
{
    var x = r.Exploration;
    string head = $"{r.Variant.Name} [{r.Configuration}]\nentry:    {r.Variant.EntryText}\ninjector: {r.Variant.InjectorText}\n\n";
    return r.Verdict switch
    {
        Pilab.Checker.Verdict.Violation or Pilab.Checker.Verdict.Stuck =>
            head + $"shortest run that {(r.Verdict == Pilab.Checker.Verdict.Stuck ? "gets stuck" : "loses an interrupt")}: {r.Trace!.Steps.Length} steps\n\n" + (timeline ? TimelineRenderer.Render(r.Trace) : ""),
        Pilab.Checker.Verdict.Safe =>
            head + (x.PartialOrder || x.Symmetry
                ? $"no run loses an interrupt: {x.States:N0} states of the reduced graph explored ({(x.PartialOrder ? "stubborn sets" : "")}{(x.PartialOrder && x.Symmetry ? " and " : "")}{(x.Symmetry ? "injector symmetry" : "")}, which keep every terminal state), {x.Transitions:N0} transitions, {x.Terminals:N0} terminal states, each with PIR empty, ON=0 and every posted vector delivered\n"
                : $"no run loses an interrupt: all {x.States:N0} reachable states explored ({x.Transitions:N0} transitions, {x.Terminals:N0} terminal states, each with PIR empty, ON=0 and every posted vector delivered)\n"),
        _ => head + $"no verdict: {x.BoundMessage}; {x.States:N0} states explored, no violation among them\n",
    };
}
