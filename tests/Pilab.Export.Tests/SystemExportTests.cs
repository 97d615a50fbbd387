using System.Text.RegularExpressions;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Export.Tests;

/// <summary>What the whole-system export says, and that SPIN accepts it where it is too large to explore here.</summary>
public sealed class SystemExportTests
{
    [Fact]
    public void Export_HasOneProcessPerActor_AndAStoreBufferOnlyUnderTso()
    {
        string sc = SystemPromelaExporter.Export(Builtins.Kvm2021, Builtins.Kvm2021.Check with { Memory = MemoryModel.SC });
        string tso = SystemPromelaExporter.Export(Builtins.Kvm2021, Builtins.Kvm2021.Check with { Memory = MemoryModel.TSO });
        foreach (var proc in new[] { "Vcpu()", "CpuP0()", "CpuP2()", "Guest()", "Injector1()", "Iommu2()", "Monitor()" })
        {
            Assert.Contains($"active proctype {proc}", sc);
            Assert.Contains($"active proctype {proc}", tso);
        }
        Assert.DoesNotContain("StoreBuffer()", sc);
        Assert.Contains("active proctype StoreBuffer()", tso);
        Assert.DoesNotContain("Injector2()", sc);
    }

    [Fact]
    public void EveryStep_NamesItsStepAndTheKernelFunctionItFollows()
    {
        foreach (var v in Builtins.WholeSystemDesigns)
        {
            string model = SystemPromelaExporter.Export(v, Builtins.Kvm2021.Check with { Memory = MemoryModel.TSO } with { Exits = 1 });
            var steps = model.Split('\n').Where(l => l.Contains(":: d_step")).ToList();
            Assert.NotEmpty(steps);
            foreach (var line in steps)
                Assert.Matches(new Regex(@"\} /\* [^*]+: [^*]+ \*/$"), line);
        }
        string kvm2021 = SystemPromelaExporter.Export(Builtins.Kvm2021, Builtins.Kvm2021.Check with { Memory = MemoryModel.SC });
        foreach (var function in new[] { "vcpu_enter_guest", "vmx_vcpu_pi_load", "vmx_vcpu_pi_put", "pi_enable_wakeup_handler",
                     "kvm_vcpu_block", "kvm_vcpu_check_block", "pi_wakeup_handler", "vmx_deliver_posted_interrupt", "kvm_vcpu_wake_up" })
            Assert.Contains(function, kvm2021);
        string kvm2019 = SystemPromelaExporter.Export(Builtins.Kvm2019, Builtins.Kvm2021.Check with { Memory = MemoryModel.SC });
        foreach (var function in new[] { "pi_pre_block", "pi_post_block", "kvm_vcpu_kick" })
            Assert.Contains(function, kvm2019);
    }

    [Fact]
    public void Export_RejectsAConfigurationPilabRejects()
    {
        Assert.Throws<ArgumentException>(() => SystemPromelaExporter.Export(Builtins.Kvm2021, new Configuration(Injectors: 3, Iommu: 2)));
    }

    /// <summary>The largest budgets and every option at once, and the most posters of each kind: spin -a
    /// translates each built-in's export and gcc accepts the verifier.</summary>
    [Fact]
    public void Export_IsWellFormed_AtTheLimitsOfTheConfiguration()
    {
        if (Spin.Missing() is { } missing) Assert.Skip(missing);
        var configurations = new[]
        {
            new Configuration(Injectors: 2, Iommu: 2, Posts: Configuration.MaxPosts, Exits: Configuration.MaxExits,
                Halts: Configuration.MaxHalts, Preemptions: Configuration.MaxPreemptions, Migrations: Configuration.MaxMigrations,
                SameVector: true, Memory: MemoryModel.TSO, IrqPriority: true),
            new Configuration(Injectors: Configuration.MaxPosters, Memory: MemoryModel.SC),
            new Configuration(Injectors: 0, Iommu: Configuration.MaxPosters, Halts: 1, Memory: MemoryModel.TSO),
        };
        foreach (var v in Builtins.WholeSystemDesigns)
            foreach (var c in configurations)
                Spin.Translate(SystemPromelaExporter.Export(v, c));
    }
}
