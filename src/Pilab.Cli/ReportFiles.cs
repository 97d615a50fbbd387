using Pilab.Model;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary>Writes the report's files, turning I/O failures into a message instead of a stack trace.</summary>
internal static class ReportFiles
{
    /// <summary>Writes the shortest run of <paramref name="result"/> as SVG; false (and why, on stderr) if it could not.</summary>
    public static bool WriteSvg(CheckResult result, string path)
    {
        if (result.Trace is null)
        {
            Console.Error.WriteLine($"pilab: {result.Variant.Name} [{result.ConfigurationText}] has no losing run to draw; {path} not written");
            return true;
        }
        if (!TryWrite(path, SequenceDiagram.ToFile(SequenceDiagram.Render(result)), out long bytes)) return false;
        Console.Error.WriteLine($"pilab: wrote {path} ({bytes:N0} bytes)");
        return true;
    }

    public static bool TryWrite(string path, string text, out long bytes)
    {
        bytes = 0;
        try
        {
            File.WriteAllText(path, text);
            bytes = new FileInfo(path).Length;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            Console.Error.WriteLine($"pilab: cannot write {path}: {e.Message}");
            return false;
        }
    }
}
