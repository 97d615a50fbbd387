using System.Diagnostics;

namespace Pilab.Checker;

/// <summary>
/// The barrier between the partitioned engine's phases: the last worker to arrive runs the action
/// between the phases (the plan, or the coordination) and releases the others. A waiting worker
/// spins for a while before it sleeps: the phases of a round take a millisecond or more and the
/// workers reach the barrier within a few per cent of each other, so a short spin usually sees the
/// release, and the worker goes on without the wake-up a sleeping thread needs (a system call, and
/// in a virtual machine an interrupt to a halted virtual CPU), which otherwise comes twice a round.
/// The spin yields the core from time to time, so a loaded machine loses little to it. Unlike
/// System.Threading.Barrier, it spins for a set time rather than a set number of turns, and it keeps
/// its counters on cache lines of their own (<see cref="PaddedCounter"/>).
/// </summary>
internal sealed class PhaseBarrier(int participants, Action betweenPhases)
{
    /// <summary>How long a waiting worker spins before it sleeps.</summary>
    private static readonly long SpinTicks = Stopwatch.Frequency / 2000; // 0.5 ms

    private readonly PaddedCounter _remaining = new() { Value = participants }; // yet to arrive in this phase
    private readonly PaddedCounter _phase = new(); // the phases completed
    private readonly object _gate = new();
    private int _participants = participants;
    private int _sleepers; // under _gate

    /// <summary>Arrives, and waits for the others; the last to arrive runs the action between phases.</summary>
    public void SignalAndWait()
    {
        long phase = Volatile.Read(ref _phase.Value);
        if (Interlocked.Decrement(ref _remaining.Value) == 0)
        {
            Finish(phase);
            return;
        }
        long start = Stopwatch.GetTimestamp();
        for (int turn = 1; Volatile.Read(ref _phase.Value) == phase; turn++)
        {
            if ((turn & 63) != 0)
            {
                Thread.SpinWait(20);
                continue;
            }
            if (Stopwatch.GetTimestamp() - start > SpinTicks)
            {
                Sleep(phase);
                return;
            }
            Thread.Yield();
        }
    }

    /// <summary>A worker leaves for good (it failed) before arriving in this phase: the others no longer
    /// wait for it, in this phase or any later one.</summary>
    public void RemoveParticipant()
    {
        long phase = Volatile.Read(ref _phase.Value);
        Interlocked.Decrement(ref _participants);
        if (Interlocked.Decrement(ref _remaining.Value) == 0) Finish(phase);
    }

    private void Finish(long phase)
    {
        try
        {
            betweenPhases();
        }
        finally
        {
            // Reset before the release: nobody arrives in the next phase before it.
            Volatile.Write(ref _remaining.Value, Volatile.Read(ref _participants));
            lock (_gate)
            {
                Volatile.Write(ref _phase.Value, phase + 1);
                if (_sleepers > 0) Monitor.PulseAll(_gate);
            }
        }
    }

    private void Sleep(long phase)
    {
        lock (_gate)
        {
            _sleepers++;
            while (Volatile.Read(ref _phase.Value) == phase) Monitor.Wait(_gate);
            _sleepers--;
        }
    }
}
