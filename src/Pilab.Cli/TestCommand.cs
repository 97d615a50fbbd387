using System.CommandLine;
using System.Diagnostics;
using System.Security;
using System.Text;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary>
/// <c>pilab test [paths...]</c>: the regression run for CI. Every variant file under the paths
/// (default <c>variants/</c>) is checked in its own configuration (its <c>check:</c> line) and must
/// get its expected verdict: its <c>expect:</c> line, else its folder (<c>safe/</c>: safe,
/// <c>loses/</c>: violation). A summary line; KTAP (<c>--ktap</c>, as kselftest and KUnit print it)
/// and JUnit XML (<c>--junit F</c>). Exit 0 every file as expected, 1 a mismatch, 2 bad input (a file
/// that does not parse, a path that does not exist, a file with no expectation), 3 a bound reached.
/// </summary>
internal static class TestCommand
{
    private sealed record Case(string Path, Variant? Variant, string? Expected, CheckResult? Result, string? Problem, TimeSpan Time)
    {
        public bool Passed => Problem is null && Result is { } r && Verdicts.Name(r.Verdict) == Expected;
    }

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "variant files or folders searched for *.variant (default: variants/)", Arity = ArgumentArity.ZeroOrMore };
        paths.CompletionSources.Add(c => Completion.Paths(c.WordToComplete, variantFilesOnly: true));
        ParseErrors.RefuseOptionsAsValues(paths);
        var ktap = new Option<bool>("--ktap") { Description = "print the results as KTAP version 1 (kselftest, KUnit) instead of the summary table" };
        var junit = new Option<string?>("--junit") { Description = "also write the results as JUnit XML to this file" };
        // --workers and --quiet as every command that searches declares them (one range, one default).
        var common = new CommonOptions();
        var (workers, quiet) = (common.Workers, common.Quiet);
        var command = new Command("test", "check every variant file under the paths (default variants/) in its own configuration against its expected verdict: its expect: line, else its folder (safe/, loses/); exit 0 all as expected, 1 a mismatch, 2 bad input, 3 a bound reached");
        command.Arguments.Add(paths);
        command.Options.Add(ktap);
        command.Options.Add(junit);
        command.Options.Add(workers);
        command.Options.Add(quiet);
        command.SetAction(p =>
        {
            if (p.GetValue(workers) is < 1 or > CommonOptions.MaxWorkers)
            {
                Console.Error.WriteLine($"pilab: --workers must be 1 to {CommonOptions.MaxWorkers}, not {p.GetValue(workers)}");
                return ExitCodes.BadInput;
            }
            var roots = p.GetValue(paths) is { Length: > 0 } given ? given : ["variants"];
            var files = new List<string>();
            foreach (var root in roots)
            {
                if (File.Exists(root)) files.Add(root);
                else if (Directory.Exists(root)) files.AddRange(Directory.GetFiles(root, "*.variant", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
                else
                {
                    Console.Error.WriteLine($"pilab: {Diagnostic.Printable(root)}: no such file or folder");
                    return ExitCodes.BadInput;
                }
            }
            if (files.Count == 0)
            {
                Console.Error.WriteLine($"pilab: no *.variant file under {string.Join(", ", roots)}");
                return ExitCodes.BadInput;
            }
            ProgressLine.Install(p.GetValue(quiet), json: false); // before the options are made: they take the process's sink
            var options = new ExplorationOptions { PartialOrder = true, Symmetry = true, Chains = true, Workers = p.GetValue(workers) };
            var cases = files.Select(f => Run(f, options)).ToList();
            Console.Write(p.GetValue(ktap) ? Ktap(cases) : Summary(cases));
            if (p.GetValue(junit) is { } path && !ReportFiles.TryWrite(path, JUnit(cases), out _)) return ExitCodes.BadInput;
            return cases.Any(c => c.Problem is not null) ? ExitCodes.BadInput
                : cases.Any(c => c.Result?.Verdict == Verdict.BoundReached) ? ExitCodes.BoundReached
                : cases.All(c => c.Passed) ? ExitCodes.NoLoss : ExitCodes.Violation;
        });
        return command;
    }

    private static Case Run(string path, ExplorationOptions options)
    {
        var clock = Stopwatch.StartNew();
        var loaded = VariantFile.Load(path);
        if (!loaded.Ok) return new(path, null, null, null, string.Join("; ", loaded.Errors), clock.Elapsed);
        var v = loaded.Variant!;
        var folders = Path.GetFullPath(path).Split(Path.DirectorySeparatorChar);
        string? expected = v.Expect ?? (folders.Contains("loses") ? "violation" : folders.Contains("safe") ? "safe" : null);
        if (expected is null) return new(path, v, null, null, "no expected verdict: an expect: line, or a safe/ or loses/ folder", clock.Elapsed);
        var result = Models.Check(v, v.Check, options);
        return new(path, v, expected, result, null, clock.Elapsed);
    }

    private static string Outcome(Case c) =>
        c.Problem ?? $"{c.Variant!.Name} [{c.Result!.ConfigurationText}]: expected {c.Expected}, got {Verdicts.Name(c.Result.Verdict)}" +
        (c.Result.TraceLength > 0 ? $" (shortest run {c.Result.TraceLength} steps)" : $" ({c.Result.Exploration.States:N0} states)");

    private static string Summary(List<Case> cases)
    {
        var t = new TextTable("file", "design", "configuration", "expected", "got", "states", "trace", "result").AlignRight(5, 6);
        foreach (var c in cases)
            t.Add(c.Path, c.Variant is { } v ? DesignNames.Name(v.Design) : "-", c.Result?.ConfigurationText ?? "-", c.Expected ?? "-",
                c.Result is { } r ? Verdicts.Name(r.Verdict) : "-", c.Result?.Exploration.States.ToString("N0") ?? "-",
                c.Result is { TraceLength: > 0 } rr ? rr.TraceLength.ToString() : "-", c.Passed ? "ok" : "FAIL");
        int failed = cases.Count(c => !c.Passed);
        var sb = new StringBuilder(t.ToString());
        foreach (var c in cases.Where(c => !c.Passed)) sb.Append("FAIL ").Append(c.Path).Append(": ").Append(Outcome(c)).Append('\n');
        sb.Append($"{cases.Count - failed} passed, {failed} failed\n");
        return sb.ToString();
    }

    /// <summary>KTAP version 1: a plan line, then one "ok N name" or "not ok N name" a file, with a directive comment.</summary>
    private static string Ktap(List<Case> cases)
    {
        var sb = new StringBuilder("KTAP version 1\n");
        sb.Append("1..").Append(cases.Count).Append('\n');
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            sb.Append(c.Passed ? "ok " : "not ok ").Append(i + 1).Append(' ').Append(KtapName(c.Path)).Append(" # ").Append(Outcome(c).Replace('\n', ' ')).Append('\n');
        }
        int failed = cases.Count(c => !c.Passed);
        sb.Append($"# {cases.Count - failed} passed, {failed} failed\n");
        return sb.ToString();
    }

    /// <summary>A KTAP test name has no '#' and no line break.</summary>
    private static string KtapName(string path) => path.Replace('#', '_').Replace(' ', '_');

    private static string JUnit(List<Case> cases)
    {
        int failures = cases.Count(c => !c.Passed && c.Problem is null), errors = cases.Count(c => c.Problem is not null);
        double total = cases.Sum(c => c.Time.TotalSeconds);
        var sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        sb.Append($"<testsuites name=\"pilab\" tests=\"{cases.Count}\" failures=\"{failures}\" errors=\"{errors}\" time=\"{total:F3}\">\n");
        sb.Append($"  <testsuite name=\"pilab test\" tests=\"{cases.Count}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"0\" time=\"{total:F3}\">\n");
        foreach (var c in cases)
        {
            string dir = Path.GetDirectoryName(c.Path) ?? "";
            sb.Append($"    <testcase classname=\"{X(dir.Replace(Path.DirectorySeparatorChar, '.'))}\" name=\"{X(Path.GetFileName(c.Path))}\" time=\"{c.Time.TotalSeconds:F3}\"");
            if (c.Passed) { sb.Append(">\n      <system-out>").Append(X(Outcome(c))).Append("</system-out>\n    </testcase>\n"); continue; }
            sb.Append(">\n      <").Append(c.Problem is null ? "failure" : "error").Append($" message=\"{X(Outcome(c))}\"/>\n    </testcase>\n");
        }
        sb.Append("  </testsuite>\n</testsuites>\n");
        return sb.ToString();
    }

    private static string X(string s) => SecurityElement.Escape(Diagnostic.Printable(s));
}
