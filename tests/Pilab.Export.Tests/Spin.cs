using System.Diagnostics;
using System.Text.RegularExpressions;
using Pilab.Checker;

namespace Pilab.Export.Tests;

/// <summary>What pan said about a model: how many errors (assertion violations), states stored, and
/// the verdict in pilab's terms: the exports' monitor (PromelaWriter.Monitor) asserts the lost-interrupt
/// property, which starts with <c>pir == 0</c>, only in a proper end, and a proper end otherwise.</summary>
internal sealed record SpinOutcome(int Errors, long StatesStored, string Output)
{
    public Verdict Verdict =>
        Errors == 0 ? Verdict.Safe
        : Spin.LostInterruptAssertion().IsMatch(Output) ? Verdict.Violation
        : Verdict.Stuck;
}

/// <summary>
/// Runs SPIN on a Promela model the way the README says (spin -a, gcc, ./pan), in a fresh temporary
/// directory that is deleted afterwards. <c>-c0</c> makes pan explore the whole state space even after
/// an error, so its state count is comparable with pilab's exhaustive count.
/// </summary>
internal static partial class Spin
{
    /// <summary>Null when spin and gcc are installed, else what is missing (the tests then skip and say so).</summary>
    public static string? Missing()
    {
        var missing = new[] { "spin", "gcc" }.Where(t => !OnPath(t)).ToList();
        return missing.Count == 0 ? null
            : $"{string.Join(" and ", missing)} not installed (apt-get install spin gcc); the SPIN agreement test did not run";
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    /// <summary>Translates a model with <c>spin -a</c> and has gcc check the verifier it writes, without
    /// running it (for configurations too large to explore in a test); throws if either fails.</summary>
    public static void Translate(string model)
    {
        string dir = Directory.CreateTempSubdirectory("pilab-spin-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "model.pml"), model);
            Run(dir, "spin", "-a model.pml");
            Run(dir, "gcc", "-fsyntax-only -DSAFETY -DNOREDUCE pan.c");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static SpinOutcome Verify(string model)
    {
        string dir = Directory.CreateTempSubdirectory("pilab-spin-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "model.pml"), model);
            Run(dir, "spin", "-a model.pml");
            Run(dir, "gcc", "-O0 -DSAFETY -DNOREDUCE -o pan pan.c");
            string output = Run(dir, Path.Combine(dir, "pan"), "-m1000000 -c0");
            if (output.Contains("max search depth too small", StringComparison.Ordinal))
                throw new InvalidOperationException("pan's search was cut short by its depth bound (-m):\n" + output);
            int errors = int.Parse(ErrorsLine().Match(output).Groups[1].Value);
            long states = long.Parse(StatesLine().Match(output).Groups[1].Value);
            return new(errors, states, output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Run(string dir, string file, string arguments)
    {
        var psi = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && !file.EndsWith("pan", StringComparison.Ordinal))
            throw new InvalidOperationException($"{file} {arguments} failed ({p.ExitCode}):\n{stdout}\n{stderr.Result}");
        return stdout + stderr.Result;
    }

    /// <summary>pan's report of the failed lost-interrupt assertion, which it prints fully parenthesised: "assertion violated ((pir==0)&& ..."
    /// (the AVIC export's starts with irr==0: AVIC has no PIR).</summary>
    [GeneratedRegex(@"assertion violated \(+(pir|irr)==0")]
    internal static partial Regex LostInterruptAssertion();

    [GeneratedRegex(@"errors: (\d+)")]
    private static partial Regex ErrorsLine();

    [GeneratedRegex(@"(\d+) states, stored")]
    private static partial Regex StatesLine();
}
