using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.Avic;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Analysis;

/// <summary>One synthesized AVIC order (an entry order and a sender order) with its verdicts under SC and TSO.</summary>
public sealed record AvicSynthesizedOrder(AvicEntryOrder Entry, AvicSenderOrder Sender, Variant Variant, OrderOutcome Sc, OrderOutcome Tso) : ISynthesizedOrder
{
    public bool HasMb => Entry.Units.Contains(AvicEntryUnit.Mb);

    /// <summary>The entry order, ending in enter.</summary>
    public string Text => Entry.ToString();

    /// <summary>The sender's steps up to its first notification (doorbell.or.exit for a guest IPI, doorbell.or.wake for KVM's injector).</summary>
    public string SenderText => AvicOrderSynthesis.SenderText(Variant.Avic.Sender, Sender);
}

/// <summary>
/// Synthesis for design avic (docs/avic.md, "Synthesis of orders"): every order of the entry units
/// <c>isrunning.set</c>, <c>irq.off</c>, <c>mode.in</c>, <c>mb</c> (then <c>enter</c>, VMRUN, which evaluates the IRR),
/// with and without <c>mb</c> (4! + 3! = 30), against every order of the CPU poster's IRR write and its read
/// (IsRunning for a guest IPI, vcpu->mode for KVM's injector), the write locked (<c>irr.set</c>) or plain
/// (<c>irr.store</c>): 4 sender orders, 120 pairs, each checked under SC and TSO with the rest of the variant
/// (its block path, IOMMU posters and policies) as it is.
/// </summary>
public static class AvicOrderSynthesis
{
    public static readonly ImmutableArray<AvicSenderOrder> SenderOrders =
        [AvicSenderOrder.SetThenRead, AvicSenderOrder.ReadThenSet, AvicSenderOrder.StoreThenRead, AvicSenderOrder.ReadThenStore];

    /// <summary>Every entry order: those with mb, then those without, each in lexicographic order of the units.</summary>
    public static IEnumerable<AvicEntryOrder> EntryOrders()
    {
        AvicEntryUnit[] withMb = [AvicEntryUnit.IsRunningSet, AvicEntryUnit.IrqOff, AvicEntryUnit.ModeIn, AvicEntryUnit.Mb];
        AvicEntryUnit[] withoutMb = [AvicEntryUnit.IsRunningSet, AvicEntryUnit.IrqOff, AvicEntryUnit.ModeIn];
        foreach (var p in OrderSynthesis.Permutations(withMb)) yield return AvicEntryOrder.Of(p);
        foreach (var p in OrderSynthesis.Permutations(withoutMb)) yield return AvicEntryOrder.Of(p);
    }

    /// <summary>The entry order the kernel's code amounts to: IsRunning (avic_vcpu_load) before the whole entry.</summary>
    public static readonly AvicEntryOrder KernelEntry =
        AvicEntryOrder.Of([AvicEntryUnit.IsRunningSet, AvicEntryUnit.IrqOff, AvicEntryUnit.ModeIn, AvicEntryUnit.Mb]);

    public static string SenderText(AvicSender kind, AvicSenderOrder order)
    {
        var steps = AvicModel.Sender(kind, order);
        int shown = kind == AvicSender.Kvm ? steps.Length : 3;
        return string.Join(' ', steps.Take(shown).Select(SenderOps.Name));
    }

    /// <summary>
    /// Checks every pair with the rest of <paramref name="side"/> (a design-avic variant; its sender kind says
    /// whether the CPU posters are guest IPIs or KVM's injector) in <paramref name="configuration"/> (its memory
    /// model is ignored: both are checked).
    /// </summary>
    public static ImmutableArray<AvicSynthesizedOrder> Run(Variant side, Configuration configuration, ExplorationOptions? options = null)
    {
        if (!side.IsAvic) throw new ArgumentException($"{side.Name} is not of design avic", nameof(side));
        // The erratum sender is the hardware sender with its read first: the orders below cover it.
        var kind = side.Avic.Sender == AvicSender.Kvm ? AvicSender.Kvm : AvicSender.Hardware;
        var rows = ImmutableArray.CreateBuilder<AvicSynthesizedOrder>();
        foreach (var entry in EntryOrders())
            foreach (var sender in SenderOrders)
            {
                var variant = side with
                {
                    Name = $"{string.Join('-', entry.Units.Select(AvicEntryOrder.Name))}/{SenderText(kind, sender).Replace(' ', '-')}",
                    Description = "synthesized AVIC order",
                    Source = "pilab synthesize",
                    Avic = side.Avic with { Sender = kind, Entry = entry, SenderOrder = sender },
                };
                rows.Add(new(entry, sender, variant,
                    Outcome(variant, configuration with { Memory = MemoryModel.SC }, options),
                    Outcome(variant, configuration with { Memory = MemoryModel.TSO }, options)));
            }
        return rows.ToImmutable();
    }

    /// <summary>One row per pair: the entry order, the sender order, whether it has mb, and per memory model the verdict, reason class, step, trace length and states.</summary>
    public static string Csv(IReadOnlyList<AvicSynthesizedOrder> rows)
    {
        var sb = new System.Text.StringBuilder("order,sender,has_mb,sc_verdict,sc_reason,sc_reason_step,sc_trace_steps,sc_states,tso_verdict,tso_reason,tso_reason_step,tso_trace_steps,tso_states\n");
        foreach (var r in rows)
            sb.Append($"{r.Text},{r.SenderText},{(r.HasMb ? 1 : 0)},{OrderSynthesis.Cells(r.Sc)},{OrderSynthesis.Cells(r.Tso)}\n");
        return sb.ToString();
    }

    private static OrderOutcome Outcome(Variant v, Configuration c, ExplorationOptions? options)
    {
        var r = Models.Check(v, c, options);
        var trace = r.ExplorationOf<AvicState>().Trace;
        return new(r.Verdict, AvicReasonClassifier.Classify(r), trace.IsDefaultOrEmpty ? 0 : trace.Length, r.Exploration.States);
    }
}

/// <summary>Applies the rules of <see cref="ReasonRule.Avic"/> to an AVIC trace, in order, over its labels and the states before each step.</summary>
public static class AvicReasonClassifier
{
    public static Reason Classify(AvicModel system, AvicState initial, IReadOnlyList<TraceStep<AvicState>> trace)
    {
        var final = trace.Count == 0 ? initial : trace[^1].State;
        if (system.Classify(final) == TerminalKind.Stuck) return new(ReasonClass.Stuck, 0);
        var config = system.Configuration;
        int posted = 0;
        for (int p = 0; p < config.Posters; p++) posted |= 1 << config.VectorOf(p);
        int lost = posted & ~final.Delivered;
        bool LostPoster(int p) => (lost & (1 << config.VectorOf(p))) != 0;

        var before = initial;
        int? doorbell = null, wake = null, notNotified = null;
        for (int j = 0; j < trace.Count; j++)
        {
            int label = trace[j].Label, actor = AvicLabels.Actor(label), step = AvicLabels.Step(label);
            var s = before;
            before = trace[j].State;
            if (actor >= AvicLabels.FirstPoster)
            {
                int p = actor - AvicLabels.FirstPoster;
                if (!LostPoster(p)) continue;
                if (config.IsIommu(p))
                {
                    if (step == 0 && !s.IrteIsRun && !s.GaLogIntr) notNotified ??= j + 1;
                    continue;
                }
                if (step == AvicLabels.PosterFlush) continue;
                switch (system.SenderSteps[step])
                {
                    case SenderOp.IsRunningRead when !s.IsRunning && NewestEntry(s) is true:
                    case SenderOp.ModeRead when s.Mode != VcpuMode.InGuest && NewestMode(s) == VcpuMode.InGuest:
                        return new(ReasonClass.ReadBuffered, j + 1);
                    case SenderOp.DoorbellOrWake when (s.PosterRead(p) & AvicModel.ReadFlag) == 0 && (s.Irr & lost) != 0 && !(s.Waiter && s.TaskInterruptible):
                        wake ??= j + 1;
                        break;
                }
            }
            else if (actor == AvicLabels.GaLog)
            {
                if ((s.Irr & lost) != 0 && !(s.Waiter && s.TaskInterruptible)) wake ??= j + 1;
            }
            else if (actor is AvicLabels.FirstCpu or AvicLabels.FirstCpu + 1)
            {
                int c = actor - AvicLabels.FirstCpu;
                bool guestHere = s.Status == ThreadStatus.OnCpu && s.HostCpu == c && s.Guest;
                if (!guestHere && (s.Irr & lost) != 0) doorbell ??= j + 1;
            }
        }
        if (doorbell is { } d) return new(ReasonClass.DoorbellIgnored, d);
        if (wake is { } w) return new(ReasonClass.WakeMissed, w);
        if (notNotified is { } n) return new(ReasonClass.NotNotified, n);
        return new(ReasonClass.Unclassified, 0);
    }

    /// <summary>The IsRunning of the thread's newest buffered table store, or null when none is buffered.</summary>
    private static bool? NewestEntry(in AvicState s)
    {
        for (int i = s.StoreBufferLength - 1; i >= 0; i--)
            if (s.StoreBufferAt(i).IsEntry()) return ((int)s.StoreBufferAt(i) & 2) != 0;
        return null;
    }

    /// <summary>The mode of the thread's newest buffered mode store, or null when none is buffered.</summary>
    private static VcpuMode? NewestMode(in AvicState s)
    {
        for (int i = s.StoreBufferLength - 1; i >= 0; i--)
            if (s.StoreBufferAt(i) is AvicStore.ModeInGuest or AvicStore.ModeOutside) return (VcpuMode)(int)s.StoreBufferAt(i);
        return null;
    }

    /// <summary>The class of a check's shortest losing run, or null when it has none.</summary>
    public static Reason? Classify(CheckResult result)
    {
        if (result.Verdict is not (Verdict.Violation or Verdict.Stuck)) return null;
        var exploration = result.ExplorationOf<AvicState>();
        var trace = exploration.Trace;
        return Classify(new AvicModel(result.Variant, result.Configuration), exploration.Initial, trace.IsDefault ? ImmutableArray<TraceStep<AvicState>>.Empty : trace);
    }
}
