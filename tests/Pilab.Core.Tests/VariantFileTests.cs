using CsCheck;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

public sealed class VariantFileTests
{
    private static Diagnostic SingleError(string text)
    {
        var r = VariantFile.Parse(text, "v.pi");
        Assert.False(r.Ok);
        return Assert.Single(r.Errors);
    }

    [Fact]
    public void Parse_ReadsAFullVariant()
    {
        var r = VariantFile.Parse("""
            # the seed's order, spelled out
            name: my-fixed
            description: as in the seed
            entry: irq.off mode.in mb on.read on.clear pir.drain check enter
            injector: pir.set on.set mode.read notify kick
            on-already-set: done
            requests: none
            """, "x.pi");
        Assert.True(r.Ok, string.Join("\n", r.Errors));
        Assert.Equal("my-fixed", r.Variant!.Name);
        Assert.True(r.Variant.SameProtocol(Builtins.Fixed));
    }

    [Fact]
    public void Parse_SyncExpandsToItsThreeSteps_AndBaseFillsTheRest()
    {
        var r = VariantFile.Parse("base: prepatch\nentry: irq.off mode.in sync check enter\n", "x.pi");
        Assert.True(r.Ok);
        Assert.Equal([EntryStep.IrqOff, EntryStep.ModeIn, EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain, EntryStep.Check, EntryStep.Enter], r.Variant!.Entry);
        Assert.Equal(Builtins.PrePatch.Injector, r.Variant.Injector);
        Assert.Equal(RequestHandling.PrePatch, r.Variant.Requests);
        Assert.Equal("x", r.Variant.Name);
    }

    [Fact]
    public void UnknownEntryStep_IsReportedAtItsColumn()
    {
        var e = SingleError("entry: irq.off mode.inn mb sync check enter\ninjector: pir.set\n");
        Assert.Equal("v.pi:1:16: found step 'mode.inn', expected an entry step: irq.off, mode.in, mb, sync, on.read, on.clear, pir.drain, check, enter", e.ToString());
    }

    [Fact]
    public void UnknownKey_IsReported()
    {
        var e = SingleError("base: fixed\n  entri: enter\n");
        Assert.Equal((2, 3), (e.Line, e.Column));
        Assert.Equal("key 'entri'", e.Found);
    }

    [Fact]
    public void MissingColon_IsReported()
    {
        var e = SingleError("base fixed\n");
        Assert.Equal((1, 1), (e.Line, e.Column));
        Assert.StartsWith("'key: value'", e.Expected);
    }

    [Fact]
    public void EntryNotEndingInEnter_PointsAtTheLastStep()
    {
        var e = SingleError("base: fixed\nentry: irq.off mode.in mb sync check\n");
        Assert.Equal("v.pi:2:32: found entry step 'check', expected the entry order to end with enter", e.ToString());
    }

    [Fact]
    public void EnterInTheMiddle_IsRejected()
    {
        var e = SingleError("base: fixed\nentry: irq.off enter check enter\n");
        Assert.Equal((2, 16), (e.Line, e.Column));
        Assert.Equal("enter only as the last entry step", e.Expected);
    }

    [Fact]
    public void InjectorMustStartWithPirSet()
    {
        var e = SingleError("base: fixed\ninjector: on.set pir.set mode.read notify\n");
        Assert.Equal((2, 11), (e.Line, e.Column));
    }

    [Fact]
    public void NotifyWithoutModeRead_IsRejected()
    {
        var e = SingleError("base: fixed\ninjector: pir.set on.set notify kick\n");
        Assert.Equal((2, 26), (e.Line, e.Column));
        Assert.Equal("mode.read before notify", e.Expected);
    }

    [Fact]
    public void ReqSetWithoutPrepatchRequests_IsRejected()
    {
        var e = SingleError("base: fixed\ninjector: pir.set on.set req.set mode.read notify kick\n");
        Assert.Equal((2, 26), (e.Line, e.Column));
    }

    [Fact]
    public void DuplicateKey_NamesTheFirstLine()
    {
        var e = SingleError("base: fixed\n\nbase: prepatch\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("first on line 1", e.Expected);
    }

    [Fact]
    public void BadPolicy_AndUnknownBase_AreReported()
    {
        Assert.Equal("done, kick or continue", SingleError("base: fixed\non-already-set: maybe\n").Expected);
        Assert.StartsWith("the name of a built-in variant", SingleError("base: fixxed\n").Expected);
        Assert.Equal("none or prepatch", SingleError("base: fixed\nrequests: always\n").Expected);
    }

    [Fact]
    public void NoEntryAndNoBase_IsReported()
    {
        var r = VariantFile.Parse("injector: pir.set on.set mode.read notify kick\n", "v.pi");
        Assert.Equal("no entry line", Assert.Single(r.Errors).Found);
    }

    [Fact]
    public void EveryErrorOfAFile_IsReported()
    {
        var r = VariantFile.Parse("entry: foo enter\ninjector: pir.set bar\nwho: me\n", "v.pi");
        Assert.Equal([1, 2, 3], r.Errors.Select(e => e.Line));
    }

    [Fact]
    public void FormatThenParse_GivesTheSameProtocol_ForEveryBuiltin()
    {
        foreach (var v in Builtins.All)
        {
            var r = VariantFile.Parse(VariantFile.Format(v), "b.pi");
            Assert.True(r.Ok, string.Join("\n", r.Errors));
            Assert.True(r.Variant!.SameProtocol(v));
            Assert.Equal(v.Name, r.Variant.Name);
        }
    }

    [Fact]
    public void FormatThenParse_RoundTrips_RandomVariants()
    {
        Generators.Variant.Sample(v =>
        {
            var r = VariantFile.Parse(VariantFile.Format(v), "r.pi");
            return r.Ok && r.Variant!.SameProtocol(v);
        }, iter: 500);
    }
}
