using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>The section 2-6 model is untouched by section 7: the state counts of pilab check's table before issue 7.</summary>
public sealed class EarlierModelTests
{
    [Theory]
    [InlineData("prepatch", MemoryModel.SC, 1, 187, 302)]
    [InlineData("prepatch", MemoryModel.SC, 2, 9_073, 21_787)]
    [InlineData("prepatch", MemoryModel.TSO, 1, 256, 449)]
    [InlineData("prepatch", MemoryModel.TSO, 2, 14_221, 36_776)]
    [InlineData("patch-v1", MemoryModel.SC, 1, 94, 138)]
    [InlineData("patch-v1", MemoryModel.SC, 2, 916, 1_793)]
    [InlineData("patch-v1", MemoryModel.TSO, 1, 105, 157)]
    [InlineData("patch-v1", MemoryModel.TSO, 2, 1_035, 2_080)]
    [InlineData("irq-late", MemoryModel.SC, 1, 92, 142)]
    [InlineData("irq-late", MemoryModel.SC, 2, 815, 1_660)]
    [InlineData("irq-late", MemoryModel.TSO, 1, 98, 153)]
    [InlineData("irq-late", MemoryModel.TSO, 2, 842, 1_729)]
    [InlineData("fixed", MemoryModel.SC, 1, 117, 171)]
    [InlineData("fixed", MemoryModel.SC, 2, 3_085, 6_308)]
    [InlineData("fixed", MemoryModel.TSO, 1, 155, 238)]
    [InlineData("fixed", MemoryModel.TSO, 2, 4_571, 10_027)]
    [InlineData("fixed-nomb", MemoryModel.SC, 1, 104, 152)]
    [InlineData("fixed-nomb", MemoryModel.SC, 2, 2_755, 5_686)]
    [InlineData("fixed-nomb", MemoryModel.TSO, 1, 110, 185)]
    [InlineData("fixed-nomb", MemoryModel.TSO, 2, 792, 1_688)]
    public void Section4Table_StateCountsUnchanged(string name, MemoryModel mm, int k, long states, long transitions)
    {
        var r = ModelChecker.Check(Builtins.Find(name)!, new Configuration(Injectors: k, Memory: mm));
        Assert.Equal(states, r.Exploration.States);
        Assert.Equal(transitions, r.Exploration.Transitions);
    }

    [Fact]
    public void OneCatalogue_TheFiveEntryDesignsFirst_ThenTheWholeSystem_ThenAvic()
    {
        Assert.Equal(["prepatch", "patch-v1", "irq-late", "fixed", "fixed-nomb"], Builtins.EntryDesigns.Select(v => v.Name));
        Assert.Equal(Builtins.All, [.. Builtins.EntryDesigns, .. Builtins.WholeSystemDesigns, .. Builtins.AvicDesigns]);
        Assert.All(Builtins.All, v => Assert.Same(v, Builtins.Find(v.Name)));
    }

    [Fact]
    public void Section4File_RefusesWake_WithItsPosition()
    {
        var r = VariantFile.Parse("entry: irq.off mode.in mb sync check enter\ninjector: pir.set on.set mode.read notify wake\n", "w.variant");
        Assert.False(r.Ok);
        Assert.Equal("w.variant:2:43: found injector step 'wake', expected no wake outside a whole-system variant (add 'design: kvm-2021': docs/whole-system.md)", r.Errors.Single().ToString());
    }
}
