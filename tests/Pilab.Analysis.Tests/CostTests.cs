using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis.Tests;

/// <summary>The cost of a delivery, worked out by hand for one injector posting once.</summary>
public sealed class CostTests
{
    [Theory]
    [InlineData(MemoryModel.SC)]
    [InlineData(MemoryModel.TSO)]
    public void Fixed_WithIrqPriority_CostsAtMostOneOfEach_AndNoEventRequest(MemoryModel mm)
    {
        // Cheapest run: the injector posts before the vCPU sets IN_GUEST: it reads OUTSIDE, its kick
        // fails, the entry syncs: nothing is sent. Dearest: it reads OUTSIDE, the vCPU sets IN_GUEST,
        // the kick succeeds (one RESCHED), check cancels the entry (one), and after the next entry
        // RESCHED forces one VM exit and one host handler run; or it reads IN_GUEST and sends one
        // NOTIFY. Never more than one of each, and no KVM_REQ_EVENT in the patched design.
        var c = DeliveryCost.Compute(Builtins.Fixed, new Configuration(Memory: mm, IrqPriority: true));
        Assert.Equal(Verdict.Safe, c.Verdict);
        foreach (var m in new[] { CostMetric.NotifyIpi, CostMetric.ReschedIpi, CostMetric.CancelledEntry, CostMetric.VmExit, CostMetric.HostHandler })
            Assert.Equal(new CostRange(0, 1), c[m]);
        Assert.Equal(new CostRange(0, 0), c[CostMetric.EventRequest]);
    }

    [Fact]
    public void PrePatch_CostsUpToTwoCancelledEntriesAndAnEventRequest_WhatThePatchSaved()
    {
        // Pre-patch, the injector's req.set makes the entry's check cancel (EVENT pending), and its
        // kick can cancel the next entry too (EXITING); the request path runs once.
        var pre = DeliveryCost.Compute(Builtins.PrePatch, new Configuration(IrqPriority: true));
        var fixd = DeliveryCost.Compute(Builtins.Fixed, new Configuration(IrqPriority: true));
        Assert.Equal(new CostRange(0, 2), pre[CostMetric.CancelledEntry]);
        Assert.Equal(new CostRange(0, 1), pre[CostMetric.EventRequest]);
        Assert.Equal(new CostRange(0, 1), fixd[CostMetric.CancelledEntry]);
    }

    [Fact]
    public void WithoutIrqPriority_VmExitsAreUnbounded_ByTheReschedReentryLoop()
    {
        // host.irq is enabled, never forced: the kicked vCPU may enter, take the RESCHED exit, and
        // enter again forever (docs/model.md section 5); every other metric stays bounded.
        var c = DeliveryCost.Compute(Builtins.Fixed, new Configuration());
        Assert.True(c[CostMetric.VmExit].Unbounded);
        Assert.Equal(new CostRange(0, 1), c[CostMetric.ReschedIpi]);
        Assert.Equal(new CostRange(0, 1), c[CostMetric.HostHandler]);
    }

    [Fact]
    public void GuestExits_AddToVmExits_AndEveryRunSpendsTheBudget()
    {
        // guest.exit stays enabled while budget is left, so a terminal state has spent it: every
        // complete run has exactly e guest exits, plus at most the one RESCHED exit.
        var c = DeliveryCost.Compute(Builtins.Fixed, new Configuration(Exits: 2, IrqPriority: true));
        Assert.Equal(new CostRange(2, 3), c[CostMetric.VmExit]);
    }

    [Fact]
    public void CostExploration_SeesTheSameStatesAsTheChecker()
    {
        foreach (var v in new[] { Builtins.PrePatch, Builtins.Fixed })
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            {
                var config = new Configuration(Injectors: 2, Memory: mm);
                Assert.Equal(ModelChecker.Check(v, config).Exploration.States, DeliveryCost.Compute(v, config).States);
            }
    }

    [Fact]
    public void TooLargeAGraph_IsRefusedWithAReason_NotAnException()
    {
        Assert.Null(DeliveryCost.TryCompute(Builtins.Fixed, new Configuration(Injectors: 2), out string? why, maxStates: 100));
        Assert.StartsWith("more than 100 states", why);
    }
}
