using Pilab.Checker;
using Pilab.Model;

namespace Pilab.Report;

/// <summary>
/// The words of <c>pilab check</c> and <c>pilab explain</c> for a result of any design: the one-line
/// summary, the head of an explanation (the variant and the configuration checked), its body, and
/// the table of <c>pilab check</c> with no variant.
/// </summary>
public static class CheckText
{
    public static string VerdictCell(Verdict v) => v switch
    {
        Verdict.Safe => "no loss",
        Verdict.Violation => "LOSES",
        Verdict.Stuck => "STUCK",
        _ => "bound",
    };

    public static string ReductionNote(bool partialOrder, bool symmetry, bool chains = false) => (partialOrder, symmetry) switch
    {
        (true, true) when chains => "states stored of the graph reduced by POR and symmetry, states with one stubborn successor passed through (--no-chains stores them, --no-por --no-symmetry for the full graph)",
        (true, false) when chains => "states stored of the graph reduced by POR, states with one stubborn successor passed through (--no-chains stores them)",
        (true, true) => "states of the graph reduced by POR and symmetry (--no-por --no-symmetry for the full graph)",
        (true, false) => "states of the graph reduced by POR",
        (false, true) => "states of the graph reduced by symmetry",
        _ => "states of the full graph",
    };

    /// <summary>What kind of row of the whole-system table a result is: a finding, the code before a historical fix, or a design proved.</summary>
    public static string Story(CheckResult r) =>
        r.Verdict is Verdict.Safe or Verdict.BoundReached ? "design" : r.Variant.Finding ? "FINDING" : "historical fix";

    public static string Summary(CheckResult r)
    {
        var x = r.Exploration;
        string head = $"{r.Variant.Name} [{r.ConfigurationText}]: ";
        string reduced = (x.PartialOrder, x.Symmetry) switch
        {
            (true, true) => ", reduced by POR and symmetry",
            (true, false) => ", reduced by POR",
            (false, true) => ", reduced by symmetry",
            _ => "",
        } + (x.Chains ? ", chains: only branching states and dead ends stored" : "");
        string figures = $"{x.States:N0} states, {x.Transitions:N0} transitions, depth {x.MaxDepth}{(x.Chains ? " stored levels" : "")}, {x.Elapsed.TotalSeconds:F3} s, {x.Workers} worker{(x.Workers == 1 ? "" : "s")}{reduced}{Compaction(x)}";
        return r.Verdict switch
        {
            Verdict.Safe => $"{head}no lost interrupt ({figures}, {x.Terminals:N0} terminal states)\n",
            Verdict.Violation => $"{head}LOSES an interrupt: {RunLength(r)} ({figures})\n=> {TraceText.Diagnosis(r.Trace!)}\n(pilab explain shows the run)\n",
            Verdict.Stuck => $"{head}STUCK: a state with no enabled step that is not a proper end, {r.TraceLength} steps ({figures})\n=> {TraceText.Diagnosis(r.Trace!)}\n",
            _ => $"{head}no verdict: {x.BoundMessage}; so far {figures}, no violation among them\n",
        };
    }

    /// <summary>"shortest run N steps", or, where the search that finds a shortest run stopped at a bound first (chains), why this one may not be.</summary>
    private static string RunLength(CheckResult r) => r.Exploration.BoundMessage is { } why
        ? $"a run of {r.TraceLength} steps ({why})"
        : $"shortest run {r.TraceLength} steps";

    /// <summary>The birthday bound of FingerprintSet.OmissionBound, and what a state cost (with hash compaction or the compact store).</summary>
    private static string Compaction(ExplorationResult x) => x.HashCompaction
        ? $", hash compaction: P(missed state) <= n(n-1)/2^65 = {x.OmissionProbability:G3}, {x.BytesPerState:F1} bytes/state"
        : x.Store == StateStore.Compact ? $", compact store: {x.BytesPerState:F1} bytes/state"
        : "";

    /// <summary>The head of <c>pilab explain</c>: the variant, its design's sequences, the configuration.</summary>
    public static string ExplainHead(CheckResult r)
    {
        var v = r.Variant;
        if (!v.WholeSystem)
            return $"{v.Name} [{r.ConfigurationText}]\nentry:    {v.EntryText}\ninjector: {v.InjectorText}\n\n";
        if (v.IsAvic)
            return $"{v.Name} [{r.ConfigurationText}]\ndesign:               avic (docs/avic.md)\ncpu-sender:           {AvicPolicy.Name(v.Avic.Sender)}\n" +
                $"ipiv:                 {(v.Avic.Ipiv ? "on" : "off")}\nunblock-load:         {AvicPolicy.Name(v.Avic.UnblockLoad)}\nirte-assign:          {AvicPolicy.Name(v.Avic.IrteAssign)}\n" +
                $"blocking-preemptible: {(v.Avic.BlockingPreemptible ? "yes" : "no")}\n\n";
        return $"{v.Name} [{r.ConfigurationText}]\ndesign:          {DesignNames.Name(v.Design)} (wake-up vector {(v.WakeupArmed(r.Configuration) ? "armed" : "not armed")})\n" +
            $"entry:           {v.EntryText}\ninjector:        {v.InjectorText}\nblock:           {v.BlockText}\nsched-in:        {v.SchedInText}\n" +
            (v.Design == KvmDesign.Kvm2021 ? $"sched-out-block: {v.SchedOutBlockText}\n" : $"blocked-ndst:    {StepNames.Name(v.BlockedNdst)}\n") + "\n";
    }

    /// <summary><c>pilab explain</c>'s text; <paramref name="timeline"/> false leaves the run's steps out (a terminal draws them in colour).</summary>
    public static string Explain(CheckResult r, bool timeline = true)
    {
        var x = r.Exploration;
        string head = ExplainHead(r);
        string proper = r.Variant.IsAvic
            ? "each with IRR empty, no doorbell or GA-log interrupt pending and every posted vector delivered"
            : r.Variant.WholeSystem
            ? "each with PIR and vIRR empty, ON=0, nothing pending and every posted vector delivered"
            : "each with PIR empty, ON=0 and every posted vector delivered";
        return r.Verdict switch
        {
            Verdict.Violation or Verdict.Stuck =>
                head + $"{(x.BoundMessage is null ? "shortest run" : "run")} that {(r.Verdict == Verdict.Stuck ? "gets stuck" : "loses an interrupt")}: {r.TraceLength} steps{(x.BoundMessage is { } why ? $" ({why})" : "")}\n\n" + (timeline ? Timeline(r) : ""),
            Verdict.Safe =>
                head + (x.PartialOrder || x.Symmetry
                    ? $"no run loses an interrupt: {x.States:N0} states of the reduced graph {(x.Chains ? "stored" : "explored")} ({(x.PartialOrder ? "stubborn sets" : "")}{(x.PartialOrder && x.Symmetry ? " and " : "")}{(x.Symmetry ? "poster symmetry" : "")}, which keep every terminal state{(x.Chains ? "; a state with one stubborn successor passed through, not stored" : "")}), {x.Transitions:N0} transitions, {x.Terminals:N0} terminal states, {proper}\n"
                    : $"no run loses an interrupt: all {x.States:N0} reachable states explored ({x.Transitions:N0} transitions, {x.Terminals:N0} terminal states, {proper})\n"),
            _ => head + $"no verdict: {x.BoundMessage}; {x.States:N0} states explored, no violation among them\n",
        };
    }

    /// <summary>The run as a plain-text timeline.</summary>
    public static string Timeline(CheckResult r) =>
        r.Trace is not { } t ? "" : r.Variant.WholeSystem ? TimelineRenderer.RenderList(t) : TimelineRenderer.Render(t);

    /// <summary>The whole-system rows of <c>pilab check</c>'s table: each built-in once, at its own configuration.</summary>
    public static string WholeSystemTable(IEnumerable<CheckResult> results)
    {
        var list = results.ToList();
        string graph = ReductionNote(list.Any(r => r.Exploration.PartialOrder), list.Any(r => r.Exploration.Symmetry), list.Any(r => r.Exploration.Chains));
        if (list.Any(r => r.Variant.IsAvic && !r.Exploration.PartialOrder) && list.Any(r => r.Exploration.PartialOrder))
            graph += " (design avic: the full graph, its model has no reductions yet)";
        var t = new TextTable("variant", "design", "wake-up vector", "mm", "k", "j", "n", "e", "h", "p", "m", "verdict", "states", "transitions", "trace", "time", "story").AlignRight(12, 13, 14, 15);
        foreach (var r in list)
        {
            var x = r.Exploration;
            var c = r.Configuration;
            t.Add(r.Variant.Name, DesignNames.Name(r.Variant.Design), r.Variant.IsAvic ? "-" : r.Variant.WakeupArmed(c) ? "armed" : "not armed", c.Memory.ToString(),
                c.Injectors.ToString(), c.Iommu.ToString(), c.Posts.ToString(), c.Exits.ToString(), c.Halts.ToString(), c.Preemptions.ToString(), c.Migrations.ToString(),
                VerdictCell(r.Verdict), x.States.ToString("N0"), x.Transitions.ToString("N0"), r.TraceLength == 0 ? "-" : r.TraceLength.ToString(),
                $"{x.Elapsed.TotalMilliseconds:F0} ms", Story(r));
        }
        return $"whole system (docs/whole-system.md; design avic: docs/avic.md), each built-in at its own configuration (its check line): k CPU injectors, j IOMMU posters, n posts each, e guest exits; the guest may halt h times, the thread be preempted p times and migrate m times; {graph}\n" + t
            + "story: FINDING = a race pilab found in code KVM ran or runs; historical fix = the code before a KVM commit that fixed the race; design = a design proved in that configuration\n";
    }
}
