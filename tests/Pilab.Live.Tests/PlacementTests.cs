using Pilab.Live;

namespace Pilab.Live.Tests;

/// <summary>Where a run's memory and threads go: every shared group starts a cache line; P0 never shares its CPU with an injector.</summary>
public sealed class PlacementTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public void SharedGroups_EachStartA64ByteLine(int injectors)
    {
        var p = new VcpuMemory(injectors).Placement();
        Assert.True(p.LinesAligned, p.ToString());
        Assert.Equal(injectors, p.InjectorCounters.Count);
        Assert.Equal(VcpuMemory.BlockAlignment, p.BlockAlignment);
    }

    [Fact]
    public void Plan_KeepsP0Alone_AndSaysWhy()
    {
        var (cpus, note) = CorePinning.Plan(pin: true, injectors: 3);
        Assert.Equal(4, cpus.Length);
        var allowed = CorePinning.AllowedCpus();
        if (OperatingSystem.IsLinux() && allowed is { Length: >= 2 })
        {
            Assert.Equal(allowed[0], cpus[0]);
            Assert.All(cpus.Skip(1), c => Assert.NotEqual(cpus[0], c));
            Assert.All(cpus, c => Assert.Contains(c, allowed));
            Assert.StartsWith("pinned", note);
        }
        else
        {
            Assert.All(cpus, c => Assert.Equal(-1, c));
            Assert.StartsWith("not pinned", note);
        }
        var (off, offNote) = CorePinning.Plan(pin: false, injectors: 3);
        Assert.All(off, c => Assert.Equal(-1, c));
        Assert.Contains("--no-pin", offNote);
    }

    [Fact]
    public void Calibration_RunsOnTheCpusOfP0AndTheFirstInjector()
    {
        var (cpus, note) = CorePinning.Plan(pin: true, injectors: 1);
        var rt = Calibration.RoundTrip(pin: true, batches: 3, roundTripsPerBatch: 100);
        var (rounds, reorders, litmus) = Calibration.StoreBufferLitmus(pin: true, jitter: 50, seed: 7, rounds: 2000);
        Assert.Equal(2000, rounds);
        Assert.InRange(reorders, 0, rounds);
        foreach (var p in new[] { rt.Placement, litmus })
        {
            Assert.Equal(note, p.Pinning);
            Assert.Equal(["A", "B"], p.Threads.Select(t => t.Thread));
            // pinned where the plan pins (an errno would say why not), else unpinned
            Assert.All(p.Threads, t => Assert.True(t.Error is null ? t.Cpu == cpus[t.Thread == "A" ? 0 : 1] : t.Cpu == -1, $"{t}"));
        }
        var off = Calibration.StoreBufferLitmus(pin: false, rounds: 100).Placement;
        Assert.All(off.Threads, t => Assert.Equal(-1, t.Cpu));
        Assert.Contains("--no-pin", off.Pinning);
    }

    [Fact]
    public void LitmusRounds_SweepTheOffsetsOfAnAlignedRun()
    {
        // the same (seed, round) gives the same offset to the litmus and to --aligned (one function), within -jitter..jitter
        var offsets = Enumerable.Range(1, 10_000).Select(r => RoundOffset.Of(3, r, 300)).ToList();
        Assert.All(offsets, o => Assert.InRange(o, -300, 300));
        Assert.Contains(offsets, o => o < 0);
        Assert.Contains(offsets, o => o > 0);
        Assert.All(Enumerable.Range(1, 100), r => Assert.Equal(0, RoundOffset.Of(3, r, 0)));
    }
}
