using System.Diagnostics;

namespace Pilab.Cli.Tests;

/// <summary>Runs the real pilab executable (built next to the tests) as a user would.</summary>
internal static class Pilab
{
    public sealed record Run(int ExitCode, string Out, string Err);

    public static Run Invoke(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pilab.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return new(p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The command line that runs pilab, for a shell script (redirections the test needs).</summary>
    public static string Command => $"dotnet {Path.Combine(AppContext.BaseDirectory, "pilab.dll")}"; // word-split by the shell: a path without spaces

    /// <summary>Runs a shell script (in which $PILAB runs pilab), with a time limit.</summary>
    public static Run Shell(string script, int timeoutMs = 60_000)
    {
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.Environment["PILAB"] = Command;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"still running after {timeoutMs} ms: {script}");
        }
        return new(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string TempFile(string text)
    {
        string path = Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.pi");
        File.WriteAllText(path, text);
        return path;
    }
}
