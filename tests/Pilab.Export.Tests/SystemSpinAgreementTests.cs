using System.Diagnostics;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;
using Pilab.System.Tests;

namespace Pilab.Export.Tests;

/// <summary>
/// SPIN, run on the whole-system export, must reach pilab's verdict and, with partial-order
/// reduction off, store exactly as many states as pilab's unreduced search (which goes on after a
/// violation, so a losing configuration is counted in full): on every row of the whole-system table
/// under SC and TSO, on every whole-system file of the regression library at its own check
/// configuration under SC and TSO, and with the options neither uses. A case costs about a second (gcc
/// compiling pan dominates); the largest, 653,931 states, about two.
/// </summary>
public sealed class SystemSpinAgreementTests
{
    /// <summary>Every whole-system built-in at its own configuration (pilab check's whole-system table), under SC and TSO.</summary>
    public static TheoryData<string, string> TableRows()
    {
        var data = new TheoryData<string, string>();
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            foreach (var v in Builtins.WholeSystemDesigns)
                data.Add(mm.ToString(), v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Spin_AgreesWithPilab_OnTheWholeSystemTable(string mm, string name)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var v = Builtins.Find(name)!;
        AssertAgreement(v, v.Check with { Memory = Enum.Parse<MemoryModel>(mm) });
    }

    /// <summary>The library's whole-system files at their own configuration under SC and TSO, less those
    /// that are a built-in again (the same protocol in the same configuration), which would only cost another SPIN run.</summary>
    public static TheoryData<string, string> LibraryFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in new[] { "safe", "loses" })
            foreach (var file in Directory.GetFiles(Path.Combine(VariantLibrary.Root(), folder), "*.variant").Order())
            {
                var variant = VariantFile.Load(file).Variant!;
                if (!variant.WholeSystem || variant.IsAvic) continue; // AVIC files: AvicSpinAgreementTests
                if (Builtins.WholeSystemDesigns.Any(b => b.SameProtocol(variant) && b.Check with { Memory = variant.Check.Memory } == variant.Check)) continue;
                foreach (var mm in new[] { "sc", "tso" })
                    data.Add($"{folder}/{Path.GetFileName(file)}", mm);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(LibraryFiles))]
    public void Spin_AgreesWithPilab_OnTheLibrarysWholeSystemFiles(string relative, string mm)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var parsed = VariantFile.Load(Path.Combine(VariantLibrary.Root(), relative));
        Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
        var v = parsed.Variant!;
        AssertAgreement(v, v.Check with { Memory = mm == "tso" ? MemoryModel.TSO : MemoryModel.SC });
    }

    /// <summary>What the table and the library leave out: IRQ priority, guest exits, more posts than one,
    /// a shared vector, two IOMMU posters, kvm-2019's kick and a 2019 variant under irq-priority, IPIv posters
    /// (with an IOMMU, with a CPU injector), and the candidate fix's on-recompute with both kinds of hardware poster.</summary>
    public static TheoryData<string, string> Options() => new()
    {
        { "kvm-2021", "TSO k=1 j=1 n=2 e=1 h=1 irq-priority" },
        { "kvm-2021", "SC k=1 j=1 same-vector n=2 h=1 p=1" },
        { "kvm-2021", "TSO k=0 j=2 h=1 p=1 m=1" },
        { "kvm-2019", "TSO k=2 j=0 e=1 h=1 p=1 irq-priority" },
        { "halt-without-wakeup-vector", "SC k=1 j=1 n=2 e=1 h=2 p=1 m=1" },
        { "halt-without-wakeup-vector", "TSO k=0 j=0 i=1 h=1 p=1" },
        { "kvm-2025", "TSO k=0 j=1 i=1 h=1 p=1 m=1" },
        { "recompute-if-sn-set", "SC k=1 j=1 i=1 h=1 p=1 m=1" },
        { "recompute-if-sn-set", "TSO k=2 j=0 h=1 p=2 m=1" },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Spin_AgreesWithPilab_WithTheOtherOptions(string name, string options)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        AssertAgreement(Builtins.Find(name)!, Parse(options));
    }

    /// <summary>The configuration as <see cref="Configuration.Text"/> writes it (the fields not given take their defaults).</summary>
    internal static Configuration Parse(string options)
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
        Assert.Null(config.Problem(KvmDesign.Kvm2021));
        return config;
    }

    private static void AssertAgreement(Variant variant, Configuration config)
    {
        var clock = Stopwatch.StartNew();
        var pilab = SystemChecker.Check(variant, config, ExplorationOptions.Unreduced with { ExhaustAfterViolation = true });
        var pilabTime = clock.Elapsed;
        clock.Restart();
        var spin = Spin.Verify(SystemPromelaExporter.Export(variant, config));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"| {variant.Name} | {config} | {pilab.Exploration.States} | {spin.StatesStored} | {pilab.Verdict} | {spin.Verdict} | {pilabTime.TotalSeconds:F1} s | {clock.Elapsed.TotalSeconds:F1} s |");

        Assert.Equal(pilab.Verdict, spin.Verdict);
        Assert.Equal(pilab.Exploration.States, spin.StatesStored);
    }
}
