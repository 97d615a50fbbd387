namespace Pilab.Cli.Tests;

/// <summary>synthesize, barriers, export and check --cost as a user runs them.</summary>
public sealed class AnalysisCommandTests
{
    [Fact]
    public void Synthesize_PrintsTheCounts_AndWritesOneCsvRowPerOrder()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.csv");
        try
        {
            var r = Pilab.Invoke("synthesize", "--csv", csv);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("safe under SC :  48 of 144 (40 with mb, 8 without)", r.Out);
            Assert.Contains("safe under TSO:  15 of 144 (15 with mb, 0 without)", r.Out);
            Assert.Equal(145, File.ReadAllLines(csv).Length);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void Synthesize_DesignAvic_PrintsTheCounts_AndWritesOneCsvRowPerPair()
    {
        string csv = Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.csv");
        try
        {
            var r = Pilab.Invoke("synthesize", "--injector", "avic", "--csv", csv);
            Assert.Equal(0, r.ExitCode);
            Assert.Contains("120 AVIC orders: 30 entry orders (24 with mb, 6 without)", r.Out);
            Assert.Contains("k=1 j=1 n=1 e=0 h=1 p=1 m=1", r.Out);
            Assert.Contains("safe under SC :  60 of 120 (48 with mb, 12 without)", r.Out);
            Assert.Contains("safe under TSO:  16 of 120 (16 with mb, 0 without)", r.Out);
            Assert.Equal(121, File.ReadAllLines(csv).Length);
            Assert.StartsWith("order,sender,has_mb,", File.ReadAllLines(csv)[0]);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Theory]
    [InlineData("fixed", "--halts", "need a whole-system design")]          // the entry design has no HLT
    [InlineData("avic", "--irq-priority", "has no meaning for design avic")] // a doorbell is no host interrupt
    [InlineData("kvm-2021", "--exits", "cannot serve kvm-2021: it is of design kvm-2021")]
    public void Synthesize_AnOptionOrDesignItCannotServe_ExitsTwo(string injector, string option, string message)
    {
        var r = Pilab.Invoke(option == "--irq-priority" ? ["synthesize", "--injector", injector, option] : ["synthesize", "--injector", injector, option, "1"]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(message, r.Err);
        Assert.Equal("", r.Out);
    }

    [Fact]
    public void Synthesize_BadInjector_ExitsTwo()
    {
        var r = Pilab.Invoke("synthesize", "--injector", "pir.set wibble");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'wibble'", r.Err);
    }

    [Fact]
    public void Barriers_FixedNoMb_NamesTheMbAfterModeIn()
    {
        var r = Pilab.Invoke("barriers", "fixed-nomb");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("minimal barrier sets (1):\n  { entry: mb after mode.in (before on.read) }", r.Out);
    }

    [Fact]
    public void Barriers_PatchV1_ExitsOne_ShowingTheScRun()
    {
        var r = Pilab.Invoke("barriers", "patch-v1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no set of barriers can help: the variant already loses under SC", r.Out);
        Assert.Contains("v1 is stranded", r.Out);
    }

    private static string LibraryFile(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "variants", relative))) return Path.Combine(d.FullName, "variants", relative);
        throw new FileNotFoundException("variants/" + relative);
    }

    [Fact]
    public void Barriers_Kvm2021_SaysWhichOfItsFencesItNeeds_AtItsOwnConfiguration()
    {
        var r = Pilab.Invoke("barriers", "kvm-2021");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("kvm-2021 [TSO k=1 j=1 n=1 e=0 h=1 p=1 m=1]\n", r.Out);
        Assert.Contains("its entry: mb after mode.in (before on.read) [vcpu_enter_guest: smp_store_mb(vcpu->mode, IN_GUEST_MODE)]: needed (without it the variant loses under TSO: shortest run 36 steps)\n", r.Out);
        Assert.Contains("its block: mb after task.set (before on.read) [wait.prepare: set_current_state's smp_store_mb]: not needed under this configuration\n", r.Out);
        Assert.Contains("its sched-in: mb after desc.update (before on.recompute) [vmx_vcpu_pi_load: smp_mb__after_atomic]: not needed (the model makes it a no-op", r.Out);

        // Without a wake-up vector (no IOMMU poster), as kvm-2021-no-wait-fence checks it: the wait fence is needed.
        var unarmed = Pilab.Invoke("barriers", "kvm-2021", "--iommu", "0", "--preemptions", "0", "--migrations", "0");
        Assert.Equal(0, unarmed.ExitCode);
        Assert.Contains("its block: mb after task.set (before on.read) [wait.prepare: set_current_state's smp_store_mb]: needed (without it the variant loses under TSO: shortest run 24 steps)\n", unarmed.Out);
        Assert.Contains("shortest run 24 steps", Pilab.Invoke("check", LibraryFile("loses/kvm-2021-no-wait-fence.variant")).Out);
    }

    [Fact]
    public void Barriers_Kvm2021NoWaitFence_RestoresTheMbInTheBlockLoop()
    {
        var r = Pilab.Invoke("barriers", LibraryFile("loses/kvm-2021-no-wait-fence.variant"));
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("loses under TSO (shortest run 24 steps)\n", r.Out);
        Assert.Contains("minimal barrier sets (1):\n  { block: mb after task.set (before on.read) }\n" +
            "      entry:    irq.off mode.in mb on.read on.clear pir.drain check enter\n" +
            "      block:    waiter.set task.set mb on.read on.clear pir.drain irr.check sched.out.block\n", r.Out);
    }

    [Fact]
    public void Barriers_WholeSystemLosingUnderSc_ExitsOne_NoFenceCanHelp()
    {
        var r = Pilab.Invoke("barriers", "kvm-2021-unarmed-migration");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("no set of barriers can help: the variant already loses under SC", r.Out);
        Assert.Contains("the SC run (24 steps):", r.Out);
    }

    [Fact]
    public void Barriers_WholeSystem_Json_BoundAndBadInput()
    {
        var r = Pilab.Invoke("barriers", "kvm-2021", "--json");
        Assert.Equal(0, r.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("safe", root.GetProperty("tsoVerdict").GetString());
        Assert.Equal("kvm-2021", root.GetProperty("design").GetString());
        var existing = root.GetProperty("existing").EnumerateArray().ToList();
        Assert.Equal([true, false, false], existing.Select(e => e.GetProperty("needed").GetBoolean()));
        Assert.Equal("violation", existing[0].GetProperty("verdictWithout").GetString());
        Assert.Equal(36, existing[0].GetProperty("runLength").GetInt32());

        var lose = Pilab.Invoke("barriers", "kvm-2021-unarmed-migration", "--json");
        Assert.Equal(1, lose.ExitCode);
        Assert.Contains("\"scVerdict\": \"violation\"", lose.Out);

        Assert.Equal(3, Pilab.Invoke("barriers", "kvm-2021", "--max-states", "100").ExitCode);
        var bad = Pilab.Invoke("barriers", "kvm-2021", "--preemptions", "0", "--migrations", "3");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("--migrations 3 can never be used", bad.Err);
        Assert.Equal(2, Pilab.Invoke("barriers", "fixed", "--halts", "1").ExitCode);
    }

    [Fact]
    public void Export_WritesPromela_AndNeedsAFormat()
    {
        var r = Pilab.Invoke("export", "--promela", "fixed", "--mm", "tso", "-k", "2");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("/* pilab export: variant fixed [TSO k=2 n=1 e=0]", r.Out);
        Assert.Equal(2, Pilab.Invoke("export", "fixed").ExitCode);
    }

    [Fact]
    public void ExportLitmus_WritesTheCore_AndRefusesWhatDoesNotApply()
    {
        var r = Pilab.Invoke("export", "--litmus", "fixed-nomb");
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("C pilab-fixed-nomb\n\n(*\n * Result: Sometimes\n", r.Out);
        Assert.Contains("`pilab check fixed-nomb --mm tso -k 1 -n 1 -e 0` loses an interrupt (under TSO, not under SC)", r.Out);
        var both = Pilab.Invoke("export", "--litmus", "--promela", "fixed");
        Assert.Equal(2, both.ExitCode);
        Assert.Contains("one format: --promela or --litmus", both.Err);
        var k = Pilab.Invoke("export", "--litmus", "fixed", "-k", "2", "--mm", "tso");
        Assert.Equal(2, k.ExitCode);
        Assert.Contains("--litmus writes one injector posting one vector once (docs/litmus.md); --mm, --injectors do not apply to it", k.Err);
        var avic = Pilab.Invoke("export", "--litmus", "avic");
        Assert.Equal(2, avic.ExitCode);
        Assert.Contains("design avic", avic.Err);
    }

    [Fact]
    public void CheckCost_ShowsWhatThePatchSaved()
    {
        var pre = Pilab.Invoke("check", "prepatch", "--cost", "--irq-priority", "--mm", "sc", "-k", "1");
        var fixd = Pilab.Invoke("check", "fixed", "--cost", "--irq-priority", "--mm", "sc", "-k", "1");
        Assert.Matches(@"cancelled entries\s+0\s+2\s+0-2", pre.Out);
        Assert.Matches(@"EVENT requests handled\s+0\s+1\s+0-1", pre.Out);
        Assert.Matches(@"cancelled entries\s+0\s+1\s+0-1", fixd.Out);
        Assert.Matches(@"EVENT requests handled\s+0\s+0\s+0", fixd.Out);
    }
}
