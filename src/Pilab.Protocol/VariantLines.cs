using System.Collections.Immutable;

namespace Pilab.Protocol;

/// <summary>One <c>key: value</c> line of a variant file, with the positions its diagnostics cite (1-based).</summary>
internal readonly record struct KeyLine(int Line, string Key, string Value, int ValueStart, List<(string Text, int Column)> Words)
{
    /// <summary>Where a value problem points when there is no word to point at.</summary>
    public int FirstColumn => Words.Count > 0 ? Words[0].Column : ValueStart + 1;
}

/// <summary>
/// The line and word reading of the variant file format (docs/variant-format.md): <c>#</c> starts a comment, blank lines are skipped, every other line is
/// <c>key: value</c> with a known key given once. A line that is not becomes a diagnostic, in line
/// order with the ones the caller adds for the values it is handed.
/// </summary>
internal sealed class VariantLines(string file, string[] keys, ImmutableArray<Diagnostic>.Builder errors)
{
    /// <summary>The line of each key read so far.</summary>
    public Dictionary<string, int> Seen { get; } = [];

    /// <summary>The last line that was neither blank nor a comment (0 when there is none).</summary>
    public int LastLine { get; private set; }

    /// <summary>The well-formed key lines, lazily: a caller's diagnostics for one line come before the next line's.</summary>
    public IEnumerable<KeyLine> Read(string text)
    {
        // A line ends at LF, CR LF or a lone CR, as every editor shows it: a comment ending in a bare CR must not swallow the next line.
        string[] lines = text.ReplaceLineEndings("\n").Split('\n');
        for (int li = 0; li < lines.Length; li++)
        {
            int lineNo = li + 1;
            string raw = lines[li];
            int hash = raw.IndexOf('#');
            string line = hash >= 0 ? raw[..hash] : raw;
            if (line.Trim().Length == 0) continue;
            LastLine = lineNo;
            int keyStart = line.Length - line.TrimStart().Length;
            int colon = line.IndexOf(':');
            if (colon < 0)
            {
                errors.Add(new(file, lineNo, keyStart + 1, VariantFile.Quote(line.Trim()), "'key: value' with a key among " + string.Join(", ", keys)));
                continue;
            }
            string key = line[keyStart..colon].Trim();
            int valueStart = colon + 1;
            string value = line[valueStart..];
            if (!keys.Contains(key))
            {
                errors.Add(new(file, lineNo, keyStart + 1, $"key {VariantFile.Quote(key)}", "one of " + string.Join(", ", keys)));
                continue;
            }
            if (Seen.TryGetValue(key, out int firstLine))
            {
                errors.Add(new(file, lineNo, keyStart + 1, $"a second {VariantFile.Quote(key)}", $"each key once (first on line {firstLine})"));
                continue;
            }
            Seen[key] = lineNo;
            yield return new(lineNo, key, value, valueStart, Words(value, valueStart));
        }
    }

    /// <summary>The whitespace-separated words of a value, each with its column in the line.</summary>
    private static List<(string Text, int Column)> Words(string value, int offset)
    {
        var words = new List<(string, int)>();
        int i = 0;
        while (i < value.Length)
        {
            while (i < value.Length && char.IsWhiteSpace(value[i])) i++;
            int start = i;
            while (i < value.Length && !char.IsWhiteSpace(value[i])) i++;
            if (i > start) words.Add((value[start..i], offset + start + 1));
        }
        return words;
    }
}
