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

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> whole or not at all: to a temporary file
    /// beside it, renamed over it once complete, so a full disk, an error or a signal never leaves half a
    /// file under the name asked for. A path that names a FIFO or a device (/dev/stdout, /dev/null) is
    /// written directly. False, after one line on stderr, if it could not be written (exit code 2: the
    /// path is the user's input).
    /// </summary>
    public static bool TryWrite(string path, string text, out long bytes)
    {
        bytes = 0;
        string? temporary = null;
        try
        {
            if (path.Length == 0) throw new ArgumentException("an empty file name");
            if (Interrupt.Requested) throw new OperationCanceledException($"interrupted by {Interrupt.Name}");
            string full = Path.GetFullPath(path);
            if (Directory.Exists(full)) throw new IOException("it is a directory");
            if (FileKind.Of(full) is { } kind && kind != FileKind.Regular)
            {
                File.WriteAllText(full, text);
                bytes = System.Text.Encoding.UTF8.GetByteCount(text);
                return true;
            }
            temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.pilab-tmp");
            File.WriteAllText(temporary, text);
            File.Move(temporary, full, overwrite: true);
            temporary = null;
            bytes = new FileInfo(full).Length;
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or OperationCanceledException)
        {
            Console.Error.WriteLine($"pilab: cannot write {(path.Length == 0 ? "''" : Diagnostic.Printable(path))}: {Diagnostic.Printable(e.Message)}");
            return false;
        }
        finally
        {
            if (temporary is not null)
                try { File.Delete(temporary); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
    }
}
