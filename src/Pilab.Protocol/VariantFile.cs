using System.Collections.Immutable;
using System.Text;

namespace Pilab.Protocol;

/// <summary>A position in a variant file and what was wrong there.</summary>
public sealed record Diagnostic(string File, int Line, int Column, string Found, string Expected)
{
    public override string ToString() => $"{File}:{Line}:{Column}: found {Found}, expected {Expected}";
}

/// <summary>Either a variant or the diagnostics that explain why there is none.</summary>
public sealed record VariantParseResult(Variant? Variant, ImmutableArray<Diagnostic> Errors)
{
    public bool Ok => Variant is not null;
}

/// <summary>
/// The plain-text variant format (docs/variant-format.md). One <c>key: value</c> per line, <c>#</c>
/// starts a comment. Keys: name, description, source, base, entry, injector, on-already-set, requests.
/// </summary>
public static class VariantFile
{
    private static readonly string[] Keys =
        ["name", "description", "source", "base", "entry", "injector", "on-already-set", "requests"];

    public static VariantParseResult Parse(string text, string file)
    {
        var errors = ImmutableArray.CreateBuilder<Diagnostic>();
        string name = Path.GetFileNameWithoutExtension(file);
        string? description = null, source = null;
        Variant? baseVariant = null;
        List<EntryStep>? entry = null;
        List<InjectorStep>? injector = null;
        (int Line, List<int> Columns)? entryPos = null, injectorPos = null;
        OnAlreadySet? onAlreadySet = null;
        RequestHandling? requests = null;

        var reader = new VariantLines(file, Keys, errors);
        var seen = reader.Seen;
        foreach (var kl in reader.Read(text))
        {
            var (lineNo, key, value, valueStart, words) = kl;
            switch (key)
            {
                case "name":
                    if (words.Count != 1 || !words[0].Text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                        errors.Add(new(file, lineNo, words.Count > 0 ? words[Math.Min(1, words.Count - 1)].Column : valueStart + 1,
                            words.Count == 0 ? "nothing" : Quote(value.Trim()), "one name of letters, digits, '-', '_' or '.'"));
                    else name = words[0].Text;
                    break;
                case "description": description = value.Trim(); break;
                case "source": source = value.Trim(); break;
                case "base":
                    if (words.Count != 1 || Builtins.Find(words[0].Text) is not { } b)
                        errors.Add(new(file, lineNo, kl.FirstColumn,
                            words.Count == 0 ? "nothing" : Quote(value.Trim()), "the name of a built-in variant: " + string.Join(", ", Builtins.All.Select(v => v.Name))));
                    else baseVariant = b;
                    break;
                case "entry":
                    entry = [];
                    entryPos = (lineNo, []);
                    foreach (var w in words)
                    {
                        if (w.Text == "sync")
                        {
                            entry.AddRange([EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain]);
                            entryPos.Value.Columns.AddRange([w.Column, w.Column, w.Column]);
                        }
                        else if (StepNames.TryParseEntry(w.Text, out var s))
                        {
                            entry.Add(s);
                            entryPos.Value.Columns.Add(w.Column);
                        }
                        else errors.Add(new(file, lineNo, w.Column, $"step {Quote(w.Text)}", "an entry step: " + StepNames.EntryWords));
                    }
                    break;
                case "injector":
                    injector = [];
                    injectorPos = (lineNo, []);
                    foreach (var w in words)
                    {
                        if (StepNames.TryParseInjector(w.Text, out var s))
                        {
                            injector.Add(s);
                            injectorPos.Value.Columns.Add(w.Column);
                        }
                        else errors.Add(new(file, lineNo, w.Column, $"step {Quote(w.Text)}", "an injector step: " + StepNames.InjectorWords));
                    }
                    break;
                case "on-already-set":
                    if (words.Count == 1 && Enum.GetValues<OnAlreadySet>().FirstOrDefault(o => StepNames.Name(o) == words[0].Text) is var o1 && StepNames.Name(o1) == words[0].Text)
                        onAlreadySet = o1;
                    else errors.Add(new(file, lineNo, kl.FirstColumn,
                        words.Count == 0 ? "nothing" : Quote(value.Trim()), "done, kick or continue"));
                    break;
                case "requests":
                    if (words.Count == 1 && Enum.GetValues<RequestHandling>().FirstOrDefault(r => StepNames.Name(r) == words[0].Text) is var r1 && StepNames.Name(r1) == words[0].Text)
                        requests = r1;
                    else errors.Add(new(file, lineNo, kl.FirstColumn,
                        words.Count == 0 ? "nothing" : Quote(value.Trim()), "none or prepatch"));
                    break;
            }
        }

        if (errors.Count > 0) return new(null, errors.ToImmutable());

        var finalEntry = entry is not null ? [.. entry] : baseVariant?.Entry;
        var finalInjector = injector is not null ? [.. injector] : baseVariant?.Injector;
        int endLine = Math.Max(1, reader.LastLine);
        if (finalEntry is null)
            errors.Add(new(file, endLine, 1, "no entry line", "'entry: <steps> enter', or 'base: <built-in>'"));
        if (finalInjector is null)
            errors.Add(new(file, endLine, 1, "no injector line", "'injector: pir.set ...', or 'base: <built-in>'"));
        if (errors.Count > 0) return new(null, errors.ToImmutable());

        var policy = onAlreadySet ?? baseVariant?.OnAlreadySet ?? OnAlreadySet.Done;
        var requestHandling = requests ?? baseVariant?.Requests ?? RequestHandling.None;
        if (Variant.Validate(finalEntry!.Value, finalInjector!.Value, policy, requestHandling) is { } bad)
        {
            var pos = bad.InEntry ? entryPos : injectorPos;
            string what = bad.InEntry ? "entry" : "injector";
            var steps = bad.InEntry ? finalEntry.Value.Select(StepNames.Name).ToList() : finalInjector.Value.Select(StepNames.Name).ToList();
            int line = pos?.Line ?? seen.GetValueOrDefault(bad.InEntry ? "entry" : "injector", seen.GetValueOrDefault("on-already-set", seen.GetValueOrDefault("base", endLine)));
            int col = pos is { } p && bad.Index >= 0 && bad.Index < p.Columns.Count ? p.Columns[bad.Index] : 1;
            string found = bad.Index >= 0 && bad.Index < steps.Count ? $"{what} step {Quote(steps[bad.Index])}"
                : steps.Count == 0 ? $"an empty {what} sequence" : $"{what} '{string.Join(' ', steps)}'";
            errors.Add(new(file, line, col, found, bad.Problem));
            return new(null, errors.ToImmutable());
        }

        var variant = new Variant(
            name,
            description ?? baseVariant?.Description ?? $"variant from {Path.GetFileName(file)}",
            finalEntry.Value,
            finalInjector.Value,
            policy,
            requestHandling,
            source ?? baseVariant?.Source ?? Path.GetFileName(file));
        return new(variant, []);
    }

    /// <summary>Writes a variant in the file format; <see cref="Parse"/> reads it back to the same protocol.</summary>
    public static string Format(Variant v)
    {
        var sb = new StringBuilder();
        sb.Append("name: ").Append(v.Name).Append('\n');
        sb.Append("description: ").Append(v.Description.Replace('#', ' ')).Append('\n');
        sb.Append("source: ").Append(v.Source.Replace('#', ' ')).Append('\n');
        sb.Append("entry: ").Append(v.EntryText).Append('\n');
        sb.Append("injector: ").Append(v.InjectorText).Append('\n');
        sb.Append("on-already-set: ").Append(StepNames.Name(v.OnAlreadySet)).Append('\n');
        sb.Append("requests: ").Append(StepNames.Name(v.Requests)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Resolves a command-line argument: a built-in's name or a file path.</summary>
    public static VariantParseResult Load(string nameOrPath)
    {
        if (Builtins.Find(nameOrPath) is { } b) return new(b, []);
        if (!File.Exists(nameOrPath))
            return new(null, [new(nameOrPath, 0, 0, "no such built-in variant or file",
                "one of " + string.Join(", ", Builtins.All.Select(v => v.Name)) + ", or the path of a variant file")]);
        return Parse(File.ReadAllText(nameOrPath), nameOrPath);
    }

    internal static string Quote(string s) => $"'{s}'";
}
