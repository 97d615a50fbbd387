using Pilab.Live;
using Pilab.Protocol;

namespace Pilab.Live.Tests;

/// <summary>The hot loop allocates nothing: P0's and the injectors' steps, chaos delays and the watchdog's look.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData("fixed")]
    [InlineData("prepatch")]
    [InlineData("irq-late")]
    public void Steps_AllocateNothing(string name)
    {
        var s = new Stepper(Builtins.Find(name)!, injectors: 2, vectorsPerInjector: 4);
        var chaos = new ChaosPause(1, 0);
        var watchdog = new StrandDetector(s.Memory, s.Injectors, thresholdTicks: 1);
        void Round(int i)
        {
            s.P0.Step();
            s.Injectors[i & 1].Step();
            if ((i & 7) == 0) s.P0.Step();
            chaos.NextDelay();
            if (s.P0.IdleInGuest) watchdog.Observe(i);
        }
        for (int i = 0; i < 20_000; i++) Round(i); // warm up (tiering, first-time paths)
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++) Round(i);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.True(s.Delivered > 0);
    }
}
