using System.Runtime.CompilerServices;
using Pilab.Model.WholeSystem;

namespace Pilab.Model.Avic;

/// <summary>
/// One state of the AVIC model (docs/avic.md), packed into 128 bits. Host CPU index 0 is P0, index 1
/// is P2 (the migration target). Vectors are bits 0-3 (v1-v4).
/// <code>
/// Lo:  0-3 IRR (the vAPIC backing page) | 4-7 recognized (the IRR bits the running guest's AVIC evaluated)
///      8-11 delivered | 12 table IsRunning | 13 table host ID (1 = P2) | 14 IRTE IsRun | 15 IRTE destination
///      16 IRTE GALogIntr | 17 loaded (KVM's shadow entry has IsRunning) | 18 the cpu avic_vcpu_load read (unblock-load: vcpu-cpu)
///      19-20 mode (memory) | 21 waiter (memory) | 22 task (memory, 1 = INTERRUPTIBLE) | 23 halted | 24 IF of the thread's CPU
///      25 guest runs | 26 host CPU the thread is on | 27 vcpu->cpu | 28-29 thread status | 30-33 thread pc
///      34 doorbell pending at P0 | 35 doorbell pending at P2 | 36 GA-log interrupt pending
///      37-39 exits left | 40-41 halts left | 42-43 preemptions left | 44-45 migrations left
/// Hi:  poster p at bits 10p..10p+9: 0-2 pc | 3-5 posts done | 6-9 what it read (mode IN_GUEST, or IsRunning and
///      the host ID, or the IRTE's doorbell/GA-log and destination) | 40-42 store-buffer length | 43-58 store buffer (4 x 4 bits)
///      59-62 poster p's irr.store still in its store buffer (a synthesized sender under TSO)
/// </code>
/// The thread's plain stores (mode, waiter, task, the physical APIC ID table entry) share one FIFO store
/// buffer that moves with it; an entry is an <see cref="AvicStore"/> code.
/// </summary>
public readonly struct AvicState : IEquatable<AvicState>, IThreadStoreBuffer<AvicState, AvicStore>, IWakeableThread<AvicState>
{
    public readonly ulong Lo;
    public readonly ulong Hi;

    public AvicState(ulong lo, ulong hi) { Lo = lo; Hi = hi; }

    public const int StoreBufferCapacity = 4;

    public int Irr => (int)(Lo & 0xF);
    public int Recognized => (int)((Lo >> 4) & 0xF);
    public int Delivered => (int)((Lo >> 8) & 0xF);
    public bool IsRunning => Bit(12);
    public int HostId => (int)((Lo >> 13) & 1);
    public bool IrteIsRun => Bit(14);
    public int IrteDest => (int)((Lo >> 15) & 1);
    public bool GaLogIntr => Bit(16);
    public bool Loaded => Bit(17);
    public int LatchedCpu => (int)((Lo >> 18) & 1);
    public VcpuMode Mode => (VcpuMode)((Lo >> 19) & 3);
    public bool Waiter => Bit(21);
    public bool TaskInterruptible => Bit(22);
    public bool Halted => Bit(23);
    public bool IF => Bit(24);
    public bool Guest => Bit(25);
    public int HostCpu => (int)((Lo >> 26) & 1);
    public int Cpu => (int)((Lo >> 27) & 1);
    public ThreadStatus Status => (ThreadStatus)((Lo >> 28) & 3);
    public int ThreadPc => (int)((Lo >> 30) & 0xF);
    public bool Doorbell(int c) => Bit(34 + c);
    public bool GaLogPending => Bit(36);
    public int ExitsLeft => (int)((Lo >> 37) & 7);
    public int HaltsLeft => (int)((Lo >> 40) & 3);
    public int PreemptionsLeft => (int)((Lo >> 42) & 3);
    public int MigrationsLeft => (int)((Lo >> 44) & 3);

    public int PosterPc(int p) => (int)((Hi >> (10 * p)) & 7);
    public int PosterPosts(int p) => (int)((Hi >> (10 * p + 3)) & 7);
    public int PosterRead(int p) => (int)((Hi >> (10 * p + 6)) & 0xF);

    public bool PosterIrrBuffered(int p) => (Hi & (1UL << (59 + p))) != 0;
    public AvicState WithPosterIrrBuffered(int p, bool b) => new(Lo, b ? Hi | (1UL << (59 + p)) : Hi & ~(1UL << (59 + p)));

    public int StoreBufferLength => Buffer.Length(Hi);
    public AvicStore StoreBufferAt(int i) => (AvicStore)Buffer.At(Hi, i);

    public AvicState WithIrr(int v) => Field(0, 0xF, (ulong)v);
    public AvicState WithRecognized(int v) => Field(4, 0xF, (ulong)v);
    public AvicState WithDelivered(int v) => Field(8, 0xF, (ulong)v);
    public AvicState WithEntry(bool isRunning, int host) => SetBit(12, isRunning).Field(13, 1, (ulong)host);
    public AvicState WithIrte(bool isRun, int dest, bool gaLog) => SetBit(14, isRun).Field(15, 1, (ulong)dest).SetBit(16, gaLog);
    public AvicState WithLoaded(bool b) => SetBit(17, b);
    public AvicState WithLatchedCpu(int c) => Field(18, 1, (ulong)c);
    public AvicState WithMode(VcpuMode m) => Field(19, 3, (ulong)m);
    public AvicState WithWaiter(bool b) => SetBit(21, b);
    public AvicState WithTaskInterruptible(bool b) => SetBit(22, b);
    public AvicState WithHalted(bool b) => SetBit(23, b);
    public AvicState WithIF(bool b) => SetBit(24, b);
    public AvicState WithGuest(bool b) => SetBit(25, b);
    public AvicState WithHostCpu(int c) => Field(26, 1, (ulong)c);
    public AvicState WithCpu(int c) => Field(27, 1, (ulong)c);
    public AvicState WithStatus(ThreadStatus s) => Field(28, 3, (ulong)s);
    public AvicState WithThreadPc(int pc) => Field(30, 0xF, (ulong)pc);
    public AvicState WithDoorbell(int c, bool b) => SetBit(34 + c, b);
    public AvicState WithGaLogPending(bool b) => SetBit(36, b);
    public AvicState WithExitsLeft(int n) => Field(37, 7, (ulong)n);
    public AvicState WithHaltsLeft(int n) => Field(40, 3, (ulong)n);
    public AvicState WithPreemptionsLeft(int n) => Field(42, 3, (ulong)n);
    public AvicState WithMigrationsLeft(int n) => Field(44, 3, (ulong)n);

    public AvicState WithPoster(int p, int pc, int posts, int read)
    {
        ulong word = (ulong)(uint)pc | ((ulong)posts << 3) | ((ulong)(uint)read << 6);
        return new(Lo, (Hi & ~(0x3FFUL << (10 * p))) | (word << (10 * p)));
    }

    /// <summary>The thread's store buffer in Hi: length at bit 40, four 4-bit entries from bit 43.</summary>
    private static readonly PackedFifo Buffer = new(40, 43, 4, StoreBufferCapacity);

    /// <summary>Appends a plain store to the thread's store buffer (the caller checks there is room).</summary>
    public AvicState PushStore(AvicStore e) => new(Lo, Buffer.Push(Hi, (int)e));

    /// <summary>Writes the oldest buffered store to memory (a TSO flush step).</summary>
    public AvicState FlushOldest() => new AvicState(Lo, Buffer.PopOldest(Hi)).Apply(StoreBufferAt(0));

    /// <summary>A plain store's effect on memory.</summary>
    public AvicState Apply(AvicStore e) => e switch
    {
        AvicStore.WaiterClear => WithWaiter(false),
        AvicStore.WaiterSet => WithWaiter(true),
        AvicStore.TaskRunning => WithTaskInterruptible(false),
        AvicStore.TaskInterruptible => WithTaskInterruptible(true),
        >= AvicStore.EntryNotRunningP0 => WithEntry(((int)e & 2) != 0, (int)e & 1),
        _ => WithMode((VcpuMode)(int)e),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Bit(int bit) => (Lo & (1UL << bit)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private AvicState SetBit(int bit, bool b) => new(b ? Lo | (1UL << bit) : Lo & ~(1UL << bit), Hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private AvicState Field(int shift, ulong mask, ulong value) => new((Lo & ~(mask << shift)) | ((value & mask) << shift), Hi);

    public bool Equals(AvicState other) => Lo == other.Lo && Hi == other.Hi;
    public override bool Equals(object? obj) => obj is AvicState s && Equals(s);
    public override int GetHashCode() => HashCode.Combine(Lo, Hi);
    public static bool operator ==(AvicState a, AvicState b) => a.Equals(b);
    public static bool operator !=(AvicState a, AvicState b) => !a.Equals(b);
}

/// <summary>A plain store waiting in the thread's store buffer: the variable and the value. The table
/// entry's store (WRITE_ONCE of avic_physical_id_table[id]) carries IsRunning and the host ID together.</summary>
public enum AvicStore : byte
{
    ModeOutside = 0, ModeInGuest = 1,
    WaiterClear = 3, WaiterSet = 4,
    TaskRunning = 5, TaskInterruptible = 6,
    /// <summary>8 + 2 * IsRunning + host index.</summary>
    EntryNotRunningP0 = 8, EntryNotRunningP2 = 9, EntryRunningP0 = 10, EntryRunningP2 = 11,
}

public static class AvicStores
{
    public static AvicStore Entry(bool isRunning, int host) => (AvicStore)(8 + (isRunning ? 2 : 0) + host);
    public static bool IsEntry(this AvicStore e) => e >= AvicStore.EntryNotRunningP0;
}
