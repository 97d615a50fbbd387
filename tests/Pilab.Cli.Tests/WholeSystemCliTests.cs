using System.Text.Json;

namespace Pilab.Cli.Tests;

/// <summary>The CLI for SPEC.md section 7: whole-system built-ins and files, their options and exit codes.</summary>
public sealed class WholeSystemCliTests
{
    [Fact]
    public void Check_Kvm2021_WithEverything_ExitsZero()
    {
        var r = Pilab.Invoke("check", "kvm-2021", "--mm", "tso", "-k", "1", "--iommu", "1", "--halts", "1", "--preemptions", "1", "--migrations", "1");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("no lost interrupt (65,472 states", r.Out);
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
    [InlineData("kvm-2021", "--migrations", "1")]     // nothing ever reloads the thread
    [InlineData("kvm-2021", "-k", "0")]               // nobody posts
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
        Assert.Equal("pilab.check/1", root.GetProperty("schema").GetString());
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
        Assert.Equal(4, rows.Count(l => l.StartsWith("kvm-2021 ")));
        Assert.Contains(rows, l => l.StartsWith("kvm-2021 ") && l.Contains(" TSO ") && l.Contains("no loss") && l.Contains("65,472"));
        foreach (var race in new[] { "sn-no-recompute", "ndst-blocked-migration", "halt-without-wakeup-vector" })
            Assert.Equal(2, rows.Count(l => l.StartsWith(race + " ") && l.Contains("LOSES")));
    }

    [Fact]
    public void List_NamesTheWholeSystemBuiltins()
    {
        var r = Pilab.Invoke("list");
        foreach (var name in new[] { "kvm-2021", "kvm-2019", "sn-no-recompute", "ndst-blocked-migration", "halt-without-wakeup-vector" })
            Assert.Contains(name, r.Out);
    }
}
