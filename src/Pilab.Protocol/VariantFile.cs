using System.Collections.Immutable;
using System.Text;

namespace Pilab.Protocol;

/// <summary>A position in a variant file and what was wrong there.</summary>
public sealed record Diagnostic(string File, int Line, int Column, string Found, string Expected)
{
    public override string ToString() => $"{File}:{Line}:{Column}: found {Printable(Found)}, expected {Expected}";

    /// <summary>The text with control characters shown as \xNN, so a file's bytes never reach the terminal raw.</summary>
    public static string Printable(string s)
    {
        if (!s.Any(char.IsControl)) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (char c in s)
            if (char.IsControl(c)) sb.Append($"\\x{(int)c:x2}");
            else sb.Append(c);
        return sb.ToString();
    }
}

/// <summary>Either a variant or the diagnostics that explain why there is none.</summary>
public sealed record VariantParseResult(Variant? Variant, ImmutableArray<Diagnostic> Errors)
{
    public bool Ok => Variant is not null;
}

/// <summary>
/// The plain-text variant format of every design (docs/variant-format.md). One <c>key: value</c> per
/// line, <c>#</c> starts a comment. Keys every design has: name, description, source, base, design,
/// check, entry, injector. The vCPU-entry design adds on-already-set and requests; the whole-system
/// designs add block, sched-in, sched-out-block (kvm-2021), wakeup-vector and blocked-ndst (kvm-2019).
/// The design is the <c>design</c> line's, else the base's, else kvm-2021 when a whole-system key is
/// given, else the vCPU entry. Every key not given comes from the base, else from the design's
/// reference built-in.
/// </summary>
public static class VariantFile
{
    /// <summary>The whole-system rules a patch may change (src/Pilab.Protocol/KernelRules.cs).</summary>
    private static readonly string[] RuleKeys = ["on-recompute", "iommu-sn", "preempted", "preempt-put", "host-preempt"];
    private static readonly string[] SystemKeys = ["block", "sched-in", "sched-out-block", "wakeup-vector", "blocked-ndst", .. RuleKeys];
    private static readonly string[] EntryKeys = ["on-already-set", "requests"];
    /// <summary>The AVIC design's keys (docs/avic.md).</summary>
    private static readonly string[] AvicKeys = ["cpu-sender", "ipiv", "unblock-load", "irte-assign", "blocking-preemptible"];
    private static readonly string[] Keys =
        ["name", "description", "source", "base", "design", "check", "expect", "finding", "entry", "injector", .. EntryKeys, .. SystemKeys, .. AvicKeys];

    /// <summary>The words of a <c>check:</c> line (docs/variant-format.md).</summary>
    public const string CheckWords = "mm=sc|tso, k=N (CPU injectors), j=N (IOMMU posters), i=N (IPIv posters), n=N (posts each), e=N (guest exits), h=N (halts), p=N (preemptions), m=N (migrations), same-vector, irq-priority";

    public static VariantParseResult Parse(string text, string file)
    {
        var errors = ImmutableArray.CreateBuilder<Diagnostic>();
        var columns = new Dictionary<string, List<int>>();
        string name = Path.GetFileNameWithoutExtension(file);
        string? description = null, source = null;
        Variant? baseVariant = null;
        KvmDesign? design = null;
        Configuration? check = null;
        List<EntryStep>? entry = null;
        List<InjectorStep>? injector = null;
        OnAlreadySet? onAlreadySet = null;
        RequestHandling? requests = null;
        List<BlockStep>? block = null;
        List<SchedInStep>? schedIn = null;
        List<SchedOutStep>? schedOut = null;
        WakeupVector? wakeup = null;
        BlockedNdst? blockedNdst = null;
        string? expect = null;
        bool? finding = null;
        OnRecompute? onRecompute = null;
        IommuSn? iommuSn = null;
        PreemptedRule? preempted = null;
        PreemptPut? preemptPut = null;
        HostPreempt? hostPreempt = null;
        AvicSender? avicSender = null;
        bool? avicIpiv = null, avicBlockingPreemptible = null;
        AvicUnblockLoad? avicUnblock = null;
        AvicIrteAssign? avicIrte = null;

        var reader = new VariantLines(file, Keys, errors);
        var seen = reader.Seen;
        foreach (var kl in reader.Read(text))
        {
            var (lineNo, key, value, _, words) = kl;
            var cols = columns[key] = [];
            int firstCol = kl.FirstColumn;
            string found = words.Count == 0 ? "nothing" : Quote(value.Trim());
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
                    if (words.Count != 1 || Builtins.Find(words[0].Text) is not { } b)
                        Bad(firstCol, found, "the name of a built-in variant: " + string.Join(", ", Builtins.All.Select(v => v.Name)));
                    else baseVariant = b;
                    break;
                case "design":
                    if (words.Count == 1 && DesignNames.TryParse(words[0].Text, out var d)) design = d;
                    else Bad(words.Count > 1 ? words[1].Column : firstCol, found, "one design: " + DesignNames.AllList);
                    break;
                case "check":
                    check = ParseCheck(words, file, lineNo, errors);
                    break;
                case "finding":
                    if (One(["yes", "no"])) finding = words[0].Text == "yes";
                    break;
                case "expect":
                    if (One(["safe", "violation"])) expect = words[0].Text;
                    break;
                case "entry":
                    entry = [];
                    foreach (var w in words)
                    {
                        if (w.Text == "sync") { entry.AddRange([EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain]); cols.AddRange([w.Column, w.Column, w.Column]); }
                        else if (StepNames.TryParseEntry(w.Text, out var s)) { entry.Add(s); cols.Add(w.Column); }
                        else Bad(w.Column, $"step {Quote(w.Text)}", "an entry step: " + StepNames.EntryWords);
                    }
                    break;
                case "injector":
                    injector = [];
                    foreach (var w in words)
                    {
                        if (StepNames.TryParseInjector(w.Text, out var s)) { injector.Add(s); cols.Add(w.Column); }
                        else Bad(w.Column, $"step {Quote(w.Text)}", "an injector step: " + StepNames.InjectorWords);
                    }
                    break;
                case "on-already-set":
                    if (words.Count == 1 && Enum.GetValues<OnAlreadySet>().FirstOrDefault(o => StepNames.Name(o) == words[0].Text) is var o1 && StepNames.Name(o1) == words[0].Text)
                        onAlreadySet = o1;
                    else Bad(firstCol, found, "done, kick or continue");
                    break;
                case "requests":
                    if (words.Count == 1 && Enum.GetValues<RequestHandling>().FirstOrDefault(r => StepNames.Name(r) == words[0].Text) is var r1 && StepNames.Name(r1) == words[0].Text)
                        requests = r1;
                    else Bad(firstCol, found, "none or prepatch");
                    break;
                case "wakeup-vector":
                    if (One(["auto", "armed", "off"])) wakeup = words[0].Text switch { "armed" => WakeupVector.Armed, "off" => WakeupVector.Off, _ => WakeupVector.Auto };
                    break;
                case "blocked-ndst":
                    if (One(["keep", "follow"])) blockedNdst = words[0].Text == "keep" ? BlockedNdst.Keep : BlockedNdst.Follow;
                    break;
                case "on-recompute":
                    if (One(KernelRuleNames.OnRecomputeWords)) onRecompute = KernelRuleNames.ParseOnRecompute(words[0].Text);
                    break;
                case "iommu-sn":
                    if (One(KernelRuleNames.IommuSnWords)) iommuSn = KernelRuleNames.ParseIommuSn(words[0].Text);
                    break;
                case "preempted":
                    if (One(KernelRuleNames.PreemptedWords)) preempted = KernelRuleNames.ParsePreempted(words[0].Text);
                    break;
                case "preempt-put":
                    if (One(KernelRuleNames.PreemptPutWords)) preemptPut = KernelRuleNames.ParsePreemptPut(words[0].Text);
                    break;
                case "host-preempt":
                    if (One(KernelRuleNames.HostPreemptWords)) hostPreempt = KernelRuleNames.ParseHostPreempt(words[0].Text);
                    break;
                case "block":
                    block = [];
                    foreach (var w in words)
                    {
                        if (StepNames.ParseBlockWord(w.Text) is { } steps) { block.AddRange(steps); cols.AddRange(steps.Select(_ => w.Column)); }
                        else Bad(w.Column, $"step {Quote(w.Text)}", "a block step: " + StepNames.BlockWords);
                    }
                    break;
                case "sched-in":
                    schedIn = [];
                    if (words.Count == 1 && words[0].Text == "none") break;
                    foreach (var w in words)
                    {
                        if (StepNames.TryParse(w.Text, out SchedInStep s)) { schedIn.Add(s); cols.Add(w.Column); }
                        else Bad(w.Column, $"step {Quote(w.Text)}", "a sched.in sub-step: " + StepNames.SchedInWords);
                    }
                    break;
                // the AVIC design's keys (docs/avic.md)
                case "cpu-sender":
                    if (One(["kvm", "avic", "avic-erratum-1235"])) avicSender = words[0].Text switch { "kvm" => AvicSender.Kvm, "avic" => AvicSender.Hardware, _ => AvicSender.Erratum1235 };
                    break;
                case "ipiv":
                    if (One(["on", "off"])) avicIpiv = words[0].Text == "on";
                    break;
                case "unblock-load":
                    if (One(["this-cpu", "vcpu-cpu"])) avicUnblock = words[0].Text == "this-cpu" ? AvicUnblockLoad.ThisCpu : AvicUnblockLoad.VcpuCpu;
                    break;
                case "irte-assign":
                    if (One(["from-entry", "not-running"])) avicIrte = words[0].Text == "from-entry" ? AvicIrteAssign.FromEntry : AvicIrteAssign.NotRunning;
                    break;
                case "blocking-preemptible":
                    if (One(["no", "yes"])) avicBlockingPreemptible = words[0].Text == "yes";
                    break;
                case "sched-out-block":
                    schedOut = [];
                    if (words.Count == 1 && words[0].Text == "none") break;
                    foreach (var w in words)
                    {
                        if (StepNames.TryParse(w.Text, out SchedOutStep s)) { schedOut.Add(s); cols.Add(w.Column); }
                        else Bad(w.Column, $"step {Quote(w.Text)}", "a sched.out.block sub-step: " + StepNames.SchedOutWords);
                    }
                    break;
            }
        }
        if (errors.Count > 0) return new(null, errors.ToImmutable());

        // Which design: the design line's, the base's, kvm-2021 when a whole-system key says so, else the vCPU entry.
        var fDesign = design ?? baseVariant?.Design ?? (AvicKeys.Any(seen.ContainsKey) ? KvmDesign.Avic : SystemKeys.Any(seen.ContainsKey) ? KvmDesign.Kvm2021 : KvmDesign.Entry);
        int endLine = Math.Max(1, reader.LastLine);
        VariantParseResult Error(string key, int column, string what, string expected)
        {
            errors.Add(new(file, seen.GetValueOrDefault(key, endLine), column, what, expected));
            return new(null, errors.ToImmutable());
        }
        if (fDesign == KvmDesign.Avic)
            return ParseAvic(file, seen, endLine, errors, design, baseVariant, check, name, description, source, expect, finding,
                new AvicPolicy(avicSender ?? default, avicIpiv ?? true, avicUnblock ?? default, avicIrte ?? default, avicBlockingPreemptible ?? false),
                (avicSender is not null, avicIpiv is not null, avicUnblock is not null, avicIrte is not null, avicBlockingPreemptible is not null));
        foreach (var k in AvicKeys)
            if (seen.ContainsKey(k))
                return Error(k, 1, $"key '{k}' in a variant of design {DesignNames.Name(fDesign)}", "the AVIC design for it ('design: avic' or 'base: avic': docs/avic.md)");
        if (baseVariant is { IsAvic: true })
            return Error("design", 1, $"design {DesignNames.Name(fDesign)} on base {baseVariant.Name} (avic)", "a base of the same design");
        foreach (var k in fDesign == KvmDesign.Entry ? SystemKeys : EntryKeys)
            if (seen.ContainsKey(k))
                return Error(k, 1, $"key '{k}' in a variant of design {DesignNames.Name(fDesign)}",
                    fDesign == KvmDesign.Entry ? "a whole-system design for it ('design: kvm-2021' or 'base: kvm-2021')" : "no on-already-set or requests line: the whole-system designs use the patched injector (done) and no KVM_REQ_EVENT");
        if (design is { } dd && baseVariant is not null && baseVariant.Design != dd)
        {
            // The base was written for another design: only a whole-system base for a whole-system design with its sched.in redone.
            if (baseVariant.Design == KvmDesign.Entry || dd == KvmDesign.Entry || !seen.ContainsKey("sched-in"))
                return Error("design", 1, $"design {DesignNames.Name(dd)} on base {baseVariant.Name} ({DesignNames.Name(baseVariant.Design)})",
                    dd == KvmDesign.Entry || baseVariant.Design == KvmDesign.Entry ? "a base of the same design" : "a sched-in line as well, or a base of the same design");
        }

        var reference = baseVariant ?? fDesign switch
        {
            KvmDesign.Kvm2019 => Builtins.Kvm2019,
            KvmDesign.Kvm2021 => Builtins.Kvm2021,
            _ => null,
        };
        var fEntry = entry is not null ? [.. entry] : reference?.Entry;
        var fInjector = injector is not null ? [.. injector] : reference?.Injector;
        if (fEntry is null)
            errors.Add(new(file, endLine, 1, "no entry line", "'entry: <steps> enter', or 'base: <built-in>'"));
        if (fInjector is null)
            errors.Add(new(file, endLine, 1, "no injector line", "'injector: pir.set ...', or 'base: <built-in>'"));
        if (errors.Count > 0) return new(null, errors.ToImmutable());

        (int Line, int Column) Where(string k, int index) =>
            seen.TryGetValue(k, out int l)
                ? (l, columns.TryGetValue(k, out var c) && index >= 0 && index < c.Count ? c[index] : 1)
                : (seen.GetValueOrDefault("design", seen.GetValueOrDefault("base", endLine)), 1);
        string Steps<T>(string what, ImmutableArray<T> steps, Func<T, string> nameOf, int index, string none = "") =>
            index >= 0 && index < steps.Length ? $"{what} {Quote(nameOf(steps[index]))}"
            : steps.Length == 0 ? (none.Length > 0 ? $"{what.Split(' ')[0]} '{none}'" : $"an empty {what.Split(' ')[0]} sequence")
            : $"{what.Split(' ')[0]} '{string.Join(' ', steps.Select(nameOf))}'";

        var policy = onAlreadySet ?? reference?.OnAlreadySet ?? OnAlreadySet.Done;
        var requestHandling = requests ?? reference?.Requests ?? RequestHandling.None;
        // The entry and the injector obey the vCPU-entry rules; the whole system's injector also has a wake, which those rules refuse.
        bool whole = fDesign != KvmDesign.Entry;
        var entryCheck = Variant.ValidateEntry(fEntry!.Value, whole ? [.. fInjector!.Value.Where(s => s != InjectorStep.Wake)] : fInjector!.Value, policy, requestHandling);
        if (entryCheck is { } bad && (bad.InEntry || !whole))
        {
            string k = bad.InEntry ? "entry" : "injector";
            var (l, c) = Where(k, bad.Index);
            if (!seen.ContainsKey(k) && seen.ContainsKey("on-already-set") && !bad.InEntry) l = seen["on-already-set"];
            string f = bad.InEntry ? Steps("entry step", fEntry.Value, StepNames.Name, bad.Index) : Steps("injector step", fInjector.Value, StepNames.Name, bad.Index);
            errors.Add(new(file, l, c, f, bad.Problem));
            return new(null, errors.ToImmutable());
        }

        ImmutableArray<BlockStep> fBlock = [];
        ImmutableArray<SchedInStep> fSchedIn = [];
        ImmutableArray<SchedOutStep> fSchedOut = [];
        if (whole)
        {
            fBlock = block is not null ? [.. block] : reference!.Block;
            fSchedIn = schedIn is not null ? [.. schedIn] : reference!.SchedIn;
            fSchedOut = schedOut is not null ? [.. schedOut] : fDesign == KvmDesign.Kvm2019 ? [] : reference!.SchedOutBlock;
            if (Variant.ValidateSystem(fDesign, fInjector.Value, fBlock, fSchedIn, fSchedOut, blockedNdst is not null) is { } sys)
            {
                var (l, c) = Where(sys.Key, sys.Index);
                string f = sys.Key switch
                {
                    "injector" => Steps("injector step", fInjector.Value, StepNames.Name, sys.Index),
                    "block" => Steps("block step", fBlock, StepNames.Name, sys.Index),
                    "sched-in" => Steps("sched.in sub-step", fSchedIn, StepNames.Name, sys.Index, "none").Replace("sched.in '", "sched-in '"),
                    "sched-out-block" when sys.Index >= 0 && sys.Index < fSchedOut.Length => Steps("sched.out.block sub-step", fSchedOut, StepNames.Name, sys.Index),
                    _ => $"{sys.Key} on design {DesignNames.Name(fDesign)}",
                };
                errors.Add(new(file, l, c, f, sys.Problem));
                return new(null, errors.ToImmutable());
            }
            if (entryCheck is { } badInj)
            {
                var (l, c) = Where("injector", -1);
                errors.Add(new(file, l, c, $"injector '{string.Join(' ', fInjector.Value.Select(StepNames.Name))}'", badInj.Problem));
                return new(null, errors.ToImmutable());
            }
        }

        if (whole && fDesign == KvmDesign.Kvm2019 && preemptPut is not null)
            return Error("preempt-put", 1, $"preempt-put on design {DesignNames.Name(fDesign)}",
                "no preempt-put line in kvm-2019 (its vmx_vcpu_pi_put only sets SN for a preempted vCPU; pre_block arms the wake-up vector)");
        // The rules of the design's code (preempted, preempt-put) come from the base only when it is of the same
        // design: a kvm-2019 variant on a kvm-2021 base keeps kvm-2019's kvm_sched_out rule.
        var rules = baseVariant is not null && baseVariant.Design == fDesign ? baseVariant : fDesign switch
        {
            KvmDesign.Kvm2019 => Builtins.Kvm2019,
            _ => reference,
        };

        // The configuration that tells the story: the check line, else the base's, else the design's reference.
        var fCheck = check ?? reference?.Check ?? new Configuration();
        if (fCheck.Problem(fDesign) is { } cp)
            return Error(check is null ? (seen.ContainsKey("base") ? "base" : "design") : "check", 1,
                check is null ? $"the configuration {fCheck.CheckLine(fDesign)} taken from {(baseVariant?.Name ?? "the design")}" : $"check '{fCheck.CheckLine(fDesign)}'", $"a configuration design {DesignNames.Name(fDesign)} can check: {cp}");

        var variant = new Variant(
            name,
            description ?? reference?.Description ?? $"variant from {Path.GetFileName(file)}",
            fEntry.Value,
            fInjector.Value,
            policy,
            requestHandling,
            source ?? reference?.Source ?? Path.GetFileName(file))
        {
            Design = fDesign,
            Block = fBlock,
            SchedIn = fSchedIn,
            SchedOutBlock = fSchedOut,
            WakeupVector = whole ? wakeup ?? reference!.WakeupVector : WakeupVector.Auto,
            BlockedNdst = whole ? blockedNdst ?? reference!.BlockedNdst : BlockedNdst.Keep,
            OnRecompute = whole ? onRecompute ?? reference!.OnRecompute : OnRecompute.Always,
            IommuSn = whole ? iommuSn ?? reference!.IommuSn : IommuSn.Respect,
            Preempted = whole ? preempted ?? rules!.Preempted : PreemptedRule.OnRq,
            PreemptPut = whole && fDesign != KvmDesign.Kvm2019 ? preemptPut ?? rules!.PreemptPut : PreemptPut.WakeupAndSn,
            HostPreempt = whole ? hostPreempt ?? reference!.HostPreempt : HostPreempt.Full,
            Check = fCheck,
            Expect = expect,
            Finding = finding ?? false,
        };
        return new(variant, []);
    }

    /// <summary>The rest of <see cref="Parse"/> for the AVIC design: its keys only (no entry, injector or APICv
    /// keys: its programs are fixed by avic.c, and its policies are the keys of docs/avic.md), the base's
    /// policies for every key not given, the check line checked against the design.</summary>
    private static VariantParseResult ParseAvic(string file, IReadOnlyDictionary<string, int> seen, int endLine, ImmutableArray<Diagnostic>.Builder errors,
        KvmDesign? design, Variant? baseVariant, Configuration? check, string name, string? description, string? source, string? expect, bool? finding,
        AvicPolicy given, (bool Sender, bool Ipiv, bool Unblock, bool Irte, bool Preemptible) has)
    {
        VariantParseResult Error(string key, string what, string expected)
        {
            errors.Add(new(file, seen.GetValueOrDefault(key, endLine), 1, what, expected));
            return new(null, errors.ToImmutable());
        }
        foreach (var k in (string[])["entry", "injector", .. EntryKeys, .. SystemKeys])
            if (seen.ContainsKey(k))
                return Error(k, $"key '{k}' in a variant of design avic", "only the AVIC keys (" + string.Join(", ", AvicKeys) + "): its programs are avic.c's (docs/avic.md)");
        if (baseVariant is not null && baseVariant.Design != KvmDesign.Avic)
            return Error(design is not null ? "design" : "base", $"design avic on base {baseVariant.Name} ({DesignNames.Name(baseVariant.Design)})", "an AVIC base (" + string.Join(", ", Builtins.Of(KvmDesign.Avic).Select(v => v.Name)) + ")");
        var reference = baseVariant ?? Builtins.Avic;
        var r = reference.Avic;
        var policy = new AvicPolicy(
            has.Sender ? given.Sender : r.Sender,
            has.Ipiv ? given.Ipiv : r.Ipiv,
            has.Unblock ? given.UnblockLoad : r.UnblockLoad,
            has.Irte ? given.IrteAssign : r.IrteAssign,
            has.Preemptible ? given.BlockingPreemptible : r.BlockingPreemptible);
        var fCheck = check ?? reference.Check;
        if (fCheck.Problem(KvmDesign.Avic) is { } cp)
            return Error(check is null ? (seen.ContainsKey("base") ? "base" : "design") : "check",
                check is null ? $"the configuration {fCheck.CheckLine(KvmDesign.Avic)} taken from {reference.Name}" : $"check '{fCheck.CheckLine(KvmDesign.Avic)}'",
                $"a configuration design avic can check: {cp}");
        var variant = reference with
        {
            Name = name,
            Description = description ?? reference.Description,
            Source = source ?? reference.Source,
            Avic = policy,
            Check = fCheck,
            Expect = expect,
            Finding = finding ?? false,
        };
        return new(variant, []);
    }

    /// <summary>Reads the words of a <c>check:</c> line: each key at most once, every value in range
    /// of the packed state (the design's own rules are checked after, with <see cref="Configuration.Problem"/>).</summary>
    private static Configuration? ParseCheck(List<(string Text, int Column)> words, string file, int line, ImmutableArray<Diagnostic>.Builder errors)
    {
        var c = new Configuration();
        var given = new HashSet<string>();
        int before = errors.Count;
        foreach (var (text, column) in words)
        {
            int eq = text.IndexOf('=');
            string key = eq < 0 ? text : text[..eq], value = eq < 0 ? "" : text[(eq + 1)..];
            if (!given.Add(key))
            {
                errors.Add(new(file, line, column, $"a second {Quote(key)}", "each key of the check line once"));
                continue;
            }
            int Number(int max)
            {
                if (value.Length is >= 1 and <= 2 && value.All(char.IsAsciiDigit) && int.Parse(value) <= max) return int.Parse(value);
                // At the value, or, for a key with no '=' and so no value, just after the key: inside the line.
                errors.Add(new(file, line, column + key.Length + (eq < 0 ? 0 : 1), Quote(value), $"a number 0 to {max} for {key}"));
                return 0;
            }
            switch (key)
            {
                case "mm" when value is "sc" or "tso": c = c with { Memory = value == "sc" ? MemoryModel.SC : MemoryModel.TSO }; break;
                case "mm": errors.Add(new(file, line, column + 3, Quote(value), "sc or tso")); break;
                case "k": c = c with { Injectors = Number(Configuration.MaxPosters) }; break;
                case "j": c = c with { Iommu = Number(Configuration.MaxPosters) }; break;
                case "i": c = c with { Ipiv = Number(Configuration.MaxPosters) }; break;
                case "n": c = c with { Posts = Number(Configuration.MaxPosts) }; break;
                case "e": c = c with { Exits = Number(Configuration.MaxExits) }; break;
                case "h": c = c with { Halts = Number(Configuration.MaxHalts) }; break;
                case "p": c = c with { Preemptions = Number(Configuration.MaxPreemptions) }; break;
                case "m": c = c with { Migrations = Number(Configuration.MaxMigrations) }; break;
                case "same-vector" when eq < 0: c = c with { SameVector = true }; break;
                case "irq-priority" when eq < 0: c = c with { IrqPriority = true }; break;
                default: errors.Add(new(file, line, column, Quote(text), CheckWords)); break;
            }
        }
        return errors.Count == before ? c : null;
    }

    /// <summary>Writes a variant in the file format; <see cref="Parse"/> reads it back to the same protocol and configuration.</summary>
    public static string Format(Variant v)
    {
        var sb = new StringBuilder();
        sb.Append("name: ").Append(v.Name).Append('\n');
        sb.Append("description: ").Append(v.Description.Replace('#', ' ')).Append('\n');
        sb.Append("source: ").Append(v.Source.Replace('#', ' ')).Append('\n');
        sb.Append("design: ").Append(DesignNames.Name(v.Design)).Append('\n');
        sb.Append("check: ").Append(v.Check.CheckLine(v.Design)).Append('\n');
        if (v.Expect is { } e) sb.Append("expect: ").Append(e).Append('\n');
        if (v.Finding) sb.Append("finding: yes\n");
        if (v.IsAvic)
        {
            sb.Append("cpu-sender: ").Append(AvicPolicy.Name(v.Avic.Sender)).Append('\n');
            sb.Append("ipiv: ").Append(v.Avic.Ipiv ? "on" : "off").Append('\n');
            sb.Append("unblock-load: ").Append(AvicPolicy.Name(v.Avic.UnblockLoad)).Append('\n');
            sb.Append("irte-assign: ").Append(AvicPolicy.Name(v.Avic.IrteAssign)).Append('\n');
            sb.Append("blocking-preemptible: ").Append(v.Avic.BlockingPreemptible ? "yes" : "no").Append('\n');
            return sb.ToString();
        }
        sb.Append("entry: ").Append(v.EntryText).Append('\n');
        sb.Append("injector: ").Append(v.InjectorText).Append('\n');
        if (!v.WholeSystem)
        {
            sb.Append("on-already-set: ").Append(StepNames.Name(v.OnAlreadySet)).Append('\n');
            sb.Append("requests: ").Append(StepNames.Name(v.Requests)).Append('\n');
            return sb.ToString();
        }
        sb.Append("block: ").Append(v.BlockText).Append('\n');
        sb.Append("sched-in: ").Append(v.SchedInText).Append('\n');
        if (v.Design == KvmDesign.Kvm2021) sb.Append("sched-out-block: ").Append(v.SchedOutBlockText).Append('\n');
        sb.Append("wakeup-vector: ").Append(StepNames.Name(v.WakeupVector)).Append('\n');
        if (v.Design == KvmDesign.Kvm2019) sb.Append("blocked-ndst: ").Append(StepNames.Name(v.BlockedNdst)).Append('\n');
        sb.Append("on-recompute: ").Append(KernelRuleNames.Name(v.OnRecompute)).Append('\n');
        sb.Append("iommu-sn: ").Append(KernelRuleNames.Name(v.IommuSn)).Append('\n');
        sb.Append("preempted: ").Append(KernelRuleNames.Name(v.Preempted)).Append('\n');
        if (v.Design == KvmDesign.Kvm2021) sb.Append("preempt-put: ").Append(KernelRuleNames.Name(v.PreemptPut)).Append('\n');
        sb.Append("host-preempt: ").Append(KernelRuleNames.Name(v.HostPreempt)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Resolves a command-line argument: a built-in's name or a file path. A path that cannot be
    /// read (missing, a directory, no permission, an I/O error) is a diagnostic, never an exception.</summary>
    public static VariantParseResult Load(string nameOrPath)
    {
        if (Builtins.Find(nameOrPath) is { } b) return new(b, []);
        VariantParseResult Fail(string what) => new(null, [new(Diagnostic.Printable(nameOrPath), 0, 0, what,
            "one of " + string.Join(", ", Builtins.All.Select(v => v.Name)) + ", or the path of a variant file")]);
        if (nameOrPath.Length == 0) return Fail("an empty name");
        try
        {
            // A FIFO would block the read until a writer came, a device such as /dev/zero never ends:
            // only a regular file is opened.
            if (FileKind.Of(nameOrPath) is { } kind && kind != FileKind.Regular)
                return Fail($"{kind}, not a variant file");
            var info = new FileInfo(nameOrPath);
            // A command that takes several variants (report) hands it a word it does not know as an option too.
            if (!info.Exists) return Fail(Directory.Exists(nameOrPath) ? "a directory"
                : nameOrPath.StartsWith('-') ? "not an option of this command (see its --help), nor a built-in variant or file"
                : "no such built-in variant or file");
            if (info.Length > 1 << 20) return Fail($"a file of {info.Length:N0} bytes (a variant file is at most 1 MiB)");
            // Read at most one byte past the limit, in case the file grew since it was looked at.
            using var stream = new FileStream(nameOrPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var bytes = new byte[(1 << 20) + 1];
            int read = 0, n;
            while (read < bytes.Length && (n = stream.Read(bytes, read, bytes.Length - read)) > 0) read += n;
            if (read > 1 << 20) return Fail("a file of more than 1 MiB (a variant file is at most 1 MiB)");
            using var reader = new StreamReader(new MemoryStream(bytes, 0, read), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return Parse(reader.ReadToEnd(), nameOrPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            return Fail($"a file that cannot be read ({e.Message})");
        }
    }

    internal static string Quote(string s) => $"'{Diagnostic.Printable(s)}'";
}
