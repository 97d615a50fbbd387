using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Pilab.Live;

/// <summary>Where the calibration's two threads ran: the pinning plan a live run with one injector gets (A on P0's CPU, B on the injector's).</summary>
public sealed record CalibrationPlacement(string Pinning, IReadOnlyList<ThreadPlacement> Threads)
{
    public override string ToString() =>
        $"{Pinning}: {string.Join(", ", Threads.Select(t => t.Cpu >= 0 ? $"{t.Thread} CPU {t.Cpu}" : $"{t.Thread} unpinned"))}" +
        string.Concat(Threads.Where(t => t.Error is not null).Select(t => $"; {t.Thread}: {t.Error}"));
}

/// <summary>The cross-core round trip alone (two threads passing one cache line back and forth).</summary>
public sealed record RoundTripResult(double MedianNanoseconds, double MinNanoseconds, int Batches, int RoundTripsPerBatch, CalibrationPlacement Placement);

/// <summary>The cross-core round trip, and how often this machine lets a store pass a later load (in rounds aligned as <c>--aligned</c>'s, with the same jitter sweep).</summary>
public sealed record CalibrationResult(double MedianNanoseconds, double MinNanoseconds, int Batches, int RoundTripsPerBatch, long LitmusRounds, long LitmusReorders, int LitmusJitter, ulong LitmusSeed, CalibrationPlacement Placement);

/// <summary>
/// pilab live --calibrate: the physical floor of any notification between two cores, and the store
/// buffer's rate. Both tests run on two threads pinned as a live run's P0 and first injector are
/// (<see cref="CorePinning.Plan"/>: A on P0's CPU, B on the injector's), each side's lines in native
/// memory aligned to 128 bytes, 128 bytes apart (as <see cref="SharedLines"/>).
/// </summary>
public static unsafe class Calibration
{
    /// <summary>The lines of the two tests, each 128 bytes from the next (x86's adjacent-line prefetcher pairs 64-byte lines).</summary>
    private const int Stride = 128;
    private const int Ball = 0, X = 1, Y = 2, Ready = 3, Prepared = 4, Open = 5, Done = 6, R2 = 7, Lines = 8;

    /// <summary>
    /// Both tests on pinned threads: the round trip (<see cref="RoundTrip"/>), then the store-buffering
    /// litmus (<see cref="StoreBufferLitmus"/>) with the given jitter and seed (an aligned run's, so the
    /// litmus rate and the run's strand rate come from the same offset sweep).
    /// </summary>
    public static CalibrationResult Measure(bool pin = true, int jitter = 0, ulong seed = 1, int litmusRounds = 200_000)
    {
        var rt = RoundTrip(pin);
        var (rounds, reorders, placement) = StoreBufferLitmus(pin, jitter, seed, litmusRounds);
        return new CalibrationResult(rt.MedianNanoseconds, rt.MinNanoseconds, rt.Batches, rt.RoundTripsPerBatch, rounds, reorders, jitter, seed, placement);
    }

    /// <summary>
    /// Thread A writes an odd number into a line and spins until thread B answers with the next even one:
    /// one round trip moves the line to B and back (two cache-line transfers, what a post and its
    /// acknowledgement need at least). Batches are timed separately and the median batch is reported:
    /// short batches (200 round trips, some microseconds), so that on a loaded machine most of them run
    /// with both threads on their CPUs, and a batch in which the scheduler took a CPU away does not count.
    /// </summary>
    public static RoundTripResult RoundTrip(bool pin = true, int batches = 2001, int roundTripsPerBatch = 200)
    {
        var times = new double[batches];
        long total = (long)batches * roundTripsPerBatch;
        var placement = OnPinnedPair(pin,
            m =>
            {
                ref long ball = ref Line(m, Ball);
                long n = 0;
                for (int b = 0; b < batches; b++)
                {
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < roundTripsPerBatch; i++)
                    {
                        n++;
                        // Volatile.Write/Read: release to pass the number, acquire to see the answer; the line
                        // itself carries the happens-before, no fence is needed (and x86 would not add one).
                        Volatile.Write(ref ball, 2 * n - 1);
                        Await(ref ball, 2 * n);
                    }
                    times[b] = (Stopwatch.GetTimestamp() - start) * (1e9 / Stopwatch.Frequency) / roundTripsPerBatch;
                }
            },
            m =>
            {
                ref long ball = ref Line(m, Ball);
                for (long i = 1; i <= total; i++)
                {
                    Await(ref ball, 2 * i - 1);
                    Volatile.Write(ref ball, 2 * i);
                }
            });
        Array.Sort(times);
        return new RoundTripResult(times[batches / 2], times[0], batches, roundTripsPerBatch, placement);
    }

    /// <summary>
    /// The store-buffering litmus test (SB; Sewell et al., "x86-TSO", CACM 2010, and SDM 8.2.3.4): in
    /// round r, thread A does x = r; r1 = y while thread B does y = r; r2 = x, with plain stores and
    /// loads (Volatile.Write/Read, no fence). r1 &lt; r and r2 &lt; r together is impossible under SC and
    /// is exactly the reordering fixed-nomb's missing mb allows (mode.in passing on.read). The rounds are
    /// run as <c>--aligned</c> runs its rounds (A in P0's place, B in the injector's): A says the round is
    /// ready; B preloads x and y (litmus7's -preload: both lines shared by both CPUs, so each store needs
    /// its line back and waits in the store buffer meanwhile) and says so; A opens the round; B spins until
    /// it sees it open; one side waits its share of the jitter (<see cref="RoundOffset"/>, the same offsets
    /// an aligned run with this jitter and seed sweeps); both run their two instructions.
    /// </summary>
    public static (long Rounds, long Reorders, CalibrationPlacement Placement) StoreBufferLitmus(bool pin = true, int jitter = 0, ulong seed = 1, int rounds = 200_000)
    {
        long reorders = 0;
        ulong sinkA = 0, sinkB = 0;
        var placement = OnPinnedPair(pin,
            m =>
            {
                ref long x = ref Line(m, X);
                ref long y = ref Line(m, Y);
                for (long r = 1; r <= rounds; r++)
                {
                    int offset = RoundOffset.Of(seed, r, jitter);
                    // Volatile.Write: release; B starts its preload after it.
                    Volatile.Write(ref Line(m, Ready), r);
                    Await(ref Line(m, Prepared), r);
                    Volatile.Write(ref Line(m, Open), r);
                    if (offset < 0) sinkA += RoundOffset.Delay(-offset);
                    Volatile.Write(ref x, r);           // plain store: may sit in A's store buffer...
                    long r1 = Volatile.Read(ref y);     // ...while this load goes to memory
                    Await(ref Line(m, Done), r);
                    if (r1 < r && Volatile.Read(ref Line(m, R2)) < r) reorders++;
                }
            },
            m =>
            {
                ref long x = ref Line(m, X);
                ref long y = ref Line(m, Y);
                for (long r = 1; r <= rounds; r++)
                {
                    Await(ref Line(m, Ready), r);
                    // the preload: loads that must happen (Volatile.Read is not hoisted or dropped)
                    sinkB += (ulong)(Volatile.Read(ref x) + Volatile.Read(ref y));
                    Volatile.Write(ref Line(m, Prepared), r);
                    Await(ref Line(m, Open), r);
                    int offset = RoundOffset.Of(seed, r, jitter);
                    if (offset > 0) sinkB += RoundOffset.Delay(offset);
                    Volatile.Write(ref y, r);
                    long r2 = Volatile.Read(ref x);
                    Volatile.Write(ref Line(m, R2), r2);
                    Volatile.Write(ref Line(m, Done), r);
                }
            });
        GC.KeepAlive(sinkA + sinkB);
        return (rounds, reorders, placement);
    }

    private static ref long Line(byte* block, int line) => ref *(long*)(block + line * Stride);

    /// <summary>
    /// Runs <paramref name="a"/> and <paramref name="b"/> on two new threads over a fresh, zeroed native
    /// block of <see cref="Lines"/> lines, pinned as a live run's P0 and first injector (unless
    /// <paramref name="pin"/> is false or pinning is not possible), and returns where they ran.
    /// </summary>
    private static CalibrationPlacement OnPinnedPair(bool pin, Action<nint> a, Action<nint> b)
    {
        var (cpus, note) = CorePinning.Plan(pin, injectors: 1);
        var errors = new int[2];
        nuint size = Lines * Stride;
        byte* block = (byte*)NativeMemory.AlignedAlloc(size, Stride);
        try
        {
            NativeMemory.Clear(block, size);
            nint m = (nint)block;
            Thread Start(int t, Action<nint> body, string name)
            {
                var thread = new Thread(() =>
                {
                    if (cpus[t] >= 0) errors[t] = CorePinning.PinCurrentThread(cpus[t]);
                    body(m);
                }) { IsBackground = true, Name = name };
                thread.Start();
                return thread;
            }
            var ta = Start(0, a, "calibrate A");
            var tb = Start(1, b, "calibrate B");
            ta.Join();
            tb.Join();
        }
        finally
        {
            NativeMemory.AlignedFree(block);
        }
        var threads = new ThreadPlacement[2];
        for (int t = 0; t < 2; t++)
            threads[t] = new ThreadPlacement(t == 0 ? "A" : "B", errors[t] == 0 ? cpus[t] : -1, errors[t] == 0 ? null : $"sched_setaffinity(CPU {cpus[t]}) failed, errno {errors[t]}");
        return new CalibrationPlacement(note, threads);
    }

    private static ref long Line(nint block, int line) => ref Line((byte*)block, line);

    /// <summary>Spins until the line holds at least <paramref name="value"/>; yields now and then, in case the other thread is not running (unpinned, one CPU).</summary>
    private static void Await(ref long line, long value)
    {
        int spins = 0;
        while (Volatile.Read(ref line) < value)
        {
            if (++spins > 1 << 16)
            {
                Thread.Yield();
                spins = 0;
            }
        }
    }
}
