namespace Pilab.Live;

/// <summary>
/// The watchdog's judgement, separate from its thread so a test can call it with a made-up clock.
/// A stranded interrupt (docs/model.md sections 1 and 5): the guest runs, a vector sits in PIR, nothing is
/// pending at P0 and no post is under way that could still notify: the model's terminal state with
/// PIR not empty. One look sees that state when, in this order, it reads P0's drain sequence (even:
/// P0 is not moving PIR into vIRR; posted-interrupt processing is atomic on hardware but not here),
/// P0 in the guest, PIR not empty, every injector's post sequence even (idle), nothing pending, the
/// same sequences again, and the same drain sequence. An injector whose sequence is even and the same
/// before and after the read of pending was idle at that read, so at that instant every post ever
/// started had finished, and each one's IPI (stored before its sequence) is visible in pending.
/// A strand is reported when two such looks at least <c>threshold</c> apart, with no drain between
/// them, see a common vector. Looks taken while a post is in flight decide nothing (a post that started
/// later may be the one whose on.set the earlier ones relied on); nothing here depends on how long a
/// thread is descheduled.
/// </summary>
internal sealed class StrandDetector
{
    private readonly VcpuMemory _m;
    private readonly Injector[] _injectors;
    private readonly long _threshold;
    private readonly long[] _sequenceBefore;

    private bool _suspect;
    private bool _reported;
    private long _since;
    private long _drainsAtStart;
    private PirWords _pirAtStart;
    private StateSnapshot _stateAtStart;

    public StrandDetector(VcpuMemory memory, Injector[] injectors, long thresholdTicks)
    {
        _m = memory;
        _injectors = injectors;
        _threshold = thresholdTicks;
        _sequenceBefore = new long[injectors.Length];
    }

    /// <summary>One look at time <paramref name="now"/> (Stopwatch ticks); a report when a strand is confirmed, once per episode.</summary>
    public StrandReport? Observe(long now)
    {
        ref SharedLines s = ref _m.Lines;
        // Volatile.Read throughout: acquire loads, so the reads happen in the order written (x86 does
        // not reorder loads with loads, and acquire stops the JIT from doing it).
        long drains = Volatile.Read(ref s.DrainSequence);
        bool inGuest = Volatile.Read(ref s.InGuest) != 0;
        var pir = new PirWords();
        for (int i = 0; i < PirWords.Words; i++) pir[i] = Volatile.Read(ref s.Pir[i]);
        bool idle = true;
        for (int i = 0; i < _injectors.Length; i++)
        {
            long q = Volatile.Read(ref _injectors[i].Counters.Sequence);
            _sequenceBefore[i] = q;
            idle &= (q & 1) == 0;
        }
        int pending = Volatile.Read(ref s.Pending);
        for (int i = 0; i < _injectors.Length; i++)
            idle &= Volatile.Read(ref _injectors[i].Counters.Sequence) == _sequenceBefore[i];
        bool stable = (drains & 1) == 0 && Volatile.Read(ref s.DrainSequence) == drains;

        if (!(inGuest && !pir.IsEmpty && pending == 0 && stable))
        {
            _suspect = false; // not the state of a strand (or P0 moved PIR): start afresh
            return null;
        }
        if (!idle) return null; // a post is under way: this look decides nothing
        var common = new PirWords();
        for (int i = 0; i < PirWords.Words; i++) common[i] = pir[i] & _pirAtStart[i];
        if (!_suspect || drains != _drainsAtStart || common.IsEmpty)
        {
            _suspect = true;
            _reported = false;
            _since = now;
            _drainsAtStart = drains;
            _pirAtStart = pir;
            _stateAtStart = _m.Snapshot();
            return null;
        }
        if (_reported || now - _since < _threshold) return null;
        _reported = true;
        var posts = string.Join(", ", _sequenceBefore.Select((q, i) => $"P{i + 1} {q / 2} posts"));
        return new StrandReport(now, now - _since, common.ToList(), _m.Snapshot(),
            $"first seen: {_stateAtStart}; injectors idle at both looks ({posts}); drains {_drainsAtStart / 2}");
    }
}

/// <summary>A stranded interrupt the watchdog found: when, for how long at least, which vectors, and the state (mode, ON, PIR, pending).</summary>
internal sealed record StrandReport(long AtTicks, long StuckTicks, IReadOnlyList<int> Vectors, StateSnapshot State, string Detail);
