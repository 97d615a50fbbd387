using System.Diagnostics;
using HdrHistogram;
using Pilab.Protocol;

namespace Pilab.Live;

/// <summary>
/// One live run: P0's thread and the injector threads over one <see cref="VcpuMemory"/>.
/// <see cref="Start"/>, then poll <see cref="Progress"/> until <see cref="PostsDone"/> or the caller's
/// time is up (or Ctrl-C), then <see cref="Finish"/>: the injectors finish the post in flight and stop,
/// the guest runs on without exits of its own until nothing can change any more,
/// and whatever is left in PIR or vIRR is stranded.
/// </summary>
/// <remarks>
/// The watchdog runs on P0's thread: every <see cref="WatchdogEvery"/> guest boundaries with nothing
/// to do, P0 looks at the shared state through <see cref="StrandDetector"/> (a host timer tick would, in
/// KVM; here it costs a few cache misses and no thread of its own). It sees strands as short as that
/// interval, which a sleeping watchdog thread (1 ms ticks) would miss when the guest exits often.
/// Threads may outnumber cores (this machine has two). Nothing blocks on another thread: P0 spins as a
/// vCPU does, injectors pace themselves with sleep / yield / spin, so an oversubscribed run is slower and
/// has longer latency tails but is still correct. Verdicts never depend on timing (see
/// <see cref="StrandDetector"/>); figures do.
/// </remarks>
public sealed class LiveRun
{
    private const int Run = 0, Grace = 1, Stop = 2;

    /// <summary>
    /// An unpaced injector yields its core every this many posts (a power of two): when it shares a core
    /// with P0 (more threads than cores), P0 then runs within microseconds instead of at the next
    /// scheduler tick, and the injector does not just coalesce into a PIR nobody drains.
    /// </summary>
    private const long YieldEvery = 256;

    /// <summary>Idle guest boundaries between two watchdog looks (a power of two).</summary>
    private const int WatchdogEvery = 64;

    private readonly LiveOptions _o;
    private readonly VcpuMemory _m;
    private readonly VcpuThread _p0;
    private readonly Injector[] _injectors;
    private readonly long[] _quota;
    private readonly StrandDetector _detector;
    private readonly List<StrandEvent> _strands = [];
    private readonly Stopwatch _clock = new();
    private Thread? _p0Thread;
    private Thread[] _injectorThreads = [];
    private int _p0Control;
    private int _stopInjectors;
    private int _injectorsRunning;
    private long _strandCount;
    private long _rescues;
    private double? _firstStrand;
    private bool _settled;
    private LiveResult? _result;
    private readonly AlignedRound? _round;
    private long _rounds;
    private long _clearedByReset;
    /// <summary>Where the delay loops leave their result, so that the JIT keeps them.</summary>
    private ulong _delaySink;
    private readonly int[] _pinCpus;
    private readonly string _pinNote;
    /// <summary>Per thread (0 = P0): 0 pinned or not asked, else the errno sched_setaffinity gave. Written by each thread as it starts.</summary>
    private readonly int[] _pinErrors;
    /// <summary>Per injector: 1 once its thread has stopped (the aligned mode's partial last round).</summary>
    private readonly int[] _stopped;
    /// <summary>An aligned injector waiting for a round yields every this many + 1 spins: often when it shares a CPU, practically never when it has one of its own.</summary>
    private readonly long _awaitYieldMask;

    public LiveRun(LiveOptions options)
    {
        if (options.Problem() is { } problem) throw new ArgumentException(problem, nameof(options));
        _o = options;
        var program = new ThreadProgram(options.Variant);
        _m = new VcpuMemory(options.Injectors);
        _p0 = new VcpuThread(program, _m, options.ExitRate, VcpuThread.NewLatencyHistogram());
        _injectors = new Injector[options.Injectors];
        _quota = new long[options.Injectors];
        for (int i = 0; i < _injectors.Length; i++)
        {
            _injectors[i] = new Injector(program, _m, i, LiveOptions.FirstVector + i * options.VectorsPerInjector, options.VectorsPerInjector);
            // aligned: --posts bounds the rounds, and every injector posts once a round
            _quota[i] = options.MaxPosts <= 0 ? long.MaxValue
                : options.Aligned ? options.MaxPosts
                : options.MaxPosts / options.Injectors + (i < options.MaxPosts % options.Injectors ? 1 : 0);
        }
        _round = options.Aligned ? new AlignedRound(_m, _p0) : null;
        (_pinCpus, _pinNote) = CorePinning.Plan(options.Pin, options.Injectors);
        _pinErrors = new int[options.Injectors + 1];
        _stopped = new int[options.Injectors];
        bool sharing = _pinCpus.Contains(-1) ? options.Injectors + 1 > Environment.ProcessorCount : _pinCpus.Distinct().Count() < _pinCpus.Length;
        _awaitYieldMask = sharing ? 0x3F : 0xFFFFF;
        _detector = new StrandDetector(_m, _injectors, (long)(options.StallMilliseconds * Stopwatch.Frequency / 1000));
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>
    /// Every post-to-guest-handler latency sample, in Stopwatch ticks (what <see cref="LiveResult.Latency"/>
    /// summarises), for a chart such as <c>pilab report --live</c>'s. Only after <see cref="Finish"/>:
    /// P0's thread writes it while running.
    /// </summary>
    public LongHistogram LatencyHistogram => _result is not null ? _p0.Latency : throw new InvalidOperationException("the latency histogram is complete only after Finish");

    /// <summary>True once every injector has made all its posts (only with <see cref="LiveOptions.MaxPosts"/>).</summary>
    public bool PostsDone => Volatile.Read(ref _injectorsRunning) == 0 && _p0Thread is not null;

    public void Start()
    {
        if (_p0Thread is not null) throw new InvalidOperationException("already started");
        _clock.Start();
        _injectorsRunning = _injectors.Length;
        _p0Thread = new Thread(_o.Aligned ? RunP0Aligned : _o.Chaos ? RunP0Chaos : RunP0) { IsBackground = true, Name = "P0 (vCPU)" };
        _injectorThreads = new Thread[_injectors.Length];
        for (int i = 0; i < _injectors.Length; i++)
        {
            int id = i;
            _injectorThreads[i] = new Thread(() => RunInjector(id)) { IsBackground = true, Name = $"P{id + 1} (injector)" };
        }
        _p0Thread.Start();
        foreach (var t in _injectorThreads) t.Start();
    }

    /// <summary>The figures so far (counters read while the threads run; latency only at the end).</summary>
    public LiveResult Progress() => Collect(final: false);

    /// <summary>Stops the run (see the class comment) and returns its figures. Idempotent.</summary>
    public LiveResult Finish()
    {
        if (_result is not null) return _result;
        if (_p0Thread is null) throw new InvalidOperationException("not started");
        // Volatile.Write: injectors read it between posts; a post in flight finishes first, so that
        // no notification is cut off half way (that would strand a vector the protocol did not lose).
        Volatile.Write(ref _stopInjectors, 1);
        foreach (var t in _injectorThreads) t.Join();
        // The grace period: P0 turns guest exits off and stops itself in a terminal state.
        Volatile.Write(ref _p0Control, Grace);
        if (!_p0Thread.Join(TimeSpan.FromSeconds(_o.GraceSeconds)))
        {
            Volatile.Write(ref _p0Control, Stop);
            _p0Thread.Join();
        }
        _clock.Stop();
        _result = Collect(final: true);
        return _result;
    }

    private void RunP0()
    {
        Pin(0);
        P0Loop(new NoPause());
    }

    private void RunP0Chaos()
    {
        Pin(0);
        P0Loop(new ChaosPause(_o.Seed, 0));
    }

    /// <summary>
    /// P0 in the aligned mode (see <see cref="AlignedRound"/>): reset, open round r once every injector has
    /// preloaded, run the entry and the guest until every injector's post of round r is over, run on to the
    /// settled state, judge, and again.
    /// A strand is recorded with its round and offset; then the reset clears it (the aligned mode's
    /// rescue), or with --no-rescue the run stops there and the strand stays for the end-of-run check.
    /// </summary>
    private void RunP0Aligned()
    {
        Pin(0);
        var p0 = _p0;
        var round = _round!;
        ref SharedLines s = ref _m.Lines;
        round.Reset();
        for (long r = 1; ; r++)
        {
            // Volatile.Read: the controller's and the injectors' requests; seen a round late is harmless.
            // Every injector has the same quota of rounds: once one has stopped, no round opens any more.
            if (Volatile.Read(ref _p0Control) != Run || Volatile.Read(ref _injectorsRunning) < _injectors.Length)
            {
                SettleAndStop(p0);
                return;
            }
            int offset = Offset(r);
            // Volatile.Write: a release store, so the reset's plain writes are visible to the injectors
            // before they see the round ready; they preload the lines, then P0 opens the round.
            Volatile.Write(ref s.RoundReady, r);
            while (!AllInjectors(r, done: false))
            {
                if (Volatile.Read(ref _injectorsRunning) < _injectors.Length)
                {
                    SettleAndStop(p0);
                    return;
                }
                if (Volatile.Read(ref _p0Control) == Stop) return;
            }
            Volatile.Write(ref s.RoundOpen, r);
            if (offset < 0) _delaySink += Delay(-offset);
            bool posted;
            while (true)
            {
                posted = AllInjectors(r, done: true);
                if (posted && p0.InGuest) break;
                // an injector stopped before posting round r: the others' posts of it are over, and the
                // end-of-run check judges what they left (a partial round is not counted as a round)
                if (!posted && PartialRound(r)) break;
                if (Volatile.Read(ref _p0Control) == Stop) return;
                p0.Step();
            }
            while (!p0.Settled)
            {
                if (Volatile.Read(ref _p0Control) == Stop) return;
                p0.Step();
            }
            if (!posted)
            {
                _settled = true;
                return;
            }
            Volatile.Write(ref _rounds, r);
            if (round.Judge() is { } strand)
            {
                double at = _clock.Elapsed.TotalSeconds;
                string who = offset > 0 ? $"the injector waited {offset} delay iterations after seeing the round open" : offset < 0 ? $"P0 waited {-offset} delay iterations after opening the round" : "no delay on either side";
                if (_injectors.Length > 1)
                    who = (offset > 0 ? $"P1 waited {offset}" : offset < 0 ? $"P0 waited {-offset}" : "P0 and P1 no delay") +
                        string.Concat(Enumerable.Range(1, _injectors.Length - 1).Select(i => $", P{i + 1} waited {RoundOffset.OfFurtherInjector(_o.Seed, r, _o.Jitter, i)}")) + " delay iterations after the round opened";
                lock (_strands)
                {
                    _strandCount++;
                    _firstStrand ??= at;
                    if (_strands.Count < 1000)
                        _strands.Add(new StrandEvent(at, 0, strand.Vectors, strand.State.ToString(), $"round {r:N0}: {who}; judged in the settled state"));
                }
                if (!_o.Rescue)
                {
                    _settled = true;
                    Volatile.Write(ref _stopInjectors, 1);
                    return;
                }
                round.ClearStamps(strand.Vectors);
                _clearedByReset += strand.Vectors.Count;
                Interlocked.Increment(ref _rescues);
            }
            round.Reset();
        }
    }

    /// <summary>The end of an aligned run: P0 runs to its terminal state (no post is in flight any more).</summary>
    private void SettleAndStop(VcpuThread p0)
    {
        while (!p0.Settled)
        {
            if (Volatile.Read(ref _p0Control) == Stop) return;
            p0.Step();
        }
        _settled = true;
    }

    /// <summary>
    /// Round r's judgement can start: every injector has prepared it (<paramref name="done"/> false), or
    /// finished its post of it (true). Volatile.Read: acquire loads of each injector's own round line; the
    /// preload's loads, or the post's stores (all locked), are before the injector's release store.
    /// </summary>
    private bool AllInjectors(long r, bool done)
    {
        foreach (var inj in _injectors)
            if (Volatile.Read(ref done ? ref inj.Counters.RoundDone : ref inj.Counters.RoundPrepared) < r) return false;
        return true;
    }

    /// <summary>
    /// Round r is partial: every injector has finished its post of it or stopped, and one stopped without
    /// posting it. Each injector's stopped flag is read first: it is written after its last RoundDone, so
    /// a stopped injector's RoundDone read after it is final (one that finishes its post between two
    /// reads is not taken for stopped).
    /// </summary>
    private bool PartialRound(long r)
    {
        bool partial = false;
        for (int i = 0; i < _injectors.Length; i++)
        {
            bool stopped = Volatile.Read(ref _stopped[i]) != 0;
            if (Volatile.Read(ref _injectors[i].Counters.RoundDone) >= r) continue;
            if (!stopped) return false; // its post of round r is still to come
            partial = true;
        }
        return partial;
    }

    /// <summary>An injector in the aligned mode: wait for round r to be ready, preload, wait for it to open, its share of the offset, one post, round r done.</summary>
    private void InjectorAlignedLoop(int id)
    {
        var inj = _injectors[id];
        long quota = _quota[id];
        ref SharedLines s = ref _m.Lines;
        for (long r = 1; r <= quota; r++)
        {
            // Volatile.Read: acquire loads; the reset P0 did before the round was ready is visible after it.
            if (!AwaitRound(ref s.RoundReady, r)) return;
            _round!.Preload();
            // Volatile.Write: release; P0 opens the round once every injector has written this.
            Volatile.Write(ref inj.Counters.RoundPrepared, r);
            if (!AwaitRound(ref s.RoundOpen, r)) return;
            int offset = id == 0 ? Offset(r) : RoundOffset.OfFurtherInjector(_o.Seed, r, _o.Jitter, id);
            ulong sink = offset > 0 ? Delay(offset) : 0;
            while (!inj.Step()) { }
            // Volatile.Write: a release store; the post's stores (all locked) are before it.
            Volatile.Write(ref inj.Counters.RoundDone, r);
            if (sink == 1) Volatile.Write(ref _delaySink, sink); // keeps the delay loop; practically never taken
        }
    }

    /// <summary>The injector spins until <paramref name="counter"/> reaches <paramref name="r"/>; false when asked to stop meanwhile.</summary>
    private bool AwaitRound(ref long counter, long r)
    {
        long spins = 0;
        while (Volatile.Read(ref counter) < r)
        {
            if (Volatile.Read(ref _stopInjectors) != 0) return false;
            // a thread sharing a CPU (unpinned, or more injectors than CPUs) must let the others run
            if ((++spins & _awaitYieldMask) == 0) Thread.Yield();
        }
        return true;
    }

    private int Offset(long r) => RoundOffset.Of(_o.Seed, r, _o.Jitter);

    private static ulong Delay(int n) => RoundOffset.Delay(n);

    /// <summary>Pins the calling thread (0 = P0, i + 1 = injector i) to its planned CPU, if any.</summary>
    private void Pin(int thread)
    {
        if (_pinCpus[thread] >= 0) Volatile.Write(ref _pinErrors[thread], CorePinning.PinCurrentThread(_pinCpus[thread]));
    }

    /// <summary>Where the threads and the shared lines are.</summary>
    private LivePlacement Placement()
    {
        var threads = new ThreadPlacement[_pinCpus.Length];
        for (int t = 0; t < threads.Length; t++)
        {
            int err = Volatile.Read(ref _pinErrors[t]);
            threads[t] = new ThreadPlacement(t == 0 ? "P0" : $"P{t}", err == 0 ? _pinCpus[t] : -1, err == 0 ? null : $"sched_setaffinity(CPU {_pinCpus[t]}) failed, errno {err}");
        }
        return new LivePlacement(_pinNote, threads, _m.Placement());
    }

    private void P0Loop<TPause>(TPause pause) where TPause : struct, IStepPause
    {
        var p0 = _p0;
        bool grace = false;
        int idle = 0;
        while (true)
        {
            if (p0.IdleInGuest && (++idle & (WatchdogEvery - 1)) == 0 && !grace)
                Watchdog();
            // Volatile.Read: the controller's request; seeing it one step late is harmless.
            int c = Volatile.Read(ref _p0Control);
            if (c != Run)
            {
                if (c == Stop) return;
                if (!grace)
                {
                    p0.DisableGuestExits();
                    grace = true;
                }
                if (p0.Settled)
                {
                    _settled = true;
                    return;
                }
            }
            if (p0.Step()) pause.Pause();
        }
    }

    private void RunInjector(int id)
    {
        try
        {
            Pin(id + 1);
            if (_o.Aligned) InjectorAlignedLoop(id);
            else if (_o.Chaos) InjectorLoop(id, new ChaosPause(_o.Seed, id + 1));
            else InjectorLoop(id, new NoPause());
        }
        finally
        {
            Interlocked.Decrement(ref _injectorsRunning);
            // Volatile.Write: after the injector's last RoundDone (PartialRound reads this first)
            Volatile.Write(ref _stopped[id], 1);
        }
    }

    private void InjectorLoop<TPause>(int id, TPause pause) where TPause : struct, IStepPause
    {
        var inj = _injectors[id];
        long quota = _quota[id];
        long period = _o.Rate > 0 ? Math.Max(1, (long)(Stopwatch.Frequency / _o.Rate)) : 0;
        long next = Stopwatch.GetTimestamp();
        long posts = 0;
        while (true)
        {
            // Between posts: stop if asked or done, else wait for the next post's time.
            if (Volatile.Read(ref _stopInjectors) != 0 || posts == quota) return;
            if (period != 0)
            {
                next = Pace(next, period);
                if (Volatile.Read(ref _stopInjectors) != 0) return;
            }
            else if ((posts & (YieldEvery - 1)) == YieldEvery - 1) Thread.Yield();
            while (!inj.Step()) pause.Pause();
            posts++;
        }
    }

    /// <summary>
    /// Waits until <paramref name="next"/>: sleeping when far, yielding when near, spinning at the end, so
    /// a paced injector leaves the core to P0 when there are more threads than cores. A late injector
    /// does not burst to catch up more than 10 ms. A stop ends the wait at once, however slow the rate.
    /// </summary>
    private long Pace(long next, long period)
    {
        long now;
        long ms = Stopwatch.Frequency / 1000;
        while ((now = Stopwatch.GetTimestamp()) < next)
        {
            if (Volatile.Read(ref _stopInjectors) != 0) return next;
            long gap = next - now;
            if (gap > 2 * ms) Thread.Sleep(1);
            else if (gap > ms / 20) Thread.Yield();
            else Thread.SpinWait(20);
        }
        return Math.Max(next + period, now - 10 * ms);
    }

    /// <summary>One look of the watchdog, from P0's thread (allocates only when it reports).</summary>
    private void Watchdog()
    {
        if (_detector.Observe(Stopwatch.GetTimestamp()) is not { } report) return;
        double at = _clock.Elapsed.TotalSeconds;
        lock (_strands)
        {
            _strandCount++;
            _firstStrand ??= at;
            if (_strands.Count < 1000)
                _strands.Add(new StrandEvent(at, report.StuckTicks * 1000.0 / Stopwatch.Frequency, report.Vectors, report.State.ToString(), report.Detail));
        }
        if (_o.Rescue)
        {
            // Interlocked.Or: an unrelated host interrupt (a timer tick) at P0, as an injector's RESCHED
            // would be: the guest exits at the next boundary and the next entry syncs PIR.
            Interlocked.Or(ref _m.Lines.Pending, PendingIpi.Resched);
            Interlocked.Increment(ref _rescues);
        }
    }

    private LiveResult Collect(bool final)
    {
        long posted = 0, coalesced = 0, onSet = 0, notify = 0, resched = 0;
        foreach (var inj in _injectors)
        {
            // Volatile.Read: some recent value of a counter another thread writes (see P0Counters).
            posted += Volatile.Read(ref inj.Counters.Posted);
            coalesced += Volatile.Read(ref inj.Counters.CoalescedInPir);
            onSet += Volatile.Read(ref inj.Counters.OnAlreadySet);
            notify += Volatile.Read(ref inj.Counters.NotifyIpis);
            resched += Volatile.Read(ref inj.Counters.ReschedIpis);
        }
        ref P0Counters c = ref _p0.Counters;
        long guestExits = Volatile.Read(ref c.GuestExits), extInt = Volatile.Read(ref c.ExtIntExits);
        List<StrandEvent> strands;
        long strandCount;
        double? first;
        lock (_strands)
        {
            strands = [.. _strands];
            strandCount = _strandCount;
            first = _firstStrand;
        }
        var result = new LiveResult
        {
            Variant = _o.Variant.Name,
            Options = _o,
            Elapsed = _clock.Elapsed,
            Posted = posted,
            CoalescedInPir = coalesced,
            OnAlreadySet = onSet,
            NotifyIpis = notify,
            ReschedIpis = resched,
            MergedInVIrr = Volatile.Read(ref c.MergedInVIrr),
            Delivered = Volatile.Read(ref c.Delivered),
            GuestExits = guestExits,
            ExtIntExits = extInt,
            VmExits = guestExits + extInt,
            Entries = Volatile.Read(ref c.Entries),
            CancelledEntries = Volatile.Read(ref c.CancelledEntries),
            DummyHandlerRuns = Volatile.Read(ref c.DummyHandlerRuns),
            PiProcess = Volatile.Read(ref c.PiProcess),
            SyncDrains = Volatile.Read(ref c.SyncDrains),
            Unstamped = Volatile.Read(ref c.Unstamped),
            StrandsDetected = strandCount,
            Rescues = Volatile.Read(ref _rescues),
            FirstStrandSeconds = first,
            Strands = strands,
            Placement = Placement(),
            Aligned = _o.Aligned ? AlignedFiguresNow() : null,
        };
        if (!final) return result;

        // P0's thread has stopped: its vIRR and histogram are safe to read.
        var state = _m.Snapshot();
        var left = new List<int>(state.Pir.ToList());
        var vIrr = _p0.VIrr;
        left.AddRange(vIrr.ToList());
        return result with
        {
            Settled = _settled,
            StrandedAtEnd = left,
            OnLeftSet = state.On,
            EndState = state + (vIrr.IsEmpty ? "" : $" vIRR={vIrr.Describe()}"),
            Latency = Summarize(_p0.Latency),
        };
    }

    private AlignedFigures AlignedFiguresNow()
    {
        long rounds = Volatile.Read(ref _rounds);
        long strands;
        lock (_strands) strands = _strandCount;
        double seconds = _clock.Elapsed.TotalSeconds;
        return new AlignedFigures(rounds, seconds > 0 ? rounds / seconds : 0, rounds > 0 ? strands * 1e6 / rounds : 0, Volatile.Read(ref _clearedByReset), _o.Jitter);
    }

    private static LatencySummary? Summarize(LongHistogram h)
    {
        if (h.TotalCount == 0) return null;
        double ns = 1e9 / Stopwatch.Frequency;
        return new LatencySummary(h.TotalCount,
            h.GetValueAtPercentile(50) * ns, h.GetValueAtPercentile(99) * ns, h.GetValueAtPercentile(99.9) * ns,
            h.GetMaxValue() * ns, h.GetMean() * ns);
    }
}
