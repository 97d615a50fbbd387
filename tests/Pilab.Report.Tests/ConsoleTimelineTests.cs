using Pilab.Model;
using Pilab.Report;
using Spectre.Console;

namespace Pilab.Report.Tests;

public sealed class ConsoleTimelineTests
{
    private static string Render(Trace trace, bool colour)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = colour ? AnsiSupport.Yes : AnsiSupport.No,
            ColorSystem = colour ? ColorSystemSupport.TrueColor : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });
        console.Profile.Width = 160;
        console.Write(ConsoleTimeline.Render(trace));
        return writer.ToString();
    }

    [Fact]
    public void Timeline_ShowsEveryStep_InItsColumn_InOrder_ThenTheDiagnosis()
    {
        var trace = Runs.Get("patch-v1", MemoryModel.SC, 1).Trace!;
        var lines = Render(trace, colour: false).Split('\n');
        int header = Array.FindIndex(lines, l => l.Contains("P0") && l.Contains("P1"));
        Assert.True(header >= 0);
        int p1Column = lines[header].IndexOf("P1", StringComparison.Ordinal);
        int last = header;
        foreach (var s in trace.Steps)
        {
            // A step's row starts with its number in the first column; its cell holds its docs/model.md name.
            var number = new System.Text.RegularExpressions.Regex($@"^\W*\s{s.Index}\s+\W");
            int row = Array.FindIndex(lines, last + 1, l => number.IsMatch(l));
            Assert.True(row > last, $"step {s.Index} ({s.Step}) not found after line {last}");
            int at = lines[row].IndexOf(s.Step, StringComparison.Ordinal);
            Assert.True(at > 0, $"step {s.Index}: {s.Step} not on its row: {lines[row]}");
            Assert.Equal(s.Actor == Actor.Injector, at >= p1Column - 2);
            last = row;
        }
        Assert.Contains("=> " + TraceText.Diagnosis(trace), string.Join("\n", lines[last..]));
    }

    [Fact]
    public void Colour_IsUsed_OnlyWhenTheConsoleSupportsIt()
    {
        var trace = Runs.Get("irq-late", MemoryModel.SC, 1).Trace!;
        Assert.DoesNotContain("\u001b[", Render(trace, colour: false));
        string coloured = Render(trace, colour: true);
        Assert.Contains("\u001b[", coloured);
        Assert.Contains("notify", coloured);
    }

    [Fact]
    public void MarkupCharacters_InWords_AreEscaped()
    {
        var trace = Runs.Get("patch-v1", MemoryModel.SC, 1).Trace!;
        var odd = trace.Steps[0] with { Step = "[red]not markup[/]" };
        string cell = ConsoleTimeline.Cell(trace, odd);
        Assert.Contains("[[red]]not markup[[/]]", cell);
    }
}
