using System.Collections.Immutable;
using System.Reflection;
using System.CommandLine;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary>
/// <c>pilab report [variants or files...] [-o report.html]</c>: checks each vCPU-entry variant under SC
/// and TSO with one and two injectors, and each whole-system variant once at its own configuration (its
/// check line, with --posts, --exits, --same-vector, --irq-priority laid over it), and writes one
/// self-contained HTML file (<see cref="HtmlReport"/>) with the verdict tables, the cost of a delivery
/// for every vCPU-entry check without loss, the order matrix of the synthesis (all entry orders, unless
/// <c>--no-synthesis</c>), with <c>--live seconds</c> the latency histogram of a live run
/// (<see cref="ReportLive"/>), and a sequence diagram of every losing run of either model. With no
/// variant named: every built-in.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var variants = new Argument<string[]>("variants")
        {
            Description = "built-in variants (pilab list) or variant files, of any design; default: every built-in",
            Arity = ArgumentArity.ZeroOrMore,
        };
        variants.CompletionSources.Add(Completion.Variants);
        ParseErrors.RefuseOptionsAsValues(variants);
        var output = new Option<string>("--output", "-o") { Description = "the HTML file to write (whole or not at all: written beside it, then renamed)", DefaultValueFactory = _ => "report.html" };
        var noSynthesis = new Option<bool>("--no-synthesis") { Description = "leave out the order matrix (every entry order checked under SC and TSO for k=1 and k=2, as pilab synthesize)" };
        var live = new Option<double?>("--live") { Description = "also run the live runtime (pilab live, its defaults) for this many seconds on fixed, or on each variant given, and draw its latency histogram (more than 0, at most 3600)" }.Invariant();
        var command = new Command("report", "check vCPU-entry variants under SC and TSO for k=1 and k=2, and whole-system variants at their own configuration, and write one HTML file: verdict tables, delivery cost, order matrix and a sequence diagram of every losing run");
        command.Arguments.Add(variants);
        foreach (var o in new Option[] { output, common.Posts, common.Exits, common.SameVector, common.IrqPriority, noSynthesis, live, common.MaxStates, common.MaxMemory, common.NoPor, common.NoSymmetry, common.NoChains, common.Workers, common.Quiet })
            command.Options.Add(o);
        command.SetAction(p => Run(p, common, variants, output, noSynthesis, live));
        return command;
    }

    /// <summary>pilab's version as <c>pilab --version</c> prints it (the package version, then + and the commit it was built from).</summary>
    private static string Version =>
        typeof(ReportCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ReportCommand).Assembly.GetName().Version?.ToString() ?? "unknown";

    private static int Run(ParseResult p, CommonOptions common, Argument<string[]> variantsArg, Option<string> output, Option<bool> noSynthesis, Option<double?> live)
    {
        var config = common.Configuration(p, MemoryModel.SC);
        if (config.Problem(KvmDesign.Entry) is { } problem)
        {
            Console.Error.WriteLine($"pilab: {problem}");
            return ExitCodes.BadInput;
        }
        ProgressLine.Install(p.GetValue(common.Quiet), json: false); // before the options are made: they take the process's sink
        if (common.Exploration(p) is not { } options) return ExitCodes.BadInput;
        double? liveSeconds = p.GetValue(live);
        if (liveSeconds is { } ls && !(ls > 0 && ls <= 3600))
        {
            Console.Error.WriteLine($"pilab: --live takes seconds, more than 0 and at most 3600, not {ls}");
            return ExitCodes.BadInput;
        }
        var names = p.GetValue(variantsArg) ?? [];
        var variants = new List<Variant>();
        if (names.Length == 0) variants.AddRange(Builtins.EntryDesigns);
        var wholeSystem = new List<Variant>();
        if (names.Length == 0) wholeSystem.AddRange([.. Builtins.WholeSystemDesigns, .. Builtins.AvicDesigns]);
        // Each variant as it was given (a built-in's name or a file's path), for the command lines that redraw its runs.
        var given = new Dictionary<Variant, string>(ReferenceEqualityComparer.Instance);
        foreach (var v in variants.Concat(wholeSystem)) given[v] = v.Name;
        bool bad = false;
        foreach (var name in names)
        {
            var loaded = CommonOptions.LoadVariant(name);
            if (loaded.Ok) { (loaded.Variant!.WholeSystem ? wholeSystem : variants).Add(loaded.Variant!); given[loaded.Variant!] = name; continue; }
            bad = true;
            CommonOptions.PrintErrors(loaded.Errors);
        }
        if (bad) return ExitCodes.BadInput;
        // Each whole-system variant once, at its own configuration (its check line) with the options given laid over it.
        // A default built-in whose design an option has no meaning for (--irq-priority for design avic) is left out, and stderr says so.
        var wholeConfigs = new List<Configuration>();
        var leftOut = new List<string>();
        string? why = null;
        for (int i = 0; i < wholeSystem.Count; i++)
        {
            var v = wholeSystem[i];
            if (names.Length == 0 && common.Overlay(p, v.Check).Problem(v.Design) is { } wp)
            {
                leftOut.Add(v.Name);
                why ??= wp;
                wholeSystem.RemoveAt(i--);
                continue;
            }
            if (common.ConfigurationFor(p, v) is not { } c) return ExitCodes.BadInput;
            wholeConfigs.Add(c);
        }
        if (leftOut.Count > 0) Console.Error.WriteLine($"pilab: left out: {string.Join(", ", leftOut)} ({why})");

        // The line that draws a losing run again, as an SVG file named after the run.
        Reproduction? Reproduce(Variant v, CheckResult r) => r.Trace is null ? null : ReportReproduce.Explain(given[v], r.Variant, r.Configuration, options,
            $"{new string(r.Variant.Name.Select(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '-').ToArray())}-{r.Configuration.Memory.ToString().ToLowerInvariant()}-k{r.Configuration.Injectors}.svg");

        int[] injectorCounts = [1, 2];
        var entries = ImmutableArray.CreateBuilder<ReportEntry>();
        foreach (var v in variants)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
                foreach (int k in injectorCounts)
                {
                    var result = Models.Check(v, config with { Memory = mm, Injectors = k }, options);
                    entries.Add(new ReportEntry(result, ReportData.Cost(result), Reproduce(v, result)));
                }
        var wholeEntries = wholeSystem.Select((v, i) =>
        {
            var r = Models.Check(v, wholeConfigs[i], options);
            return new ReportEntry(r, Reproduce: Reproduce(v, r));
        }).ToList();
        // The full graph for the synthesis, as pilab synthesize explores it: a reduced graph keeps the
        // verdicts and the shortest run's length but may pick another shortest run, and the reason
        // class is read off that run. The matrix is of vCPU entry orders: left out of a report of whole-system variants only.
        var orders = p.GetValue(noSynthesis) || variants.Count == 0 ? null : ReportData.Orders(config, injectorCounts, options with { PartialOrder = false, Symmetry = false });
        var latencies = ImmutableArray.CreateBuilder<LatencyHistogram>();
        if (liveSeconds is { } seconds)
        {
            // The live runtime runs the vCPU entry and its injectors only.
            if (names.Length > 0 && variants.Count == 0)
                return CommonOptions.Refuse("report --live", wholeSystem[0], "the live runtime runs the vCPU entry and its injectors only: name a vCPU-entry variant too");
            foreach (var v in names.Length == 0 ? [Builtins.Fixed] : variants)
            {
                Console.Error.WriteLine($"pilab: running {v.Name} live for {seconds:0.###} s");
                latencies.Add(ReportLive.Run(v, seconds).Histogram);
            }
        }

        string path = p.GetValue(output)!;
        if (Interrupt.Requested)
        {
            // The checks from the signal on stopped after their first round: figures so far, and no half report.
            int done = entries.Count(e => e.Result.Verdict != Pilab.Checker.Verdict.BoundReached);
            Console.WriteLine($"{entries.Count} checks of {variants.Count} variants started, {done} of them with a verdict before the signal");
            return Interrupt.Stopped($"{Diagnostic.Printable(path)} not written");
        }
        string commandLine = "pilab " + string.Join(' ', p.Tokens.Select(t => t.Value));
        string? laid = string.Join(' ', common.GivenNames(p, common.Posts, common.Exits, common.SameVector, common.IrqPriority)
            .Select(n => n is "--posts" or "--exits" ? $"{n} {(n == "--posts" ? p.GetValue(common.Posts) : p.GetValue(common.Exits))}" : n));
        var input = new ReportInput([.. entries, .. wholeEntries], Command: commandLine, Orders: orders, Latencies: latencies.ToImmutable(),
            WholeSystemOptions: laid.Length == 0 ? null : laid, Version: Version);
        if (!ReportFiles.TryWrite(path, HtmlReport.Render(input), out long bytes)) return ExitCodes.BadInput;
        int losing = entries.Count(e => e.Result.Trace is not null);
        int costed = entries.Count(e => e.Cost is not null);
        int wholeLosing = wholeEntries.Count(e => e.Result.Trace is not null);
        string entryPart = variants.Count == 0 ? "" : $"{variants.Count} variant{(variants.Count == 1 ? "" : "s")}, {entries.Count} checks, {costed} with a delivery cost, "
            + $"{losing} losing run{(losing == 1 ? "" : "s")} drawn{(orders is null ? "" : $", order matrix of {orders.Rows.Length} entry orders")}"
            + (latencies.Count == 0 ? "" : $", {latencies.Count} live latency histogram{(latencies.Count == 1 ? "" : "s")}");
        string wholePart = wholeSystem.Count == 0 ? "" : $"whole system: {wholeSystem.Count} variant{(wholeSystem.Count == 1 ? "" : "s")}, "
            + $"{wholeLosing} losing run{(wholeLosing == 1 ? "" : "s")} drawn";
        Console.WriteLine($"wrote {path} ({bytes:N0} bytes): {entryPart}{(entryPart.Length > 0 && wholePart.Length > 0 ? "; " : "")}{wholePart}");
        bool bound = entries.Concat(wholeEntries).Any(e => e.Result.Verdict == Pilab.Checker.Verdict.BoundReached)
            || (orders is not null && orders.Rows.Any(r => r.Cells.Any(c => c.Verdict == Pilab.Checker.Verdict.BoundReached)));
        return bound ? ExitCodes.BoundReached : ExitCodes.NoLoss;
    }
}
