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
}
