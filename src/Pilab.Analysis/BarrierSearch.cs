using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis;

/// <summary>The sequence of a variant a barrier sits in.</summary>
public enum BarrierSequence
{
    /// <summary>The vCPU entry (both designs).</summary>
    Entry,
    /// <summary>The injector's sequence.</summary>
    Injector,
    /// <summary>Whole-system designs: kvm_vcpu_block's loop.</summary>
    Block,
    /// <summary>Whole-system designs: vmx_vcpu_pi_load's sub-steps.</summary>
    SchedIn,
}

/// <summary>A place an <c>mb</c> can go: before step <see cref="Index"/> of one of the variant's sequences.</summary>
public readonly record struct BarrierPlace(BarrierSequence Sequence, int Index)
{
    /// <summary>A place in the entry (<paramref name="inEntry"/>) or the injector sequence.</summary>
    public BarrierPlace(bool inEntry, int index) : this(inEntry ? BarrierSequence.Entry : BarrierSequence.Injector, index) { }

    public bool InEntry => Sequence == BarrierSequence.Entry;

    /// <summary>The sequence's name in the output and in a variant file ("entry", "injector", "block", "sched-in").</summary>
    public string SequenceName => Sequence switch
    {
        BarrierSequence.Entry => "entry",
        BarrierSequence.Injector => "injector",
        BarrierSequence.Block => "block",
        _ => "sched-in",
    };

    /// <summary>"entry: mb after mode.in (before on.read)", in the variant's own step names.</summary>
    public string Describe(Variant v)
    {
        var names = BarrierSearch.StepNamesOf(v, Sequence);
        string? after = Index > 0 ? names[Index - 1] : null;
        string? before = Index < names.Length ? names[Index] : null;
        return after is null ? $"{SequenceName}: mb before {before}"
            : before is null ? $"{SequenceName}: mb after {after} (last)"
            : $"{SequenceName}: mb after {after} (before {before})";
    }

    /// <summary>
    /// What KVM calls a fence in this place of a whole-system variant (<paramref name="v"/> without
    /// it), or null: the kernel engineer's name for the placements KVM has.
    /// </summary>
    public string? KernelName(Variant v)
    {
        if (!v.WholeSystem || Index == 0) return null;
        return Sequence switch
        {
            BarrierSequence.Entry when Index <= v.Entry.Length && v.Entry[Index - 1] == EntryStep.ModeIn =>
                "vcpu_enter_guest: smp_store_mb(vcpu->mode, IN_GUEST_MODE)",
            BarrierSequence.Block when Index <= v.Block.Length && v.Block[Index - 1] == BlockStep.TaskSet =>
                "wait.prepare: set_current_state's smp_store_mb",
            BarrierSequence.SchedIn => "vmx_vcpu_pi_load: smp_mb__after_atomic",
            _ => null,
        };
    }
}

/// <summary>A set of barrier places that makes the variant safe under TSO, and the variant with them.</summary>
public sealed record BarrierSet(ImmutableArray<BarrierPlace> Places, Variant Variant);

/// <summary>
/// One of the variant's own fences, taken away: <see cref="Place"/> is where it sat in
/// <see cref="Without"/> (the variant without it, so <c>BarrierSearch.With(Without, [Place])</c> is the
/// variant again), and <see cref="Result"/> the TSO check of <see cref="Without"/>.
/// </summary>
public sealed record ExistingBarrier(BarrierPlace Place, Variant Without, CheckResult Result)
{
    /// <summary>Removing it alone makes the variant lose (or get stuck) under TSO.</summary>
    public bool Needed => Result.Verdict is Verdict.Violation or Verdict.Stuck;

    /// <summary>The length of the shortest losing run without it, 0 when it is not needed.</summary>
    public int RunLength => Needed ? Result.TraceLength : 0;

    /// <summary>Whether the model makes a fence here a no-op (see <see cref="BarrierSearch.IsNoOp"/>).</summary>
    public bool NoOp => BarrierSearch.IsNoOp(Without, Place.Sequence);

    public string Describe() => Place.Describe(Without);
}

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
    ImmutableArray<ExistingBarrier> Existing)
{
    /// <summary>True when no set of barriers can help: the variant loses under SC, or with a barrier in every place.</summary>
    public bool Impossible => !Bounded && (Sc.Verdict != Verdict.Safe || AllPlaces is { Verdict: not Verdict.Safe });

    /// <summary>True when a check the search made reached its bound (ExplorationOptions.MaxStates or memory):
    /// the answer is then incomplete, and no claim is made from the checks after it.</summary>
    public bool Bounded { get; init; }

    /// <summary>The entry's own barriers: index in the entry and whether the variant needs it.</summary>
    public ImmutableArray<(int EntryIndex, bool Needed)> ExistingEntryBarriers =>
        [.. Existing.Where(e => e.Place.InEntry).Select(e => (e.Place.Index, e.Needed))];
}

/// <summary>
/// Finds the inclusion-minimal sets of <c>mb</c> placements that make a variant safe under x86-TSO,
/// by checking sets in order of size and skipping supersets of sets already found safe, and, for a
/// variant already safe, which of its own fences it needs (the TSO check without each one alone).
/// Serves both models: the vCPU entry (places in the entry and the injector sequence) and the whole
/// system (places in the entry and the block loop; see <see cref="IsNoOp"/> for the rest).
/// Why the shortcuts are sound:
/// <list type="bullet">
/// <item>Under SC a barrier changes no state (both models' mb only advances the pc), and every SC run
/// is a TSO run (flush each store at once), so a variant that loses under SC loses under TSO whatever
/// barriers it gets; the SC trace is the proof.</item>
/// <item>A barrier only disables steps (it waits for an empty buffer, and a flush is always enabled
/// while the buffer holds a store), so barriers in every place allow the fewest behaviours; if that
/// still loses, no subset helps.</item>
/// </list>
/// Places left out: inside <c>sync</c> or the block loop's on.read on.clear pir.drain (a barrier between
/// on.read and on.clear would break the ON = 0 skip, changing the protocol, not its ordering), between
/// <c>notify</c> and its <c>kick</c> (same, the IPI-sent skip), before the first injector step (pir.set
/// must come first), next to an existing <c>mb</c> (two barriers in a row order nothing more than one),
/// and in the block loop before <c>sched.out.block</c> (a locked context switch: it waits for an empty
/// buffer itself).
/// </summary>
public static class BarrierSearch
{
    public const int DefaultMaxSize = 3;

    public static BarrierResult Run(Variant variant, Configuration configuration, int maxSize = DefaultMaxSize, ExplorationOptions? options = null)
    {
        var tsoConfig = configuration with { Memory = MemoryModel.TSO };
        var tso = Models.Check(variant, tsoConfig, options);
        var sc = Models.Check(variant, configuration with { Memory = MemoryModel.SC }, options);
        var candidates = Candidates(variant);
        int checkedCount = 2;
        if (tso.Verdict == Verdict.BoundReached || sc.Verdict == Verdict.BoundReached)
            return new(variant, tsoConfig, tso, sc, candidates, [], maxSize, checkedCount, null, []) { Bounded = true };
        if (tso.Verdict == Verdict.Safe)
        {
            var existing = Existing(variant, tsoConfig, options);
            return new(variant, tsoConfig, tso, sc, candidates, [new([], variant)], maxSize, checkedCount + existing.Length, null, existing)
            {
                Bounded = existing.Any(e => e.Result.Verdict == Verdict.BoundReached),
            };
        }
        if (sc.Verdict != Verdict.Safe)
            return new(variant, tsoConfig, tso, sc, candidates, [], maxSize, checkedCount, null, []);

        var all = Models.Check(With(variant, candidates), tsoConfig, options);
        checkedCount++;
        if (all.Verdict == Verdict.BoundReached)
            return new(variant, tsoConfig, tso, sc, candidates, [], maxSize, checkedCount, all, []) { Bounded = true };
        if (all.Verdict != Verdict.Safe)
            return new(variant, tsoConfig, tso, sc, candidates, [], maxSize, checkedCount, all, []);

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
                var verdict = Models.Check(v, tsoConfig, options).Verdict;
                if (verdict == Verdict.BoundReached)
                    return new(variant, tsoConfig, tso, sc, candidates, [.. found], maxSize, checkedCount, all, []) { Bounded = true };
                if (verdict == Verdict.Safe)
                {
                    found.Add(new(places, v));
                    foundMasks.Add(mask);
                }
            }
        }
        return new(variant, tsoConfig, tso, sc, candidates, [.. found], maxSize, checkedCount, all, []);
    }

    /// <summary>The sequences a barrier may sit in for the variant's design.</summary>
    public static ImmutableArray<BarrierSequence> Sequences(Variant v) => v.WholeSystem
        ? [BarrierSequence.Entry, BarrierSequence.Injector, BarrierSequence.Block, BarrierSequence.SchedIn]
        : [BarrierSequence.Entry, BarrierSequence.Injector];

    /// <summary>
    /// Whether the model makes an mb in this sequence a no-op, so the search places none there (one the
    /// variant has is still checked, and found not needed). In the whole system an injector makes no
    /// plain stores (only locked operations, loads and IPIs), so its buffer is always empty; and
    /// <c>sched.in</c> runs right after a context switch, which leaves the thread's buffer empty
    /// (<c>smp_mb__after_atomic</c> is a compiler barrier on x86 after a locked operation anyway).
    /// </summary>
    public static bool IsNoOp(Variant v, BarrierSequence sequence) =>
        v.WholeSystem && sequence is BarrierSequence.Injector or BarrierSequence.SchedIn;

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
            if (!insideSync && !nextToMb) places.Add(new(BarrierSequence.Entry, i));
        }
        var inj = v.Injector;
        if (!IsNoOp(v, BarrierSequence.Injector))
            for (int i = 1; i <= inj.Length; i++)
            {
                bool notifyKick = inj[i - 1] == InjectorStep.Notify && i < inj.Length && inj[i] == InjectorStep.Kick;
                bool nextToMb = inj[i - 1] == InjectorStep.Mb || (i < inj.Length && inj[i] == InjectorStep.Mb);
                if (!notifyKick && !nextToMb) places.Add(new(BarrierSequence.Injector, i));
            }
        var b = v.Block;
        for (int i = 0; i < b.Length; i++)
        {
            bool insideCheck = b[i] is BlockStep.OnClear or BlockStep.PirDrain && i > 0
                && b[i - 1] is BlockStep.OnRead or BlockStep.OnClear or BlockStep.PirDrain;
            bool nextToMb = b[i] == BlockStep.Mb || (i > 0 && b[i - 1] == BlockStep.Mb);
            bool beforeSwitch = b[i] == BlockStep.SchedOutBlock;
            if (!insideCheck && !nextToMb && !beforeSwitch) places.Add(new(BarrierSequence.Block, i));
        }
        return places.ToImmutable();
    }

    /// <summary>The variant with an mb inserted at each place (indices refer to the original sequences).</summary>
    public static Variant With(Variant v, IReadOnlyCollection<BarrierPlace> places)
    {
        return v with
        {
            Name = places.Count == 0 ? v.Name : v.Name + "+mb",
            Entry = Insert(v.Entry, BarrierSequence.Entry, EntryStep.Mb),
            Injector = Insert(v.Injector, BarrierSequence.Injector, InjectorStep.Mb),
            Block = Insert(v.Block, BarrierSequence.Block, BlockStep.Mb),
            SchedIn = Insert(v.SchedIn, BarrierSequence.SchedIn, SchedInStep.Mb),
        };

        ImmutableArray<T> Insert<T>(ImmutableArray<T> steps, BarrierSequence sequence, T mb)
        {
            var result = ImmutableArray.CreateBuilder<T>();
            for (int i = 0; i <= steps.Length; i++)
            {
                if (places.Contains(new(sequence, i))) result.Add(mb);
                if (i < steps.Length) result.Add(steps[i]);
            }
            return result.ToImmutable();
        }
    }

    /// <summary>The names of a sequence's steps, as the variant's file writes them one by one.</summary>
    public static ImmutableArray<string> StepNamesOf(Variant v, BarrierSequence sequence) => sequence switch
    {
        BarrierSequence.Entry => [.. v.Entry.Select(StepNames.Name)],
        BarrierSequence.Injector => [.. v.Injector.Select(StepNames.Name)],
        BarrierSequence.Block => [.. v.Block.Select(StepNames.Name)],
        _ => [.. v.SchedIn.Select(StepNames.Name)],
    };

    /// <summary>The variant's own fences, each taken away alone and the variant checked under TSO without it.</summary>
    public static ImmutableArray<ExistingBarrier> Existing(Variant v, Configuration tso, ExplorationOptions? options = null)
    {
        var result = ImmutableArray.CreateBuilder<ExistingBarrier>();
        foreach (var sequence in Sequences(v))
        {
            var names = StepNamesOf(v, sequence);
            for (int i = 0; i < names.Length; i++)
            {
                if (names[i] != "mb") continue;
                var without = sequence switch
                {
                    BarrierSequence.Entry => v with { Entry = v.Entry.RemoveAt(i) },
                    BarrierSequence.Injector => v with { Injector = v.Injector.RemoveAt(i) },
                    BarrierSequence.Block => v with { Block = v.Block.RemoveAt(i) },
                    _ => v with { SchedIn = v.SchedIn.RemoveAt(i) },
                };
                without = without with { Name = v.Name + "-mb" };
                result.Add(new(new(sequence, i), without, Models.Check(without, tso with { Memory = MemoryModel.TSO }, options)));
            }
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
