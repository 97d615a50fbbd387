using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis;

/// <summary>
/// The injector side of a synthesis: the injector sequence and policies of a built-in or a variant
/// file, or a sequence of injector steps written out (on-already-set done; requests prepatch when it
/// has req.set, since only the pre-patch entry clears EVENT).
/// </summary>
public static class InjectorSide
{
    public static readonly Variant Default = Builtins.Fixed;

    /// <summary>The synthesis permutes the vCPU entry against an injector (design entry) or the entry and a CPU
    /// poster's orders (design avic): a variant of the other whole-system designs is refused by its design.</summary>
    private static Variant? EntryOnly(Variant v, out string? error)
    {
        bool refused = v.WholeSystem && !v.IsAvic;
        error = refused ? Models.Refusal("synthesize --injector", v, "synthesize permutes the entry orders of design entry against an injector, and of design avic against a CPU poster's orders") : null;
        return refused ? null : v;
    }

    /// <summary>A variant whose injector side is the one named; null and a message when it is not one.</summary>
    public static Variant? Parse(string sequenceOrVariant, out string? error)
    {
        error = null;
        string text = sequenceOrVariant.Trim();
        if (Builtins.Find(text) is { } builtin) return EntryOnly(builtin, out error);
        string[] words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 1 && File.Exists(text))
        {
            var loaded = VariantFile.Load(text);
            if (loaded.Ok) return EntryOnly(loaded.Variant!, out error);
            error = string.Join("\n", loaded.Errors);
            return null;
        }
        var steps = new List<InjectorStep>();
        foreach (var w in words)
        {
            if (!StepNames.TryParseInjector(w, out var s))
            {
                error = $"--injector: '{w}' is not a built-in variant, a variant file or an injector step ({StepNames.InjectorWords})";
                return null;
            }
            steps.Add(s);
        }
        var requests = steps.Contains(InjectorStep.ReqSet) ? RequestHandling.PrePatch : RequestHandling.None;
        if (Variant.ValidateEntry(Default.Entry, steps, OnAlreadySet.Done, requests) is { } bad)
        {
            error = $"--injector '{text}': expected {bad.Problem}";
            return null;
        }
        return Default with
        {
            Name = "injector",
            Description = "injector given on the command line",
            Injector = [.. steps],
            OnAlreadySet = OnAlreadySet.Done,
            Requests = requests,
            Source = "--injector",
        };
    }
}
