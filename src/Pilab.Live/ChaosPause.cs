namespace Pilab.Live;

/// <summary>
/// --chaos: a seeded random delay between steps, so that the windows between two steps of one actor
/// (where another actor's step does the damage) stay open long enough to be hit. Each actor has its own
/// generator, seeded from the run's seed and the actor's number, so the same seed gives every actor the
/// same sequence of delays (the OS still decides how the actors' sequences interleave).
/// Delays: seven steps in eight none (so that most of the time the other actor's steps run back to back
/// inside the window one actor's delay opens); otherwise a spin of 2^0..2^9 iterations of
/// Thread.SpinWait (up to some tens of microseconds), and one in 64 of those a Thread.Yield (a window as
/// long as a scheduler decision).
/// </summary>
internal struct ChaosPause : IStepPause
{
    private ulong _state;

    public ChaosPause(ulong seed, int actor)
    {
        // SplitMix64 of (seed, actor) seeds xorshift64*: never zero, well mixed for neighbouring seeds.
        ulong z = seed + 0x9E3779B97F4A7C15UL * (ulong)(actor + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        _state = z == 0 ? 1 : z;
    }

    /// <summary>The next delay: 0 for none, -1 for a yield, else the number of spin iterations.</summary>
    public int NextDelay()
    {
        // xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators", 2016).
        ulong x = _state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        _state = x;
        ulong r = x * 0x2545F4914F6CDD1DUL;
        if ((r & 7) != 0) return 0;
        if (((r >> 3) & 63) == 0) return -1;
        return 1 << (int)((r >> 9) % 10);
    }

    public void Pause()
    {
        int d = NextDelay();
        if (d > 0) Thread.SpinWait(d);
        else if (d < 0) Thread.Yield();
    }
}
