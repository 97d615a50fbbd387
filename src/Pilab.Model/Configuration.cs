namespace Pilab.Model;

/// <summary>SC: no store buffers. TSO: a FIFO store buffer per CPU (SPEC.md section 6).</summary>
public enum MemoryModel : byte { SC, TSO }

/// <summary>
/// What is checked (SPEC.md section 5): k injectors posting n times each, their own vector or all the
/// same one, a guest that may cause e VM exits of its own, under a memory model.
/// <see cref="IrqPriority"/> makes a pending host interrupt on P0 with IF = 1 run before the vCPU
/// thread's next step, as real hardware does at the next instruction boundary.
/// </summary>
public sealed record Configuration(
    int Injectors = 1,
    int Posts = 1,
    int Exits = 0,
    bool SameVector = false,
    MemoryModel Memory = MemoryModel.SC,
    bool IrqPriority = false)
{
    public const int MaxInjectors = 4;
    public const int MaxPosts = 7;
    public const int MaxExits = 7;

    /// <summary>Null when the configuration fits the packed state, else what is wrong.</summary>
    public string? Problem() =>
        Injectors is < 1 or > MaxInjectors ? $"--injectors must be 1 to {MaxInjectors}, not {Injectors}"
        : Posts is < 1 or > MaxPosts ? $"--posts must be 1 to {MaxPosts}, not {Posts}"
        : Exits is < 0 or > MaxExits ? $"--exits must be 0 to {MaxExits}, not {Exits}"
        : null;

    /// <summary>The vector injector i (0-based) posts: its own v(i+1), or v1 for all.</summary>
    public int VectorOf(int injector) => SameVector ? 0 : injector;

    public override string ToString() =>
        $"{Memory} k={Injectors}{(SameVector ? " same-vector" : "")} n={Posts} e={Exits}{(IrqPriority ? " irq-priority" : "")}";
}
