using System.Text;
using Pilab.Model;

namespace Pilab.Report;

/// <summary>
/// The shortest run as a timeline with one column per CPU: P0 (its vCPU thread, its processor and
/// the guest, and under TSO its store buffer) and P1..Pk (the injectors). Each cell is the step's
/// docs/model.md name, the seed's number in brackets, and what the step changed.
/// </summary>
public static class TimelineRenderer
{
    private const int P0Width = 50;
    private const int InjectorWidth = 44;

    public static string Render(Trace trace)
    {
        int columns = 1 + trace.Injectors;
        int[] widths = [P0Width, .. Enumerable.Repeat(InjectorWidth, trace.Injectors)];
        var sb = new StringBuilder();
        var header = new List<string> { "P0 (vCPU thread, cpu, guest)" };
        for (int i = 1; i <= trace.Injectors; i++) header.Add($"P{i} (injector)");
        AppendRow(sb, "  #", header.ToArray(), widths);
        AppendRow(sb, "---", widths.Select(w => new string('-', w)).ToArray(), widths);
        foreach (var step in trace.Steps)
        {
            var cells = new string[columns];
            Array.Fill(cells, "");
            int col = step.Actor == Actor.Injector ? step.Instance : 0;
            string seed = step.Seed is null ? "" : $" ({step.Seed})";
            cells[col] = $"{Who(step)}{step.Step}{seed}: {TraceText.Text(trace, step)}";
            AppendRow(sb, step.Index.ToString().PadLeft(3), cells, widths);
        }
        sb.Append("=> ").Append(TraceText.Diagnosis(trace)).Append('\n');
        return sb.ToString();
    }

    /// <summary>P0's lines other than its vCPU thread's say whose they are.</summary>
    public static string Who(TraceEvent step) => step.Actor switch
    {
        Actor.Interrupts => "cpu: ",
        Actor.Guest => "guest: ",
        Actor.StoreBuffer => "store buffer: ",
        _ => "",
    };

    /// <summary>
    /// The run as one line per step: the actor (for the whole system the vCPU thread with the CPU it is
    /// on, P0's or P2's interrupt delivery, the guest, a CPU injector, an IOMMU poster), the step's docs/model.md
    /// name and seed number, and what it did. The whole system has more actors than a timeline has room
    /// for columns, so it reads as this list; it also suits logs and narrow terminals.
    /// </summary>
    public static string RenderList(Trace trace)
    {
        int actorWidth = Math.Max(16, trace.Steps.Select(s => TraceText.Actor(trace, s).Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        foreach (var s in trace.Steps)
        {
            string seed = s.Seed is null ? "" : $" ({s.Seed})";
            sb.Append($"{s.Index,3}. {TraceText.Actor(trace, s).PadRight(actorWidth)} {s.Step}{seed}: {TraceText.Text(trace, s)}\n");
        }
        sb.Append("=> ").Append(TraceText.Diagnosis(trace)).Append('\n');
        return sb.ToString();
    }

    private static void AppendRow(StringBuilder sb, string index, string[] cells, int[] widths)
    {
        var wrapped = cells.Select((c, i) => Wrap(c, widths[i])).ToArray();
        int height = wrapped.Max(w => w.Count);
        for (int line = 0; line < height; line++)
        {
            sb.Append(line == 0 ? index : "   ");
            for (int c = 0; c < cells.Length; c++)
            {
                string text = line < wrapped[c].Count ? wrapped[c][line] : "";
                sb.Append(" | ").Append(c == cells.Length - 1 ? text : text.PadRight(widths[c]));
            }
            sb.Append('\n');
        }
    }

    private static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear().Append("  ");
            }
            if (line.Length > 0 && line.ToString() != "  ") line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        if (lines.Count == 0) lines.Add("");
        return lines;
    }
}
