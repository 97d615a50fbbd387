using System.Text.Json;

namespace Pilab.Cli.Tests;

/// <summary>The CLI for docs/whole-system.md: whole-system built-ins and files, their options and exit codes.</summary>
public sealed class WholeSystemCliTests
{
    [Fact]
    public void Check_Kvm2021_WithEverything_ExitsZero()
    {
        string[] args = ["check", "kvm-2021", "--mm", "tso", "-k", "1", "--iommu", "1", "--halts", "1", "--preemptions", "1", "--migrations", "1"];
        var r = Pilab.Invoke(args);
        Assert.Equal(0, r.ExitCode);
        // docs/whole-system.md, "Reductions": stubborn sets and chains by default, every state of the reduced
        // graph stored with --no-chains, the full graph with --no-por --no-symmetry.
        Assert.Contains("no lost interrupt (11,731 states", r.Out);
        Assert.Contains("depth 40 stored levels", r.Out);
        Assert.Contains("reduced by POR, chains: only branching states and dead ends stored,", r.Out);
        var unchained = Pilab.Invoke([.. args, "--no-chains"]);
        Assert.Equal(0, unchained.ExitCode);
        Assert.Contains("no lost interrupt (39,684 states", unchained.Out);
        Assert.Contains("depth 86,", unchained.Out);
        Assert.DoesNotContain("chains", unchained.Out);
        var full = Pilab.Invoke([.. args, "--no-por", "--no-symmetry"]);
        Assert.Equal(0, full.ExitCode);
        Assert.Contains("no lost interrupt (65,472 states", full.Out);
        Assert.DoesNotContain("reduced by", full.Out);
    }

    [Fact]
    public void Check_TheMainlineFinding_IsSafeWithAnIpivPoster_AndLosesWithout()
    {
        // kvm-2025 at the finding's configuration: no hardware poster, the wake-up vector is not armed.
        var without = Pilab.Invoke("check", "kvm-2025", "--mm", "sc", "-k", "1", "-j", "0", "--halts", "1", "--preemptions", "1", "--migrations", "1");
        Assert.Equal(1, without.ExitCode);
        var with = Pilab.Invoke("check", "kvm-2025", "--mm", "sc", "-k", "1", "-j", "0", "--ipiv", "1", "--halts", "1", "--preemptions", "1", "--migrations", "1", "--no-por", "--no-symmetry");
        Assert.Equal(0, with.ExitCode);
        Assert.Contains("kvm-2025 [SC k=1 j=0 i=1 n=1 e=0 h=1 p=1 m=1]: no lost interrupt (30,979 states", with.Out);
        var tooMany = Pilab.Invoke("check", "kvm-2025", "-k", "2", "-j", "1", "--ipiv", "2");
        Assert.Equal(2, tooMany.ExitCode);
        Assert.Contains("--injectors plus --iommu plus --ipiv must be 1 to 4", tooMany.Err);
    }

    [Fact]
    public void Explain_NdstBlockedMigration_TellsTheStory()
    {
        var r = Pilab.Invoke("explain", "ndst-blocked-migration", "-k", "0", "-j", "1", "--halts", "1", "--preemptions", "1", "--migrations", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("shortest run that loses an interrupt: 25 steps", r.Out);
        Assert.Contains("WAKEUP IPI to P2", r.Out);
        Assert.Contains("=> vCPU asleep on P0's wake list with v1 in PIR; the WAKEUP IPI went to P2", r.Out);
    }

    [Fact]
    public void Check_WholeSystemFile_ExitsOne()
    {
        string path = Pilab.TempFile("# halt-without-wakeup-vector as a change to kvm-2021\nbase: kvm-2021\nwakeup-vector: off\n");
        var r = Pilab.Invoke("check", path, "-k", "0", "-j", "1", "--halts", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("the NOTIFY IPI went to P0; P0's dummy handler ate it and nobody woke the vCPU", r.Out);
    }

    [Fact]
    public void Check_MalformedWholeSystemFile_ExitsTwo_NamingLineAndColumn()
    {
        string path = Pilab.TempFile("base: kvm-2021\nsched-in: desc.update bogus\n");
        var r = Pilab.Invoke("check", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{path}:2:23: found step 'bogus', expected a sched.in sub-step", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Theory]
    [InlineData("fixed", "--halts", "1")]            // a section 4 variant has no block path
    [InlineData("kvm-2021", "--halts", "4")]
    [InlineData("kvm-2021", "--migrations", "3")]     // one HLT and one preemption reload the thread twice at most
    [InlineData("kvm-2021", "--workers", "0")]
    [InlineData("halt-without-wakeup-vector", "-j", "0")] // its own k=0: nobody posts
    [InlineData("kvm-2021", "--iommu", "-1")]
    public void Check_BadWholeSystemOption_ExitsTwo(string variant, string option, string value)
    {
        var r = Pilab.Invoke("check", variant, option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("pilab: ", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Check_Json_ForAWholeSystemVariant_HasTheSection7Fields()
    {
        var r = Pilab.Invoke("check", "sn-no-recompute", "-k", "0", "-j", "1", "--preemptions", "1", "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("pilab.check/2", root.GetProperty("schema").GetString());
        Assert.Equal("kvm-2019", root.GetProperty("variant").GetProperty("design").GetString());
        Assert.Equal(1, root.GetProperty("configuration").GetProperty("iommu").GetInt32());
        Assert.Equal(10, root.GetProperty("trace").GetProperty("length").GetInt32());
    }

    [Fact]
    public void CheckWithoutArguments_IncludesTheWholeSystemTable()
    {
        var r = Pilab.Invoke("check");
        Assert.Equal(0, r.ExitCode);
        var rows = r.Out.Split('\n');
        // each whole-system built-in once, at its own configuration; findings marked
        Assert.Single(rows, l => l.StartsWith("kvm-2021 "));
        // the table says which graph its counts are of
        Assert.Single(rows, l => l.StartsWith("whole system (") && l.Contains("; states stored of the graph reduced by POR, states with one stubborn successor passed through (--no-chains stores them)"));
        Assert.Contains(rows, l => l.StartsWith("kvm-2021 ") && l.Contains(" TSO ") && l.Contains("no loss") && l.Contains("11,731") && l.TrimEnd().EndsWith("design"));
        foreach (var race in new[] { "sn-no-recompute", "ndst-blocked-migration", "halt-without-wakeup-vector" })
            Assert.Single(rows, l => l.StartsWith(race + " ") && l.Contains("LOSES") && l.TrimEnd().EndsWith("historical fix"));
        foreach (var finding in new[] { "kvm-2021-unarmed-migration", "kvm-2019-cpu-injector" })
            Assert.Single(rows, l => l.StartsWith(finding + " ") && l.Contains("LOSES") && l.TrimEnd().EndsWith("FINDING"));
    }

    /// <summary>With no option every built-in is checked in the configuration that tells its story, and says which.</summary>
    [Theory]
    [InlineData("prepatch", 0, "TSO k=2 n=1 e=0")]
    [InlineData("patch-v1", 1, "SC k=1 n=1 e=0")]
    [InlineData("irq-late", 1, "SC k=1 n=1 e=0")]
    [InlineData("fixed", 0, "TSO k=2 n=1 e=0")]
    [InlineData("fixed-nomb", 1, "TSO k=1 n=1 e=0")]
    [InlineData("kvm-2021", 0, "TSO k=1 j=1 n=1 e=0 h=1 p=1 m=1")]
    [InlineData("kvm-2019", 0, "TSO k=0 j=1 n=1 e=0 h=1 p=1 m=1")]
    [InlineData("sn-no-recompute", 1, "SC k=0 j=1 n=1 e=0 h=0 p=1 m=0")]
    [InlineData("ndst-blocked-migration", 1, "SC k=0 j=1 n=1 e=0 h=1 p=1 m=1")]
    [InlineData("halt-without-wakeup-vector", 1, "SC k=0 j=1 n=1 e=0 h=1 p=0 m=0")]
    [InlineData("kvm-2021-unarmed-migration", 1, "SC k=1 j=0 n=1 e=0 h=1 p=1 m=1")]
    [InlineData("kvm-2019-cpu-injector", 1, "SC k=1 j=1 n=1 e=0 h=1 p=1 m=1")]
    public void Check_Builtin_WithNoOptions_TellsItsStory(string name, int exit, string configuration)
    {
        var r = Pilab.Invoke("check", name);
        Assert.Equal(exit, r.ExitCode);
        Assert.StartsWith($"{name} [{configuration}]: {(exit == 1 ? "LOSES an interrupt: shortest run " : "no lost interrupt")}", r.Out);
    }

    /// <summary>Every command on every built-in either works or refuses by name (exit 2); none crashes.</summary>
    [Theory]
    [MemberData(nameof(CommandsOnBuiltins))]
    public void EveryCommand_OnEveryBuiltin_WorksOrRefusesByName(string name, string[] command)
    {
        var r = Pilab.Invoke([.. command.Select(w => w == "{v}" ? name : w)]);
        Assert.DoesNotContain("   at ", r.Err);
        Assert.DoesNotContain("Unhandled", r.Err);
        bool whole = Builtins.Find(name)!.WholeSystem;
        if (r.ExitCode == 2)
        {
            Assert.True(whole, $"{string.Join(' ', command)} on {name}: {r.Err}");
            Assert.NotEqual("barriers", command[0]); // barriers serves every design
            Assert.Contains($"cannot serve {name}: it is of design {DesignNames.Name(Builtins.Find(name)!.Design)}", r.Err);
            Assert.Single(r.Err.Trim().Split('\n'));
        }
        else Assert.InRange(r.ExitCode, 0, 1);
    }

    public static TheoryData<string, string[]> CommandsOnBuiltins()
    {
        string svg = Path.Combine(Path.GetTempPath(), $"pilab-{Environment.ProcessId}.svg");
        string html = Path.Combine(Path.GetTempPath(), $"pilab-{Environment.ProcessId}.html");
        string[][] commands =
        [
            ["check", "{v}"], ["check", "{v}", "--json"], ["check", "{v}", "--cost"], ["explain", "{v}"], ["explain", "{v}", "--svg", svg],
            ["export", "--promela", "{v}"], ["barriers", "{v}"], ["synthesize", "--injector", "{v}", "--json"],
            ["report", "{v}", "--no-synthesis", "-o", html], ["live", "{v}", "--seconds", "0.2"],
        ];
        var data = new TheoryData<string, string[]>();
        foreach (var v in new[] { "fixed", "patch-v1", "kvm-2021", "sn-no-recompute", "kvm-2021-unarmed-migration" })
            foreach (var c in commands) data.Add(v, c);
        return data;
    }

    [Fact]
    public void List_NamesTheWholeSystemBuiltins()
    {
        var r = Pilab.Invoke("list");
        foreach (var name in new[] { "kvm-2021", "kvm-2019", "sn-no-recompute", "ndst-blocked-migration", "halt-without-wakeup-vector" })
            Assert.Contains(name, r.Out);
    }
}
