namespace Pilab.Model.WholeSystem;

/// <summary>
/// Transition labels of the whole-system model: actor in the high byte, step in the low byte. For
/// the thread the step is its pc; for sched.in it is <see cref="LoadSame"/>, <see cref="LoadOther"/> or
/// <see cref="FirstSchedInStep"/> + sub-step; for the host CPUs and the guest one of the codes below;
/// for a poster its pc.
/// </summary>
public static class SystemLabels
{
    public const int Thread = 0;
    public const int SchedIn = 1;
    public const int Preempt = 2;
    /// <summary>Host CPU c's interrupt hardware is actor <see cref="FirstCpu"/> + c (c = 0 for P0, 1 for P2).</summary>
    public const int FirstCpu = 3;
    public const int Guest = 5;
    public const int Buffer = 6;
    public const int FirstPoster = 8;

    public const int LoadSame = 0, LoadOther = 1, FirstSchedInStep = 2;
    public const int PiProcess = 0, ExtIntExit = 1, HostIrqNotify = 2, HostIrqResched = 3, HostIrqWakeup = 4;
    public const int GuestTake = 0, GuestExit = 1, GuestHalt = 2;

    public static int Make(int actor, int step) => (actor << 8) | step;
    public static int Actor(int label) => label >> 8;
    public static int Step(int label) => label & 0xFF;

    /// <summary>docs/model.md's names for the two host CPUs the vCPU thread runs on.</summary>
    public static string CpuName(int c) => c == 0 ? "P0" : "P2";
}
