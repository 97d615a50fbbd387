using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis;

/// <summary>A place an <c>mb</c> can go: before step <see cref="Index"/> of the entry or the injector sequence.</summary>
public readonly record struct BarrierPlace(bool InEntry, int Index)
{
    /// <summary>"entry: mb after mode.in (before on.read)", in the variant's own step names.</summary>
    public string Describe(Variant v)
    {
        string side = InEntry ? "entry" : "injector";
        string? after = Index > 0 ? (InEntry ? StepNames.Name(v.Entry[Index - 1]) : StepNames.Name(v.Injector[Index - 1])) : null;
        string? before = InEntry ? (Index < v.Entry.Length ? StepNames.Name(v.Entry[Index]) : null)
            : Index < v.Injector.Length ? StepNames.Name(v.Injector[Index]) : null;
        return after is null ? $"{side}: mb before {before}"
            : before is null ? $"{side}: mb after {after} (last)"
            : $"{side}: mb after {after} (before {before})";
    }
}

/// <summary>A set of barrier places that makes the variant safe under TSO, and the variant with them.</summary>
public sealed record BarrierSet(ImmutableArray<BarrierPlace> Places, Variant Variant);

/// <summary>What the search found.</summary>
public sealed record BarrierResult(
    Variant Variant,
    Configuration Configuration,
    CheckResult Tso,
    CheckResult Sc,
    ImmutableArray<BarrierPlace> Candidates,
    ImmutableArray<BarrierSet> Minimal,
    int MaxSize,
    int Checked,
    CheckResult? AllPlaces,
    ImmutableArray<(int EntryIndex, bool Needed)> ExistingEntryBarriers)
{
    /// <summary>True when no set of barriers can help: the variant loses under SC, or with a barrier in every place.</summary>
    public bool Impossible => Sc.Verdict != Verdict.Safe || AllPlaces is { Verdict: not Verdict.Safe };
}

/// <summary>
/// Finds the inclusion-minimal sets of <c>mb</c> placements in the entry and injector sequences that
/// make a variant safe under x86-TSO, by checking sets in order of size and skipping supersets of
/// sets already found safe. Why the shortcuts are sound:
/// <list type="bullet">
/// <item>Under SC a barrier changes no state (PiSystem's Mb only advances the pc), and every SC run is
/// a TSO run (flush each store at once), so a variant that loses under SC loses under TSO whatever
/// barriers it gets; the SC trace is the proof.</item>
/// <item>A barrier only disables steps (it waits for an empty buffer), so barriers in every place
/// allow the fewest behaviours; if that still loses, no subset helps.</item>
/// </list>
/// Places left out: inside <c>sync</c> (a barrier between on.read and on.clear would break the ON = 0
/// skip, changing the protocol, not its ordering), between <c>notify</c> and its <c>kick</c> (same, the
/// IPI-sent skip), before the first injector step (pir.set must come first), and next to an existing
/// <c>mb</c> (two barriers in a row order nothing more than one).
/// </summary>
public static class BarrierSearch
{
    public const int DefaultMaxSize = 3;

    public static BarrierResult Run(Variant variant, Configuration configuration, int maxSize = DefaultMaxSize, ExplorationOptions? options = null)
    {
        var tsoConfig = configuration with { Memory = MemoryModel.TSO };
        var tso = ModelChecker.Check(variant, tsoConfig, options);
        var sc = ModelChecker.Check(variant, configuration with { Memory = MemoryModel.SC }, options);
        var candidates = Candidates(variant);
        var existing = ExistingEntryBarriers(variant, tsoConfig, tso, options);
        int checkedCount = 2;
        if (tso.Verdict == Verdict.Safe)
            return new(variant, tsoConfig, tso, sc, candidates, [new([], variant)], maxSize, checkedCount, null, existing);
        if (sc.Verdict != Verdict.Safe)
            return new(variant, tsoConfig, tso, sc, candidates, [], maxSize, checkedCount, null, existing);

        var all = ModelChecker.Check(With(variant, candidates), tsoConfig, options);
        checkedCount++;
        if (all.Verdict != Verdict.Safe)
            return new(variant, tsoConfig, tso, sc, candidates, [], maxSize, checkedCount, all, existing);

        var found = new List<BarrierSet>();
        var foundMasks = new List<int>();
        int n = candidates.Length;
        for (int size = 1; size <= Math.Min(maxSize, n); size++)
        {
            foreach (int mask in Subsets(n, size))
            {
                if (foundMasks.Any(f => (f & mask) == f)) continue; // a superset of a safe set is not minimal
                var places = candidates.Where((_, i) => (mask & (1 << i)) != 0).ToImmutableArray();
                var v = With(variant, places);
                checkedCount++;
                if (ModelChecker.Check(v, tsoConfig, options).Verdict == Verdict.Safe)
                {
                    found.Add(new(places, v));
                    foundMasks.Add(mask);
                }
            }
        }
        return new(variant, tsoConfig, tso, sc, candidates, [.. found], maxSize, checkedCount, all, existing);
    }

    /// <summary>The places a barrier may go in this variant (see the class comment for those left out).</summary>
    public static ImmutableArray<BarrierPlace> Candidates(Variant v)
    {
        var places = ImmutableArray.CreateBuilder<BarrierPlace>();
        var e = v.Entry;
        for (int i = 0; i < e.Length; i++)
        {
            bool insideSync = e[i] is EntryStep.OnClear or EntryStep.PirDrain && i > 0
                && e[i - 1] is EntryStep.OnRead or EntryStep.OnClear or EntryStep.PirDrain;
            bool nextToMb = e[i] == EntryStep.Mb || (i > 0 && e[i - 1] == EntryStep.Mb);
            if (!insideSync && !nextToMb) places.Add(new(true, i));
        }
        var inj = v.Injector;
        for (int i = 1; i <= inj.Length; i++)
        {
            bool notifyKick = inj[i - 1] == InjectorStep.Notify && i < inj.Length && inj[i] == InjectorStep.Kick;
            bool nextToMb = inj[i - 1] == InjectorStep.Mb || (i < inj.Length && inj[i] == InjectorStep.Mb);
            if (!notifyKick && !nextToMb) places.Add(new(false, i));
        }
        return places.ToImmutable();
    }

    /// <summary>The variant with an mb inserted at each place (indices refer to the original sequences).</summary>
    public static Variant With(Variant v, IReadOnlyCollection<BarrierPlace> places)
    {
        var entry = new List<EntryStep>();
        for (int i = 0; i <= v.Entry.Length; i++)
        {
            if (places.Contains(new(true, i))) entry.Add(EntryStep.Mb);
            if (i < v.Entry.Length) entry.Add(v.Entry[i]);
        }
        var injector = new List<InjectorStep>();
        for (int i = 0; i <= v.Injector.Length; i++)
        {
            if (places.Contains(new(false, i))) injector.Add(InjectorStep.Mb);
            if (i < v.Injector.Length) injector.Add(v.Injector[i]);
        }
        return v with { Name = places.Count == 0 ? v.Name : v.Name + "+mb", Entry = [.. entry], Injector = [.. injector] };
    }

    /// <summary>For each mb already in the entry: does the variant lose under TSO without it?</summary>
    private static ImmutableArray<(int, bool)> ExistingEntryBarriers(Variant v, Configuration tso, CheckResult withAll, ExplorationOptions? options)
    {
        if (withAll.Verdict != Verdict.Safe) return [];
        var result = ImmutableArray.CreateBuilder<(int, bool)>();
        for (int i = 0; i < v.Entry.Length; i++)
        {
            if (v.Entry[i] != EntryStep.Mb) continue;
            var without = v with { Entry = v.Entry.RemoveAt(i) };
            result.Add((i, ModelChecker.Check(without, tso, options).Verdict != Verdict.Safe));
        }
        return result.ToImmutable();
    }

    private static IEnumerable<int> Subsets(int n, int size)
    {
        // Gosper's hack: the n-bit masks with exactly size bits, in increasing order.
        int mask = (1 << size) - 1;
        while (mask < 1 << n)
        {
            yield return mask;
            int c = mask & -mask, r = mask + c;
            mask = (((r ^ mask) >> 2) / c) | r;
        }
    }
}
