using System.Runtime.CompilerServices;

namespace Pilab.Model;

/// <summary>
/// One state of the system, packed into 128 bits (docs/model.md section 2). Vectors are bits 0-3 (v1-v4).
/// <code>
/// Lo:  0-3 PIR | 4 ON | 5-6 mode (memory) | 7 requests.EVENT | 8-11 vIRR | 12-15 delivered
///      16 P0.IF | 17 P0.guest | 18 pending NOTIFY | 19 pending RESCHED | 20-24 vCPU thread pc
///      25-27 guest exits left | 28-30 P0 store-buffer length | 31-38 store buffer (4 x mode, oldest first)
/// Hi:  injector i at bits 16i..16i+15: 0-3 pc | 4-6 posts done | 7-8 mode read | 9 ON was already set
/// </code>
/// Only the vCPU thread makes plain stores (mode.in, mode.out), so only P0 has a store buffer; it
/// holds mode values. Injectors use locked operations and loads only (docs/model.md section 3).
/// </summary>
public readonly struct PiState : IEquatable<PiState>
{
    public readonly ulong Lo;
    public readonly ulong Hi;

    public PiState(ulong lo, ulong hi) { Lo = lo; Hi = hi; }

    public const int StoreBufferCapacity = 4;
    public const int VectorCount = 4;

    public int Pir => (int)(Lo & 0xF);
    public bool On => (Lo & (1UL << 4)) != 0;
    public VcpuMode Mode => (VcpuMode)((Lo >> 5) & 3);
    public bool EventRequest => (Lo & (1UL << 7)) != 0;
    public int VIrr => (int)((Lo >> 8) & 0xF);
    public int Delivered => (int)((Lo >> 12) & 0xF);
    public bool IF => (Lo & (1UL << 16)) != 0;
    public bool Guest => (Lo & (1UL << 17)) != 0;
    public bool NotifyPending => (Lo & (1UL << 18)) != 0;
    public bool ReschedPending => (Lo & (1UL << 19)) != 0;
    public int ThreadPc => (int)((Lo >> 20) & 0x1F);
    public int ExitsLeft => (int)((Lo >> 25) & 7);
    public int StoreBufferLength => (int)((Lo >> 28) & 7);
    public VcpuMode StoreBufferAt(int i) => (VcpuMode)((Lo >> (31 + 2 * i)) & 3);

    public int InjectorPc(int i) => (int)((Hi >> (16 * i)) & 0xF);
    public int InjectorPosts(int i) => (int)((Hi >> (16 * i + 4)) & 7);
    public VcpuMode InjectorModeRead(int i) => (VcpuMode)((Hi >> (16 * i + 7)) & 3);
    public bool InjectorOnWasSet(int i) => (Hi & (1UL << (16 * i + 9))) != 0;

    /// <summary>The mode P0's own loads see: the newest buffered store, else memory (TSO store forwarding).</summary>
    public VcpuMode ModeSeenByP0 => StoreBufferLength == 0 ? Mode : StoreBufferAt(StoreBufferLength - 1);

    public PiState WithPir(int pir) => new((Lo & ~0xFUL) | (ulong)(uint)pir, Hi);
    public PiState WithOn(bool on) => SetLo(4, on);
    public PiState WithMode(VcpuMode m) => new((Lo & ~(3UL << 5)) | ((ulong)m << 5), Hi);
    public PiState WithEventRequest(bool r) => SetLo(7, r);
    public PiState WithVIrr(int v) => new((Lo & ~(0xFUL << 8)) | ((ulong)v << 8), Hi);
    public PiState WithDelivered(int v) => new((Lo & ~(0xFUL << 12)) | ((ulong)v << 12), Hi);
    public PiState WithIF(bool b) => SetLo(16, b);
    public PiState WithGuest(bool b) => SetLo(17, b);
    public PiState WithNotifyPending(bool b) => SetLo(18, b);
    public PiState WithReschedPending(bool b) => SetLo(19, b);
    public PiState WithThreadPc(int pc) => new((Lo & ~(0x1FUL << 20)) | ((ulong)pc << 20), Hi);
    public PiState WithExitsLeft(int e) => new((Lo & ~(7UL << 25)) | ((ulong)e << 25), Hi);

    /// <summary>Appends a store of mode to P0's store buffer (caller checks there is room).</summary>
    public PiState PushStore(VcpuMode m)
    {
        int n = StoreBufferLength;
        ulong lo = (Lo & ~(7UL << 28)) | ((ulong)(n + 1) << 28);
        lo = (lo & ~(3UL << (31 + 2 * n))) | ((ulong)m << (31 + 2 * n));
        return new(lo, Hi);
    }

    /// <summary>Writes the oldest buffered store to memory (a TSO flush step).</summary>
    public PiState FlushOldest()
    {
        int n = StoreBufferLength;
        var oldest = StoreBufferAt(0);
        ulong entries = (Lo >> 31) & 0xFF;
        entries >>= 2; // shift the FIFO; the vacated slot becomes 0 so equal buffers pack equally
        ulong lo = (Lo & ~(0xFFUL << 31) & ~(7UL << 28)) | (entries << 31) | ((ulong)(n - 1) << 28);
        return new PiState(lo, Hi).WithMode(oldest);
    }

    public PiState WithInjector(int i, int pc, int posts, VcpuMode modeRead, bool onWasSet)
    {
        ulong word = (ulong)(uint)pc | ((ulong)posts << 4) | ((ulong)modeRead << 7) | (onWasSet ? 1UL << 9 : 0);
        return new(Lo, (Hi & ~(0xFFFFUL << (16 * i))) | (word << (16 * i)));
    }

    public ushort InjectorWord(int i) => (ushort)(Hi >> (16 * i));

    public PiState WithInjectorWord(int i, ushort word) => new(Lo, (Hi & ~(0xFFFFUL << (16 * i))) | ((ulong)word << (16 * i)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private PiState SetLo(int bit, bool b) => new(b ? Lo | (1UL << bit) : Lo & ~(1UL << bit), Hi);

    public bool Equals(PiState other) => Lo == other.Lo && Hi == other.Hi;
    public override bool Equals(object? obj) => obj is PiState s && Equals(s);
    public override int GetHashCode() => HashCode.Combine(Lo, Hi);
    public static bool operator ==(PiState a, PiState b) => a.Equals(b);
    public static bool operator !=(PiState a, PiState b) => !a.Equals(b);

    public static string Vectors(int set)
    {
        if (set == 0) return "{}";
        var parts = new List<string>();
        for (int v = 0; v < VectorCount; v++)
            if ((set & (1 << v)) != 0) parts.Add($"v{v + 1}");
        return "{" + string.Join(",", parts) + "}";
    }
}
