namespace Pilab.Cli.Tests;

/// <summary>
/// The conventions of the command line (issue 13), with the real executable: each command offers exactly
/// the options it uses, an option of another command is a parse error (exit 2) with System.CommandLine's
/// suggestions kept, and a built-in shadowing a file of the same name says which was used.
/// </summary>
public sealed class FrontDoorTests
{
    private const string Configuration = "--mm --injectors --same-vector --posts --exits --halts --preemptions --migrations --iommu --ipiv --irq-priority";
    private const string Search = "--max-states --max-memory --no-por --no-symmetry --no-chains --workers --hash-compact --store";

    /// <summary>The long names of the options a --help text lists (its "Options:" section).</summary>
    private static List<string> OptionsIn(string help)
    {
        var names = new List<string>();
        bool inOptions = false;
        foreach (var line in help.Split('\n'))
        {
            if (line.StartsWith("Options:", StringComparison.Ordinal)) { inOptions = true; continue; }
            if (!inOptions) continue;
            if (line.Length == 0 || !char.IsWhiteSpace(line[0])) break;
            // An option's line starts with two spaces and its aliases; a wrapped description is indented further.
            if (!line.StartsWith("  -", StringComparison.Ordinal)) continue;
            string aliases = line.Trim().Split("  ")[0];
            names.AddRange(aliases.Split(", ").Select(a => a.Split(' ')[0]).Where(a => a.StartsWith("--", StringComparison.Ordinal)));
        }
        return names;
    }

    [Theory]
    [InlineData("", "--version")]
    [InlineData("list", "")]
    [InlineData("check", $"{Configuration} {Search} --json --quiet --cost")]
    [InlineData("explain", $"{Configuration} {Search} --json --quiet --svg")]
    [InlineData("export", $"{Configuration} --promela --litmus --output")]
    [InlineData("synthesize", "--injector --injectors --same-vector --posts --exits --irq-priority --iommu --halts --preemptions --migrations --csv --json --quiet")]
    [InlineData("barriers", "--injectors --same-vector --posts --exits --irq-priority --halts --preemptions --migrations --iommu --ipiv --max-barriers --max-states --json --quiet")]
    [InlineData("report", "--output --posts --exits --same-vector --irq-priority --no-synthesis --live --max-states --max-memory --no-por --no-symmetry --no-chains --workers --quiet")]
    [InlineData("live", "--seconds --injectors --rate --exit-rate --chaos --seed --posts --vectors --stall-ms --no-rescue --aligned --jitter --no-pin --calibrate --hgrm --json")]
    [InlineData("test", "--ktap --junit --workers --quiet")]
    [InlineData("completion", "")]
    public void Help_ListsExactlyTheOptionsTheCommandUses(string command, string options)
    {
        var r = command.Length == 0 ? Pilab.Invoke("--help") : Pilab.Invoke(command, "--help");
        Assert.Equal(0, r.ExitCode);
        string[] expected = [.. options.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help", "--verbose"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), OptionsIn(r.Out).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("--workers", "export", "fixed", "--promela", "--workers", "2")]
    [InlineData("--json", "export", "fixed", "--promela", "--json")]
    [InlineData("--max-states", "export", "fixed", "--promela", "--max-states", "5")]
    [InlineData("--hash-compact", "report", "fixed", "--hash-compact")]
    [InlineData("--mm", "synthesize", "--mm", "tso")]
    [InlineData("--workers", "barriers", "fixed-nomb", "--workers", "2")]
    [InlineData("--quiet", "live", "fixed", "--quiet")]
    [InlineData("--json", "test", "variants", "--json")]
    [InlineData("--cost", "explain", "fixed", "--cost")]
    [InlineData("--json", "list", "--json")]
    public void OptionOfAnotherCommand_IsAParseError_ExitTwo(string option, params string[] args)
    {
        var r = Pilab.Invoke(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"pilab: Unrecognized command or argument '{option}'.", r.Err);
        Assert.EndsWith("pilab: see 'pilab --help'\n", r.Err);
        Assert.Equal("", r.Out);
    }

    [Theory]
    [InlineData("chekc", "check", "chekc")]
    [InlineData("--worker", "--workers", "check", "fixed", "--worker", "2")]
    [InlineData("--ouptut", "--output", "export", "fixed", "--promela", "--ouptut", "m.pml")]
    [InlineData("--calibrat", "--calibrate", "live", "--calibrat")]
    public void ParseError_KeepsSystemCommandLinesSuggestions(string token, string suggestion, params string[] args)
    {
        var r = Pilab.Invoke(args);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"pilab: Unrecognized command or argument '{token}'.\n", r.Err);
        Assert.Contains($"pilab: '{token}' was not matched. Did you mean one of the following?\n  {suggestion}\n", r.Err);
        Assert.EndsWith("pilab: see 'pilab --help'\n", r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void ParseError_OfAStrayValue_SuggestsNothing()
    {
        // "2" after an unknown option is no typo of an option: no list of every short option for it.
        var r = Pilab.Invoke("check", "fixed", "--worker", "2");
        Assert.Contains("pilab: Unrecognized command or argument '2'.", r.Err);
        Assert.DoesNotContain("'2' was not matched", r.Err);
    }

    /// <summary>A scratch folder holding a file named as a built-in (fixed), whose own variant loses.</summary>
    private static string FolderShadowingFixed()
    {
        string dir = Directory.CreateTempSubdirectory("pilab-shadow-").FullName;
        File.WriteAllText(Path.Combine(dir, "fixed"), "name: not-the-builtin\nbase: patch-v1\n");
        return dir;
    }

    [Fact]
    public void BuiltinShadowingAFile_SaysWhichWasChecked_AndHowToNameTheOther()
    {
        string dir = FolderShadowingFixed();
        try
        {
            var builtin = Pilab.Shell($"cd '{dir}' && $PILAB check fixed");
            Assert.Equal(0, builtin.ExitCode);
            Assert.StartsWith("fixed ", builtin.Out);
            Assert.Equal("pilab: fixed: the built-in variant is used, not the file fixed in this directory (name the file as ./fixed to use it)\n", builtin.Err);

            var file = Pilab.Shell($"cd '{dir}' && $PILAB check ./fixed");
            Assert.Equal(1, file.ExitCode);
            Assert.StartsWith("not-the-builtin ", file.Out);
            Assert.Equal("", file.Err);

            // Every command that takes a variant says it, on stderr: stdout (here JSON) is the same as without the file.
            var json = Pilab.Shell($"cd '{dir}' && $PILAB explain fixed --json");
            Assert.Equal(0, json.ExitCode);
            Assert.Contains("the built-in variant is used", json.Err);
            using var doc = System.Text.Json.JsonDocument.Parse(json.Out);
            Assert.Contains("the built-in variant is used", Pilab.Shell($"cd '{dir}' && $PILAB export --promela fixed").Err);
            Assert.Contains("the built-in variant is used", Pilab.Shell($"cd '{dir}' && $PILAB synthesize --injector fixed -k 1 --json").Err);
            Assert.Contains("the built-in variant is used", Pilab.Shell($"cd '{dir}' && $PILAB report fixed --no-synthesis -o r.html").Err);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void NoFileOfTheBuiltinsName_NoNote()
    {
        var r = Pilab.Invoke("check", "fixed");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Err);
    }
}
