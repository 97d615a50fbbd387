using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis.Tests;

/// <summary><c>pilab synthesize</c> for design avic (docs/avic.md, "Synthesis of orders"): the enumeration,
/// the rule the verdicts follow under SC and TSO, named orders' exact runs, and the reason classes.</summary>
public sealed class AvicSynthesisTests
{
    private static readonly Lazy<IReadOnlyList<AvicSynthesizedOrder>> Hardware =
        new(() => AvicOrderSynthesis.Run(Builtins.Avic, Builtins.Avic.Check));

    private static readonly Variant KvmSender = Builtins.Avic with { Name = "avic-kvm-sender", Avic = Builtins.Avic.Avic with { Sender = AvicSender.Kvm } };

    private static readonly Lazy<IReadOnlyList<AvicSynthesizedOrder>> Kvm =
        new(() => AvicOrderSynthesis.Run(KvmSender, Builtins.Avic.Check));

    private static int P(AvicSynthesizedOrder r, AvicEntryUnit u) => r.Entry.Units.ToList().IndexOf(u);

    [Fact]
    public void Orders_Are_4Factorial_With_And_3Factorial_Without_Mb_Times_FourSenderOrders()
    {
        var entries = AvicOrderSynthesis.EntryOrders().ToList();
        Assert.Equal(24 + 6, entries.Count);
        Assert.Equal(24, entries.Count(e => e.Units.Contains(AvicEntryUnit.Mb)));
        Assert.Equal(entries.Count, entries.Select(e => e.ToString()).Distinct().Count());
        Assert.All(entries, e => Assert.EndsWith(" enter", e.ToString()));
        Assert.Equal(4, AvicOrderSynthesis.SenderOrders.Length);
        Assert.Equal(120, Hardware.Value.Count);
    }

    [Fact]
    public void GuestIpis_SafeOrders_AreExactlyThoseTheRulePredicts()
    {
        // SC: the sender's IRR write must come before its IsRunning read (else erratum #1235's lost wake-up);
        // the entry order does not matter: every order sets IsRunning before VMRUN evaluates the IRR.
        // TSO: also locked (a plain irr.store may pass the read in the sender's store buffer), and an mb
        // after isrunning.set or mode.in before VMRUN (else the sender reads both stale and VMRUN misses the IRR).
        foreach (var r in Hardware.Value)
        {
            bool writeFirst = r.Sender is AvicSenderOrder.SetThenRead or AvicSenderOrder.StoreThenRead;
            int mb = P(r, AvicEntryUnit.Mb);
            bool fenced = mb >= 0 && (P(r, AvicEntryUnit.IsRunningSet) < mb || P(r, AvicEntryUnit.ModeIn) < mb);
            Assert.True(writeFirst == r.Sc.Safe, $"{r.Text} / {r.SenderText}: SC");
            Assert.True((r.Sender == AvicSenderOrder.SetThenRead && fenced) == r.Tso.Safe, $"{r.Text} / {r.SenderText}: TSO");
        }
        Assert.Equal(60, Hardware.Value.Count(r => r.Sc.Safe));
        Assert.Equal(16, Hardware.Value.Count(r => r.Tso.Safe));
    }

    [Fact]
    public void KvmsInjector_SafeOrders_NeedTheMbAfterModeIn_AsOnApicv()
    {
        foreach (var r in Kvm.Value)
        {
            bool writeFirst = r.Sender is AvicSenderOrder.SetThenRead or AvicSenderOrder.StoreThenRead;
            int mb = P(r, AvicEntryUnit.Mb);
            Assert.True(writeFirst == r.Sc.Safe, $"{r.Text} / {r.SenderText}: SC");
            Assert.True((r.Sender == AvicSenderOrder.SetThenRead && mb > P(r, AvicEntryUnit.ModeIn)) == r.Tso.Safe, $"{r.Text} / {r.SenderText}: TSO");
        }
        Assert.Equal(60, Kvm.Value.Count(r => r.Sc.Safe));
        Assert.Equal(12, Kvm.Value.Count(r => r.Tso.Safe));
    }

    [Theory]
    // the kernel's orders: safe
    [InlineData("isrunning.set irq.off mode.in mb enter", "irr.set isrunning.read doorbell.or.exit", null, 0, 11476, null, 0, 18317)]
    // erratum #1235: the read before the IRR write
    [InlineData("isrunning.set irq.off mode.in mb enter", "isrunning.read irr.set doorbell.or.exit", "doorbell-ignored", 21, 9711, "doorbell-ignored", 27, 15744)]
    // a plain IRR write: the same race through the sender's store buffer, under TSO only
    [InlineData("isrunning.set irq.off mode.in mb enter", "irr.store isrunning.read doorbell.or.exit", null, 0, 11476, "doorbell-ignored", 28, 19231)]
    // the entry's mb before both stores: VMRUN misses the IRR while the sender reads both stale
    [InlineData("irq.off mb isrunning.set mode.in enter", "irr.set isrunning.read doorbell.or.exit", null, 0, 11520, "read-buffered", 36, 24797)]
    // the mb after mode.in only: enough (the exit path's mode.read sees IN_GUEST)
    [InlineData("irq.off mode.in mb isrunning.set enter", "irr.set isrunning.read doorbell.or.exit", null, 0, 11707, null, 0, 22045)]
    public void NamedOrders_HaveTheirExactVerdicts(string entry, string sender, string? sc, int scSteps, long scStates, string? tso, int tsoSteps, long tsoStates)
    {
        var r = Hardware.Value.Single(x => x.Text == entry && x.SenderText == sender);
        Assert.Equal((sc, scSteps, scStates), (r.Sc.Reason?.Rule.Id, r.Sc.TraceLength, r.Sc.States));
        Assert.Equal((tso, tsoSteps, tsoStates), (r.Tso.Reason?.Rule.Id, r.Tso.TraceLength, r.Tso.States));
    }

    [Fact]
    public void EveryLosingOrder_IsClassified_AndItsRuleMatchesWithinTheRun()
    {
        foreach (var rows in new[] { Hardware.Value, Kvm.Value })
            foreach (var r in rows)
                foreach (var o in new[] { r.Sc, r.Tso })
                {
                    Assert.Equal(o.Safe, o.Reason is null);
                    Assert.NotEqual(ReasonClass.Unclassified, o.Reason?.Class);
                    if (o.Reason is { Step: > 0 } reason) Assert.InRange(reason.Step, 1, o.TraceLength);
                    if (o.Reason is { } c) Assert.Contains(ReasonRule.Avic, rule => rule.Class == c.Class);
                }
    }

    [Fact]
    public void TheKernelsOrders_HaveTheBuiltinsVerdicts()
    {
        // The synthesis moves avic_vcpu_load's IsRunning store into the entry; at the kernel's place it
        // agrees with the kernel's model on both built-ins (avic safe, the erratum losing under SC).
        var kernel = Hardware.Value.Single(r => r.Entry == AvicOrderSynthesis.KernelEntry && r.Sender == AvicSenderOrder.SetThenRead);
        Assert.Equal(Models.Check(Builtins.Avic, Builtins.Avic.Check with { Memory = MemoryModel.SC }).Verdict, kernel.Sc.Verdict);
        Assert.Equal(Models.Check(Builtins.Avic, Builtins.Avic.Check).Verdict, kernel.Tso.Verdict);
        var erratum = AvicOrderSynthesis.Run(Builtins.AvicErratum1235, Builtins.AvicErratum1235.Check)
            .Single(r => r.Entry == AvicOrderSynthesis.KernelEntry && r.Sender == AvicSenderOrder.ReadThenSet);
        Assert.Equal(Verdict.Violation, Models.Check(Builtins.AvicErratum1235, Builtins.AvicErratum1235.Check).Verdict);
        Assert.Equal(Verdict.Violation, erratum.Sc.Verdict);
        Assert.Equal(ReasonClass.DoorbellIgnored, erratum.Sc.Reason!.Class);
    }

    [Fact]
    public void AnEntryDesignInjector_IsNotAvicSynthesis_AndAnotherWholeSystemDesignIsRefused()
    {
        Assert.Throws<ArgumentException>(() => AvicOrderSynthesis.Run(Builtins.Fixed, new Configuration()));
        Assert.Null(InjectorSide.Parse("kvm-2021", out var error));
        Assert.Contains("design avic against a CPU poster's orders", error);
        Assert.NotNull(InjectorSide.Parse("avic", out _));
    }
}
