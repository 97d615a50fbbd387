using System.Diagnostics;

namespace Pilab.Report.Tests;

/// <summary>Runs the real pilab executable (built next to the tests), so the browser sees the report a user gets.</summary>
internal static class PilabProcess
{
    public static (int ExitCode, string Out, string Err) Invoke(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pilab.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
