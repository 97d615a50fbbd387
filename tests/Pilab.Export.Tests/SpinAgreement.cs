using System.Diagnostics;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.System.Tests;

namespace Pilab.Export.Tests;

/// <summary>
/// What the whole-system and the AVIC SPIN agreement tests share: the cases (built-ins under SC and TSO,
/// the library's files of a design that are not a built-in again) and the agreement itself: pilab's
/// unreduced search, which goes on after a violation, and SPIN on the export with partial-order
/// reduction off reach the same verdict and store the same number of states.
/// </summary>
internal static class SpinAgreement
{
    /// <summary>Each built-in at its own configuration, under SC and TSO: (memory model, name).</summary>
    public static TheoryData<string, string> Builtins(IEnumerable<Variant> builtins)
    {
        var data = new TheoryData<string, string>();
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            foreach (var v in builtins)
                data.Add(mm.ToString(), v.Name);
        return data;
    }

    /// <summary>The library's files of a design at their own configuration under SC and TSO, less those
    /// that are a built-in again (the same protocol in the same configuration), which would only cost
    /// another SPIN run: (path below the library, memory model).</summary>
    public static TheoryData<string, string> LibraryFiles(Func<Variant, bool> ofDesign, IReadOnlyList<Variant> builtins)
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in new[] { "safe", "loses" })
            foreach (var file in Directory.GetFiles(Path.Combine(VariantLibrary.Root(), folder), "*.variant").Order())
            {
                var variant = VariantFile.Load(file).Variant!;
                if (!ofDesign(variant)) continue;
                if (builtins.Any(b => b.SameProtocol(variant) && b.Check with { Memory = variant.Check.Memory } == variant.Check)) continue;
                foreach (var mm in new[] { "sc", "tso" })
                    data.Add($"{folder}/{Path.GetFileName(file)}", mm);
            }
        return data;
    }

    /// <summary>A library file (a case of <see cref="LibraryFiles"/>) at its own configuration under the memory model named.</summary>
    public static void AssertLibraryFile(string relative, string mm)
    {
        var parsed = VariantFile.Load(Path.Combine(VariantLibrary.Root(), relative));
        Xunit.Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
        var v = parsed.Variant!;
        Assert(v, v.Check with { Memory = mm == "tso" ? MemoryModel.TSO : MemoryModel.SC });
    }

    public static void Assert(Variant variant, Configuration config)
    {
        var clock = Stopwatch.StartNew();
        var pilab = Models.Check(variant, config, ExplorationOptions.Unreduced with { ExhaustAfterViolation = true });
        var pilabTime = clock.Elapsed;
        clock.Restart();
        var spin = Spin.Verify(PromelaExport.Export(variant, config));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"| {variant.Name} | {config.Text(variant.Design)} | {pilab.Exploration.States} | {spin.StatesStored} | {pilab.Verdict} | {spin.Verdict} | {pilabTime.TotalSeconds:F1} s | {clock.Elapsed.TotalSeconds:F1} s |");
        Xunit.Assert.Equal(pilab.Verdict, spin.Verdict);
        Xunit.Assert.Equal(pilab.Exploration.States, spin.StatesStored);
    }

    /// <summary>The configuration as <see cref="Configuration.Text"/> writes it (the fields not given take their defaults), checked for the design.</summary>
    public static Configuration Parse(string options, KvmDesign design)
    {
        var config = new Configuration();
        foreach (var word in options.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = word.Split('=');
            int n = kv.Length == 2 ? int.Parse(kv[1]) : 0;
            config = kv[0] switch
            {
                "SC" => config with { Memory = MemoryModel.SC },
                "TSO" => config with { Memory = MemoryModel.TSO },
                "k" => config with { Injectors = n },
                "j" => config with { Iommu = n },
                "i" => config with { Ipiv = n },
                "n" => config with { Posts = n },
                "e" => config with { Exits = n },
                "h" => config with { Halts = n },
                "p" => config with { Preemptions = n },
                "m" => config with { Migrations = n },
                "same-vector" => config with { SameVector = true },
                "irq-priority" => config with { IrqPriority = true },
                _ => throw new ArgumentException($"no option {word}"),
            };
        }
        Xunit.Assert.Null(config.Problem(design));
        return config;
    }
}
