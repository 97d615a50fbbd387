using Pilab.Model;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Pilab.Report;

/// <summary>
/// The shortest run for a terminal: the two-column timeline of <see cref="TimelineRenderer"/> (P0 on
/// the left, each injector to the right), in colour. Step names take their actor's colour and the
/// seed's pairing numbers the same colours as in the SVG diagram; IPIs and the final diagnosis are
/// red. For pipes and files the plain <see cref="TimelineRenderer"/> text stays the output.
/// </summary>
public static class ConsoleTimeline
{
    public static IRenderable Render(Trace trace)
    {
        var table = new Table().Border(TableBorder.Rounded).BorderColor(Color.Grey);
        table.AddColumn(new TableColumn("[grey]#[/]").RightAligned());
        table.AddColumn(new TableColumn("[bold]P0[/] [grey](vCPU thread, cpu, guest)[/]"));
        for (int i = 1; i <= trace.Injectors; i++)
            table.AddColumn(new TableColumn($"[bold]P{i}[/] [grey](injector)[/]"));
        foreach (var s in trace.Steps)
        {
            var cells = new IRenderable[2 + trace.Injectors];
            for (int c = 0; c < cells.Length; c++) cells[c] = Text.Empty;
            cells[0] = new Markup($"[grey]{s.Index}[/]");
            cells[s.Actor == Actor.Injector ? 1 + s.Instance : 1] = new Markup(Cell(trace, s));
            table.AddRow(cells);
        }
        return new Rows(table, new Markup($"[bold red]=> {Markup.Escape(TraceText.Diagnosis(trace))}[/]"));
    }

    /// <summary>One step's cell as Spectre markup: who (on P0), the step, its seed number, its effects.</summary>
    public static string Cell(Trace trace, TraceEvent s)
    {
        string who = s.Actor switch
        {
            Actor.Interrupts => "[magenta]cpu:[/] ",
            Actor.Guest => "[green]guest:[/] ",
            Actor.StoreBuffer => "[yellow]store buffer:[/] ",
            _ => "",
        };
        string colour = s.Actor switch
        {
            Actor.Injector or Actor.Iommu => "deepskyblue1",
            Actor.VcpuThread => "mediumpurple1",
            Actor.Interrupts => "magenta",
            Actor.Guest => "green",
            _ => "yellow",
        };
        string seed = s.Seed is null ? "" : $" [{SeedColour(s.Seed)}]({s.Seed})[/]";
        var effects = TraceText.Effects(trace, s).Select(e => e.Alarm ? $"[red]{Markup.Escape(e.Text)}[/]" : Markup.Escape(e.Text));
        return $"{who}[bold {colour}]{Markup.Escape(s.Step)}[/]{seed}: {string.Join(", ", effects)}";
    }

    private static string SeedColour(string seed) => seed switch
    {
        "1" => "purple",
        "2" => "orange3",
        "3" => "teal",
        "4a" => "blue",
        "4b" => "deeppink4",
        _ => "grey",
    };
}
