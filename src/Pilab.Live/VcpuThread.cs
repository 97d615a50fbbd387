using System.Diagnostics;
using HdrHistogram;
using Pilab.Protocol;

namespace Pilab.Live;

/// <summary>
/// P0: the vCPU thread running the variant's entry, the guest and the exit path, and P0's processor
/// (docs/model.md section 3, "Hardware of P0 and the guest"). One call of <see cref="Step"/> is one step:
/// a step of the entry or exit path, a host interrupt handler run at an instruction boundary, or one
/// guest instruction boundary. The thread that owns P0 calls it in a loop; a test calls it in the
/// interleaving it wants. Nothing here allocates.
/// </summary>
internal sealed unsafe class VcpuThread
{
    /// <summary>Iterations of the guest's arithmetic between two instruction boundaries.</summary>
    private const int GuestWorkPerBoundary = 8;

    /// <summary>Highest latency the histogram tracks; above it, clamped.</summary>
    private readonly long _maxLatency;

    private readonly VcpuMemory _m;
    private readonly ThreadOp[] _ops;
    private readonly byte[] _skipTo;
    private readonly int _modeOutPc;
    private readonly long _exitPeriod;

    /// <summary>P0's counters, on their own lines of the run's native block; read them through <see cref="Read"/> from another thread.</summary>
    public ref P0Counters Counters => ref *_counters;

    private readonly P0Counters* _counters;

    /// <summary>Post-to-handler latencies in Stopwatch ticks. Only P0 records; read it after P0 stopped.</summary>
    public LongHistogram Latency { get; }

    // P0-local state: only this thread touches it, so no ordering is needed.
    private int _pc;
    private bool _if = true;           // P0.IF: the vCPU thread starts in the host with interrupts on
    private bool _guest;               // P0.guest: VMX non-root mode
    private bool _exitsEnabled;
    private long _nextExit;
    private PirWords _vIrr;            // the guest's virtual APIC IRR: only P0 (thread, processor, guest) touches it
    private ulong _work = 0x9E3779B97F4A7C15;

    /// <summary>A histogram wide enough for any latency a run records (10 s, 3 significant digits).</summary>
    public static LongHistogram NewLatencyHistogram() => new(Stopwatch.Frequency * 10, 3);

    public VcpuThread(ThreadProgram program, VcpuMemory memory, double exitsPerSecond, LongHistogram latency)
    {
        _m = memory;
        _counters = (P0Counters*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref memory.P0Counters);
        // plain arrays for the hot loop; the layout and skip targets are the checker's (ThreadProgram)
        _ops = [.. program.Thread.Select(i => i.Op)];
        _skipTo = [.. program.Thread.Select(i => i.SkipTo)];
        _modeOutPc = program.ModeOutPc;
        _exitPeriod = exitsPerSecond > 0 ? Math.Max(1, (long)(Stopwatch.Frequency / exitsPerSecond)) : 0;
        _exitsEnabled = _exitPeriod != 0;
        Latency = latency;
        _maxLatency = latency.HighestTrackableValue;
    }

    /// <summary>P0 runs the guest (after enter, before the VM exit).</summary>
    public bool InGuest => _guest;

    /// <summary>The guest runs with nothing in vIRR: the boundaries where the watchdog may look.</summary>
    public bool IdleInGuest => _guest && _vIrr.IsEmpty;

    /// <summary>The next step of the vCPU thread's program, when not in the guest.</summary>
    public ThreadOp NextOp => _ops[_pc];

    /// <summary>vIRR as P0 sees it (read it from P0's thread, or after P0 stopped).</summary>
    public PirWords VIrr => _vIrr;

    /// <summary>The guest causes no more VM exits of its own (the end-of-run grace period).</summary>
    public void DisableGuestExits() => _exitsEnabled = false;

    /// <summary>
    /// A terminal state for P0 (docs/model.md section 5): the guest runs with nothing pending at P0 and
    /// nothing left in vIRR. With the injectors stopped and guest exits off, no step changes anything
    /// any more, so whatever is still in PIR is stranded. Call from P0's thread.
    /// </summary>
    public bool Settled => _guest && _vIrr.IsEmpty && Volatile.Read(ref _m.Lines.Pending) == 0;

    /// <summary>One step. Returns true for a step of the host-side program (where chaos may pause), false for a guest boundary or a host interrupt.</summary>
    public bool Step()
    {
        ref SharedLines s = ref _m.Lines;
        if (_guest)
        {
            GuestBoundary(ref s);
            return false;
        }
        if (_if)
        {
            // Volatile.Read: an acquire load of P0's APIC. Real hardware takes a pending interrupt at the
            // next instruction boundary once IF = 1 (docs/model.md section 5, irq priority), so the host handler
            // runs before the thread's next step.
            int pending = Volatile.Read(ref s.Pending);
            if (pending != 0)
            {
                HostInterrupt(ref s, pending);
                return false;
            }
        }
        int pc = _pc;
        int next = pc + 1;
        switch (_ops[pc])
        {
            case ThreadOp.ReqTest:
                // Volatile.Read of vcpu->requests (kvm_check_request's test_bit, a plain load). An EVENT
                // set after this load is seen by check, which cancels the entry.
                if ((Volatile.Read(ref s.Requests) & VcpuRequest.Event) == 0) next = _skipTo[pc];
                break;
            case ThreadOp.ReqClear:
                // Interlocked.And: kvm_check_request's clear_bit is a locked and; a concurrent req.set
                // (also locked) must not be lost.
                DrainHeld(ref s);
                Interlocked.And(ref s.Requests, ~VcpuRequest.Event);
                break;
            case ThreadOp.IrqOff:
                _if = false; // local_irq_disable: P0-local, no memory access
                break;
            case ThreadOp.ModeIn:
                // Volatile.Write: a plain store (x86 mov), as KVM's WRITE_ONCE(vcpu->mode, IN_GUEST_MODE).
                // Release semantics only: x86 keeps it in the store buffer past P0's later loads
                // (docs/model.md section 6), which is why the correct order puts mb right after it.
                if (HeldStores is { } hi) hi.Store(ref s.Mode, VcpuMode.InGuest);
                else Volatile.Write(ref s.Mode, VcpuMode.InGuest);
                break;
            case ThreadOp.Mb:
                // Interlocked.MemoryBarrier: a full fence (smp_mb: lock or / mfence). Drains the store
                // buffer so mode.in is visible before on.read loads ON (the seed's 3-before-2 pairing
                // with the injector's on.set-before-mode.read, both locked or fenced).
                DrainHeld(ref s);
                Interlocked.MemoryBarrier();
                break;
            case ThreadOp.OnRead:
                // Volatile.Read: a plain load of ON (KVM: pi_test_on). Acquire keeps the on.clear and
                // pir.drain after it; whether it may pass the earlier mode.in store is exactly what the
                // mb step decides.
                if ((Volatile.Read(ref s.Control) & SharedLines.OnBit) == 0) next = _skipTo[pc];
                break;
            case ThreadOp.OnClear:
                // Interlocked.And: pi_clear_on is a locked bit clear; an injector's concurrent on.set must
                // either be cleared here (and its PIR bit drained next) or survive.
                DrainHeld(ref s);
                Interlocked.And(ref s.Control, ~(long)SharedLines.OnBit);
                break;
            case ThreadOp.PirDrain:
                BeginDrain(ref s);
                DrainPir(ref s);
                EndDrain(ref s);
                Counters.SyncDrains++;
                break;
            case ThreadOp.Check:
                // Volatile.Read of mode and requests (kvm_vcpu_exit_request: READ_ONCE(vcpu->mode) ==
                // EXITING_GUEST_MODE || kvm_request_pending). P0 reads its own mode store back through
                // the store buffer; EXITING can only come from an injector's locked cmpxchg.
                int mode = HeldStores is { } hc ? hc.Load(ref s.Mode) : Volatile.Read(ref s.Mode);
                if (mode == VcpuMode.Exiting || Volatile.Read(ref s.Requests) != 0)
                {
                    next = _skipTo[pc];
                    Counters.CancelledEntries++;
                }
                break;
            case ThreadOp.Enter:
                _guest = true;
                Counters.Entries++;
                if (_exitsEnabled) _nextExit = VcpuMemory.Now() + _exitPeriod;
                // Volatile.Write: observation only (the watchdog's "P0 runs the guest").
                Volatile.Write(ref s.InGuest, 1);
                _pc = 0;
                return true;
            case ThreadOp.ModeOut:
                // Volatile.Write: plain store mode = OUTSIDE (vcpu->mode = OUTSIDE_GUEST_MODE after the
                // exit). It overwrites an EXITING set by a kick; nothing orders it against later loads.
                if (HeldStores is { } ho) ho.Store(ref s.Mode, VcpuMode.Outside);
                else Volatile.Write(ref s.Mode, VcpuMode.Outside);
                break;
            case ThreadOp.IrqOn:
                _if = true; // local_irq_enable: pending host interrupts run from the next boundary
                next = 0;
                break;
        }
        _pc = next >= _ops.Length ? 0 : next;
        return true;
    }

    /// <summary>
    /// pir.drain (and the PIR half of pi.process): move PIR into vIRR, word by word with an atomic
    /// exchange, as KVM's __kvm_apic_update_irr (READ_ONCE then xchg per word) and SDM 29.6 ("no other
    /// agent can read or write a PIR bit between the time it is read and when it is cleared").
    /// </summary>
    private void DrainPir(ref SharedLines s)
    {
        for (int i = 0; i < PirWords.Words; i++)
        {
            // Volatile.Read first (READ_ONCE): skip empty words without taking the line exclusive.
            // Interlocked.Exchange: the xchg that takes the bits and clears them in one locked step, so
            // a concurrent pir.set lands either in what we take or in what we leave.
            if (Volatile.Read(ref s.Pir[i]) == 0) continue;
            DrainHeld(ref s);
            ulong taken = Interlocked.Exchange(ref s.Pir[i], 0);
            Counters.MergedInVIrr += System.Numerics.BitOperations.PopCount(taken & _vIrr[i]);
            _vIrr[i] |= taken;
        }
    }

    /// <summary>
    /// Volatile.Write (odd): observation only. x86 keeps stores in order and the locked steps that follow
    /// drain the store buffer, so a watchdog that sees NOTIFY acknowledged or ON cleared also sees this.
    /// </summary>
    private static void BeginDrain(ref SharedLines s) => Volatile.Write(ref s.DrainSequence, s.DrainSequence + 1);

    /// <summary>Volatile.Write (even): the vectors taken are in vIRR.</summary>
    private static void EndDrain(ref SharedLines s) => Volatile.Write(ref s.DrainSequence, s.DrainSequence + 1);

    /// <summary>
    /// host.irq: P0 in the host with IF = 1 and a vector pending takes it at this boundary. RESCHED first
    /// (vector 0xfd outranks 0xf2, SDM 10.8.3.1); its handler does nothing, the loop re-checks. NOTIFY's
    /// handler is KVM's dummy handler (kvm_posted_intr_ipi): the posted vectors stay in PIR.
    /// </summary>
    private void HostInterrupt(ref SharedLines s, int pending)
    {
        if ((pending & PendingIpi.Resched) != 0)
        {
            // Interlocked.And: the APIC acknowledges one vector while an injector may be setting another.
            DrainHeld(ref s);
            Interlocked.And(ref s.Pending, ~PendingIpi.Resched);
            Counters.ReschedHandlerRuns++;
        }
        else
        {
            DrainHeld(ref s);
            Interlocked.And(ref s.Pending, ~PendingIpi.Notify);
            Counters.DummyHandlerRuns++;
        }
    }

    /// <summary>One guest instruction boundary: pi.process, extint.exit, guest.take, or guest work (and guest.exit).</summary>
    private void GuestBoundary(ref SharedLines s)
    {
        Counters.Boundaries++;
        // Volatile.Read: acquire load of P0's APIC. A NOTIFY or RESCHED set by an injector's locked or
        // is seen at some later boundary; acquire keeps the PIR reads of pi.process after it.
        int pending = Volatile.Read(ref s.Pending);
        if ((pending & PendingIpi.Notify) != 0)
        {
            // pi.process (SDM 29.6): acknowledge NOTIFY, clear ON (locked), move PIR into vIRR (xchg
            // per word). Interlocked.And for both: injectors set these words concurrently.
            DrainHeld(ref s);
            BeginDrain(ref s);
            Interlocked.And(ref s.Pending, ~PendingIpi.Notify);
            Interlocked.And(ref s.Control, ~(long)SharedLines.OnBit);
            DrainPir(ref s);
            EndDrain(ref s);
            Counters.PiProcess++;
            return;
        }
        if (pending != 0)
        {
            // extint.exit: RESCHED is not the notification vector, so it causes a VM exit and stays
            // pending for the host (SDM 25.2, "external-interrupt exiting").
            VmExit(ref s);
            Counters.ExtIntExits++;
            return;
        }
        int v = _vIrr.Highest();
        if (v >= 0)
        {
            // guest.take: virtual-interrupt delivery of the highest vector; the guest's handler runs.
            _vIrr[PirWords.WordOf(v)] &= ~PirWords.BitOf(v);
            Counters.Delivered++;
            // The handler runs now: the timestamp first, so that the miss on the stamp's line (the
            // injector wrote it) is not counted. Interlocked.Exchange: take the stamp an injector may be
            // setting right now; recording comes after both, off the measured interval.
            long now = VcpuMemory.Now();
            long stamp = Interlocked.Exchange(ref _m.StampOf(v), 0);
            if (stamp != 0) Latency.RecordValue(Math.Clamp(now - stamp, 0, _maxLatency));
            else Counters.Unstamped++;
            return;
        }
        // The guest's own work between two boundaries.
        ulong w = _work;
        for (int i = 0; i < GuestWorkPerBoundary; i++) w = w * 6364136223846793005UL + 1442695040888963407UL;
        _work = w;
        if (_exitsEnabled && VcpuMemory.Now() >= _nextExit)
        {
            VmExit(ref s);
            Counters.GuestExits++;
        }
    }

    /// <summary>A VM exit: P0.guest = 0 and P0.IF = 0 by hardware; the thread continues with mode.out.</summary>
    private void VmExit(ref SharedLines s)
    {
        _guest = false;
        _if = false;
        _pc = _modeOutPc;
        // Volatile.Write: observation only.
        Volatile.Write(ref s.InGuest, 0);
    }

    /// <summary>
    /// A store buffer the caller controls, for P0's plain stores to vcpu-&gt;mode (mode.in, mode.out);
    /// null (the default, and always in a live run) for the real one. Tests set it to hold mode.in back
    /// while an injector posts: the x86-TSO reordering (SDM 8.2.3.4, loads may be reordered with older
    /// stores to different locations) the live runtime otherwise leaves to the hardware.
    /// </summary>
    internal HeldModeStore? HeldStores { get; set; }

    /// <summary>A locked instruction or fence drains the store buffer first (SDM 8.2.2).</summary>
    private void DrainHeld(ref SharedLines s) => HeldStores?.Drain(ref s.Mode);

    /// <summary>
    /// Puts P0 back at the top of the vCPU loop in the host (IF = 1, vIRR empty), as at the start of a
    /// run: what the aligned mode's reset does between rounds (<see cref="AlignedRound"/>).
    /// </summary>
    public void ResetToLoopStart()
    {
        _pc = 0;
        _if = true;
        _guest = false;
        _vIrr = default;
    }

    /// <summary>A counter as another thread may read it (see <see cref="P0Counters"/>).</summary>
    public static long Read(ref long counter) => Volatile.Read(ref counter);
}
