using Pilab.Live;
using Pilab.Protocol;

namespace Pilab.Live.Tests;

/// <summary>
/// The aligned mode's rounds (AlignedRound: reset, judge) driven step by step on one thread, with P0's
/// store buffer under the test's control (HeldModeStore): fixed-nomb strands exactly in the rounds where
/// mode.in is held back across the post after on.read; fixed's mb drains it, so fixed never does. No
/// threads, no clock: nothing can flake.
/// </summary>
public sealed class AlignedScheduleTests
{
    private const string StrandState = "mode=IN_GUEST ON=1 PIR={0x20} pending=none P0.guest=1";

    /// <summary>
    /// Rounds on one stepper, one per (position, held): P0 makes <c>at</c> steps (at most up to enter:
    /// the buffer drains by the VM entry at the latest), the injector posts
    /// (with mode.in held in the store buffer when <c>held</c>), the buffer drains, P0 runs to its settled
    /// state, the round is judged and reset. Returns the (at, held) pairs of the stranded rounds.
    /// </summary>
    private static List<(int At, bool Held)> Rounds(Variant variant, int positions, out Stepper s)
    {
        s = new Stepper(variant);
        var buffer = new HeldModeStore();
        s.P0.HeldStores = buffer;
        var round = new AlignedRound(s.Memory, s.P0);
        var stranded = new List<(int, bool)>();
        long delivered = 0;
        for (int at = 0; at < positions; at++)
            foreach (bool held in new[] { false, true })
            {
                round.Reset();
                buffer.Holding = held;
                s.P(at);
                s.Post();
                buffer.Holding = false;
                buffer.Drain(ref s.Memory.Lines.Mode);  // the store buffer drains after the post
                var end = s.Settle();
                var judged = round.Judge();
                Assert.Equal(end.Lost, judged is not null);
                if (judged is { } j)
                {
                    Assert.Equal([LiveOptions.FirstVector], j.Vectors);
                    Assert.Equal(StrandState, j.State.ToString());
                    stranded.Add((at, held));
                }
                else
                {
                    // every round that strands nothing delivers its one post
                    Assert.Equal(++delivered, s.Delivered);
                }
            }
        return stranded;
    }

    [Fact]
    public void FixedNomb_Strands_ExactlyWhenModeInIsHeldAcrossThePostAfterOnRead()
    {
        // fixed-nomb's entry with ON = 0: irq.off, mode.in, on.read (skips on.clear, pir.drain), check, enter.
        Assert.Equal([ThreadOp.IrqOff, ThreadOp.ModeIn, ThreadOp.OnRead], new Stepper(Builtins.FixedNoMb).P0Ops(3));
        var stranded = Rounds(Builtins.FixedNoMb, positions: 5, out var s);
        // the post after on.read (before check, or before enter) while mode.in sits in the buffer: the
        // injector reads OUTSIDE, sends no NOTIFY, its kick's cmpxchg fails; P0 read ON = 0 and enters.
        Assert.Equal([(3, true), (4, true)], stranded);
        Assert.Equal(8, s.Delivered);
    }

    [Fact]
    public void Fixed_NeverStrands_MbDrainsTheHeldModeIn()
    {
        var stranded = Rounds(Builtins.Fixed, positions: 6, out var s);
        Assert.Empty(stranded);
        Assert.Equal(12, s.Delivered);
    }

    [Fact]
    public void FixedNomb_WithoutHold_IsSafe_AsUnderSc()
    {
        var s = new Stepper(Builtins.FixedNoMb);
        var round = new AlignedRound(s.Memory, s.P0);
        for (int at = 0; at < 5; at++)
        {
            round.Reset();
            s.P(at).Post();
            s.Settle();
            Assert.Null(round.Judge());
        }
        Assert.Equal(5, s.Delivered);
    }

    [Fact]
    public void Reset_RestoresTheRoundsInitialState()
    {
        var s = new Stepper(Builtins.FixedNoMb);
        var buffer = new HeldModeStore();
        s.P0.HeldStores = buffer;
        var round = new AlignedRound(s.Memory, s.P0);
        s.P(3).Post();
        buffer.Holding = false;
        buffer.Drain(ref s.Memory.Lines.Mode);
        s.Settle();
        Assert.NotNull(round.Judge());
        round.Reset();
        Assert.Equal("mode=OUTSIDE ON=0 PIR={} pending=none P0.guest=0", s.Memory.Snapshot().ToString());
        Assert.Equal(ThreadOp.IrqOff, s.P0.NextOp);
        Assert.False(s.P0.InGuest);
    }
}
