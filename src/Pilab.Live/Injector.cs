using System.Runtime.CompilerServices;
using Pilab.Protocol;

namespace Pilab.Live;

/// <summary>
/// An injector posting vectors to P0 with the variant's sequence (docs/model.md section 3; KVM:
/// vmx_deliver_posted_interrupt), read as the checker reads it: pir.set ends a coalesced post;
/// on.set that finds ON set ends the post (done), goes on (continue), or turns it into a kick (kick);
/// notify sends NOTIFY if the mode read was IN_GUEST and skips the kick after it, else falls through to
/// that kick; kick is cmpxchg(mode, IN_GUEST, EXITING) with a RESCHED on success. One call of
/// <see cref="Step"/> is one step. Nothing here allocates.
/// </summary>
internal sealed unsafe class Injector
{
    private readonly VcpuMemory _m;
    private readonly InjectorStep[] _ops;
    private readonly byte[] _skipTo;
    private readonly OnAlreadySet _onAlreadySet;
    private readonly int _firstVector;
    private readonly int _vectors;

    private readonly InjectorCounters* _counters;

    /// <summary>This injector's counters, on their own lines of the run's native block (which lives as long as this injector's reference to it).</summary>
    public ref InjectorCounters Counters => ref *_counters;

    // Injector-local state of the post in flight.
    private int _pc;
    private int _vector;
    private int _modeRead;
    private bool _onWasSet;
    private long _sequence;
    private int _nextVector;

    /// <param name="id">which of the memory's injector counters are this injector's (0 for P1)</param>
    public Injector(ThreadProgram program, VcpuMemory memory, int id, int firstVector, int vectors)
    {
        _m = memory;
        _counters = (InjectorCounters*)Unsafe.AsPointer(ref memory.InjectorCounters(id));
        _ops = [.. program.Injector.Select(i => i.Op)];
        _skipTo = [.. program.Injector.Select(i => i.SkipTo)];
        _onAlreadySet = program.Variant.OnAlreadySet;
        _firstVector = firstVector;
        _vectors = vectors;
    }

    /// <summary>A post has started and not yet finished.</summary>
    public bool InFlight => (_sequence & 1) != 0;

    /// <summary>The step the injector does next.</summary>
    public InjectorStep NextStep => _ops[_pc];

    /// <summary>The vector the post in flight (or the next post) carries.</summary>
    public int Vector => InFlight ? _vector : _firstVector + _nextVector;

    /// <summary>One step of the post in flight, starting a post if none is. Returns true when the post finished with this step.</summary>
    public bool Step()
    {
        ref SharedLines s = ref _m.Lines;
        int pc = _pc;
        int next = pc + 1;
        bool done = false;
        switch (_ops[pc])
        {
            case InjectorStep.PirSet:
            {
                _vector = _firstVector + _nextVector;
                _nextVector = _nextVector + 1 == _vectors ? 0 : _nextVector + 1;
                _modeRead = VcpuMode.Outside;
                _onWasSet = false;
                // Volatile.Write (odd): the watchdog's "a post is in flight". Release, and x86 keeps
                // stores in order, so whoever sees the PIR bit below also sees this.
                Volatile.Write(ref Counters.Sequence, ++_sequence);
                Counters.Posted++;
                // The stamp: the earliest undelivered post of this vector (measurement; the guest's
                // handler exchanges it back to 0). Interlocked.CompareExchange(0, 0) first, a locked
                // no-op: it takes the stamp's line from P0 (which cleared it) and drains this post's
                // sequence store, so both costs fall before the timestamp and the latency measured is
                // the protocol's alone. Then a plain store: only this injector posts this vector
                // (LiveOptions: injector i posts its own vectors), and a handler that exchanges the
                // stamp in between finds 0 and counts its delivery unstamped, as it would anyway.
                ref long stamp = ref _m.StampOf(_vector);
                if (Interlocked.CompareExchange(ref stamp, 0, 0) == 0) Volatile.Write(ref stamp, VcpuMemory.Now());
                // Interlocked.Or: pir.set is pi_test_and_set_pir, a lock bts. Locked, so it is ordered
                // before every later step of this post, and P0's xchg in pir.drain either takes it or not.
                ulong bit = PirWords.BitOf(_vector);
                ulong old = Interlocked.Or(ref s.Pir[PirWords.WordOf(_vector)], bit);
                if ((old & bit) != 0)
                {
                    Counters.CoalescedInPir++;
                    done = true;
                }
                break;
            }
            case InjectorStep.OnSet:
            {
                // Interlocked.Or: on.set is pi_test_and_set_on, a lock bts: a full barrier, so PIR is set
                // before ON (seed pairing 1-before-2) and ON is set before the mode.read load below
                // (2-before-3: the load cannot pass a locked instruction, SDM 8.2.2).
                long old = Interlocked.Or(ref s.Control, SharedLines.OnBit);
                if ((old & SharedLines.OnBit) != 0)
                {
                    Counters.OnAlreadySet++;
                    if (_onAlreadySet == OnAlreadySet.Done) done = true;
                    else if (_onAlreadySet == OnAlreadySet.Kick) _onWasSet = true;
                }
                break;
            }
            case InjectorStep.ReqSet:
                // Interlocked.Or: kvm_make_request's set_bit is locked (and preceded by smp_wmb); P0's
                // check must see it if it comes after.
                Interlocked.Or(ref s.Requests, VcpuRequest.Event);
                break;
            case InjectorStep.ModeRead:
                if (_onWasSet && _onAlreadySet == OnAlreadySet.Kick) next = _skipTo[pc];
                // Volatile.Read: a plain load of vcpu->mode (kvm_vcpu_trigger_posted_interrupt's
                // vcpu->mode == IN_GUEST_MODE). Ordered after on.set by that locked instruction.
                else _modeRead = Volatile.Read(ref s.Mode);
                break;
            case InjectorStep.Notify:
                if (_modeRead == VcpuMode.InGuest)
                {
                    // Interlocked.Or: the IPI (apic->send_IPI_mask(POSTED_INTR_VECTOR)) latches NOTIFY
                    // in P0's APIC at once (docs/model.md section 6); P0 acknowledges with a locked and.
                    Interlocked.Or(ref s.Pending, PendingIpi.Notify);
                    Counters.NotifyIpis++;
                    next = _skipTo[pc];
                }
                break;
            case InjectorStep.Kick:
                // Interlocked.CompareExchange: kvm_vcpu_exiting_guest_mode's cmpxchg(&vcpu->mode,
                // IN_GUEST_MODE, EXITING_GUEST_MODE). Only the winner sends RESCHED; P0's check reads
                // EXITING and cancels an entry that has not entered yet.
                if (Interlocked.CompareExchange(ref s.Mode, VcpuMode.Exiting, VcpuMode.InGuest) == VcpuMode.InGuest)
                {
                    Interlocked.Or(ref s.Pending, PendingIpi.Resched);
                    Counters.ReschedIpis++;
                }
                else Counters.KicksNotNeeded++;
                break;
            case InjectorStep.Mb:
                Interlocked.MemoryBarrier(); // smp_mb
                break;
        }
        if (done || next >= _ops.Length)
        {
            _pc = 0;
            Counters.Completed++;
            // Volatile.Write (even): the post is over. Every store of it (the IPI included) is before
            // this one, and x86 keeps stores in order, so a watchdog that sees it sees them.
            Volatile.Write(ref Counters.Sequence, ++_sequence);
            return true;
        }
        _pc = next;
        return false;
    }
}
