using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pilab.Live;

/// <summary>The cross-core round trip: two threads passing one cache line back and forth.</summary>
public sealed record CalibrationResult(double MedianNanoseconds, double MinNanoseconds, int Batches, int RoundTripsPerBatch);

/// <summary>
/// pilab live --calibrate: the physical floor of any notification between two cores. Thread A writes
/// an odd number into a padded line and spins until thread B answers with the next even one: one
/// round trip moves the line to B and back (two cache-line transfers, what a post and its
/// acknowledgement need at least). Batches are timed separately and the median batch is reported,
/// so a batch in which the scheduler put both threads on one core (this machine has two cores, shared)
/// does not count.
/// </summary>
public static class Calibration
{
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct PaddedLine
    {
        [FieldOffset(128)] public long Value;
    }

    private sealed class Ball
    {
        public PaddedLine Line;
    }

    public static CalibrationResult Measure(int batches = 41, int roundTripsPerBatch = 20_000)
    {
        var ball = new Ball();
        long total = (long)batches * roundTripsPerBatch;
        var echo = new Thread(() =>
        {
            for (long i = 1; i <= total; i++)
            {
                // Volatile.Read/Write: acquire to see A's number, release to answer; the line itself
                // carries the happens-before, no fence is needed (and x86 would not add one).
                Await(ref ball.Line.Value, 2 * i - 1);
                Volatile.Write(ref ball.Line.Value, 2 * i);
            }
        }) { IsBackground = true, Name = "calibrate echo" };
        echo.Start();
        var times = new double[batches];
        long n = 0;
        for (int b = 0; b < batches; b++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < roundTripsPerBatch; i++)
            {
                n++;
                Volatile.Write(ref ball.Line.Value, 2 * n - 1);
                Await(ref ball.Line.Value, 2 * n);
            }
            times[b] = (Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency) / roundTripsPerBatch;
        }
        echo.Join();
        Array.Sort(times);
        return new CalibrationResult(times[batches / 2], times[0], batches, roundTripsPerBatch);
    }

    /// <summary>Spins until the line holds <paramref name="value"/>; yields after a while, in case the other thread is not running.</summary>
    private static void Await(ref long line, long value)
    {
        int spins = 0;
        while (Volatile.Read(ref line) != value)
        {
            if (++spins > 4000)
            {
                Thread.Yield();
                spins = 0;
            }
        }
    }
}
