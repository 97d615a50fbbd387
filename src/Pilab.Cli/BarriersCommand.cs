using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pilab.Analysis;
using Pilab.Checker;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary><c>pilab barriers</c>: the minimal sets of mb placements that make a variant safe under TSO.</summary>
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
        var command = new Command("barriers", "the minimal sets of mb placements in the entry and injector sequences that make a variant safe under TSO (exit 0 found or already safe, 1 none exists)");
        command.Arguments.Add(common.Variant);
        Option[] options = [.. common.FixedMemoryConfigurationOptions, maxSize, common.Json];
        foreach (var o in options)
            command.Options.Add(o);
        command.SetAction(p =>
        {
            var config = common.Configuration(p, MemoryModel.TSO);
            if (config.Problem(KvmDesign.Entry) is { } problem)
            {
                Console.Error.WriteLine($"pilab: {problem}");
                return ExitCodes.BadInput;
            }
            if (p.GetValue(maxSize) is < 1 or > 16)
            {
                Console.Error.WriteLine("pilab: --max-barriers must be 1 to 16");
                return ExitCodes.BadInput;
            }
            var loaded = VariantFile.Load(p.GetValue(common.Variant)!);
            if (!loaded.Ok)
            {
                CommonOptions.PrintErrors(loaded.Errors);
                return ExitCodes.BadInput;
            }
            if (loaded.Variant!.WholeSystem)
                return CommonOptions.Refuse("barriers", loaded.Variant, "the barrier search places mb in the entry and injector sequences of design entry only so far");
            var r = BarrierSearch.Run(loaded.Variant!, config, p.GetValue(maxSize));
            if (Interrupt.Requested)
            {
                // The checks from the signal on stopped after their first round: no answer, the figures so far.
                Console.Write(p.GetValue(common.Json) ? Json(r, Interrupt.Name) + "\n" : $"{r.Variant.Name} [{r.Configuration}]\nsets checked: {r.Checked}; TSO {r.Tso.Verdict}, SC {r.Sc.Verdict}; no answer\n");
                return Interrupt.Stopped("the search for barriers has no answer");
            }
            Console.Write(p.GetValue(common.Json) ? Json(r) + "\n" : Text(r));
            if (new[] { r.Tso, r.Sc }.Any(c => c.Verdict == Pilab.Checker.Verdict.BoundReached)) return ExitCodes.BoundReached;
            return r.Minimal.IsEmpty ? ExitCodes.Violation : ExitCodes.NoLoss;
        });
        return command;
    }

    private static string Text(BarrierResult r)
    {
        var v = r.Variant;
        var sb = new StringBuilder();
        sb.Append($"{v.Name} [{r.Configuration}]\nentry:    {v.EntryText}\ninjector: {v.InjectorText}\n\n");
        if (r.Tso.Verdict == Pilab.Checker.Verdict.Safe)
        {
            sb.Append("already safe under TSO: the minimal set of added barriers is empty\n");
            foreach (var (i, needed) in r.ExistingEntryBarriers)
                sb.Append($"its {new BarrierPlace(true, i).Describe(v with { Entry = v.Entry.RemoveAt(i) })}: {(needed ? "needed (without it the variant loses under TSO)" : "not needed under this configuration")}\n");
            return sb.ToString();
        }
        if (new[] { r.Tso, r.Sc }.FirstOrDefault(c => c.Verdict == Pilab.Checker.Verdict.BoundReached) is { } bound)
        {
            sb.Append($"no answer: the check under {bound.Configuration.Memory} {bound.Exploration.BoundMessage}\n");
            return sb.ToString();
        }
        sb.Append($"loses under TSO (shortest run {r.Tso.Trace!.Steps.Length} steps)\n");
        if (r.Sc.Verdict != Pilab.Checker.Verdict.Safe)
        {
            sb.Append("no set of barriers can help: the variant already loses under SC, where a barrier changes nothing and every run is also a TSO run.\n");
            sb.Append($"the SC run ({r.Sc.Trace!.Steps.Length} steps):\n\n").Append(TimelineRenderer.Render(r.Sc.Trace));
            return sb.ToString();
        }
        if (r.AllPlaces is { Verdict: not Pilab.Checker.Verdict.Safe } all)
        {
            sb.Append($"no set of barriers can help: with an mb in all {r.Candidates.Length} places it still loses under TSO:\n\n").Append(TimelineRenderer.Render(all.Trace!));
            return sb.ToString();
        }
        sb.Append($"places tried ({r.Candidates.Length}): {string.Join("; ", r.Candidates.Select(c => c.Describe(v)))}\n");
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
            sb.Append($"      entry:    {set.Variant.EntryText}\n      injector: {set.Variant.InjectorText}\n");
        }
        return sb.ToString();
    }

    private static string Json(BarrierResult r, string? interrupted = null)
    {
        var v = r.Variant;
        var root = new JsonObject
        {
            ["variant"] = v.Name,
            ["configuration"] = r.Configuration.ToString(),
            ["tsoVerdict"] = r.Tso.Verdict.ToString(),
            ["scVerdict"] = r.Sc.Verdict.ToString(),
            ["impossible"] = r.Impossible,
            ["maxBarriers"] = r.MaxSize,
            ["candidates"] = new JsonArray([.. r.Candidates.Select(c => (JsonNode)c.Describe(v))]),
            ["minimal"] = new JsonArray([.. r.Minimal.Select(s => (JsonNode)new JsonObject
            {
                ["places"] = new JsonArray([.. s.Places.Select(pl => (JsonNode)pl.Describe(v))]),
                ["entry"] = s.Variant.EntryText,
                ["injector"] = s.Variant.InjectorText,
            })]),
        };
        if (interrupted is not null) root["interrupted"] = interrupted;
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
