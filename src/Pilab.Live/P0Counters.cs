using System.Runtime.InteropServices;

namespace Pilab.Live;

/// <summary>
/// What P0 counts. Written only by P0's thread with plain increments; the progress display reads them
/// with Volatile.Read (a 64-bit load is atomic on x64, so it sees some recent value, which is all a
/// progress line needs). Padded so that P0's writes do not share a line with an injector's.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 128 + 16 * 8 + 128)]
internal struct P0Counters
{
    /// <summary>Guest handler runs (guest.take): the vectors delivered.</summary>
    [FieldOffset(128)] public long Delivered;
    /// <summary>Vectors moved from PIR into a vIRR that already had them: two posts, one handler run.</summary>
    [FieldOffset(136)] public long MergedInVIrr;
    /// <summary>Posted-interrupt processing runs (NOTIFY recognised in the guest, SDM 29.6).</summary>
    [FieldOffset(144)] public long PiProcess;
    /// <summary>VM exits the guest caused (guest.exit).</summary>
    [FieldOffset(152)] public long GuestExits;
    /// <summary>VM exits for a RESCHED pending in the guest (extint.exit).</summary>
    [FieldOffset(160)] public long ExtIntExits;
    /// <summary>Entries cancelled by check (mode EXITING or a request pending).</summary>
    [FieldOffset(168)] public long CancelledEntries;
    /// <summary>VM entries (enter).</summary>
    [FieldOffset(176)] public long Entries;
    /// <summary>NOTIFY handled in the host by the dummy handler: posted vectors left in PIR.</summary>
    [FieldOffset(184)] public long DummyHandlerRuns;
    /// <summary>RESCHED handled in the host.</summary>
    [FieldOffset(192)] public long ReschedHandlerRuns;
    /// <summary>Deliveries with no post timestamp to measure from (the stamp raced with a merge).</summary>
    [FieldOffset(200)] public long Unstamped;
    /// <summary>Guest instruction boundaries.</summary>
    [FieldOffset(208)] public long Boundaries;
    /// <summary>PIR drains by the entry's sync (pir.drain), as opposed to pi.process.</summary>
    [FieldOffset(216)] public long SyncDrains;
}
