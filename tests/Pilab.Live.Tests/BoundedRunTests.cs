using Pilab.Live;
using Pilab.Protocol;

namespace Pilab.Live.Tests;

/// <summary>
/// Real threads, bounded by the number of posts (never by a clock): the run ends when the posts are
/// made, whatever the scheduler did meanwhile. What is asserted holds for every interleaving of a
/// correct order, so it cannot flake; only the time it takes varies.
/// </summary>
public sealed class BoundedRunTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Fixed_StrandsNothing_OverBoundedRun(bool chaos)
    {
        var r = RunBounded(new LiveOptions(Builtins.Fixed)
        {
            Seconds = null,
            MaxPosts = chaos ? 50_000 : 200_000,
            Injectors = 2,
            ExitRate = 2000,
            Chaos = chaos,
            Seed = 5,
        });
        Assert.Equal(chaos ? 50_000 : 200_000, r.Posted);
        Assert.True(r.Settled);
        Assert.Empty(r.StrandedAtEnd);
        Assert.False(r.OnLeftSet);
        Assert.Equal(0, r.StrandsDetected);
        // Every post either coalesced into a pending one or reached the guest's handler.
        Assert.Equal(r.Accepted, r.Delivered + r.MergedInVIrr);
    }

    [Fact]
    public void PrePatch_StrandsNothing_OverBoundedRun()
    {
        var r = RunBounded(new LiveOptions(Builtins.PrePatch) { Seconds = null, MaxPosts = 100_000, ExitRate = 2000 });
        Assert.True(r.Settled);
        Assert.Empty(r.StrandedAtEnd);
        Assert.Equal(0, r.StrandsDetected);
        Assert.Equal(r.Accepted, r.Delivered + r.MergedInVIrr);
    }

    private static LiveResult RunBounded(LiveOptions o)
    {
        var run = new LiveRun(o);
        run.Start();
        while (!run.PostsDone) Thread.Sleep(5);
        return run.Finish();
    }
}
