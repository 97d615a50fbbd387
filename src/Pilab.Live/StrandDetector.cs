namespace Pilab.Live;

/// <summary>
/// The watchdog's judgement, separate from its thread so a test can call it with a made-up clock.
/// A stranded interrupt (SPEC.md section 1): the guest runs, a vector sits in PIR, nothing is pending
/// at P0 and no notification is on its way. From outside that is decided over two observations at
/// least <c>threshold</c> apart, with:
/// <list type="bullet">
/// <item>both: P0 in the guest, PIR not empty, nothing pending;</item>
/// <item>no PIR drain in between or under way (P0 publishes a sequence, odd while it moves PIR into
/// vIRR: pi.process is atomic on hardware but not here), so the vectors in PIR at the first are still
/// the same posts at the second;</item>
/// <item>every post that was in flight at the first has finished by the second (its sequence moved
/// on): its NOTIFY, if it sends one, would be pending by then. A post that started later cannot have
/// set the vectors seen at the first.</item>
/// </list>
/// None of this depends on how long a thread is descheduled: an injector preempted in the middle of a
/// post keeps the verdict open until it finishes.
/// </summary>
internal sealed class StrandDetector
{
    private readonly VcpuMemory _m;
    private readonly Injector[] _injectors;
    private readonly long _threshold;
    private readonly long[] _sequenceAtStart;
    private readonly long[] _sequenceNow;

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
        _sequenceAtStart = new long[injectors.Length];
        _sequenceNow = new long[injectors.Length];
    }

    /// <summary>One observation at time <paramref name="now"/> (Stopwatch ticks); a report when a strand is confirmed, once per episode.</summary>
    public StrandReport? Observe(long now)
    {
        ref SharedLines s = ref _m.Lines;
        // Volatile.Read throughout: acquire loads, so the reads happen in the order written: drains,
        // guest, PIR, then the injectors' sequences (a PIR bit seen implies its post's start is seen),
        // then pending (a finished post seen implies its IPI is seen), then drains again.
        long drains = Volatile.Read(ref s.DrainSequence);
        bool inGuest = Volatile.Read(ref s.InGuest) != 0;
        var pir = new PirWords();
        for (int i = 0; i < PirWords.Words; i++) pir[i] = Volatile.Read(ref s.Pir[i]);
        for (int i = 0; i < _injectors.Length; i++) _sequenceNow[i] = Volatile.Read(ref _injectors[i].Counters.Sequence);
        int pending = Volatile.Read(ref s.Pending);
        bool stable = (drains & 1) == 0 && Volatile.Read(ref s.DrainSequence) == drains;

        if (!(inGuest && !pir.IsEmpty && pending == 0 && stable))
        {
            _suspect = false;
            return null;
        }
        var common = new PirWords();
        for (int i = 0; i < PirWords.Words; i++) common[i] = pir[i] & _pirAtStart[i];
        if (!_suspect || drains != _drainsAtStart || common.IsEmpty)
        {
            _suspect = true;
            _reported = false;
            _since = now;
            _drainsAtStart = drains;
            _pirAtStart = pir;
            _sequenceNow.CopyTo(_sequenceAtStart, 0);
            _stateAtStart = _m.Snapshot();
            return null;
        }
        if (_reported || now - _since < _threshold) return null;
        for (int i = 0; i < _injectors.Length; i++)
            if ((_sequenceAtStart[i] & 1) != 0 && _sequenceNow[i] == _sequenceAtStart[i])
                return null; // a post in flight at the start has not finished: its notification may yet come
        _reported = true;
        var posts = string.Join(", ", _sequenceAtStart.Select((q, i) => $"P{i + 1} post {q / 2}{((q & 1) != 0 ? " in flight" : " done")} -> {_sequenceNow[i] / 2}{((_sequenceNow[i] & 1) != 0 ? " in flight" : " done")}"));
        return new StrandReport(now, now - _since, common.ToList(), _m.Snapshot(), $"first seen: {_stateAtStart}; {posts}; drains {_drainsAtStart / 2}");
    }
}

/// <summary>A stranded interrupt the watchdog found: when, for how long at least, which vectors, and the state (mode, ON, PIR, pending).</summary>
internal sealed record StrandReport(long AtTicks, long StuckTicks, IReadOnlyList<int> Vectors, StateSnapshot State, string Detail);
