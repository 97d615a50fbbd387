using System.CommandLine;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary>
/// check and explain for whole-system variants (SPEC.md section 7): a whole-system built-in or a
/// variant file with a <c>design:</c> line. Program.cs hands the argument here first.
/// </summary>
internal static class WholeSystemCommand
{
    /// <summary>If the argument names a whole-system variant, checks it and returns the exit code; else null.</summary>
    public static int? TryCheckOne(ParseResult p, CommonOptions common, bool explain)
    {
        string arg = p.GetValue(common.Variant)!;
        if (SystemVariantFile.TryLoad(arg) is not { } loaded) return null;
        if (!loaded.Ok)
        {
            foreach (var e in loaded.Errors) Console.Error.WriteLine(e.ToString());
            return ExitCodes.BadInput;
        }
        var config = common.SystemConfiguration(p);
        if (config.Problem() is { } problem)
        {
            Console.Error.WriteLine($"pilab: {problem}");
            return ExitCodes.BadInput;
        }
        if (p.GetValue(common.MaxStates) < 1 || p.GetValue(common.MaxMemory) < 1)
        {
            Console.Error.WriteLine("pilab: --max-states and --max-memory must be at least 1");
            return ExitCodes.BadInput;
        }
        var r = SystemChecker.Check(loaded.Variant!, config, common.Exploration(p));
        if (p.GetValue(common.Json)) Console.WriteLine(JsonReport.Write(r));
        else Console.Write(explain ? Explain(r) : Summary(r));
        return r.Verdict switch
        {
            Checker.Verdict.Safe => ExitCodes.NoLoss,
            Checker.Verdict.BoundReached => ExitCodes.BoundReached,
            _ => ExitCodes.Violation,
        };
    }

    /// <summary>The whole-system built-ins under SC and TSO in <see cref="SystemChecker.Standard"/>, for <c>pilab check</c>'s table.</summary>
    public static List<SystemCheckResult> CheckAll(ExplorationOptions options)
    {
        var results = new List<SystemCheckResult>();
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            foreach (var (v, c) in SystemChecker.TableRows(mm))
                results.Add(SystemChecker.Check(v, c, options));
        results.Sort((a, b) => RowOrder(a).CompareTo(RowOrder(b)));
        return results;
    }

    private static int RowOrder(SystemCheckResult r)
    {
        var rows = SystemChecker.TableRows(r.Configuration.Memory);
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Variant == r.Variant && rows[i].Configuration == r.Configuration) return 2 * i + (int)r.Configuration.Memory;
        return int.MaxValue;
    }

    public static string Table(IEnumerable<SystemCheckResult> results)
    {
        var t = new TextTable("variant", "design", "wake-up vector", "mm", "k", "j", "h", "p", "m", "verdict", "states", "transitions", "trace", "time").AlignRight(10, 11, 12, 13);
        foreach (var r in results)
        {
            var x = r.Exploration;
            var c = r.Configuration;
            t.Add(r.Variant.Name, SystemStepNames.Name(r.Variant.Design), r.Variant.WakeupArmed(c.Iommu) ? "armed" : "not armed", c.Memory.ToString(), c.Injectors.ToString(), c.Iommu.ToString(),
                c.Halts.ToString(), c.Preemptions.ToString(), c.Migrations.ToString(), VerdictText(r.Verdict),
                x.States.ToString("N0"), x.Transitions.ToString("N0"), r.Trace is null ? "-" : r.Trace.Steps.Length.ToString(),
                $"{x.Elapsed.TotalMilliseconds:F0} ms");
        }
        return "whole system (SPEC.md section 7): k CPU injectors, j IOMMU posters, one post each; the guest may halt h times, the thread be preempted p times and migrate m times\n" + t;
    }

    private static string VerdictText(Checker.Verdict v) => v switch
    {
        Checker.Verdict.Safe => "no loss",
        Checker.Verdict.Violation => "LOSES",
        Checker.Verdict.Stuck => "STUCK",
        _ => "bound",
    };

    private static string Summary(SystemCheckResult r)
    {
        var x = r.Exploration;
        string head = $"{r.Variant.Name} [{r.Configuration}]: ";
        string figures = $"{x.States:N0} states, {x.Transitions:N0} transitions, depth {x.MaxDepth}, {x.Elapsed.TotalSeconds:F3} s";
        return r.Verdict switch
        {
            Checker.Verdict.Safe => $"{head}no lost interrupt ({figures}, {x.Terminals:N0} terminal states)\n",
            Checker.Verdict.Violation => $"{head}LOSES an interrupt: shortest run {r.Trace!.Steps.Length} steps ({figures})\n=> {TraceText.Diagnosis(r.Trace)}\n(pilab explain shows the run)\n",
            Checker.Verdict.Stuck => $"{head}STUCK: a state with no enabled step that is not a proper end, {r.Trace!.Steps.Length} steps ({figures})\n=> {TraceText.Diagnosis(r.Trace)}\n",
            _ => $"{head}no verdict: {x.BoundMessage}; so far {figures}, no violation among them\n",
        };
    }

    private static string Explain(SystemCheckResult r)
    {
        var v = r.Variant;
        var x = r.Exploration;
        string head = $"{v.Name} [{r.Configuration}]\ndesign:          {SystemStepNames.Name(v.Design)} (wake-up vector {(v.WakeupArmed(r.Configuration.Iommu) ? "armed" : "not armed")})\n" +
            $"entry:           {v.EntryText}\ninjector:        {v.InjectorText}\nblock:           {v.BlockText}\nsched-in:        {v.SchedInText}\n" +
            (v.Design == KvmDesign.Kvm2021 ? $"sched-out-block: {v.SchedOutBlockText}\n" : $"blocked-ndst:    {SystemStepNames.Name(v.BlockedNdst)}\n") + "\n";
        return r.Verdict switch
        {
            Checker.Verdict.Violation or Checker.Verdict.Stuck =>
                head + $"shortest run that {(r.Verdict == Checker.Verdict.Stuck ? "gets stuck" : "loses an interrupt")}: {r.Trace!.Steps.Length} steps\n\n" + TimelineRenderer.RenderList(r.Trace),
            Checker.Verdict.Safe =>
                head + $"no run loses an interrupt: all {x.States:N0} reachable states explored ({x.Transitions:N0} transitions, {x.Terminals:N0} terminal states, each with PIR and vIRR empty, ON=0, nothing pending and every posted vector delivered)\n",
            _ => head + $"no verdict: {x.BoundMessage}; {x.States:N0} states explored, no violation among them\n",
        };
    }
}
