using System.Runtime.InteropServices;

namespace Pilab.Live;

/// <summary>
/// Pins a run's threads to cores with sched_setaffinity(2) (Linux; pid 0 is the calling thread). The
/// cores are those the process may run on (sched_getaffinity at the start: a container or taskset may
/// allow fewer than the machine has). P0 gets the first one to itself; the injectors share the others
/// round robin, so with fewer cores than threads injectors share a core with each other, never with P0.
/// With one allowed core, or on another OS, nothing is pinned and the scheduler places the threads
/// (the run is still correct, only slower: see LiveRun's remarks).
/// </summary>
internal static unsafe partial class CorePinning
{
    /// <summary>cpu_set_t: 1024 bits (glibc's CPU_SETSIZE).</summary>
    private const int MaskWords = 16;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_getaffinity(int pid, nuint cpusetsize, ulong* mask);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int sched_setaffinity(int pid, nuint cpusetsize, ulong* mask);

    /// <summary>The CPUs this process may run on, or null where that cannot be asked (not Linux, or the call failed).</summary>
    public static int[]? AllowedCpus()
    {
        if (!OperatingSystem.IsLinux()) return null;
        ulong* mask = stackalloc ulong[MaskWords];
        try
        {
            if (sched_getaffinity(0, MaskWords * sizeof(ulong), mask) != 0) return null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
        var cpus = new List<int>();
        for (int cpu = 0; cpu < MaskWords * 64; cpu++)
            if ((mask[cpu >> 6] & (1UL << (cpu & 63))) != 0) cpus.Add(cpu);
        return [.. cpus];
    }

    /// <summary>Pins the calling thread to <paramref name="cpu"/>; 0 on success, else errno.</summary>
    public static int PinCurrentThread(int cpu)
    {
        ulong* mask = stackalloc ulong[MaskWords];
        new Span<ulong>(mask, MaskWords).Clear();
        mask[cpu >> 6] = 1UL << (cpu & 63);
        return sched_setaffinity(0, MaskWords * sizeof(ulong), mask) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>
    /// The plan for P0 and <paramref name="injectors"/> injectors: a CPU per thread (index 0 is P0), or
    /// -1 for a thread left to the scheduler, and a sentence saying what was done and why.
    /// </summary>
    public static (int[] Cpus, string Note) Plan(bool pin, int injectors)
    {
        var none = Enumerable.Repeat(-1, injectors + 1).ToArray();
        if (!pin) return (none, "not pinned (--no-pin): the scheduler places the threads");
        if (!OperatingSystem.IsLinux()) return (none, "not pinned: pinning uses sched_setaffinity, which only Linux has; the scheduler places the threads");
        if (AllowedCpus() is not { } allowed) return (none, "not pinned: sched_getaffinity failed; the scheduler places the threads");
        if (allowed.Length < 2) return (none, $"not pinned: the process may run on {allowed.Length} CPU(s), nothing to keep apart");
        var cpus = new int[injectors + 1];
        cpus[0] = allowed[0];
        for (int i = 0; i < injectors; i++) cpus[i + 1] = allowed[1 + i % (allowed.Length - 1)];
        string note = injectors + 1 <= allowed.Length
            ? $"pinned, one thread per CPU ({allowed.Length} allowed)"
            : $"pinned: {injectors + 1} threads on {allowed.Length} allowed CPUs, P0 alone on CPU {allowed[0]}, injectors sharing the other{(allowed.Length > 2 ? "s" : "")}";
        return (cpus, note);
    }
}
