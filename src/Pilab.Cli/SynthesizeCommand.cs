using System.CommandLine;
using System.Text;
using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;
using Pilab.Report.Json;

namespace Pilab.Cli;

/// <summary><c>pilab synthesize</c>: every entry order, checked under SC and TSO, each loss classified.</summary>
internal static class SynthesizeCommand
{
    public static Command Create()
    {
        var common = new CommonOptions();
        var injector = new Option<string>("--injector")
        {
            Description = "the injector side: a built-in or variant file (its injector and policies; one of design avic: its CPU posters, docs/avic.md), or steps such as 'pir.set on.set mode.read notify kick'",
            DefaultValueFactory = _ => InjectorSide.Default.Name,
        };
        injector.CompletionSources.Add(Completion.Variants);
        var csv = new Option<string?>("--csv") { Description = "also write one CSV row per order to this file" };
        var command = new Command("synthesize", "check every order of irq.off, mode.in, mb, sync, check (then enter), with and without mb, under SC and TSO, and classify each loss; with a design-avic --injector, every order of isrunning.set, irq.off, mode.in, mb (then enter) against every order of the CPU poster's IRR write and read");
        Option[] options = [injector, .. common.FixedMemoryConfigurationOptions, common.Iommu, common.Halts, common.Preemptions, common.Migrations, csv, common.Json, common.Quiet];
        foreach (var o in options)
            command.Options.Add(o);
        command.SetAction(p =>
        {
            CommonOptions.NoteShadowed(p.GetValue(injector)!.Trim());
            if (InjectorSide.Parse(p.GetValue(injector)!, out var error) is not { } side)
            {
                Console.Error.WriteLine($"pilab: {error}");
                return ExitCodes.BadInput;
            }
            // design avic: the variant's own configuration with the options given laid over it; else the entry design's default
            var config = side.IsAvic ? common.Overlay(p, side.Check) with { Memory = MemoryModel.SC } : common.Configuration(p, MemoryModel.SC);
            if (config.Problem(side.IsAvic ? KvmDesign.Avic : KvmDesign.Entry) is { } problem)
            {
                Console.Error.WriteLine($"pilab: {(side.IsAvic ? $"{side.Name} (design avic): " : "")}{problem}");
                return ExitCodes.BadInput;
            }
            // An empty or otherwise impossible --csv path is refused before the checks, not after them.
            if (p.GetValue(csv) is "")
            {
                Console.Error.WriteLine("pilab: cannot write '': an empty file name");
                return ExitCodes.BadInput;
            }
            ProgressLine.Install(p, common);
            // Both syntheses: the rows, and their text, JSON and CSV (design avic: docs/avic.md, "Synthesis of orders").
            IReadOnlyList<ISynthesizedOrder> rows;
            Func<string?, string> json;
            Func<string> text, table;
            if (side.IsAvic)
            {
                var avic = AvicOrderSynthesis.Run(side, config);
                (rows, json, text, table) = (avic, i => AvicJson(side, config, avic, i), () => AvicText(side, config, avic), () => AvicOrderSynthesis.Csv(avic));
            }
            else
            {
                var entry = OrderSynthesis.Run(side, config);
                (rows, json, text, table) = (entry, i => Json(side, config, entry, i), () => Text(side, config, entry), () => OrderSynthesis.Csv(entry));
            }
            if (Interrupt.Requested)
            {
                // The checks from the signal on stopped after their first round: the figures so far, no CSV file.
                Console.Write(p.GetValue(common.Json) ? json(Interrupt.Name) + "\n" : text());
                return Interrupt.Stopped($"the orders checked after it show 'bound'{(p.GetValue(csv) is { } c ? $"; {Diagnostic.Printable(c)} not written" : "")}");
            }
            if (p.GetValue(csv) is { } path && !ReportFiles.TryWrite(path, table(), out _))
                return ExitCodes.BadInput;
            Console.Write(p.GetValue(common.Json) ? json(null) + "\n" : text());
            return rows.Any(r => r.Sc.Verdict == Pilab.Checker.Verdict.BoundReached || r.Tso.Verdict == Pilab.Checker.Verdict.BoundReached)
                ? ExitCodes.BoundReached : ExitCodes.NoLoss;
        });
        return command;
    }

    private static string SenderWord(Variant side) => side.Avic.Sender == AvicSender.Kvm ? "kvm" : "avic";

    private static string AvicText(Variant side, Configuration config, IReadOnlyList<AvicSynthesizedOrder> rows)
    {
        var sb = new StringBuilder();
        int entries = rows.Select(r => r.Text).Distinct().Count(), senders = rows.Select(r => r.Sender).Distinct().Count();
        int withMb = rows.Where(r => r.HasMb).Select(r => r.Text).Distinct().Count();
        bool kvm = side.Avic.Sender == AvicSender.Kvm;
        sb.Append($"{rows.Count} AVIC orders: {entries} entry orders ({withMb} with mb, {entries - withMb} without) of isrunning.set, irq.off, mode.in, mb, then enter,\n");
        sb.Append($"  each against {senders} orders of the CPU poster's IRR write (irr.set locked, irr.store plain) and its read of {(kvm ? "vcpu->mode" : "IsRunning")}");
        sb.Append(kvm ? "\n" : " (then doorbell.or.exit; after an incomplete-IPI exit mode.read doorbell.or.wake)\n");
        sb.Append($"the rest from {side.Name} (cpu-sender {SenderWord(side)}, ipiv {(side.Avic.Ipiv ? "on" : "off")}, unblock-load {AvicPolicy.Name(side.Avic.UnblockLoad)}, irte-assign {AvicPolicy.Name(side.Avic.IrteAssign)}); {config.Text(KvmDesign.Avic)[3..]}\n");
        sb.Append($"the kernel's orders: {AvicOrderSynthesis.KernelEntry} (IsRunning set by avic_vcpu_load before the entry) / {AvicOrderSynthesis.SenderText(side.Avic.Sender == AvicSender.Kvm ? AvicSender.Kvm : AvicSender.Hardware, AvicSenderOrder.SetThenRead)}\n\n");
        Body(sb, rows, ReasonRule.Avic, ["entry", "sender"], r => [r.Text, ((AvicSynthesizedOrder)r).SenderText]);
        return sb.ToString();
    }

    private static string AvicJson(Variant side, Configuration config, IReadOnlyList<AvicSynthesizedOrder> rows, string? interrupted = null)
    {
        return PilabJson.Write(new SynthesizeDocument(
            side.Name, null, null,
            config.Injectors, config.Posts, config.Exits, config.SameVector, config.IrqPriority,
            rows.Count(r => r.Sc.Safe),
            rows.Count(r => r.Tso.Safe),
            [.. ReasonRule.Avic.Select(r => new ReasonRuleJson(r.Id, r.Meaning, r.Rule))],
            [.. rows.Select(r => new OrderJson(r.Text, r.HasMb, OutcomeJson(r.Sc), OutcomeJson(r.Tso)) { Sender = r.SenderText })],
            interrupted)
        {
            Design = DesignNames.Name(KvmDesign.Avic),
            Sender = SenderWord(side),
            Iommu = config.Iommu,
            Halts = config.Halts,
            Preemptions = config.Preemptions,
            Migrations = config.Migrations,
        });
    }

    /// <summary>What both syntheses print after their header: the safe counts, the safe orders, the losing ones by reason class, every losing order and the rules.</summary>
    private static void Body(StringBuilder sb, IReadOnlyList<ISynthesizedOrder> rows, IReadOnlyList<ReasonRule> rules, string[] orderColumns, Func<ISynthesizedOrder, string[]> order)
    {
        foreach (var (label, pick) in new (string, Func<ISynthesizedOrder, OrderOutcome>)[] { ("SC", r => r.Sc), ("TSO", r => r.Tso) })
        {
            int safe = rows.Count(r => pick(r).Safe);
            int safeMb = rows.Count(r => r.HasMb && pick(r).Safe);
            sb.Append($"safe under {label,-3}: {safe,3} of {rows.Count} ({safeMb} with mb, {safe - safeMb} without)\n");
        }
        sb.Append('\n');
        var safeRows = rows.Where(r => r.Sc.Safe || r.Tso.Safe).ToList();
        sb.Append($"safe orders ({safeRows.Count}):\n");
        var t = new TextTable([.. orderColumns, "SC", "TSO"]);
        foreach (var r in safeRows) t.Add([.. order(r), Cell(r.Sc), Cell(r.Tso)]);
        sb.Append(t).Append('\n');

        sb.Append("losing orders by reason class (each order counted once per memory model it loses under):\n");
        var counts = new TextTable("reason class", "SC", "TSO", "meaning").AlignRight(1, 2);
        foreach (var rule in rules)
        {
            int sc = rows.Count(r => r.Sc.Reason?.Class == rule.Class);
            int tso = rows.Count(r => r.Tso.Reason?.Class == rule.Class);
            if (sc + tso > 0) counts.Add(rule.Id, sc.ToString(), tso.ToString(), rule.Meaning);
        }
        sb.Append(counts).Append('\n');

        sb.Append("every losing order (reason class of its shortest run, and the step where its rule matched):\n");
        var losing = new TextTable([.. orderColumns, "SC", "TSO"]);
        foreach (var r in rows.Where(r => !r.Sc.Safe || !r.Tso.Safe))
            losing.Add([.. order(r), Reason(r.Sc), Reason(r.Tso)]);
        sb.Append(losing).Append('\n');

        sb.Append("rules, tried in this order (the first that matches names the class):\n");
        foreach (var rule in rules) sb.Append($"  {rule.Id}: {rule.Rule}\n");
    }

    private static OrderOutcomeJson OutcomeJson(OrderOutcome o) => new(Verdicts.Name(o.Verdict), o.Reason?.Rule.Id, o.Reason?.Step, o.TraceLength, o.States);

    private static string Cell(OrderOutcome o) => o.Safe ? "safe" : o.Verdict == Pilab.Checker.Verdict.BoundReached ? "bound" : o.Reason!.Rule.Id;

    private static string Text(Variant side, Configuration config, IReadOnlyList<SynthesizedOrder> rows)
    {
        var sb = new StringBuilder();
        int withMb = rows.Count(r => r.HasMb);
        sb.Append($"{rows.Count} entry orders ({withMb} with mb, {rows.Count - withMb} without) of irq.off, mode.in, mb, sync, check, then enter\n");
        sb.Append($"injector: {side.InjectorText} (on-already-set {StepNames.Name(side.OnAlreadySet)}, requests {StepNames.Name(side.Requests)}); {config.ToString()[3..]}\n\n");
        Body(sb, rows, ReasonRule.All, ["order"], r => [r.Text]);
        sb.Append("('pilab explain <file>' with an order written as a variant file shows its run step by step)\n");
        return sb.ToString();
    }

    private static string Reason(OrderOutcome o) =>
        o.Safe ? "safe" : o.Reason is { } r ? $"{r.Rule.Id} @{r.Step}/{o.TraceLength}" : "bound";

    private static string Json(Variant side, Configuration config, IReadOnlyList<SynthesizedOrder> rows, string? interrupted = null)
    {
        return PilabJson.Write(new SynthesizeDocument(
            side.InjectorText,
            StepNames.Name(side.OnAlreadySet),
            StepNames.Name(side.Requests),
            config.Injectors,
            config.Posts,
            config.Exits,
            config.SameVector,
            config.IrqPriority,
            rows.Count(r => r.Sc.Safe),
            rows.Count(r => r.Tso.Safe),
            [.. ReasonRule.All.Select(r => new ReasonRuleJson(r.Id, r.Meaning, r.Rule))],
            [.. rows.Select(r => new OrderJson(r.Text, r.HasMb, OutcomeJson(r.Sc), OutcomeJson(r.Tso)))],
            interrupted));
    }
}
