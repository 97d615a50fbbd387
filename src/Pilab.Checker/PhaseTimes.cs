using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pilab.Checker;

/// <summary>
/// A diagnostic of the partitioned engine, off unless the environment sets PILAB_PHASES=1: where each
/// worker's time went, phase by phase (the CPU time of its thread, so that a loaded machine shows the
/// work each phase costs, and the wall time it waited at the barriers), and the critical path: per
/// round, the slowest worker's expand and insert, plus the one-thread sections between them. Read
/// once per phase, never per state; printed to standard error when the search ends (bench/README.md).
/// </summary>
internal sealed partial class PhaseTimes
{
    public static readonly bool Enabled = Environment.GetEnvironmentVariable("PILAB_PHASES") == "1";

    // Per worker: CPU time in its phases, CPU and wall time at the barriers (the plan or the
    // coordination included, for the worker that ran it); the round's expand and insert.
    public long Rank, Expand, Insert, BarrierCpu, BarrierWall, RoundExpand, RoundInsert;
    // Per search (the coordinator's copy): the one-thread sections and the critical path.
    public long Plan, Coordinate, Rounds, SlowestExpand, SlowestInsert;

    /// <summary>The calling thread's CPU time, in nanoseconds (CLOCK_THREAD_CPUTIME_ID on Linux; elsewhere the wall clock).</summary>
    public static long Cpu()
    {
        if (_threadClock)
        {
            try
            {
                if (ClockGettime(3, out var ts) == 0) return ts.Sec * 1_000_000_000 + ts.Nsec;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _threadClock = false;
            }
        }
        return Wall();
    }

    private static bool _threadClock = OperatingSystem.IsLinux();

    public static long Wall() => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec { public long Sec; public long Nsec; }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGettime(int clock, out Timespec ts);

    /// <summary>The report: one line for the search, one per worker, in milliseconds.</summary>
    public static string Report(PhaseTimes run, IReadOnlyList<PhaseTimes> workers)
    {
        static string Ms(long ns) => (ns / 1e6).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
        long cpu = run.Plan + run.Coordinate;
        foreach (var t in workers) cpu += t.Expand + t.Insert;
        var lines = new List<string>
        {
            $"phases: {run.Rounds} rounds; cpu {Ms(cpu)} ms in phases; critical path {Ms(run.SlowestExpand + run.Plan + run.SlowestInsert + run.Coordinate)} ms"
            + $" (slowest expand {Ms(run.SlowestExpand)}, plan {Ms(run.Plan)}, slowest insert {Ms(run.SlowestInsert)}, coordinate {Ms(run.Coordinate)})",
        };
        for (int w = 0; w < workers.Count; w++)
        {
            var t = workers[w];
            lines.Add($"  worker {w}: expand {Ms(t.Expand)} (rank {Ms(t.Rank)}), insert {Ms(t.Insert)} ms cpu; barriers {Ms(t.BarrierCpu)} ms cpu, {Ms(t.BarrierWall)} ms wall");
        }
        return string.Join('\n', lines);
    }
}
