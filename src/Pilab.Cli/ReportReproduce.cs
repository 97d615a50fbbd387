using System.CommandLine;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.Report;

namespace Pilab.Cli;

/// <summary>
/// The command lines the report prints beside each run, which draw that run again: <c>pilab explain</c>
/// with the variant as it was given, every figure of the configuration spelled out (so the variant's own
/// check line does not matter) and the search options that choose which shortest run is reported
/// (<c>--no-por</c>, <c>--no-symmetry</c>: a reduced graph may pick another run of the same length).
/// Each line is read back with pilab explain's own options before it is shown; one that would check
/// another configuration is never shown: the report says why instead.
/// </summary>
internal static class ReportReproduce
{
    /// <summary>The line that redraws a checked variant's run, as an SVG file named <paramref name="svg"/>.</summary>
    public static Reproduction Explain(string given, Variant variant, Configuration configuration, ExplorationOptions options, string svg)
    {
        if (given.Any(char.IsControl))
            return Reproduction.None($"no command line: the variant's path, {Diagnostic.Printable(given)}, has control characters");
        var words = new List<string> { "explain", given };
        Configuration(words, variant.Design, configuration);
        if (!variant.WholeSystem)
        {
            // The whole-system model has no reductions; the vCPU entry's choose the run.
            if (!options.PartialOrder) words.Add("--no-por");
            if (!options.Symmetry) words.Add("--no-symmetry");
        }
        words.AddRange(["--svg", svg]);
        if (ReadBack(words, variant) is not { } read)
            return Reproduction.None("no command line: pilab explain does not accept this one (report it as a bug)");
        if (read != configuration)
        {
            string kept = string.Join(" and ", new[] { read.SameVector && !configuration.SameVector ? "same-vector" : null, read.IrqPriority && !configuration.IrqPriority ? "irq-priority" : null }.Where(w => w is not null));
            return Reproduction.None($"no command line reproduces this run: the variant's own check line sets {(kept.Length > 0 ? kept : "a figure")}, which pilab explain keeps and no option turns off, "
                + $"and this run was checked without it ({configuration.Text(variant.Design)}); remove it from the check line and run {Line(words)}");
        }
        return Reproduction.Of(Line(words));
    }

    /// <summary>
    /// The lines that redraw a synthesized order's run: a variant file with the injector side's base and
    /// the order as its entry line (written with printf), then pilab explain on it.
    /// </summary>
    public static Reproduction Order(Variant order, Variant side, Configuration configuration, ExplorationOptions options)
    {
        string file = order.Name + ".variant";
        string[] lines = [$"base: {side.Name}", $"entry: {order.EntryText}"];
        var parsed = VariantFile.Parse(string.Join('\n', lines) + "\n", file);
        if (!parsed.Ok || !SameProtocol(parsed.Variant!, order))
            return Reproduction.None($"no command line: the order's injector side is not that of a built-in ({side.Name})");
        var words = new List<string> { "explain", file };
        Configuration(words, KvmDesign.Entry, configuration);
        if (!options.PartialOrder) words.Add("--no-por");
        if (!options.Symmetry) words.Add("--no-symmetry");
        if (ReadBack(words, parsed.Variant!) != configuration)
            return Reproduction.None("no command line reproduces this configuration from a variant file");
        return Reproduction.Of($"printf '%s\\n' {string.Join(' ', lines.Select(Quote))} > {Quote(file)} && {Line(words)}");
    }

    private static bool SameProtocol(Variant a, Variant b) =>
        a.Design == b.Design && a.Entry.SequenceEqual(b.Entry) && a.Injector.SequenceEqual(b.Injector)
        && a.OnAlreadySet == b.OnAlreadySet && a.Requests == b.Requests;

    /// <summary>Every figure the design has, spelled out, and the flags that are set.</summary>
    private static void Configuration(List<string> words, KvmDesign design, Configuration c)
    {
        words.AddRange(["--mm", c.Memory.ToString().ToLowerInvariant(), "-k", N(c.Injectors)]);
        if (design != KvmDesign.Entry) words.AddRange(["--iommu", N(c.Iommu)]);
        words.AddRange(["-n", N(c.Posts), "-e", N(c.Exits)]);
        if (design != KvmDesign.Entry) words.AddRange(["--halts", N(c.Halts), "--preemptions", N(c.Preemptions), "--migrations", N(c.Migrations)]);
        if (c.SameVector) words.Add("--same-vector");
        if (c.IrqPriority) words.Add("--irq-priority");
    }

    /// <summary>
    /// The configuration pilab explain would check for these words: parsed with the options explain has
    /// (CommonOptions), laid over the variant's own check line as explain lays them. Null if they do not parse.
    /// </summary>
    private static Configuration? ReadBack(List<string> words, Variant variant)
    {
        var o = new CommonOptions();
        var explain = new Command("explain");
        explain.Arguments.Add(o.Variant);
        foreach (var option in o.ConfigurationOptions) explain.Options.Add(option);
        explain.Options.Add(o.NoPor);
        explain.Options.Add(o.NoSymmetry);
        explain.Options.Add(new Option<string>("--svg"));
        var p = explain.Parse(words.Skip(1).ToArray());
        return p.Errors.Count > 0 ? null : o.Overlay(p, variant.Check);
    }

    private static string N(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string Line(IEnumerable<string> words) => "pilab " + string.Join(' ', words.Select(Quote));

    /// <summary>A word as a POSIX shell reads it back: as it is when it is plain, else in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''") + "'";
}
