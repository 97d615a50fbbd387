namespace Pilab.Model.WholeSystem;

/// <summary>
/// What the whole-system model (SPEC.md section 7) checks: k CPU injectors and j IOMMU posters, each
/// posting n times (their own vector, or all v1), and the budgets of the guest and the scheduler:
/// guest exits, HLTs, preemptions and migrations of the vCPU thread between P0 and P2.
/// </summary>
public sealed record SystemConfiguration(
    int Injectors = 1,
    int Iommu = 0,
    int Posts = 1,
    int Exits = 0,
    int Halts = 0,
    int Preemptions = 0,
    int Migrations = 0,
    bool SameVector = false,
    MemoryModel Memory = MemoryModel.SC,
    bool IrqPriority = false)
{
    public const int MaxPosters = 4;
    public const int MaxPosts = 7;
    public const int MaxExits = 7;
    public const int MaxHalts = 3;
    public const int MaxPreemptions = 3;
    public const int MaxMigrations = 3;

    public int Posters => Injectors + Iommu;

    /// <summary>Null when the configuration fits the packed state, else what is wrong.</summary>
    public string? Problem() =>
        Injectors is < 0 or > MaxPosters ? $"--injectors must be 0 to {MaxPosters}, not {Injectors}"
        : Iommu is < 0 or > MaxPosters ? $"--iommu must be 0 to {MaxPosters}, not {Iommu}"
        : Posters is < 1 or > MaxPosters ? $"--injectors plus --iommu must be 1 to {MaxPosters} (one vector each), not {Posters}"
        : Posts is < 1 or > MaxPosts ? $"--posts must be 1 to {MaxPosts}, not {Posts}"
        : Exits is < 0 or > MaxExits ? $"--exits must be 0 to {MaxExits}, not {Exits}"
        : Halts is < 0 or > MaxHalts ? $"--halts must be 0 to {MaxHalts}, not {Halts}"
        : Preemptions is < 0 or > MaxPreemptions ? $"--preemptions must be 0 to {MaxPreemptions}, not {Preemptions}"
        : Migrations is < 0 or > MaxMigrations ? $"--migrations must be 0 to {MaxMigrations}, not {Migrations}"
        : Migrations > Preemptions + Halts ? $"--migrations {Migrations} can never be used: the thread only moves when it is loaded again after a preemption or a sleep (--preemptions plus --halts is {Preemptions + Halts})"
        : null;

    /// <summary>The vector poster p posts: CPU injectors are posters 0..k-1, IOMMU posters k..k+j-1.</summary>
    public int VectorOf(int poster) => SameVector ? 0 : poster;

    public bool IsIommu(int poster) => poster >= Injectors;

    public override string ToString() =>
        $"{Memory} k={Injectors} j={Iommu}{(SameVector ? " same-vector" : "")} n={Posts} e={Exits} h={Halts} p={Preemptions} m={Migrations}{(IrqPriority ? " irq-priority" : "")}";
}
