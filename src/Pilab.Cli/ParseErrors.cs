using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Pilab.Cli;

/// <summary>
/// How a command line System.CommandLine cannot parse is reported: its errors, then its typo corrections
/// ("'chekc' was not matched. Did you mean one of the following?" and the names within three edits),
/// each error line prefixed with "pilab:", control characters from the arguments escaped; exit code 2.
/// </summary>
internal static class ParseErrors
{
    public static int Report(ParseResult parsed)
    {
        foreach (var e in parsed.Errors)
            Console.Error.WriteLine($"pilab: {Printable(e.Message)}");
        foreach (var line in TypoCorrections(parsed))
            Console.Error.WriteLine(line);
        Console.Error.WriteLine("pilab: see 'pilab --help'");
        return ExitCodes.BadInput;
    }

    /// <summary>Words that look like options (a '-' and more) which an argument took as its value, not being files.</summary>
    private static readonly List<string> Swallowed = [];

    /// <summary>System.CommandLine gives a word it does not know as an option to an argument that can still take
    /// a value (<c>report fixed --hash-compact</c> would look for a variant named --hash-compact): for a variant
    /// or path argument such a word, unless a file or folder of that name exists, is the parse error it is
    /// everywhere else ("Unrecognized command or argument"), with the same suggestions.</summary>
    public static void RefuseOptionsAsValues(Argument argument) => argument.Validators.Add(r =>
    {
        foreach (var t in r.Tokens)
        {
            if (t.Value.Length < 2 || t.Value[0] != '-' || Path.Exists(t.Value)) continue;
            Swallowed.Add(t.Value);
            r.AddError($"Unrecognized command or argument '{t.Value}'.");
        }
    });

    private const string Heading = "was not matched. Did you mean one of the following?";

    /// <summary>System.CommandLine's own suggestions for the unmatched tokens, as its parse-error action
    /// computes them (without its help text): the heading as a "pilab:" line, each name indented under it.
    /// Kept for a token that looks like an option or stands where a command belongs; a stray value
    /// (the 2 of "--worker 2") would only be "corrected" to every short option.</summary>
    private static IEnumerable<string> TypoCorrections(ParseResult parsed)
    {
        var suggestions = new StringWriter();
        Suggest(parsed, suggestions);
        if (Swallowed.Count > 0)
        {
            // The same suggestions for the words an argument took: parsed again after the command's arguments are
            // closed (the process ends after this report), they are unmatched tokens of that command.
            var command = parsed.CommandResult.Command;
            var path = new List<string>();
            for (var c = parsed.CommandResult; c.Parent is CommandResult parent; c = parent) path.Insert(0, c.Command.Name);
            foreach (var a in command.Arguments) a.Arity = ArgumentArity.Zero;
            foreach (var word in Swallowed.Distinct().ToList())
                Suggest(parsed.RootCommandResult.Command.Parse([.. path, word]), suggestions);
        }
        bool atRoot = parsed.CommandResult.Command is RootCommand, keep = false;
        var lines = new List<string>();
        foreach (var l in suggestions.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (l.EndsWith(Heading, StringComparison.Ordinal))
            {
                keep = atRoot || l.StartsWith("'-", StringComparison.Ordinal);
                if (keep) lines.Add($"pilab: {Printable(l)}");
            }
            else if (keep) lines.Add($"  {Printable(l)}");
        }
        return lines;
    }

    /// <summary>System.CommandLine's parse-error action, its typo corrections only, written to <paramref name="to"/>.</summary>
    private static void Suggest(ParseResult parsed, TextWriter to)
    {
        if (parsed.Action is not ParseErrorAction action) return;
        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        parsed.Invoke(new InvocationConfiguration { Output = to, Error = TextWriter.Null, EnableDefaultExceptionHandler = false });
    }

    /// <summary>System.CommandLine's own line breaks and tabs stay; any other control character (from an argument) is escaped.</summary>
    private static string Printable(string message) =>
        Diagnostic.Printable(message.Replace("\n", "\u2028").Replace("\t", "\u2029")).Replace("\u2028", "\n").Replace("\u2029", "  ");
}
