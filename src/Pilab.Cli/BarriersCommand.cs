using System.CommandLine;
using System.Text;
using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;
using Pilab.Report.Json;

namespace Pilab.Cli;

/// <summary>
/// <c>pilab barriers</c>: for a variant that loses under TSO, the minimal sets of mb placements that
/// make it safe (or the SC run showing none can); for one already safe, which of its own fences it
/// needs. Serves both designs (docs/analysis.md).
/// </summary>
internal static class BarriersCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var maxSize = new Option<int>("--max-barriers")
        {
            Description = "largest set of added barriers to try",
            DefaultValueFactory = _ => BarrierSearch.DefaultMaxSize,
        };
        var command = new Command("barriers", "the minimal sets of mb placements that make a variant safe under TSO, or which of its own fences a safe variant needs (exit 0 found or already safe, 1 none exists, 3 a check reached its bound)");
        command.Arguments.Add(common.Variant);
        Option[] options = [.. common.FixedMemoryConfigurationOptions, common.Halts, common.Preemptions, common.Migrations, common.Iommu, common.Ipiv, maxSize, common.MaxStates, common.Json, common.Quiet];
        foreach (var o in options)
            command.Options.Add(o);
        command.SetAction(p =>
        {
            if (p.GetValue(maxSize) is < 1 or > 16)
            {
                Console.Error.WriteLine("pilab: --max-barriers must be 1 to 16");
                return ExitCodes.BadInput;
            }
            if (p.GetValue(common.MaxStates) < 1)
            {
                Console.Error.WriteLine($"pilab: --max-states must be at least 1, not {p.GetValue(common.MaxStates)}");
                return ExitCodes.BadInput;
            }
            ProgressLine.Install(p, common); // before the options are made: they take the process's sink
            // Each check the search makes stops after --max-states states (exit code 3); else the engine's defaults.
            ExplorationOptions? exploration = CommonOptions.Given(p, common.MaxStates) ? new() { MaxStates = p.GetValue(common.MaxStates) } : null;
            if (common.Load(p) is not { } variant) return ExitCodes.BadInput;
            if (variant.IsAvic)
                return CommonOptions.Refuse("barriers", variant, "the barrier search places barriers in the APICv designs' step sequences, and the AVIC design's programs are fixed (docs/avic.md)");
            // Every design: the variant's own configuration with the options laid over it, under TSO.
            if (common.ConfigurationFor(p, variant) is not { } c) return ExitCodes.BadInput;
            var config = c with { Memory = MemoryModel.TSO };
            var r = BarrierSearch.Run(variant, config, p.GetValue(maxSize), exploration);
            if (Interrupt.Requested)
            {
                // The checks from the signal on stopped after their first round: no answer, the figures so far.
                Console.Write(p.GetValue(common.Json) ? Json(r, Interrupt.Name) + "\n" : $"{r.Variant.Name} [{r.Configuration.Text(r.Variant.Design)}]\nsets checked: {r.Checked}; TSO {r.Tso.Verdict}, SC {r.Sc.Verdict}; no answer\n");
                return Interrupt.Stopped("the search for barriers has no answer");
            }
            Console.Write(p.GetValue(common.Json) ? Json(r) + "\n" : Text(r));
            if (r.Bounded) return ExitCodes.BoundReached;
            return r.Minimal.IsEmpty ? ExitCodes.Violation : ExitCodes.NoLoss;
        });
        return command;
    }

    /// <summary>The sequences shown for a set of barriers: those the search places barriers in.</summary>
    private static IEnumerable<(string Name, string Steps)> Shown(Variant v) => v.WholeSystem
        ? [("entry:   ", v.EntryText), ("block:   ", v.BlockText)]
        : [("entry:   ", v.EntryText), ("injector:", v.InjectorText)];

    private static string Text(BarrierResult r)
    {
        var v = r.Variant;
        var sb = new StringBuilder();
        sb.Append($"{v.Name} [{r.Configuration.Text(v.Design)}]\nentry:    {v.EntryText}\ninjector: {v.InjectorText}\n");
        if (v.WholeSystem)
            sb.Append($"block:    {v.BlockText}\nsched-in: {v.SchedInText}\nsched-out-block: {v.SchedOutBlockText}\n");
        sb.Append('\n');
        if (r.Bounded)
        {
            sb.Append($"a check reached its bound (--max-states or memory) after {r.Checked} checks: no answer (under TSO: {Words(r.Tso.Verdict)}; under SC: {Words(r.Sc.Verdict)})\n");
            return sb.ToString();
        }
        if (r.Tso.Verdict == Verdict.Safe)
        {
            sb.Append("already safe under TSO: the minimal set of added barriers is empty\n");
            foreach (var e in r.Existing)
                sb.Append($"its {e.Describe()}{(e.Place.KernelName(e.Without) is { } k ? $" [{k}]" : "")}: {Necessity(e)}\n");
            return sb.ToString();
        }
        if (new[] { r.Tso, r.Sc }.FirstOrDefault(c => c.Verdict == Pilab.Checker.Verdict.BoundReached) is { } bound)
        {
            sb.Append($"no answer: the check under {bound.Configuration.Memory} {bound.Exploration.BoundMessage}\n");
            return sb.ToString();
        }
        sb.Append($"loses under TSO (shortest run {r.Tso.TraceLength} steps)\n");
        if (r.Sc.Verdict != Verdict.Safe)
        {
            sb.Append("no set of barriers can help: the variant already loses under SC, where a barrier changes nothing and every run is also a TSO run.\n");
            sb.Append($"the SC run ({r.Sc.TraceLength} steps):\n\n").Append(TimelineRenderer.Render(r.Sc.Trace!));
            return sb.ToString();
        }
        if (r.AllPlaces is { Verdict: not Verdict.Safe } all)
        {
            sb.Append($"no set of barriers can help: with an mb in all {r.Candidates.Length} places it still loses under TSO:\n\n").Append(TimelineRenderer.Render(all.Trace!));
            return sb.ToString();
        }
        sb.Append($"places tried ({r.Candidates.Length}): {string.Join("; ", r.Candidates.Select(c => c.Describe(v)))}\n");
        if (v.WholeSystem)
            sb.Append("places not tried: injector and sched-in, where the model makes an mb a no-op (an injector makes no plain stores; sched.in follows a context switch, which empties the thread's store buffer)\n");
        sb.Append($"sets of up to {r.MaxSize} barriers checked under TSO: {r.Checked - 3} (supersets of safe sets skipped)\n\n");
        if (r.Minimal.IsEmpty)
        {
            sb.Append($"no set of at most {r.MaxSize} barriers makes it safe (barriers in all places do: try a larger --max-barriers)\n");
            return sb.ToString();
        }
        sb.Append($"minimal barrier sets ({r.Minimal.Length}):\n");
        foreach (var set in r.Minimal)
        {
            sb.Append($"  {{ {string.Join(", ", set.Places.Select(pl => pl.Describe(v)))} }}\n");
            foreach (var (name, steps) in Shown(set.Variant))
                sb.Append($"      {name} {steps}\n");
        }
        return sb.ToString();
    }

    private static string Words(Verdict v) => v switch
    {
        Verdict.Safe => "no lost interrupt",
        Verdict.Violation => "loses an interrupt",
        Verdict.Stuck => "stuck",
        _ => "bound reached",
    };

    /// <summary>Whether the variant needs one of its own fences, in words.</summary>
    private static string Necessity(ExistingBarrier e) => e.Result.Verdict switch
    {
        Verdict.Violation => $"needed (without it the variant loses under TSO: shortest run {e.RunLength} steps)",
        Verdict.Stuck => $"needed (without it the variant gets stuck under TSO: shortest run {e.RunLength} steps)",
        Verdict.BoundReached => "unknown (the check without it reached its bound)",
        _ when e.NoOp => "not needed (the model makes it a no-op: " +
            (e.Place.Sequence == BarrierSequence.SchedIn ? "the context switch before sched.in empties the thread's store buffer)" : "an injector makes no plain stores)"),
        _ => "not needed under this configuration",
    };

    private static string Json(BarrierResult r, string? interrupted = null)
    {
        var v = r.Variant;
        return PilabJson.Write(new BarriersDocument(
            v.Name,
            DesignNames.Name(v.Design),
            r.Configuration.Text(v.Design),
            JsonReport.VerdictName(r.Tso.Verdict),
            r.Tso.TraceLength,
            JsonReport.VerdictName(r.Sc.Verdict),
            r.Sc.TraceLength,
            r.Impossible,
            r.Bounded,
            r.MaxSize,
            [.. r.Candidates.Select(c => c.Describe(v))],
            [.. r.Minimal.Select(s => new BarrierSetJson([.. s.Places.Select(pl => pl.Describe(v))], s.Variant.EntryText, s.Variant.InjectorText, v.WholeSystem ? s.Variant.BlockText : null))],
            [.. r.Existing.Select(e => new ExistingBarrierJson(e.Describe(), e.Place.KernelName(e.Without), e.Needed, e.NoOp, JsonReport.VerdictName(e.Result.Verdict), e.RunLength))],
            interrupted));
    }
}
