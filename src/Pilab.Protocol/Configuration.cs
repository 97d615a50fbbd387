namespace Pilab.Protocol;

/// <summary>SC: no store buffers. TSO: a FIFO store buffer per CPU (docs/model.md).</summary>
public enum MemoryModel : byte { SC, TSO }

/// <summary>
/// What is checked, for every design: k CPU injectors, j IOMMU posters and i IPIv posters (another vCPU's
/// IPI posted by IPI virtualization) posting n times each (their
/// own vector, or all the same one), a guest that may cause e VM exits of its own, h HLTs, p
/// preemptions of the vCPU thread and m migrations of it between P0 and P2, under a memory model.
/// <see cref="IrqPriority"/> makes a pending host interrupt on P0 with IF = 1 run before the vCPU
/// thread's next step, as real hardware does at the next instruction boundary. Which of these a
/// design can use, and their ranges, is <see cref="Problem"/>: the one place every option is checked.
/// </summary>
public sealed record Configuration(
    int Injectors = 1,
    int Posts = 1,
    int Exits = 0,
    bool SameVector = false,
    MemoryModel Memory = MemoryModel.SC,
    bool IrqPriority = false,
    int Iommu = 0,
    int Halts = 0,
    int Preemptions = 0,
    int Migrations = 0,
    int Ipiv = 0)
{
    /// <summary>Injectors of the vCPU-entry design; posters (k + j) of the whole system (one vector each).</summary>
    public const int MaxInjectors = 4;
    public const int MaxPosters = 4;
    public const int MaxPosts = 7;
    public const int MaxExits = 7;
    public const int MaxHalts = 3;
    public const int MaxPreemptions = 3;
    public const int MaxMigrations = 3;

    /// <summary>CPU injectors, IOMMU posters and IPIv posters together.</summary>
    public int Posters => Injectors + Iommu + Ipiv;

    /// <summary>True when an option only the whole-system designs have is set.</summary>
    public bool UsesWholeSystem => Iommu != 0 || Ipiv != 0 || Halts != 0 || Preemptions != 0 || Migrations != 0;

    /// <summary>Null when <paramref name="design"/> can check this configuration (it fits the packed
    /// state and every option set applies to the design), else what is wrong, in the options' words.</summary>
    public string? Problem(KvmDesign design)
    {
        if (design == KvmDesign.Entry)
            return UsesWholeSystem
                ? $"--iommu, --ipiv, --halts, --preemptions and --migrations need a whole-system design ({DesignNames.WholeSystemList}); design {DesignNames.Name(design)} has no IOMMU, no HLT and no scheduler"
                : Injectors is < 1 or > MaxInjectors ? $"--injectors must be 1 to {MaxInjectors}, not {Injectors}"
                : Posts is < 1 or > MaxPosts ? $"--posts must be 1 to {MaxPosts}, not {Posts}"
                : Exits is < 0 or > MaxExits ? $"--exits must be 0 to {MaxExits}, not {Exits}"
                : null;
        if (design == KvmDesign.Avic && IrqPriority)
            return "--irq-priority has no meaning for design avic: a doorbell is no host interrupt (the CPU re-evaluates the IRR in guest mode and ignores it in host mode), and the GA-log interrupt is taken on a CPU the vCPU thread does not run on";
        return Injectors is < 0 or > MaxPosters ? $"--injectors must be 0 to {MaxPosters}, not {Injectors}"
            : Iommu is < 0 or > MaxPosters ? $"--iommu must be 0 to {MaxPosters}, not {Iommu}"
            : Ipiv is < 0 or > MaxPosters ? $"--ipiv must be 0 to {MaxPosters}, not {Ipiv}"
            : Posters is < 1 or > MaxPosters ? $"--injectors plus --iommu{(Ipiv > 0 ? " plus --ipiv" : "")} must be 1 to {MaxPosters} (one vector each), not {Posters}"
            : Posts is < 1 or > MaxPosts ? $"--posts must be 1 to {MaxPosts}, not {Posts}"
            : Exits is < 0 or > MaxExits ? $"--exits must be 0 to {MaxExits}, not {Exits}"
            : Halts is < 0 or > MaxHalts ? $"--halts must be 0 to {MaxHalts}, not {Halts}"
            : Preemptions is < 0 or > MaxPreemptions ? $"--preemptions must be 0 to {MaxPreemptions}, not {Preemptions}"
            : Migrations is < 0 or > MaxMigrations ? $"--migrations must be 0 to {MaxMigrations}, not {Migrations}"
            : Migrations > Preemptions + Halts ? $"--migrations {Migrations} can never be used: the thread only moves when it is loaded again after a preemption or a sleep (--preemptions plus --halts is {Preemptions + Halts})"
            : null;
    }

    /// <summary>The vector poster p posts: CPU injectors are posters 0..k-1, IOMMU posters k..k+j-1, IPIv posters
    /// k+j..k+j+i-1; each its own v(p+1), or v1 for all.</summary>
    public int VectorOf(int poster) => SameVector ? 0 : poster;

    /// <summary>Whether poster p is an IOMMU (whole-system designs).</summary>
    public bool IsIommu(int poster) => poster >= Injectors && poster < Injectors + Iommu;

    /// <summary>Whether poster p is an IPIv poster: a vCPU in guest mode whose IPI the CPU posts (IPI virtualization).</summary>
    public bool IsIpiv(int poster) => poster >= Injectors + Iommu;

    /// <summary>Whether poster p posts in hardware (one locked update of the descriptor, then the notification): IOMMU or IPIv.</summary>
    public bool IsHardware(int poster) => poster >= Injectors;

    private string IpivText => Ipiv > 0 ? $" i={Ipiv}" : "";

    /// <summary>The configuration as the output states it, with the figures <paramref name="design"/> has.</summary>
    public string Text(KvmDesign design) => design == KvmDesign.Entry
        ? $"{Memory} k={Injectors}{(SameVector ? " same-vector" : "")} n={Posts} e={Exits}{(IrqPriority ? " irq-priority" : "")}"
        : $"{Memory} k={Injectors} j={Iommu}{IpivText}{(SameVector ? " same-vector" : "")} n={Posts} e={Exits} h={Halts} p={Preemptions} m={Migrations}{(IrqPriority ? " irq-priority" : "")}";

    /// <summary>The configuration in the words of a variant file's <c>check:</c> line (docs/variant-format.md);
    /// <see cref="VariantFile"/> reads it back to the same configuration.</summary>
    public string CheckLine(KvmDesign design) =>
        $"mm={Memory.ToString().ToLowerInvariant()} k={Injectors} n={Posts} e={Exits}" +
        (design == KvmDesign.Entry ? "" : $" j={Iommu}{IpivText} h={Halts} p={Preemptions} m={Migrations}") +
        (SameVector ? " same-vector" : "") + (IrqPriority ? " irq-priority" : "");

    /// <summary>The configuration as the options of a <c>pilab check</c> command line that checks exactly it.</summary>
    public string Arguments(KvmDesign design) =>
        $"--mm {Memory.ToString().ToLowerInvariant()} -k {Injectors} -n {Posts} -e {Exits}" +
        (design == KvmDesign.Entry ? "" : $" --iommu {Iommu} --halts {Halts} --preemptions {Preemptions} --migrations {Migrations}") +
        (SameVector ? " --same-vector" : "") + (IrqPriority ? " --irq-priority" : "");

    public override string ToString() => Text(UsesWholeSystem ? KvmDesign.Kvm2021 : KvmDesign.Entry);
}
