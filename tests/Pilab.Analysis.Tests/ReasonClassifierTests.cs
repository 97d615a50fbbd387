using Pilab.Analysis;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis.Tests;

/// <summary>The reason rules on hand-made variants whose shortest run is worked out in the comment.</summary>
public sealed class ReasonClassifierTests
{
    private static Variant Entry(string entry)
    {
        var r = VariantFile.Parse($"name: t\nbase: fixed\nentry: {entry}\n", "t.variant");
        return r.Variant!;
    }

    [Fact]
    public void DrainBeforeClear_IsClassedOnClearedOverPir()
    {
        // P1 posts v1 (OUTSIDE, kick fails); the vCPU reads ON = 1 and drains v1; P2 sets v2, finds ON
        // set and stops (a notification is due); the vCPU then clears ON: v2 sits in PIR with ON = 0.
        var r = ModelChecker.Check(Entry("irq.off mode.in mb on.read pir.drain on.clear check enter"), new Configuration(Injectors: 2));
        var reason = ReasonClassifier.Classify(r)!;
        Assert.Equal(ReasonClass.OnClearedOverPir, reason.Class);
        Assert.Equal("on.clear", r.Trace!.Steps[reason.Step - 1].Step);
    }

    [Fact]
    public void BuiltinLosses_AreClassedAsTheSeedSays()
    {
        Assert.Equal(ReasonClass.ReadOutsideAfterOnRead, ReasonClassifier.Classify(ModelChecker.Check(Builtins.PatchV1, new()))!.Class);
        Assert.Equal(ReasonClass.DummyHandler, ReasonClassifier.Classify(ModelChecker.Check(Builtins.IrqLate, new()))!.Class);
        var nomb = ModelChecker.Check(Builtins.FixedNoMb, new(Memory: MemoryModel.TSO));
        var reason = ReasonClassifier.Classify(nomb)!;
        Assert.Equal(ReasonClass.StoreBuffer, reason.Class);
        Assert.Equal("mode.read", nomb.Trace!.Steps[reason.Step - 1].Step);
    }

    [Fact]
    public void SafeCheck_HasNoReason()
    {
        Assert.Null(ReasonClassifier.Classify(ModelChecker.Check(Builtins.Fixed, new())));
    }
}
