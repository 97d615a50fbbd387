using System.Runtime.InteropServices;

namespace Pilab.Live;

/// <summary>What one injector counts; written only by its thread (see <see cref="P0Counters"/> for the reading rule).</summary>
[StructLayout(LayoutKind.Explicit, Size = 128 + 16 * 8 + 128)]
internal struct InjectorCounters
{
    /// <summary>Posts started (every pir.set).</summary>
    [FieldOffset(128)] public long Posted;
    /// <summary>pir.set found the vector already in PIR: coalesced into the pending one.</summary>
    [FieldOffset(136)] public long CoalescedInPir;
    /// <summary>on.set found ON already set (the post ends there with on-already-set: done).</summary>
    [FieldOffset(144)] public long OnAlreadySet;
    /// <summary>NOTIFY IPIs sent.</summary>
    [FieldOffset(152)] public long NotifyIpis;
    /// <summary>Kicks whose cmpxchg succeeded, each a RESCHED IPI.</summary>
    [FieldOffset(160)] public long ReschedIpis;
    /// <summary>Kicks whose cmpxchg found mode not IN_GUEST (no IPI).</summary>
    [FieldOffset(168)] public long KicksNotNeeded;
    /// <summary>Posts finished.</summary>
    [FieldOffset(176)] public long Completed;
    /// <summary>Start and end of posts: odd while a post is in flight (seqlock style), for the watchdog.</summary>
    [FieldOffset(184)] public long Sequence;
    /// <summary>Aligned mode only: the last round this injector has preloaded the lines for. On a line of its own, which P0 polls: not protocol memory.</summary>
    [FieldOffset(192)] public long RoundPrepared;
    /// <summary>Aligned mode only: the last round whose post this injector finished (P0 waits on it).</summary>
    [FieldOffset(200)] public long RoundDone;
}
