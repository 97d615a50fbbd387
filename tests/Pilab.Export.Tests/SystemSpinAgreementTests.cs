using Pilab.Protocol;

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
    public static TheoryData<string, string> TableRows() => SpinAgreement.Builtins(Builtins.WholeSystemDesigns);

    [Theory]
    [MemberData(nameof(TableRows))]
    public void Spin_AgreesWithPilab_OnTheWholeSystemTable(string mm, string name)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var v = Builtins.Find(name)!;
        SpinAgreement.Assert(v, v.Check with { Memory = Enum.Parse<MemoryModel>(mm) });
    }

    /// <summary>The library's whole-system files at their own configuration under SC and TSO, less those
    /// that are a built-in again (the same protocol in the same configuration), which would only cost another SPIN run.</summary>
    public static TheoryData<string, string> LibraryFiles() =>
        SpinAgreement.LibraryFiles(v => v.WholeSystem && !v.IsAvic, Builtins.WholeSystemDesigns); // AVIC files: AvicSpinAgreementTests

    [Theory]
    [MemberData(nameof(LibraryFiles))]
    public void Spin_AgreesWithPilab_OnTheLibrarysWholeSystemFiles(string relative, string mm)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        SpinAgreement.AssertLibraryFile(relative, mm);
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
        SpinAgreement.Assert(Builtins.Find(name)!, SpinAgreement.Parse(options, KvmDesign.Kvm2021));
    }
}
