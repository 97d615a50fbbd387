using System.Collections.Immutable;
using System.CommandLine;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary>
/// <c>pilab report [variants or files...] [-o report.html]</c>: checks each variant under SC and TSO
/// with one and two injectors and writes one self-contained HTML file with the verdict table and a
/// sequence diagram of every losing run (<see cref="HtmlReport"/>).
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var variants = new Argument<string[]>("variants")
        {
            Description = "built-in variants (pilab list) or variant files; default: every built-in",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var output = new Option<string>("--output", "-o") { Description = "the HTML file to write", DefaultValueFactory = _ => "report.html" };
        var command = new Command("report", "check variants under SC and TSO for k=1 and k=2 and write one HTML file: verdict table and a sequence diagram of every losing run");
        command.Arguments.Add(variants);
        foreach (var o in new Option[] { output, common.Posts, common.Exits, common.SameVector, common.IrqPriority, common.MaxStates, common.MaxMemory })
            command.Options.Add(o);
        command.SetAction(p => Run(p, common, variants, output));
        return command;
    }

    private static int Run(ParseResult p, CommonOptions common, Argument<string[]> variantsArg, Option<string> output)
    {
        var config = new Configuration(
            Posts: p.GetValue(common.Posts), Exits: p.GetValue(common.Exits),
            SameVector: p.GetValue(common.SameVector), IrqPriority: p.GetValue(common.IrqPriority));
        if (config.Problem() is { } problem)
        {
            Console.Error.WriteLine($"pilab: {problem}");
            return ExitCodes.BadInput;
        }
        if (p.GetValue(common.MaxStates) < 1 || p.GetValue(common.MaxMemory) < 1)
        {
            Console.Error.WriteLine("pilab: --max-states and --max-memory must be at least 1");
            return ExitCodes.BadInput;
        }
        var names = p.GetValue(variantsArg) ?? [];
        var variants = new List<Variant>();
        if (names.Length == 0) variants.AddRange(Builtins.All);
        bool bad = false;
        foreach (var name in names)
        {
            var loaded = VariantFile.Load(name);
            if (loaded.Ok) { variants.Add(loaded.Variant!); continue; }
            bad = true;
            foreach (var e in loaded.Errors)
                Console.Error.WriteLine(e.Line == 0 ? $"pilab: {e.File}: {e.Found}; expected {e.Expected}" : e.ToString());
        }
        if (bad) return ExitCodes.BadInput;

        var options = common.Exploration(p);
        var entries = ImmutableArray.CreateBuilder<ReportEntry>();
        foreach (var v in variants)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
                foreach (int k in new[] { 1, 2 })
                    entries.Add(new ReportEntry(ModelChecker.Check(v, config with { Memory = mm, Injectors = k }, options)));

        string path = p.GetValue(output)!;
        string commandLine = "pilab " + string.Join(' ', p.Tokens.Select(t => t.Value));
        var input = new ReportInput(entries.ToImmutable(), Command: commandLine);
        if (!ReportFiles.TryWrite(path, HtmlReport.Render(input), out long bytes)) return ExitCodes.BadInput;
        int losing = entries.Count(e => e.Result.Trace is not null);
        Console.WriteLine($"wrote {path} ({bytes:N0} bytes): {variants.Count} variants, {entries.Count} checks, {losing} losing run{(losing == 1 ? "" : "s")} drawn");
        return entries.Any(e => e.Result.Verdict == Pilab.Checker.Verdict.BoundReached) ? ExitCodes.BoundReached : ExitCodes.NoLoss;
    }
}
