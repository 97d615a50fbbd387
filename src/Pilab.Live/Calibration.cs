using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pilab.Live;

/// <summary>The cross-core round trip (two threads passing one cache line back and forth), and how often this machine lets a store pass a later load.</summary>
public sealed record CalibrationResult(double MedianNanoseconds, double MinNanoseconds, int Batches, int RoundTripsPerBatch, long LitmusRounds = 0, long LitmusReorders = 0);

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

    private sealed class Litmus
    {
        public PaddedLine X, Y, Go, Done, R2;
    }

    /// <summary>
    /// The store-buffering litmus test (SB; Sewell et al., "x86-TSO", CACM 2010, and SDM 8.2.3.4): in
    /// round i, thread A does x = i; r1 = y while thread B does y = i; r2 = x, with plain stores and
    /// loads (Volatile.Write/Read, no fence). r1 &lt; i and r2 &lt; i together is impossible under SC and
    /// is exactly the reordering fixed-nomb's missing mb allows (mode.in passing on.read). Each side
    /// first spins a varying time (A longer, since B starts only when it sees Go) so that the two sides
    /// overlap at different offsets.
    /// </summary>
    public static (long Rounds, long Reorders) StoreBufferLitmus(int rounds = 200_000)
    {
        var l = new Litmus();
        var b = new Thread(() =>
        {
            ulong rng = 0x243F6A8885A308D3;
            for (long i = 1; i <= rounds; i++)
            {
                Await(ref l.Go.Value, i);
                rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
                Thread.SpinWait((int)(rng & 15));
                Volatile.Write(ref l.Y.Value, i);           // plain store: may sit in B's store buffer...
                long r2 = Volatile.Read(ref l.X.Value);     // ...while this load goes to memory
                Volatile.Write(ref l.R2.Value, r2);
                Volatile.Write(ref l.Done.Value, i);
            }
        }) { IsBackground = true, Name = "litmus B" };
        b.Start();
        long reorders = 0;
        ulong rngA = 0x13198A2E03707344;
        for (long i = 1; i <= rounds; i++)
        {
            Volatile.Write(ref l.Go.Value, i);
            rngA ^= rngA << 13; rngA ^= rngA >> 7; rngA ^= rngA << 17;
            Thread.SpinWait((int)(rngA & 127)); // A starts first by the time B takes to see Go: wait longer
            Volatile.Write(ref l.X.Value, i);
            long r1 = Volatile.Read(ref l.Y.Value);
            Await(ref l.Done.Value, i);
            if (r1 < i && Volatile.Read(ref l.R2.Value) < i) reorders++;
        }
        b.Join();
        return (rounds, reorders);
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
        var (litmusRounds, reorders) = StoreBufferLitmus();
        return new CalibrationResult(times[batches / 2], times[0], batches, roundTripsPerBatch, litmusRounds, reorders);
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
