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

    [Theory]
    [InlineData("fixed", 0)]
    [InlineData("fixed", 300)]
    [InlineData("prepatch", 300)]
    public void CorrectOrders_StrandNothing_OverBoundedAlignedRounds(string name, int jitter)
    {
        var r = RunBounded(new LiveOptions(Builtins.Find(name)!) { Seconds = null, MaxPosts = 20_000, Aligned = true, ExitRate = 0, Jitter = jitter });
        Assert.NotNull(r.Aligned);
        Assert.Equal(20_000, r.Aligned.Rounds);
        Assert.Equal(20_000, r.Posted);
        Assert.True(r.Settled);
        Assert.Equal(0, r.StrandsDetected);
        Assert.Empty(r.StrandedAtEnd);
        Assert.Equal(0, r.Aligned.VectorsClearedByReset);
        // one post per round, nothing to coalesce with: every post reached the guest's handler
        Assert.Equal(20_000, r.Delivered);
    }

    [Fact]
    public void FixedNoMb_AlignedRounds_AccountForEveryPost()
    {
        // whether this CPU strands in these rounds is up to it; the accounting is exact either way
        var r = RunBounded(new LiveOptions(Builtins.FixedNoMb) { Seconds = null, MaxPosts = 20_000, Aligned = true, ExitRate = 0, Jitter = 300 });
        Assert.Equal(20_000, r.Aligned!.Rounds);
        Assert.True(r.Settled);
        Assert.Equal(r.StrandsDetected, r.Aligned.VectorsClearedByReset);
        Assert.Equal(r.Accepted, r.Delivered + r.MergedInVIrr + r.Aligned.VectorsClearedByReset + r.StrandedAtEnd.Count);
    }

    [Theory]
    [InlineData("fixed", 2, 0)]
    [InlineData("fixed", 3, 300)]
    public void CorrectOrder_StrandsNothing_OverBoundedAlignedRoundsOfSeveralInjectors(string name, int injectors, int jitter)
    {
        // each round P0's entry against one post of each injector (each its own vector), started together
        var r = RunBounded(new LiveOptions(Builtins.Find(name)!) { Seconds = null, MaxPosts = 3_000, Aligned = true, ExitRate = 0, Jitter = jitter, Injectors = injectors });
        Assert.Equal(3_000, r.Aligned!.Rounds);
        Assert.Equal(3_000L * injectors, r.Posted);
        Assert.True(r.Settled);
        Assert.Equal(0, r.StrandsDetected);
        Assert.Empty(r.StrandedAtEnd);
        Assert.Equal(0, r.CoalescedInPir);
        Assert.Equal(3_000L * injectors, r.Delivered);
    }

    [Fact]
    public void FixedNoMb_AlignedRoundsOfTwoInjectors_AccountForEveryPost()
    {
        var r = RunBounded(new LiveOptions(Builtins.FixedNoMb) { Seconds = null, MaxPosts = 3_000, Aligned = true, ExitRate = 0, Jitter = 300, Injectors = 2 });
        Assert.Equal(3_000, r.Aligned!.Rounds);
        Assert.Equal(6_000, r.Posted);
        Assert.True(r.Settled);
        Assert.Equal(r.Accepted, r.Delivered + r.MergedInVIrr + r.Aligned.VectorsClearedByReset + r.StrandedAtEnd.Count);
    }

    private static LiveResult RunBounded(LiveOptions o)
    {
        var run = new LiveRun(o);
        run.Start();
        while (!run.PostsDone) Thread.Sleep(5);
        return run.Finish();
    }
}
