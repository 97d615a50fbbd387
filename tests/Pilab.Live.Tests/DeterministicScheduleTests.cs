using Pilab.Live;
using Pilab.Protocol;

namespace Pilab.Live.Tests;

/// <summary>
/// The seed's races, replayed on the live runtime's own steps in a chosen order: no threads, no clock,
/// so the verdicts cannot flake.
/// </summary>
public sealed class DeterministicScheduleTests
{
    private const int V = LiveOptions.FirstVector;

    [Fact]
    public void PatchV1_StrandsVector_WhenInjectorReadsOutsideAfterSync()
    {
        var s = new Stepper(Builtins.PatchV1);
        Assert.Equal(ThreadOp.IrqOff, s.P0.NextOp);
        s.P(2);                                   // irq.off, on.read: ON = 0, skip on.clear / pir.drain
        Assert.Equal(ThreadOp.ModeIn, s.P0.NextOp);
        s.Post();                                 // pir.set, on.set, mode.read (OUTSIDE), notify falls through, kick fails
        Assert.Equal(0, s.Injectors[0].Counters.NotifyIpis);
        Assert.Equal(1, s.Injectors[0].Counters.KicksNotNeeded);
        s.P(4);                                   // mode.in, mb, check, enter
        Assert.True(s.P0.InGuest);

        var end = s.Settle();
        Assert.Equal([V], end.Stranded);
        Assert.True(end.On);
        Assert.Equal(VcpuMode.InGuest, end.State.Mode);
        Assert.Equal(0, end.State.Pending);
        Assert.Equal(0, s.Delivered);
    }

    [Fact]
    public void IrqLate_StrandsVector_WhenDummyHandlerEatsNotify()
    {
        var s = new Stepper(Builtins.IrqLate);
        s.P(3);                                   // mode.in, mb, on.read: ON = 0, skip the drain
        Assert.Equal(ThreadOp.IrqOff, s.P0.NextOp);
        s.Post();                                 // pir.set, on.set, mode.read (IN_GUEST), notify: NOTIFY pending
        Assert.Equal(1, s.Injectors[0].Counters.NotifyIpis);
        s.P();                                    // IF = 1: the host takes NOTIFY, the dummy handler does nothing
        Assert.Equal(1, s.P0.Counters.DummyHandlerRuns);
        s.P(3);                                   // irq.off, check, enter
        Assert.True(s.P0.InGuest);

        var end = s.Settle();
        Assert.Equal([V], end.Stranded);
        Assert.True(end.On);
        Assert.Equal("mode=IN_GUEST ON=1 PIR={0x20} pending=none P0.guest=1", end.State.ToString());
    }

    [Fact]
    public void Fixed_Delivers_WhenInjectorPostsAtEachPointOfTheEntry()
    {
        // The injector's whole post placed before each of P0's entry steps and inside the guest.
        int entrySteps = Builtins.Fixed.Entry.Length;
        for (int at = 0; at <= entrySteps + 1; at++)
        {
            var s = new Stepper(Builtins.Fixed);
            s.P(at);
            s.Post();
            var end = s.Settle();
            Assert.False(end.Lost, $"posting before P0 step {at}: {end.State}");
            Assert.Equal(1, s.Delivered);
        }
    }

    [Fact]
    public void Watchdog_ReportsPatchV1Strand_WithItsState()
    {
        var s = new Stepper(Builtins.PatchV1);
        s.P(2).Post().P(4).P(3);                 // the losing run, then the guest runs on
        var watchdog = new StrandDetector(s.Memory, s.Injectors, thresholdTicks: 1000);
        Assert.Null(watchdog.Observe(now: 0));   // first sight: a suspicion
        Assert.Null(watchdog.Observe(now: 999)); // not yet long enough
        var report = watchdog.Observe(now: 1000);
        Assert.NotNull(report);
        Assert.Equal([V], report.Vectors);
        Assert.Equal("mode=IN_GUEST ON=1 PIR={0x20} pending=none P0.guest=1", report.State.ToString());
        Assert.Null(watchdog.Observe(now: 5000)); // once per episode
    }

    [Fact]
    public void Watchdog_WaitsForPostInFlight_AndForP0InsidePiProcess()
    {
        // fixed, guest running; the injector has done pir.set only: PIR has the vector, nothing pending.
        var s = new Stepper(Builtins.Fixed);
        s.P(Builtins.Fixed.Entry.Length);
        Assert.True(s.P0.InGuest);
        s.I();                                     // pir.set
        var watchdog = new StrandDetector(s.Memory, s.Injectors, thresholdTicks: 10);
        Assert.Null(watchdog.Observe(0));
        Assert.Null(watchdog.Observe(1_000_000)); // the post is still in flight: its NOTIFY may come
        while (!s.I()) { }                         // on.set, mode.read, notify
        Assert.Null(watchdog.Observe(2_000_000)); // NOTIFY pending: not stranded
        var end = s.Settle();
        Assert.False(end.Lost);
    }

    [Fact]
    public void Watchdog_WaitsForLaterPost_WhoseOnSetAnEarlierPostReliedOn()
    {
        // fixed, guest running. P1 posts 0x20 up to pir.set; P2 starts later and sets ON first; P1's
        // on.set then finds ON set and its post is done. PIR={0x20,0x21}, nothing pending, P1 idle:
        // but P2 still owes the NOTIFY (the false alarm a look that only follows P1's post would raise).
        var s = new Stepper(Builtins.Fixed, injectors: 2);
        s.P(Builtins.Fixed.Entry.Length);
        var watchdog = new StrandDetector(s.Memory, s.Injectors, thresholdTicks: 10);
        s.I(0);                                     // P1 pir.set 0x20
        Assert.Null(watchdog.Observe(0));
        s.I(1); s.I(1);                             // P2 pir.set 0x21, on.set: ON 0 -> 1
        Assert.True(s.I(0));                        // P1 on.set: ON already set, post done
        Assert.Null(watchdog.Observe(1_000));
        Assert.Null(watchdog.Observe(1_000_000));   // P2 is in flight: nothing decided
        s.I(1); s.I(1);                             // P2 mode.read, notify: NOTIFY pending
        Assert.Null(watchdog.Observe(2_000_000));
        var end = s.Settle();
        Assert.False(end.Lost);
        Assert.Equal(2, s.Delivered);
    }

    [Fact]
    public void PrePatch_Delivers_WhenInjectorPostsAtEachPointOfTheEntry()
    {
        int p0Steps = 12;
        for (int at = 0; at <= p0Steps; at++)
        {
            var s = new Stepper(Builtins.PrePatch);
            s.P(at);
            s.Post();
            var end = s.Settle();
            Assert.False(end.Lost, $"posting before P0 step {at}: {end.State}");
            Assert.Equal(1, s.Delivered);
        }
    }
}
