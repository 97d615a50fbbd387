using System.Xml.Linq;

namespace Pilab.Cli.Tests;

/// <summary><c>pilab report</c> and <c>pilab explain --svg</c> as a user runs them: files written, exit codes, messages.</summary>
public sealed class ReportCommandTests
{
    private static string TempPath(string ext) => Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.{ext}");

    [Fact]
    public void Report_OfTheBuiltins_WritesOneHtmlFile_WithEveryLosingRunDrawn()
    {
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", "-o", path);
            Assert.Equal(0, r.ExitCode);
            long bytes = new FileInfo(path).Length;
            Assert.Equal($"wrote {path} ({bytes:N0} bytes): 5 variants, 20 checks, 10 losing runs drawn\n", r.Out);
            string html = File.ReadAllText(path);
            Assert.StartsWith("<!DOCTYPE html>", html);
            Assert.Equal(10, html.Split("<article class=\"run violation\"").Length - 1);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Report_OfNamedVariants_ChecksOnlyThose()
    {
        string path = TempPath("html");
        try
        {
            var r = Pilab.Invoke("report", "fixed", "irq-late", "-o", path, "-e", "1");
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("2 variants, 8 checks, 4 losing runs drawn", r.Out);
            Assert.Contains("1 guest exit(s)", File.ReadAllText(path));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Report_UnknownVariant_ExitsTwo_WritesNothing()
    {
        string path = TempPath("html");
        var r = Pilab.Invoke("report", "patch-v1", "no-such-variant", "-o", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such-variant: no such built-in variant or file", r.Err);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Report_UnwritableOutput_ExitsTwo_WithoutStackTrace()
    {
        var r = Pilab.Invoke("report", "fixed", "-o", "/nonexistent-dir/report.html");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("pilab: cannot write /nonexistent-dir/report.html:", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Explain_Svg_WritesTheDiagram_AndKeepsThePlainTimelineOnAPipe()
    {
        string path = TempPath("svg");
        try
        {
            var r = Pilab.Invoke("explain", "patch-v1", "--svg", path);
            Assert.Equal(1, r.ExitCode);
            // stdout is a pipe here: the plain TimelineRenderer text, no colour codes.
            Assert.Contains("  # | P0 (vCPU thread, cpu, guest)", r.Out);
            Assert.DoesNotContain("\u001b[", r.Out);
            Assert.Contains($"wrote {path}", r.Err);
            var svg = XDocument.Load(path).Root!;
            Assert.Equal("svg", svg.Name.LocalName);
            Assert.Equal("11", (string?)svg.Attribute("data-steps"));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void Explain_Svg_OfASafeVariant_SaysThereIsNothingToDraw()
    {
        string path = TempPath("svg");
        var r = Pilab.Invoke("explain", "fixed", "--svg", path);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("has no losing run to draw", r.Err);
        Assert.False(File.Exists(path));
    }
}
