using System.Diagnostics;
using Pilab.Checker;
using Pilab.Export;
using Pilab.Model;
using Pilab.Protocol;
using Pilab.System.Tests;

namespace Pilab.Export.Tests;

/// <summary>
/// SPIN, run on the AVIC export (AvicPromelaExporter), must reach pilab's verdict and, with
/// partial-order reduction off, store exactly as many states as pilab's search (which goes on after a
/// violation, so a losing configuration is counted in full): on every AVIC built-in at its own
/// configuration under SC and TSO, on every AVIC file of the regression library, and with the options
/// neither uses.
/// </summary>
public sealed class AvicSpinAgreementTests
{
    public static TheoryData<string, string> Builtin()
    {
        var data = new TheoryData<string, string>();
        foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
            foreach (var v in Builtins.AvicDesigns)
                data.Add(mm.ToString(), v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Builtin))]
    public void Spin_AgreesWithPilab_OnEveryAvicBuiltin(string mm, string name)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var v = Builtins.Find(name)!;
        AssertAgreement(v, v.Check with { Memory = Enum.Parse<MemoryModel>(mm) });
    }

    /// <summary>The library's AVIC files that are not a built-in again, at their own configuration under SC and TSO.</summary>
    public static TheoryData<string, string> LibraryFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in new[] { "safe", "loses" })
            foreach (var file in Directory.GetFiles(Path.Combine(VariantLibrary.Root(), folder), "*.variant").Order())
            {
                var variant = VariantFile.Load(file).Variant!;
                if (!variant.IsAvic) continue;
                if (Builtins.AvicDesigns.Any(b => b.SameProtocol(variant) && b.Check with { Memory = variant.Check.Memory } == variant.Check)) continue;
                foreach (var mm in new[] { "sc", "tso" })
                    data.Add($"{folder}/{Path.GetFileName(file)}", mm);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(LibraryFiles))]
    public void Spin_AgreesWithPilab_OnTheLibrarysAvicFiles(string relative, string mm)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var parsed = VariantFile.Load(Path.Combine(VariantLibrary.Root(), relative));
        Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
        var v = parsed.Variant!;
        AssertAgreement(v, v.Check with { Memory = mm == "tso" ? MemoryModel.TSO : MemoryModel.SC });
    }

    /// <summary>What the built-ins and the library leave out: exits, more posts, a shared vector, two posters of a kind, IPI virtualization off.</summary>
    public static TheoryData<string, string, string> Options() => new()
    {
        { "avic", "", "TSO k=1 j=1 n=2 e=1 h=1" },
        { "avic", "", "SC k=2 j=1 same-vector h=1 p=1" },
        { "avic", "ipiv: off", "TSO k=1 j=1 h=1 p=1 m=1" },
        { "avic", "cpu-sender: kvm", "TSO k=1 j=2 h=1 p=1" },
        { "avic-erratum-1235", "", "TSO k=2 j=0 e=1 h=1 p=1 m=1" },
    };

    [Theory]
    [MemberData(nameof(Options))]
    public void Spin_AgreesWithPilab_WithTheOtherOptions(string name, string change, string options)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var parsed = VariantFile.Parse($"base: {name}\n{change}\n", "x.variant");
        Assert.True(parsed.Ok, string.Join("\n", parsed.Errors));
        var c = SystemSpinAgreementTests.Parse(options);
        Assert.Null(c.Problem(KvmDesign.Avic));
        AssertAgreement(parsed.Variant!, c);
    }

    private static void AssertAgreement(Variant variant, Configuration config)
    {
        var clock = Stopwatch.StartNew();
        var pilab = Models.Check(variant, config, ExplorationOptions.Unreduced with { ExhaustAfterViolation = true });
        var pilabTime = clock.Elapsed;
        clock.Restart();
        var spin = Spin.Verify(AvicPromelaExporter.Export(variant, config));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"| {variant.Name} | {config.Text(KvmDesign.Avic)} | {pilab.Exploration.States} | {spin.StatesStored} | {pilab.Verdict} | {spin.Verdict} | {pilabTime.TotalSeconds:F1} s | {clock.Elapsed.TotalSeconds:F1} s |");
        Assert.Equal(pilab.Verdict, spin.Verdict);
        Assert.Equal(pilab.Exploration.States, spin.StatesStored);
    }
}
