namespace Pilab.Live;

/// <summary>
/// The offset sweep of litmus7-style rounds, shared by the aligned mode (<see cref="LiveRun"/>) and the
/// store-buffering litmus (<see cref="Calibration"/>), so that both sweep the same offsets: in round r,
/// one side (from a hash of seed and round, the same on both threads) waits a random 0 to jitter
/// iterations of <see cref="Delay"/> after the round opens.
/// </summary>
internal static class RoundOffset
{
    /// <summary>The offset of round r: in -jitter..jitter; positive delays the side that waits for the round to open (the injector, litmus thread B), negative the side that opens it (P0, litmus thread A).</summary>
    public static int Of(ulong seed, long r, int jitter)
    {
        if (jitter == 0) return 0;
        ulong z = seed * 0x9E3779B97F4A7C15UL + (ulong)r * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z % (ulong)(2 * jitter + 1)) - jitter;
    }

    /// <summary>
    /// Aligned rounds with several injectors: injector <paramref name="injector"/> (1 for P2, ...) waits 0 to
    /// jitter delay iterations after the round opens, on a draw of its own (P0 and P1 share
    /// <see cref="Of"/>'s, as with one injector).
    /// </summary>
    public static int OfFurtherInjector(ulong seed, long r, int jitter, int injector)
    {
        if (jitter == 0) return 0;
        return Math.Abs(Of(seed + (ulong)injector * 0xD1B54A32D192ED03UL, r, jitter));
    }

    /// <summary>A delay of n dependent multiply-adds (about a nanosecond each), with no memory traffic.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static ulong Delay(int n)
    {
        ulong x = (ulong)n;
        for (int i = 0; i < n; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
        return x;
    }
}
