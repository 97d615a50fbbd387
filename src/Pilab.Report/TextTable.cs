using System.Text;

namespace Pilab.Report;

/// <summary>A plain aligned text table: what a terminal, a log and a closing note all show the same.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];
    private readonly bool[] _right = new bool[headers.Length];

    /// <summary>Right-aligns the named columns (numbers).</summary>
    public TextTable AlignRight(params int[] columns)
    {
        foreach (int c in columns) _right[c] = true;
        return this;
    }

    public void Add(params string[] cells) => _rows.Add(cells);

    public override string ToString()
    {
        int[] w = new int[headers.Length];
        for (int c = 0; c < w.Length; c++)
            w[c] = Math.Max(headers[c].Length, _rows.Count == 0 ? 0 : _rows.Max(r => r[c].Length));
        var sb = new StringBuilder();
        void Line(string[] cells)
        {
            for (int c = 0; c < w.Length; c++)
            {
                if (c > 0) sb.Append("  ");
                sb.Append(_right[c] ? cells[c].PadLeft(w[c]) : c == w.Length - 1 ? cells[c] : cells[c].PadRight(w[c]));
            }
            sb.Append('\n');
        }
        Line(headers);
        Line(w.Select(x => new string('-', x)).ToArray());
        foreach (var r in _rows) Line(r);
        return sb.ToString();
    }
}
