using System.Collections.Immutable;
using System.Text;

namespace Pilab.Protocol;

/// <summary>Either a whole-system variant or the diagnostics that explain why there is none.</summary>
public sealed record SystemVariantParseResult(SystemVariant? Variant, ImmutableArray<Diagnostic> Errors)
{
    public bool Ok => Variant is not null;
}

/// <summary>
/// The variant file format (docs/variant-format.md) grown for SPEC.md section 7. A file is a
/// whole-system variant when it has a <c>design</c> key, one of the keys below, or a <c>base</c> that is
/// a whole-system built-in. Every key not given comes from the base, else from the design's
/// reference built-in (kvm-2021 or kvm-2019). Keys beyond section 4's:
/// <c>design: kvm-2019 | kvm-2021</c>;
/// <c>block: wait.prepare block.check sched.out.block</c> (the loop; also waiter.set task.set mb sync on.read ... irr.check);
/// <c>sched-in: wakelist.del desc.update mb on.recompute</c> (or <c>none</c>);
/// <c>sched-out-block: wakelist.add nv.wakeup on.test</c> (or <c>none</c>: sleeping leaves NV alone);
/// <c>wakeup-vector: auto | armed | off</c>; <c>blocked-ndst: keep | follow</c> (kvm-2019).
/// </summary>
public static class SystemVariantFile
{
    private static readonly string[] SystemKeys = ["design", "block", "sched-in", "sched-out-block", "wakeup-vector", "blocked-ndst"];
    private static readonly string[] Keys =
        ["name", "description", "source", "base", "entry", "injector", .. SystemKeys];

    /// <summary>True when the text is a whole-system variant file rather than a section 4 one.</summary>
    public static bool Applies(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.Split('#')[0];
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (SystemKeys.Contains(key) || (key == "base" && SystemBuiltins.Find(value) is not null)) return true;
        }
        return false;
    }

    /// <summary>Resolves a command-line argument: a whole-system built-in's name or a whole-system variant file; null if it is neither.</summary>
    public static SystemVariantParseResult? TryLoad(string nameOrPath)
    {
        if (SystemBuiltins.Find(nameOrPath) is { } b) return new(b, []);
        if (!File.Exists(nameOrPath)) return null;
        string text = File.ReadAllText(nameOrPath);
        return Applies(text) ? Parse(text, nameOrPath) : null;
    }

    public static SystemVariantParseResult Parse(string text, string file)
    {
        var errors = ImmutableArray.CreateBuilder<Diagnostic>();
        var columns = new Dictionary<string, List<int>>();
        string name = Path.GetFileNameWithoutExtension(file);
        string? description = null, source = null;
        SystemVariant? baseVariant = null;
        KvmDesign? design = null;
        List<EntryStep>? entry = null;
        List<InjectorStep>? injector = null;
        List<BlockStep>? block = null;
        List<SchedInStep>? schedIn = null;
        List<SchedOutStep>? schedOut = null;
        WakeupVector? wakeup = null;
        BlockedNdst? blockedNdst = null;

        var reader = new VariantLines(file, Keys, errors);
        var seen = reader.Seen;
        foreach (var kl in reader.Read(text))
        {
            var (lineNo, key, value, _, words) = kl;
            var cols = columns[key] = [];
            int firstCol = kl.FirstColumn;
            string found = words.Count == 0 ? "nothing" : VariantFile.Quote(value.Trim());
            void Bad(int col, string what, string expected) => errors.Add(new(file, lineNo, col, what, expected));
            bool One(string[] choices)
            {
                if (words.Count == 1 && choices.Contains(words[0].Text)) return true;
                Bad(words.Count > 1 ? words[1].Column : firstCol, found, string.Join(" or ", choices));
                return false;
            }
            switch (key)
            {
                case "name":
                    if (words.Count != 1 || !words[0].Text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                        Bad(words.Count > 1 ? words[1].Column : firstCol, found, "one name of letters, digits, '-', '_' or '.'");
                    else name = words[0].Text;
                    break;
                case "description": description = value.Trim(); break;
                case "source": source = value.Trim(); break;
                case "base":
                    if (words.Count != 1 || SystemBuiltins.Find(words[0].Text) is not { } b)
                        Bad(firstCol, found, "the name of a whole-system built-in: " + string.Join(", ", SystemBuiltins.WholeSystem.Select(v => v.Name)));
                    else baseVariant = b;
                    break;
                case "design":
                    if (One(["kvm-2019", "kvm-2021"])) design = words[0].Text == "kvm-2019" ? KvmDesign.Kvm2019 : KvmDesign.Kvm2021;
                    break;
                case "wakeup-vector":
                    if (One(["auto", "armed", "off"])) wakeup = words[0].Text switch { "armed" => WakeupVector.Armed, "off" => WakeupVector.Off, _ => WakeupVector.Auto };
                    break;
                case "blocked-ndst":
                    if (One(["keep", "follow"])) blockedNdst = words[0].Text == "keep" ? BlockedNdst.Keep : BlockedNdst.Follow;
                    break;
                case "entry":
                    entry = [];
                    foreach (var w in words)
                    {
                        if (w.Text == "sync") { entry.AddRange([EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain]); cols.AddRange([w.Column, w.Column, w.Column]); }
                        else if (StepNames.TryParseEntry(w.Text, out var s)) { entry.Add(s); cols.Add(w.Column); }
                        else Bad(w.Column, $"step {VariantFile.Quote(w.Text)}", "an entry step: " + StepNames.EntryWords);
                    }
                    break;
                case "injector":
                    injector = [];
                    foreach (var w in words)
                    {
                        if (StepNames.TryParseInjector(w.Text, out var s)) { injector.Add(s); cols.Add(w.Column); }
                        else Bad(w.Column, $"step {VariantFile.Quote(w.Text)}", "an injector step: " + StepNames.InjectorWords);
                    }
                    break;
                case "block":
                    block = [];
                    foreach (var w in words)
                    {
                        if (SystemStepNames.ParseBlockWord(w.Text) is { } steps) { block.AddRange(steps); cols.AddRange(steps.Select(_ => w.Column)); }
                        else Bad(w.Column, $"step {VariantFile.Quote(w.Text)}", "a block step: " + SystemStepNames.BlockWords);
                    }
                    break;
                case "sched-in":
                    schedIn = [];
                    if (words.Count == 1 && words[0].Text == "none") break;
                    foreach (var w in words)
                    {
                        if (SystemStepNames.TryParse(w.Text, out SchedInStep s)) { schedIn.Add(s); cols.Add(w.Column); }
                        else Bad(w.Column, $"step {VariantFile.Quote(w.Text)}", "a sched.in sub-step: " + SystemStepNames.SchedInWords);
                    }
                    break;
                case "sched-out-block":
                    schedOut = [];
                    if (words.Count == 1 && words[0].Text == "none") break;
                    foreach (var w in words)
                    {
                        if (SystemStepNames.TryParse(w.Text, out SchedOutStep s)) { schedOut.Add(s); cols.Add(w.Column); }
                        else Bad(w.Column, $"step {VariantFile.Quote(w.Text)}", "a sched.out.block sub-step: " + SystemStepNames.SchedOutWords);
                    }
                    break;
            }
        }
        if (errors.Count > 0) return new(null, errors.ToImmutable());

        if (design is { } d && baseVariant is not null && baseVariant.Design != d && !seen.ContainsKey("sched-in"))
        {
            // the base's sched.in was written for its own design: make the change explicit
            errors.Add(new(file, seen["design"], 1, $"design {SystemStepNames.Name(d)} on base {baseVariant.Name} ({SystemStepNames.Name(baseVariant.Design)})",
                "a sched-in line as well, or a base of the same design"));
            return new(null, errors.ToImmutable());
        }
        var reference = baseVariant ?? (design == KvmDesign.Kvm2019 ? SystemBuiltins.Kvm2019 : SystemBuiltins.Kvm2021);
        var fDesign = design ?? reference.Design;
        var fEntry = entry is not null ? [.. entry] : reference.Entry;
        var fInjector = injector is not null ? [.. injector] : reference.Injector;
        var fBlock = block is not null ? [.. block] : reference.Block;
        var fSchedIn = schedIn is not null ? [.. schedIn] : reference.SchedIn;
        ImmutableArray<SchedOutStep> fSchedOut = schedOut is not null ? [.. schedOut] : fDesign == KvmDesign.Kvm2019 ? [] : reference.SchedOutBlock;
        var fBlockedNdst = blockedNdst ?? reference.BlockedNdst;

        int endLine = Math.Max(1, reader.LastLine);
        (int Line, int Column) Where(string k, int index) =>
            seen.TryGetValue(k, out int l) ? (l, index >= 0 && index < columns[k].Count ? columns[k][index] : 1) : (seen.GetValueOrDefault("design", seen.GetValueOrDefault("base", endLine)), 1);

        // the entry and the injector obey section 4's rules (wake aside, which section 4 refuses)
        var entryCheck = Variant.Validate(fEntry, [.. fInjector.Where(s => s != InjectorStep.Wake)], OnAlreadySet.Done, RequestHandling.None);
        if (entryCheck is { } bad && bad.InEntry)
        {
            var (l, c) = Where("entry", bad.Index);
            string f = bad.Index >= 0 && bad.Index < fEntry.Length ? $"entry step {VariantFile.Quote(StepNames.Name(fEntry[bad.Index]))}" : $"entry '{string.Join(' ', fEntry.Select(StepNames.Name))}'";
            errors.Add(new(file, l, c, f, bad.Problem));
            return new(null, errors.ToImmutable());
        }
        if (SystemVariant.Validate(fDesign, fInjector, fBlock, fSchedIn, fSchedOut, blockedNdst is not null) is { } sys)
        {
            var (l, c) = Where(sys.Key, sys.Index);
            string f = sys.Key switch
            {
                "injector" when sys.Index >= 0 && sys.Index < fInjector.Length => $"injector step {VariantFile.Quote(StepNames.Name(fInjector[sys.Index]))}",
                "injector" => $"injector '{string.Join(' ', fInjector.Select(StepNames.Name))}'",
                "block" when sys.Index >= 0 && sys.Index < fBlock.Length => $"block step {VariantFile.Quote(SystemStepNames.Name(fBlock[sys.Index]))}",
                "block" => $"block '{string.Join(' ', fBlock.Select(SystemStepNames.Name))}'",
                "sched-in" when sys.Index >= 0 && sys.Index < fSchedIn.Length => $"sched.in sub-step {VariantFile.Quote(SystemStepNames.Name(fSchedIn[sys.Index]))}",
                "sched-in" => $"sched-in '{(fSchedIn.Length == 0 ? "none" : string.Join(' ', fSchedIn.Select(SystemStepNames.Name)))}'",
                "sched-out-block" when sys.Index >= 0 && sys.Index < fSchedOut.Length => $"sched.out.block sub-step {VariantFile.Quote(SystemStepNames.Name(fSchedOut[sys.Index]))}",
                _ => $"{sys.Key} on design {SystemStepNames.Name(fDesign)}",
            };
            errors.Add(new(file, l, c, f, sys.Problem));
            return new(null, errors.ToImmutable());
        }
        if (entryCheck is { } badInj)
        {
            var (l, c) = Where("injector", -1);
            errors.Add(new(file, l, c, $"injector '{string.Join(' ', fInjector.Select(StepNames.Name))}'", badInj.Problem));
            return new(null, errors.ToImmutable());
        }

        var variant = new SystemVariant(
            name,
            description ?? reference.Description,
            source ?? reference.Source,
            fDesign, fEntry, fInjector, fBlock, fSchedIn, fSchedOut, wakeup ?? reference.WakeupVector, fBlockedNdst);
        return new(variant, []);
    }

    /// <summary>Writes a whole-system variant in the file format; <see cref="Parse"/> reads it back to the same protocol.</summary>
    public static string Format(SystemVariant v)
    {
        var sb = new StringBuilder();
        sb.Append("name: ").Append(v.Name).Append('\n');
        sb.Append("description: ").Append(v.Description.Replace('#', ' ')).Append('\n');
        sb.Append("source: ").Append(v.Source.Replace('#', ' ')).Append('\n');
        sb.Append("design: ").Append(SystemStepNames.Name(v.Design)).Append('\n');
        sb.Append("entry: ").Append(v.EntryText).Append('\n');
        sb.Append("injector: ").Append(v.InjectorText).Append('\n');
        sb.Append("block: ").Append(v.BlockText).Append('\n');
        sb.Append("sched-in: ").Append(v.SchedInText).Append('\n');
        if (v.Design == KvmDesign.Kvm2021) sb.Append("sched-out-block: ").Append(v.SchedOutBlockText).Append('\n');
        sb.Append("wakeup-vector: ").Append(SystemStepNames.Name(v.WakeupVector)).Append('\n');
        if (v.Design == KvmDesign.Kvm2019) sb.Append("blocked-ndst: ").Append(SystemStepNames.Name(v.BlockedNdst)).Append('\n');
        return sb.ToString();
    }
}
