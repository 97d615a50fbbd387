using System.Text;
using Pilab.Model;

namespace Pilab.Report;

/// <summary>
/// The shortest run as a timeline with one column per CPU: P0 (its vCPU thread, its processor and
/// the guest, and under TSO its store buffer) and P1..Pk (the injectors). Each cell is the step's
/// SPEC.md name, the seed's number in brackets, and what the step changed.
/// </summary>
public static class TimelineRenderer
{
    private const int P0Width = 50;
    private const int InjectorWidth = 44;

    public static string Render(NarratedTrace trace)
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
            int col = step.Lane == Lane.Injector ? step.Cpu : 0;
            string who = step.Lane switch
            {
                Lane.P0Cpu => "cpu: ",
                Lane.Guest => "guest: ",
                Lane.P0Buffer => "store buffer: ",
                _ => "",
            };
            string seed = step.Seed is null ? "" : $" ({step.Seed})";
            cells[col] = $"{who}{step.Step}{seed}: {step.Text}";
            AppendRow(sb, step.Index.ToString().PadLeft(3), cells, widths);
        }
        sb.Append("=> ").Append(trace.Diagnosis).Append('\n');
        return sb.ToString();
    }

    /// <summary>The same run as one line per step (for logs and narrow terminals).</summary>
    public static string RenderList(NarratedTrace trace)
    {
        var sb = new StringBuilder();
        foreach (var s in trace.Steps)
        {
            string seed = s.Seed is null ? "" : $" ({s.Seed})";
            sb.Append($"{s.Index,3}. {s.Actor,-16} {s.Step}{seed}: {s.Text}\n");
        }
        sb.Append("=> ").Append(trace.Diagnosis).Append('\n');
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
