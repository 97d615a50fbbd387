using Pilab.Live;

namespace Pilab.Live.Tests;

public sealed class ChaosTests
{
    private static int[] Delays(ulong seed, int actor, int n)
    {
        var c = new ChaosPause(seed, actor);
        var d = new int[n];
        for (int i = 0; i < n; i++) d[i] = c.NextDelay();
        return d;
    }

    [Fact]
    public void SameSeed_GivesSameDelaySchedule()
    {
        Assert.Equal(Delays(42, 0, 10_000), Delays(42, 0, 10_000));
        Assert.Equal(Delays(42, 3, 10_000), Delays(42, 3, 10_000));
    }

    [Fact]
    public void OtherSeedOrActor_GivesOtherSchedule()
    {
        Assert.NotEqual(Delays(42, 0, 1000), Delays(43, 0, 1000));
        Assert.NotEqual(Delays(42, 0, 1000), Delays(42, 1, 1000));
    }

    [Fact]
    public void Delays_AreMostlyNone_SometimesSpins_RarelyYields()
    {
        var d = Delays(7, 0, 100_000);
        int none = d.Count(x => x == 0), yields = d.Count(x => x < 0), spins = d.Count(x => x > 0);
        // Seven in eight steps run undelayed; of the rest one in 64 yields (counts, not timing).
        Assert.InRange(none, 86_500, 88_500);
        Assert.InRange(yields, 120, 270);
        Assert.Equal(100_000 - none - yields, spins);
        Assert.All(d.Where(x => x > 0), x => Assert.InRange(x, 1, 512));
    }
}
