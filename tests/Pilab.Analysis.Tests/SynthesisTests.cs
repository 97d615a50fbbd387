using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis.Tests;

/// <summary><c>pilab synthesize</c>'s enumeration, verdicts and reason classes.</summary>
public sealed class SynthesisTests
{
    private static readonly Lazy<IReadOnlyList<SynthesizedOrder>> Default =
        new(() => OrderSynthesis.Run(InjectorSide.Default, new Configuration()));

    [Fact]
    public void Orders_Are_5Factorial_With_And_4Factorial_Without_Mb_AllDistinct()
    {
        var orders = OrderSynthesis.Orders().ToList();
        Assert.Equal(120 + 24, orders.Count);
        Assert.Equal(120, orders.Count(o => o.Contains(EntryUnit.Mb)));
        Assert.Equal(orders.Count, orders.Select(o => string.Join(' ', o)).Distinct().Count());
    }

    [Fact]
    public void WithOneInjector_SafeOrders_AreExactlyThoseTheSeedsPairingPredicts()
    {
        // The seed's pairing argument, for one injector: the sync (2, 1) must come after both the
        // irq.off (4a: else the dummy handler eats NOTIFY and nobody syncs) and the mode.in (3: else
        // the injector reads OUTSIDE after the vCPU's last look at ON); under TSO the mode.in store
        // must also be fenced before the sync's load of ON. check's place does not matter with one
        // post: a kick only succeeds after mode.in, and its RESCHED then exits the guest.
        // So 1/3 of the orders are safe under SC (40 + 8) and 1/8 of those with mb under TSO (15).
        foreach (var r in Default.Value)
        {
            int P(EntryUnit u) => r.Units.IndexOf(u);
            bool sc = P(EntryUnit.Sync) > P(EntryUnit.IrqOff) && P(EntryUnit.Sync) > P(EntryUnit.ModeIn);
            bool tso = sc && r.HasMb && P(EntryUnit.ModeIn) < P(EntryUnit.Mb) && P(EntryUnit.Mb) < P(EntryUnit.Sync);
            Assert.True(sc == r.Sc.Safe, $"{r.Text}: SC");
            Assert.True(tso == r.Tso.Safe, $"{r.Text}: TSO");
        }
        Assert.Equal(48, Default.Value.Count(r => r.Sc.Safe));
        Assert.Equal(15, Default.Value.Count(r => r.Tso.Safe));
    }

    [Theory]
    [InlineData("irq.off mode.in mb sync check enter", null, null)]                                          // fixed
    [InlineData("irq.off sync mode.in mb check enter", "read-outside-after-on-read", "store-buffer")]          // patch-v1
    [InlineData("mode.in mb sync irq.off check enter", "dummy-handler", "dummy-handler")]                      // irq-late
    [InlineData("irq.off mode.in sync check enter", null, "store-buffer")]                                   // fixed-nomb
    public void SeedOrders_GetTheSeedsReasons(string order, string? sc, string? tso)
    {
        var r = Default.Value.Single(x => x.Text == order);
        Assert.Equal(sc, r.Sc.Reason?.Rule.Id);
        Assert.Equal(tso, r.Tso.Reason?.Rule.Id);
    }

    [Fact]
    public void EveryLosingOrder_IsClassified_WithOneAndTwoInjectors()
    {
        foreach (var rows in new[] { Default.Value, OrderSynthesis.Run(InjectorSide.Default, new Configuration(Injectors: 2)) })
            foreach (var r in rows)
                foreach (var o in new[] { r.Sc, r.Tso })
                {
                    Assert.Equal(o.Safe, o.Reason is null);
                    Assert.NotEqual(ReasonClass.Unclassified, o.Reason?.Class);
                    if (o.Reason is { Step: > 0 } reason) Assert.InRange(reason.Step, 1, o.TraceLength);
                }
    }

    [Fact]
    public void CheckBeforeModeIn_LosesWithTwoInjectors_BecauseTheKicksReschedIsHandledInTheHost()
    {
        // P1 reads OUTSIDE, the vCPU's mode.in lands, P1's kick succeeds (EXITING, RESCHED) while IF = 1
        // and check has already run: the host handles RESCHED, the vCPU enters with mode EXITING, and
        // P2 then reads EXITING, its kick fails, and v2 is stranded.
        var rows = OrderSynthesis.Run(InjectorSide.Default, new Configuration(Injectors: 2));
        var r = rows.Single(x => x.Text == "check mode.in irq.off mb sync enter");
        Assert.Equal(ReasonClass.ReschedAfterCheck, r.Sc.Reason!.Class);
        Assert.Equal(20, r.Sc.TraceLength);
    }

    /// <summary>The order matrix does not depend on the machine: every order's verdicts, reason
    /// classes (with the step they point at) and run lengths are the same for one, two and three
    /// workers, with the command line's reductions (as <c>pilab synthesize</c> and <c>pilab report</c>
    /// check) and without.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EveryOrder_GetsTheSameReason_OnAnyNumberOfWorkers(bool reduced)
    {
        var options = reduced ? ExplorationOptions.Reduced : ExplorationOptions.Unreduced;
        var one = OrderSynthesis.Run(InjectorSide.Default, new Configuration(), options with { Workers = 1 });
        foreach (int workers in new[] { 2, 3 })
        {
            var several = OrderSynthesis.Run(InjectorSide.Default, new Configuration(), options with { Workers = workers });
            Assert.Equal(one.Length, several.Length);
            for (int i = 0; i < one.Length; i++)
                foreach (var (a, b, mm) in new[] { (one[i].Sc, several[i].Sc, "SC"), (one[i].Tso, several[i].Tso, "TSO") })
                    Assert.True(a.Verdict == b.Verdict && a.Reason == b.Reason && a.TraceLength == b.TraceLength,
                        $"{one[i].Text} {mm}, {workers} workers: {b.Verdict} {b.Reason} in {b.TraceLength} steps; one worker {a.Verdict} {a.Reason} in {a.TraceLength}");
        }
    }

    [Fact]
    public void Csv_HasOneRowPerOrder_WithBothVerdictsAndReasons()
    {
        var lines = OrderSynthesis.Csv(Default.Value).TrimEnd('\n').Split('\n');
        Assert.Equal(145, lines.Length);
        Assert.Equal(12, lines[0].Split(',').Length);
        Assert.Contains(lines, l => l.StartsWith("irq.off sync mode.in mb check enter,1,violation,read-outside-after-on-read,5,11,", StringComparison.Ordinal));
        Assert.All(lines.Skip(1), l => Assert.Equal(12, l.Split(',').Length));
    }

    [Fact]
    public void InjectorSide_ParsesBuiltinsAndSequences_AndRejectsNonsense()
    {
        Assert.Equal(OnAlreadySet.Kick, InjectorSide.Parse("prepatch", out _)!.OnAlreadySet);
        var seq = InjectorSide.Parse("pir.set on.set mode.read notify", out var error);
        Assert.Null(error);
        Assert.Equal([InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ModeRead, InjectorStep.Notify], seq!.Injector);
        Assert.Null(InjectorSide.Parse("pir.set wibble", out error));
        Assert.Contains("'wibble'", error);
        Assert.Null(InjectorSide.Parse("on.set pir.set", out error));
        Assert.Contains("start with pir.set", error);
    }
}
