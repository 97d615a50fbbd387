using Pilab.Protocol;

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
    public static TheoryData<string, string> Builtin() => SpinAgreement.Builtins(Builtins.AvicDesigns);

    [Theory]
    [MemberData(nameof(Builtin))]
    public void Spin_AgreesWithPilab_OnEveryAvicBuiltin(string mm, string name)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var v = Builtins.Find(name)!;
        SpinAgreement.Assert(v, v.Check with { Memory = Enum.Parse<MemoryModel>(mm) });
    }

    /// <summary>The library's AVIC files that are not a built-in again, at their own configuration under SC and TSO.</summary>
    public static TheoryData<string, string> LibraryFiles() => SpinAgreement.LibraryFiles(v => v.IsAvic, Builtins.AvicDesigns);

    [Theory]
    [MemberData(nameof(LibraryFiles))]
    public void Spin_AgreesWithPilab_OnTheLibrarysAvicFiles(string relative, string mm)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        SpinAgreement.AssertLibraryFile(relative, mm);
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
        var c = SpinAgreement.Parse(options, KvmDesign.Avic);
        SpinAgreement.Assert(parsed.Variant!, c);
    }
}
