using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Export.Tests;

/// <summary>
/// SPIN, run on pilab's Promela export, must reach pilab's verdict on every built-in under SC and
/// TSO with one and two injectors; and because the export keeps pilab's state and steps one to one,
/// with partial-order reduction off it must store exactly as many states as pilab explores.
/// </summary>
public sealed class SpinAgreementTests
{
    public static TheoryData<string, MemoryModel, int> Builtin()
    {
        var data = new TheoryData<string, MemoryModel, int>();
        foreach (var v in Builtins.EntryDesigns)
            foreach (var mm in new[] { MemoryModel.SC, MemoryModel.TSO })
                foreach (int k in new[] { 1, 2 })
                    data.Add(v.Name, mm, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(Builtin))]
    public void Spin_AgreesWithPilab_OnVerdictAndStateCount(string name, MemoryModel mm, int k)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var variant = Builtins.Find(name)!;
        var config = new Configuration(Injectors: k, Memory: mm);
        var pilab = ModelChecker.Check(variant, config, new ExplorationOptions { ExhaustAfterViolation = true });

        var spin = Spin.Verify(PromelaExporter.Export(variant, config));

        Assert.Equal(pilab.Verdict, spin.Verdict);
        Assert.Equal(pilab.Exploration.States, spin.StatesStored);
    }

    [Theory]
    [InlineData("prepatch", MemoryModel.TSO)]
    [InlineData("fixed", MemoryModel.TSO)]
    [InlineData("fixed-nomb", MemoryModel.TSO)]
    public void Spin_Agrees_WithIrqPriorityExitsPostsAndSameVector(string name, MemoryModel mm)
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var variant = Builtins.Find(name)!;
        foreach (var config in new[]
        {
            new Configuration(Injectors: 2, Posts: 2, Exits: 1, Memory: mm, IrqPriority: true),
            new Configuration(Injectors: 2, Posts: 2, SameVector: true, Memory: mm),
        })
        {
            var pilab = ModelChecker.Check(variant, config, new ExplorationOptions { ExhaustAfterViolation = true });
            var spin = Spin.Verify(PromelaExporter.Export(variant, config));
            Assert.Equal(pilab.Verdict, spin.Verdict);
            Assert.Equal(pilab.Exploration.States, spin.StatesStored);
        }
    }
}
