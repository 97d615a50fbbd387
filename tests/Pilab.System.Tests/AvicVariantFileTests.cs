using Pilab.Protocol;

namespace Pilab.System.Tests;

/// <summary>The AVIC keys of the one variant parser (docs/variant-format.md, docs/avic.md).</summary>
public sealed class AvicVariantFileTests
{
    [Fact]
    public void EveryAvicBuiltin_RoundTrips()
    {
        foreach (var v in Builtins.AvicDesigns)
        {
            var r = VariantFile.Parse(VariantFile.Format(v), v.Name + ".variant");
            Assert.True(r.Ok, string.Join("\n", r.Errors));
            Assert.True(v.SameProtocol(r.Variant!), v.Name);
            Assert.Equal(v.Check, r.Variant!.Check);
        }
    }

    [Fact]
    public void AnAvicKey_MakesTheDesignAvic()
    {
        var r = VariantFile.Parse("ipiv: off\n", "x.variant");
        Assert.True(r.Ok, string.Join("\n", r.Errors));
        Assert.Equal(KvmDesign.Avic, r.Variant!.Design);
        Assert.False(r.Variant.Avic.Ipiv);
        Assert.Equal(Builtins.Avic.Avic.Sender, r.Variant.Avic.Sender);
        Assert.Equal(Builtins.Avic.Check, r.Variant.Check);
    }

    [Theory]
    [InlineData("base: avic\nblock: wait.prepare block.check sched.out.block\n", "x.variant:2:1: found key 'block' in a variant of design avic, expected only the AVIC keys")]
    [InlineData("base: avic\nentry: irq.off mode.in mb enter\n", "x.variant:2:1: found key 'entry' in a variant of design avic")]
    [InlineData("base: kvm-2021\nipiv: off\n", "x.variant:2:1: found key 'ipiv' in a variant of design kvm-2021, expected the AVIC design for it")]
    [InlineData("design: avic\nbase: kvm-2021\n", "x.variant:1:1: found design avic on base kvm-2021 (kvm-2021), expected an AVIC base")]
    [InlineData("base: avic\ncpu-sender: ipi\n", "x.variant:2:13: found 'ipi', expected kvm or avic or avic-erratum-1235")]
    [InlineData("base: avic\ncheck: mm=sc k=1 irq-priority\n", "x.variant:2:1: found check 'mm=sc k=1 n=1 e=0 j=0 h=0 p=0 m=0 irq-priority', expected a configuration design avic can check: --irq-priority has no meaning")]
    [InlineData("design: kvm-2021\nbase: avic\nsched-in: desc.update\n", "x.variant:1:1: found design kvm-2021 on base avic (avic), expected a base of the same design")]
    public void BadAvicFiles_AreRefused_WithTheirPosition(string text, string error)
    {
        var r = VariantFile.Parse(text, "x.variant");
        Assert.False(r.Ok);
        Assert.StartsWith(error, r.Errors[0].ToString());
    }
}
