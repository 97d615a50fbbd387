namespace Pilab.Model;

/// <summary>
/// A transition label: actor in the high byte, step in the low byte. For the vCPU thread and the
/// injectors the step is the program counter the step ran at; for P0's processor, the guest and
/// the store buffer it is one of the codes below.
/// </summary>
public static class Labels
{
    public const int Thread = 0;
    public const int Cpu = 1;
    public const int GuestActor = 2;
    public const int Buffer = 3;
    public const int FirstInjector = 4;

    public const int PiProcess = 0;
    public const int ExtIntExit = 1;
    public const int HostIrqNotify = 2;
    public const int HostIrqResched = 3;
    public const int GuestTake = 0;
    public const int GuestExit = 1;
    public const int Flush = 0;

    public static int Make(int actor, int step) => (actor << 8) | step;
    public static int Actor(int label) => label >> 8;
    public static int Step(int label) => label & 0xFF;
    public static bool IsInjector(int label, out int injector)
    {
        injector = Actor(label) - FirstInjector;
        return injector >= 0;
    }
}
