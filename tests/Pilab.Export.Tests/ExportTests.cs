using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Export.Tests;

/// <summary>What the export says, independent of whether spin is installed.</summary>
public sealed class ExportTests
{
    [Fact]
    public void Export_HasOneProcessPerActor_AndAStoreBufferOnlyUnderTso()
    {
        string sc = PromelaExporter.Export(Builtins.Fixed, new Configuration(Injectors: 2));
        string tso = PromelaExporter.Export(Builtins.Fixed, new Configuration(Injectors: 2, Memory: MemoryModel.TSO));
        foreach (var proc in new[] { "Vcpu()", "P0Cpu()", "Guest()", "Injector1()", "Injector2()", "Monitor()" })
        {
            Assert.Contains($"active proctype {proc}", sc);
            Assert.Contains($"active proctype {proc}", tso);
        }
        Assert.DoesNotContain("StoreBuffer()", sc);
        Assert.Contains("active proctype StoreBuffer()", tso);
        Assert.DoesNotContain("Injector3()", sc);
    }

    [Fact]
    public void Export_OfFixedNoMb_BuffersModeIn_UnderTso()
    {
        string tso = PromelaExporter.Export(Builtins.FixedNoMb, new Configuration(Memory: MemoryModel.TSO));
        Assert.Contains("sb[sb_len] = IN_GUEST; sb_len++", tso);
        Assert.Contains("(sb_len == 0 -> mode : sb[sb_len - 1]) == EXITING", tso);
    }

    [Fact]
    public void Export_RejectsAConfigurationPilabRejects()
    {
        Assert.Throws<ArgumentException>(() => PromelaExporter.Export(Builtins.Fixed, new Configuration(Injectors: 9)));
    }
}
