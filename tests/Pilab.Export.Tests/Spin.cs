using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pilab.Export.Tests;

/// <summary>What pan said about a model: how many errors (assertion violations) and states stored.</summary>
internal sealed record SpinOutcome(int Errors, long StatesStored, string Output);

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

    public static SpinOutcome Verify(string model)
    {
        string dir = Directory.CreateTempSubdirectory("pilab-spin-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "model.pml"), model);
            Run(dir, "spin", "-a model.pml");
            Run(dir, "gcc", "-O0 -DSAFETY -DNOREDUCE -o pan pan.c");
            string output = Run(dir, Path.Combine(dir, "pan"), "-m1000000 -c0");
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

    [GeneratedRegex(@"errors: (\d+)")]
    private static partial Regex ErrorsLine();

    [GeneratedRegex(@"(\d+) states, stored")]
    private static partial Regex StatesLine();
}
