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
/// under SC and TSO, on every whole-system file of the regression library in each memory model its
/// '# check:' line names, and with the options neither uses. A case costs about a second (gcc
/// compiling pan dominates); the largest, 653,931 states, about two.
/// </summary>
public sealed class SystemSpinAgreementTests
{
    public static TheoryData<string, string> TableRows()
    {
        var data = new TheoryData<string, string>();
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
        {
            var rows = SystemChecker.TableRows(mm);
            for (int i = 0; i < rows.Count; i++) data.Add(mm.ToString(), $"{i}: {rows[i].Variant.Name} [{rows[i].Configuration}]");
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Spin_AgreesWithPilab_OnTheWholeSystemTable(string mm, string row)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var (variant, config) = SystemChecker.TableRows(Enum.Parse<MemoryModel>(mm))[int.Parse(row[..row.IndexOf(':')])];
        AssertAgreement(variant, config);
    }

    /// <summary>The library's whole-system files in each memory model their '# check:' line names, less
    /// those that are a table row again (the same protocol in the same configuration: the built-ins'
    /// own files), which would only cost another SPIN run.</summary>
    public static TheoryData<string, string> LibraryFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in new[] { "safe", "loses" })
            foreach (var file in Directory.GetFiles(Path.Combine(VariantLibrary.Root(), folder), "*.variant").Order())
            {
                string text = File.ReadAllText(file);
                if (!SystemVariantFile.Applies(text)) continue;
                var variant = SystemVariantFile.Parse(text, file).Variant;
                foreach (var mm in CheckLine.Read(text).Memory)
                {
                    if (variant is not null && SystemChecker.TableRows(Memory(mm)).Any(r => r.Variant.SameProtocol(variant) && r.Configuration == Configuration(CheckLine.Read(text), mm)))
                        continue;
                    data.Add($"{folder}/{Path.GetFileName(file)}", mm);
                }
            }
        return data;
    }

    private static MemoryModel Memory(string mm) => mm == "tso" ? MemoryModel.TSO : MemoryModel.SC;

    private static SystemConfiguration Configuration(CheckLine c, string mm) =>
        new(c.K, c.J, c.N, c.E, c.H, c.P, c.M, Memory: Memory(mm));

    [Theory]
    [MemberData(nameof(LibraryFiles))]
    public void Spin_AgreesWithPilab_OnTheLibrarysWholeSystemFiles(string relative, string mm)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        string path = Path.Combine(VariantLibrary.Root(), relative);
        string text = File.ReadAllText(path);
        var parsed = SystemVariantFile.Parse(text, path);
        Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
        AssertAgreement(parsed.Variant!, Configuration(CheckLine.Read(text), mm));
    }

    /// <summary>What the table and the library leave out: IRQ priority, guest exits, more posts than one,
    /// a shared vector, two IOMMU posters, kvm-2019's kick and a 2019 variant under irq-priority.</summary>
    public static TheoryData<string, string> Options() => new()
    {
        { "kvm-2021", "TSO k=1 j=1 n=2 e=1 h=1 irq-priority" },
        { "kvm-2021", "SC k=1 j=1 same-vector n=2 h=1 p=1" },
        { "kvm-2021", "TSO k=0 j=2 h=1 p=1 m=1" },
        { "kvm-2019", "TSO k=2 j=0 e=1 h=1 p=1 irq-priority" },
        { "halt-without-wakeup-vector", "SC k=1 j=1 n=2 e=1 h=2 p=1 m=1" },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Spin_AgreesWithPilab_WithTheOtherOptions(string name, string options)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        AssertAgreement(SystemBuiltins.Find(name)!, Parse(options));
    }

    /// <summary>The configuration as <see cref="SystemConfiguration.ToString"/> writes it (the fields not given take their defaults).</summary>
    internal static SystemConfiguration Parse(string options)
    {
        var config = new SystemConfiguration();
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
        Assert.Null(config.Problem());
        return config;
    }

    private static void AssertAgreement(SystemVariant variant, SystemConfiguration config)
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
