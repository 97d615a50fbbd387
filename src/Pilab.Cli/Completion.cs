using System.CommandLine;
using System.CommandLine.Completions;

namespace Pilab.Cli;

/// <summary>
/// Shell completion. System.CommandLine answers <c>pilab "[suggest:POSITION]" "COMMAND LINE"</c> with the
/// words that may stand at POSITION, one a line: subcommands, the options of the command being typed,
/// and the values its arguments' completion sources give (built-in variant names, variant files and
/// folders, sc and tso). <c>pilab completion bash</c> and <c>pilab completion zsh</c> print a script
/// that asks it on every Tab; where it has nothing (a file name for -o), the shell's own file
/// completion takes over.
/// </summary>
internal static class Completion
{
    /// <summary>Built-in variant names that start with the word typed, then variant files and folders (<see cref="Paths"/>).</summary>
    public static IEnumerable<CompletionItem> Variants(CompletionContext context)
    {
        string word = context.WordToComplete;
        return Builtins.All.Select(v => v.Name).Where(n => n.StartsWith(word, StringComparison.Ordinal))
            .Select(n => new CompletionItem(n))
            .Concat(Paths(word, variantFilesOnly: true));
    }

    /// <summary>Folders (with a trailing '/') and files whose path starts with <paramref name="word"/>; with
    /// <paramref name="variantFilesOnly"/>, only *.variant files. Hidden entries only when the word names them.</summary>
    public static IEnumerable<CompletionItem> Paths(string word, bool variantFilesOnly)
    {
        int slash = word.LastIndexOf('/');
        string folder = slash < 0 ? "" : word[..(slash + 1)];
        string prefix = word[(slash + 1)..];
        List<CompletionItem> found = [];
        try
        {
            foreach (var entry in new DirectoryInfo(folder.Length == 0 ? "." : folder).EnumerateFileSystemInfos())
            {
                string name = entry.Name;
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || (name.StartsWith('.') && !prefix.StartsWith('.'))) continue;
                if (entry is DirectoryInfo) found.Add(new CompletionItem(folder + name + "/"));
                else if (!variantFilesOnly || name.EndsWith(".variant", StringComparison.Ordinal)) found.Add(new CompletionItem(folder + name));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException or ArgumentException)
        {
            // A folder that cannot be listed completes nothing.
        }
        return found;
    }

    /// <summary><c>pilab completion bash|zsh</c>: the script to load in the shell.</summary>
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash or zsh" };
        shell.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "print a script that completes pilab's commands, options, variant names and files in bash or zsh; load it with: eval \"$(pilab completion bash)\" (in ~/.bashrc; zsh: ~/.zshrc)");
        command.Arguments.Add(shell);
        command.SetAction(p =>
        {
            Console.Write(p.GetValue(shell) == "zsh" ? Zsh : Bash);
            return ExitCodes.NoLoss;
        });
        return command;
    }

    // Each Tab runs pilab with System.CommandLine's [suggest] directive on the line typed so far, keeps the
    // words that start with the word being completed, and shell-quotes them; a folder gets no space after it.
    private const string Bash = """
        # bash completion for pilab (commands, options, variant names and files): eval "$(pilab completion bash)"
        _pilab_complete() {
            local cur=${COMP_WORDS[COMP_CWORD]} word quoted
            COMPREPLY=()
            while IFS= read -r word; do
                [[ $word == "$cur"* ]] || continue
                printf -v quoted '%q' "$word"
                COMPREPLY+=("$quoted")
            done < <(command pilab "[suggest:$COMP_POINT]" "$COMP_LINE" 2>/dev/null)
            if [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]]; then compopt -o nospace 2>/dev/null; fi
            return 0
        }
        complete -o default -F _pilab_complete pilab

        """;

    private const string Zsh = """
        # zsh completion for pilab (commands, options, variant names and files): eval "$(pilab completion zsh)"
        _pilab_complete() {
            local line=${(j: :)words} upto=${(j: :)words[1,CURRENT]}
            local -a found folders others
            found=(${(f)"$(command pilab "[suggest:${#upto}]" "$line" 2>/dev/null)"})
            found=(${(M)found:#${PREFIX}*})
            if (( ${#found} == 0 )); then _files; return; fi
            folders=(${(M)found:#*/})
            others=(${found:#*/})
            (( ${#folders} )) && compadd -S '' -- $folders
            (( ${#others} )) && compadd -- $others
            return 0
        }
        (( $+functions[compdef] )) || { autoload -Uz compinit && compinit; }
        compdef _pilab_complete pilab

        """;
}
