using Pilab.Live;
using Pilab.Protocol;

namespace Pilab.Live.Tests;

/// <summary>
/// <see cref="LiveRun.LatencyHistogram"/>, which <c>pilab report --live</c> draws: complete only after
/// Finish, and holding one sample per stamped delivery. Bounded by posts, never by a clock.
/// </summary>
public sealed class LatencyHistogramTests
{
    [Fact]
    public void Histogram_IsRefusedWhileRunning_AndAfterFinish_HoldsEveryStampedDelivery()
    {
        var run = new LiveRun(new LiveOptions(Builtins.Fixed) { Seconds = null, MaxPosts = 20_000, ExitRate = 2000 });
        Assert.Throws<InvalidOperationException>(() => run.LatencyHistogram);
        run.Start();
        Assert.Throws<InvalidOperationException>(() => run.LatencyHistogram);
        while (!run.PostsDone) Thread.Sleep(5);
        var r = run.Finish();
        var h = run.LatencyHistogram;
        // guest.take records a sample for every delivery whose stamp it took, and counts the rest as unstamped.
        Assert.Equal(r.Delivered, h.TotalCount + r.Unstamped);
        Assert.Equal(r.Latency?.Count ?? 0, h.TotalCount);
    }
}
