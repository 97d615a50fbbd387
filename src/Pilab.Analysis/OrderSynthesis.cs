using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis;

/// <summary>The units the entry orders are made of: the seed's steps with <c>sync</c> kept whole.</summary>
public enum EntryUnit : byte { IrqOff, ModeIn, Mb, Sync, Check }

/// <summary>One memory model's verdict on an order, and for a losing order the class of its shortest run.</summary>
public sealed record OrderOutcome(Verdict Verdict, Reason? Reason, int TraceLength, long States)
{
    public bool Safe => Verdict == Verdict.Safe;
}

/// <summary>A synthesized order of either synthesis (design entry or design avic): its text, whether it has mb, its two verdicts.</summary>
public interface ISynthesizedOrder
{
    string Text { get; }
    bool HasMb { get; }
    OrderOutcome Sc { get; }
    OrderOutcome Tso { get; }
}

/// <summary>One synthesized entry order with its verdicts under SC and TSO.</summary>
public sealed record SynthesizedOrder(ImmutableArray<EntryUnit> Units, Variant Variant, OrderOutcome Sc, OrderOutcome Tso) : ISynthesizedOrder
{
    public bool HasMb => Units.Contains(EntryUnit.Mb);
    public string Text => string.Join(' ', Units.Select(OrderSynthesis.Name)) + " enter";
}

/// <summary>
/// Enumerates every order of the entry steps <c>irq.off</c>, <c>mode.in</c>, <c>mb</c>, <c>sync</c>,
/// <c>check</c> (then <c>enter</c>), with and without <c>mb</c>: 5! + 4! = 144 orders. Each is
/// checked under SC and TSO with one injector sequence, and every losing order's shortest run is
/// given a <see cref="ReasonClass"/>.
/// </summary>
public static class OrderSynthesis
{
    public static string Name(EntryUnit u) => u switch
    {
        EntryUnit.IrqOff => "irq.off",
        EntryUnit.ModeIn => "mode.in",
        EntryUnit.Mb => "mb",
        EntryUnit.Sync => "sync",
        EntryUnit.Check => "check",
        _ => throw new ArgumentOutOfRangeException(nameof(u)),
    };

    /// <summary>Every order: first those with mb, then those without, each in lexicographic order of the units.</summary>
    public static IEnumerable<ImmutableArray<EntryUnit>> Orders()
    {
        EntryUnit[] withMb = [EntryUnit.IrqOff, EntryUnit.ModeIn, EntryUnit.Mb, EntryUnit.Sync, EntryUnit.Check];
        EntryUnit[] withoutMb = [EntryUnit.IrqOff, EntryUnit.ModeIn, EntryUnit.Sync, EntryUnit.Check];
        foreach (var p in Permutations(withMb)) yield return p;
        foreach (var p in Permutations(withoutMb)) yield return p;
    }

    /// <summary>The entry steps of an order: the units, sync expanded, then enter.</summary>
    public static ImmutableArray<EntryStep> Entry(IEnumerable<EntryUnit> units)
    {
        var steps = ImmutableArray.CreateBuilder<EntryStep>();
        foreach (var u in units)
        {
            switch (u)
            {
                case EntryUnit.IrqOff: steps.Add(EntryStep.IrqOff); break;
                case EntryUnit.ModeIn: steps.Add(EntryStep.ModeIn); break;
                case EntryUnit.Mb: steps.Add(EntryStep.Mb); break;
                case EntryUnit.Sync: steps.AddRange(EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain); break;
                case EntryUnit.Check: steps.Add(EntryStep.Check); break;
            }
        }
        steps.Add(EntryStep.Enter);
        return steps.ToImmutable();
    }

    /// <summary>
    /// Checks every order with the injector side (sequence and policies) of <paramref name="injector"/>
    /// in <paramref name="configuration"/> (its memory model is ignored: both are checked).
    /// </summary>
    public static ImmutableArray<SynthesizedOrder> Run(Variant injector, Configuration configuration, ExplorationOptions? options = null)
    {
        var rows = ImmutableArray.CreateBuilder<SynthesizedOrder>();
        foreach (var units in Orders())
        {
            var entry = Entry(units);
            var variant = injector with
            {
                Name = string.Join('-', units.Select(Name)),
                Description = "synthesized entry order",
                Entry = entry,
                Source = "pilab synthesize",
            };
            rows.Add(new(units, variant, Outcome(variant, configuration with { Memory = MemoryModel.SC }, options),
                Outcome(variant, configuration with { Memory = MemoryModel.TSO }, options)));
        }
        return rows.ToImmutable();
    }

    /// <summary>One row per order: the order, whether it has mb, and per memory model the verdict, reason class, trace length and states.</summary>
    public static string Csv(IReadOnlyList<SynthesizedOrder> rows)
    {
        var sb = new System.Text.StringBuilder("order,has_mb,sc_verdict,sc_reason,sc_reason_step,sc_trace_steps,sc_states,tso_verdict,tso_reason,tso_reason_step,tso_trace_steps,tso_states\n");
        foreach (var r in rows)
            sb.Append($"{r.Text},{(r.HasMb ? 1 : 0)},{Cells(r.Sc)},{Cells(r.Tso)}\n");
        return sb.ToString();
    }

    /// <summary>One outcome's CSV cells: verdict, reason class, the step its rule matched, trace length, states (both syntheses' CSV).</summary>
    public static string Cells(OrderOutcome o) =>
        $"{VerdictWord(o.Verdict)},{o.Reason?.Rule.Id ?? ""},{o.Reason?.Step.ToString() ?? ""},{o.TraceLength},{o.States}";

    public static string VerdictWord(Verdict v) => Verdicts.Name(v);

    private static OrderOutcome Outcome(Variant v, Configuration c, ExplorationOptions? options)
    {
        var r = ModelChecker.Check(v, c, options);
        var trace = r.ExplorationOf<PiState>().Trace;
        return new(r.Verdict, ReasonClassifier.Classify(r), trace.IsDefaultOrEmpty ? 0 : trace.Length, r.Exploration.States);
    }

    /// <summary>Every permutation of <paramref name="items"/>, in lexicographic order of their positions (both syntheses enumerate with it).</summary>
    public static IEnumerable<ImmutableArray<T>> Permutations<T>(T[] items)
    {
        if (items.Length <= 1)
        {
            yield return [.. items];
            yield break;
        }
        for (int i = 0; i < items.Length; i++)
        {
            var rest = items.Where((_, j) => j != i).ToArray();
            foreach (var tail in Permutations(rest))
                yield return [items[i], .. tail];
        }
    }
}
