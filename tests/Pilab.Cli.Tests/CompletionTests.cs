namespace Pilab.Cli.Tests;

/// <summary>
/// Shell completion with the real executable: System.CommandLine's [suggest] directive on pilab's own
/// commands, options, variant names and files, and the bash and zsh scripts of <c>pilab completion</c>
/// driven as the shells drive them, with `pilab` on PATH as an installed tool is.
/// </summary>
public sealed class CompletionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pilab-complete-").FullName;

    public CompletionTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "mine"));
        File.WriteAllText(Path.Combine(_dir, "mine", "race.variant"), "base: patch-v1\n");
        File.WriteAllText(Path.Combine(_dir, "mine", "notes.txt"), "not a variant\n");
        Directory.CreateDirectory(Path.Combine(_dir, "bin"));
        // pilab on PATH, as `dotnet tool install` puts it there.
        string shim = Path.Combine(_dir, "bin", "pilab");
        File.WriteAllText(shim, $"#!/bin/sh\nexec {Pilab.Command} \"$@\"\n");
        Assert.Equal(0, Pilab.Shell($"chmod +x '{shim}'").ExitCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>What the [suggest] directive offers at the end of <paramref name="line"/>.</summary>
    private static string[] Suggest(string line)
    {
        var r = Pilab.Invoke($"[suggest:{line.Length}]", line);
        Assert.Equal(0, r.ExitCode);
        return r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    [Fact]
    public void Commands()
    {
        Assert.Equal(["check"], Suggest("pilab ch"));
        Assert.Equal(["barriers", "check", "completion", "explain", "export", "list", "live", "report", "synthesize", "test"],
            Suggest("pilab ").Where(s => !s.StartsWith('-') && !s.StartsWith('/')));
    }

    [Fact]
    public void Options_OfTheCommandTyped_Only()
    {
        var export = Suggest("pilab export --");
        Assert.Contains("--promela", export);
        Assert.Contains("--irq-priority", export);
        Assert.DoesNotContain("--workers", export);
        Assert.DoesNotContain("--json", export);
        Assert.Equal(["--seconds", "--seed", "--stall-ms"], Suggest("pilab live fixed --s"));
        Assert.Equal(["sc", "tso"], Suggest("pilab check fixed --mm "));
        Assert.Equal(["bash", "zsh"], Suggest("pilab completion ").Where(s => char.IsLetter(s[0])));
    }

    [Fact]
    public void VariantNames_OfEveryCommandThatTakesOne()
    {
        Assert.Equal(["fixed", "fixed-nomb"], Suggest("pilab check fi"));
        Assert.Equal(["kvm-2019", "kvm-2019-cpu-injector", "kvm-2021", "kvm-2021-unarmed-migration", "kvm-2025"], Suggest("pilab explain kvm"));
        Assert.Equal(["patch-v1"], Suggest("pilab live pa"));
        Assert.Contains("sn-no-recompute", Suggest("pilab report fixed sn"));
        Assert.Contains("irq-late", Suggest("pilab synthesize --injector ir"));
        Assert.Contains("ndst-blocked-migration", Suggest("pilab barriers nd"));
    }

    [Fact]
    public void Files_VariantFilesAndFolders()
    {
        Assert.Equal([$"{_dir}/mine/"], Suggest($"pilab check {_dir}/mi"));
        // *.variant files and folders; other files are left to the shell's own completion.
        Assert.Equal([$"{_dir}/mine/race.variant"], Suggest($"pilab check {_dir}/mine/"));
        Assert.Equal([$"{_dir}/mine/race.variant"], Suggest($"pilab test {_dir}/mine/r"));
        // An output file is the shell's to complete: pilab offers nothing there.
        Assert.Empty(Suggest("pilab report -o "));
    }

    [Fact]
    public void Bash_CompletesCommandsOptionsVariantsAndFiles()
    {
        var r = Pilab.Shell($$"""
            export PATH="{{_dir}}/bin:$PATH"; cd '{{_dir}}'
            exec bash -c '
            eval "$(pilab completion bash)"
            complete -p pilab
            c() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"; [[ $1 == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _pilab_complete; echo "$1|${COMPREPLY[*]}"; }
            c "pilab ch"; c "pilab export --w"; c "pilab export --pro"; c "pilab check --mm "; c "pilab check fixed-"; c "pilab explain mi"; c "pilab check mine/"; c "pilab check po"'
            """);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            """
            complete -o default -F _pilab_complete pilab
            pilab ch|check
            pilab export --w|
            pilab export --pro|--promela
            pilab check --mm |sc tso
            pilab check fixed-|fixed-nomb
            pilab explain mi|mine/
            pilab check mine/|mine/race.variant
            pilab check po|

            """, r.Out);
    }

    [Fact]
    public void Zsh_CompletesCommandsOptionsVariantsAndFiles()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/zsh"), "zsh is not installed (apt-get install zsh): the zsh completion test is skipped");
        // compadd and _files are zsh's completion builtins; outside a completion widget they are stood in for, printing what they are given.
        var r = Pilab.Shell($$"""
            export PATH="{{_dir}}/bin:$PATH"; cd '{{_dir}}'
            exec /usr/bin/zsh -f -c '
            eval "$(pilab completion zsh)"
            print -r -- "registered: $_comps[pilab]"
            compadd() { print -r -- "compadd $*"; }
            _files() { print -r -- "_files"; }
            c() { words=(${(z)1}); [[ $1 == *" " ]] && words+=(""); CURRENT=${#words}; PREFIX=$words[CURRENT]; print -r -- "$1|"; _pilab_complete; }
            c "pilab ch"; c "pilab check fi"; c "pilab check mine/"; c "pilab explain mi"; c "pilab report -o "'
            """);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            """
            registered: _pilab_complete
            pilab ch|
            compadd -- check
            pilab check fi|
            compadd -- fixed fixed-nomb
            pilab check mine/|
            compadd -- mine/race.variant
            pilab explain mi|
            compadd -S  -- mine/
            pilab report -o |
            _files

            """, r.Out);
    }
}
