using System.Text.Json;

namespace Pilab.Cli.Tests;

public sealed class ExitCodeTests
{
    [Fact]
    public void BarePilab_PrintsTheHelp_AndMemoryModelsAreCaseInsensitive()
    {
        var bare = Pilab.Invoke();
        Assert.Equal(0, bare.ExitCode);
        Assert.Contains("Usage:", bare.Out);
        var upper = Pilab.Invoke("check", "fixed-nomb", "--mm", "TSO");
        Assert.Equal(1, upper.ExitCode);
        Assert.StartsWith("fixed-nomb [TSO k=1 n=1 e=0]", upper.Out);
        var bad = Pilab.Invoke("check", "fixed", "--mm", "arm");
        Assert.Equal(2, bad.ExitCode);
        Assert.StartsWith("pilab: --mm takes sc or tso, not 'arm'", bad.Err);
    }

    /// <summary>check, explain, synthesize and live speak one verdict vocabulary in their JSON.</summary>
    [Fact]
    public void Json_OfEveryCommand_UsesOneVerdictVocabulary()
    {
        string[] vocabulary = ["safe", "violation", "stuck", "bound-reached"];
        var verdicts = new List<string>();
        void Collect(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object)
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "verdict" && p.Value.ValueKind == JsonValueKind.String) verdicts.Add(p.Value.GetString()!);
                    Collect(p.Value);
                }
            else if (e.ValueKind == JsonValueKind.Array)
                foreach (var x in e.EnumerateArray()) Collect(x);
        }
        foreach (var args in new[]
        {
            new[] { "check", "patch-v1", "--json" }, ["explain", "sn-no-recompute", "--json"], ["check", "kvm-2021", "--json"],
            ["synthesize", "--json"], ["live", "patch-v1", "--seconds", "0.2", "--json"],
        })
        {
            var r = Pilab.Invoke(args);
            using var doc = JsonDocument.Parse(r.Out);
            Collect(doc.RootElement);
        }
        Assert.Contains("violation", verdicts);
        Assert.Contains("safe", verdicts);
        Assert.All(verdicts, v => Assert.Contains(v, vocabulary));
    }

    [Fact]
    public void Check_SafeVariant_ExitsZero()
    {
        var r = Pilab.Invoke("check", "fixed", "--mm", "tso", "-k", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("no lost interrupt", r.Out);
    }

    [Fact]
    public void Check_LosingVariant_ExitsOne_WithDiagnosis()
    {
        var r = Pilab.Invoke("check", "patch-v1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("v1 is stranded", r.Out);
    }

    [Fact]
    public void Check_UnknownVariant_ExitsTwo_WithoutStackTrace()
    {
        var r = Pilab.Invoke("check", "no-such-variant");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no such built-in variant or file", r.Err);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Check_MalformedFile_ExitsTwo_NamingLineAndColumn()
    {
        string path = Pilab.TempFile("base: fixed\nentry: irq.off mode.in mb sink check enter\n");
        var r = Pilab.Invoke("check", path);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{path}:2:27: found step 'sink', expected an entry step", r.Err);
    }

    [Theory]
    [InlineData("--injectors", "9")]
    [InlineData("--mm", "arm")]
    [InlineData("--posts", "0")]
    [InlineData("--exits", "x")]
    public void Check_BadOption_ExitsTwo(string option, string value)
    {
        var r = Pilab.Invoke("check", "fixed", option, value);
        Assert.Equal(2, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Err);
    }

    [Fact]
    public void Check_StateBound_ExitsThree_WithFiguresSoFar()
    {
        var r = Pilab.Invoke("check", "fixed", "-k", "2", "--max-states", "100");
        Assert.Equal(3, r.ExitCode);
        Assert.Contains("--max-states 100", r.Out);
        Assert.Contains("100 states", r.Out);
    }

    [Fact]
    public void Check_Json_IsTheDocumentedSchema()
    {
        var r = Pilab.Invoke("check", "irq-late", "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("pilab.check/2", root.GetProperty("schema").GetString());
        Assert.Equal("violation", root.GetProperty("verdict").GetString());
        Assert.Equal(11, root.GetProperty("trace").GetProperty("length").GetInt32());
        Assert.Equal(11, root.GetProperty("trace").GetProperty("steps").GetArrayLength());
        Assert.Equal("host.irq", root.GetProperty("trace").GetProperty("steps")[7].GetProperty("step").GetString());
    }

    [Fact]
    public void Explain_PrintsTheTimelineAndTheDiagnosis()
    {
        var r = Pilab.Invoke("explain", "patch-v1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("P1 (injector)", r.Out);
        Assert.Contains("mode.read (3): read mode=OUTSIDE", r.Out);
        Assert.Contains("=> guest running, PIR={v1}, ON=1, vIRR={}, nothing pending at P0: v1 is stranded", r.Out);
    }

    [Fact]
    public void Explain_SafeVariant_SaysHowManyStatesProveIt()
    {
        var r = Pilab.Invoke("explain", "fixed", "--mm", "sc", "-k", "1", "--no-por", "--no-symmetry");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("no run loses an interrupt: all 117 reachable states explored", r.Out);
        var reduced = Pilab.Invoke("explain", "fixed");
        Assert.Equal(0, reduced.ExitCode);
        Assert.Contains("no run loses an interrupt: 1,896 states of the reduced graph stored (stubborn sets, which keep every terminal state; a state with one stubborn successor passed through, not stored)", reduced.Out);
        var unchained = Pilab.Invoke("explain", "fixed", "--no-chains");
        Assert.Equal(0, unchained.ExitCode);
        Assert.Contains("states of the reduced graph explored (stubborn sets, which keep every terminal state)", unchained.Out);
    }

    [Fact]
    public void CheckWithoutArguments_PrintsTheTableOfBuiltins()
    {
        var r = Pilab.Invoke("check");
        Assert.Equal(0, r.ExitCode);
        var rows = r.Out.Split('\n').Where(l => l.StartsWith("fixed-nomb")).ToList();
        Assert.Equal(4, rows.Count);
        Assert.Contains(rows, l => l.Contains("TSO") && l.Contains("LOSES"));
    }

    [Fact]
    public void List_NamesEveryBuiltin()
    {
        var r = Pilab.Invoke("list");
        Assert.Equal(0, r.ExitCode);
        foreach (var name in new[] { "prepatch", "patch-v1", "irq-late", "fixed", "fixed-nomb" })
            Assert.Contains(name, r.Out);
    }
}
