using System.Runtime.CompilerServices;

namespace Pilab.Model.WholeSystem;

/// <summary>Where the vCPU thread is (docs/whole-system.md's <c>task</c> "and whether it is on a CPU").</summary>
public enum ThreadStatus : byte
{
    /// <summary>On its host CPU, running its program (or the guest).</summary>
    OnCpu = 0,
    /// <summary>Off the CPU but on a run queue: preempted, or woken; <c>sched.in</c> will load it.</summary>
    Runnable = 1,
    /// <summary>Off the CPU and off the run queue: asleep until a <c>wake</c>.</summary>
    Asleep = 2,
}

/// <summary>
/// One state of the whole system (docs/whole-system.md), packed into 128 bits. Host CPU index 0 is P0,
/// index 1 is P2 (the migration target). Vectors are bits 0-3 (v1-v4).
/// <code>
/// Lo:  0-3 PIR | 4 ON | 5 SN | 6 NV (1 = WAKEUP) | 7 NDST (1 = P2) | 8-9 mode (memory) | 10-13 vIRR
///      14-17 delivered | 18 waiter (memory) | 19 task (memory, 1 = INTERRUPTIBLE) | 20-21 wake list (0 none, 1 P0, 2 P2)
///      22 halted | 23 IF of the thread's CPU | 24 guest runs | 25 host CPU the thread is on | 26 cpu (vcpu->cpu)
///      27-28 thread status | 29-31 sched.in sub-step (0 = not loading) | 32-37 thread pc
///      38-40 pending at P0 (NOTIFY, RESCHED, WAKEUP) | 41-43 pending at P2 | 44-46 exits left | 47-48 halts left
///      49-50 preemptions left | 51-52 migrations left | 53 this load cleared an SN that was set (on-recompute: sn-was-set)
/// Hi:  poster p at bits 12p..12p+11: 0-3 pc | 4-6 posts done | 7-8 mode read (CPU injector)
///      or 7 notify, 8 NV read, 9 NDST read (IOMMU) | 48-50 store-buffer length | 51-62 store buffer (4 x 3 bits)
/// </code>
/// The thread's plain stores (mode, waiter, task) share one FIFO store buffer that moves with it;
/// an entry is a <see cref="BufferedStore"/> code.
/// </summary>
public readonly struct SystemState : IEquatable<SystemState>, IThreadStoreBuffer<SystemState, BufferedStore>, IWakeableThread<SystemState>
{
    public readonly ulong Lo;
    public readonly ulong Hi;

    public SystemState(ulong lo, ulong hi) { Lo = lo; Hi = hi; }

    public const int StoreBufferCapacity = 4;
    public const int Notify = 1, Resched = 2, Wakeup = 4;

    public int Pir => (int)(Lo & 0xF);
    public bool On => Bit(4);
    public bool Sn => Bit(5);
    public bool NvWakeup => Bit(6);
    public int Ndst => (int)((Lo >> 7) & 1);
    public VcpuMode Mode => (VcpuMode)((Lo >> 8) & 3);
    public int VIrr => (int)((Lo >> 10) & 0xF);
    public int Delivered => (int)((Lo >> 14) & 0xF);
    public bool Waiter => Bit(18);
    public bool TaskInterruptible => Bit(19);
    /// <summary>-1 when the vCPU is on no wake list, else the host CPU index whose list holds it.</summary>
    public int Wakelist => (int)((Lo >> 20) & 3) - 1;
    public bool Halted => Bit(22);
    public bool IF => Bit(23);
    public bool Guest => Bit(24);
    public int HostCpu => (int)((Lo >> 25) & 1);
    public int Cpu => (int)((Lo >> 26) & 1);
    public ThreadStatus Status => (ThreadStatus)((Lo >> 27) & 3);
    public int LoadPc => (int)((Lo >> 29) & 7);
    public int ThreadPc => (int)((Lo >> 32) & 0x3F);
    public int Pending(int c) => (int)((Lo >> (38 + 3 * c)) & 7);
    /// <summary>Some vector is pending at P0 or P2.</summary>
    public bool PendingAny => (Lo & (0x3FUL << 38)) != 0;
    public int ExitsLeft => (int)((Lo >> 44) & 7);
    public int HaltsLeft => (int)((Lo >> 47) & 3);
    public int PreemptionsLeft => (int)((Lo >> 49) & 3);
    public int MigrationsLeft => (int)((Lo >> 51) & 3);
    /// <summary>While sched.in runs: its desc.update cleared an SN that was set (0 outside a load, so states stay canonical).</summary>
    public bool SnCleared => Bit(53);

    public int PosterPc(int p) => (int)((Hi >> (12 * p)) & 0xF);
    public int PosterPosts(int p) => (int)((Hi >> (12 * p + 4)) & 7);
    public VcpuMode InjectorModeRead(int p) => (VcpuMode)((Hi >> (12 * p + 7)) & 3);
    public bool IommuNotify(int p) => (Hi & (1UL << (12 * p + 7))) != 0;
    public bool IommuNvWakeup(int p) => (Hi & (1UL << (12 * p + 8))) != 0;
    public int IommuNdst(int p) => (int)((Hi >> (12 * p + 9)) & 1);

    public int StoreBufferLength => Buffer.Length(Hi);
    public BufferedStore StoreBufferAt(int i) => (BufferedStore)Buffer.At(Hi, i);

    /// <summary>The mode the thread's own loads see: the newest buffered mode store, else memory (TSO store forwarding).</summary>
    public VcpuMode ModeSeenByThread
    {
        get
        {
            for (int i = StoreBufferLength - 1; i >= 0; i--)
                if (StoreBufferAt(i).IsMode(out var m)) return m;
            return Mode;
        }
    }

    public SystemState WithPir(int v) => Field(0, 0xF, (ulong)v);
    public SystemState WithOn(bool b) => SetBit(4, b);
    public SystemState WithSn(bool b) => SetBit(5, b);
    public SystemState WithNvWakeup(bool b) => SetBit(6, b);
    public SystemState WithNdst(int c) => Field(7, 1, (ulong)c);
    public SystemState WithMode(VcpuMode m) => Field(8, 3, (ulong)m);
    public SystemState WithVIrr(int v) => Field(10, 0xF, (ulong)v);
    public SystemState WithDelivered(int v) => Field(14, 0xF, (ulong)v);
    public SystemState WithWaiter(bool b) => SetBit(18, b);
    public SystemState WithTaskInterruptible(bool b) => SetBit(19, b);
    public SystemState WithWakelist(int c) => Field(20, 3, (ulong)(c + 1));
    public SystemState WithHalted(bool b) => SetBit(22, b);
    public SystemState WithIF(bool b) => SetBit(23, b);
    public SystemState WithGuest(bool b) => SetBit(24, b);
    public SystemState WithHostCpu(int c) => Field(25, 1, (ulong)c);
    public SystemState WithCpu(int c) => Field(26, 1, (ulong)c);
    public SystemState WithStatus(ThreadStatus s) => Field(27, 3, (ulong)s);
    public SystemState WithLoadPc(int pc) => Field(29, 7, (ulong)pc);
    public SystemState WithThreadPc(int pc) => Field(32, 0x3F, (ulong)pc);
    public SystemState WithPending(int c, int set) => Field(38 + 3 * c, 7, (ulong)set);
    public SystemState WithExitsLeft(int n) => Field(44, 7, (ulong)n);
    public SystemState WithHaltsLeft(int n) => Field(47, 3, (ulong)n);
    public SystemState WithPreemptionsLeft(int n) => Field(49, 3, (ulong)n);
    public SystemState WithMigrationsLeft(int n) => Field(51, 3, (ulong)n);
    public SystemState WithSnCleared(bool b) => SetBit(53, b);

    public SystemState WithPoster(int p, int pc, int posts, ulong extra)
    {
        ulong word = (ulong)(uint)pc | ((ulong)posts << 4) | (extra << 7);
        return new(Lo, (Hi & ~(0xFFFUL << (12 * p))) | (word << (12 * p)));
    }

    /// <summary>The thread's store buffer in Hi: length at bit 48, four 3-bit entries from bit 51.</summary>
    private static readonly PackedFifo Buffer = new(48, 51, 3, StoreBufferCapacity);

    /// <summary>Appends a plain store to the thread's store buffer (the caller checks there is room).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SystemState PushStore(BufferedStore e) => new(Lo, Buffer.Push(Hi, (int)e));

    /// <summary>Writes the oldest buffered store to memory (a TSO flush step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SystemState FlushOldest() => new SystemState(Lo, Buffer.PopOldest(Hi)).Apply(StoreBufferAt(0));

    /// <summary>A plain store's effect on memory: the bits of Lo it clears, then those it sets (mode's
    /// two bits; waiter, bit 18; task, bit 19), by <see cref="BufferedStore"/> code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SystemState Apply(BufferedStore e) => new((Lo & ~StoreClears[(int)e & 7]) | StoreSets[(int)e & 7], Hi);

    // Arrays, not ReadOnlySpan properties over collection expressions: those build a new array per call in
    // code compiled without optimisation (Debug), which AllocationTests would see.
    private static readonly ulong[] StoreClears = [3UL << 8, 3UL << 8, 3UL << 8, 1UL << 18, 1UL << 18, 1UL << 19, 1UL << 19, 0];
    private static readonly ulong[] StoreSets = [0UL << 8, 1UL << 8, 2UL << 8, 0, 1UL << 18, 0, 1UL << 19, 0];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Bit(int bit) => (Lo & (1UL << bit)) != 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SystemState SetBit(int bit, bool b) => new(b ? Lo | (1UL << bit) : Lo & ~(1UL << bit), Hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private SystemState Field(int shift, ulong mask, ulong value) => new((Lo & ~(mask << shift)) | ((value & mask) << shift), Hi);

    public bool Equals(SystemState other) => Lo == other.Lo && Hi == other.Hi;
    public override bool Equals(object? obj) => obj is SystemState s && Equals(s);
    public override int GetHashCode() => HashCode.Combine(Lo, Hi);
    public static bool operator ==(SystemState a, SystemState b) => a.Equals(b);
    public static bool operator !=(SystemState a, SystemState b) => !a.Equals(b);
}

/// <summary>A plain store waiting in the thread's store buffer: which variable and the value.</summary>
public enum BufferedStore : byte
{
    ModeOutside = 0, ModeInGuest = 1, ModeExiting = 2,
    WaiterClear = 3, WaiterSet = 4,
    TaskRunning = 5, TaskInterruptible = 6,
}

internal static class BufferedStoreExtensions
{
    public static bool IsMode(this BufferedStore e, out VcpuMode m)
    {
        m = (VcpuMode)(int)e;
        return e <= BufferedStore.ModeExiting;
    }

    public static BufferedStore Of(VcpuMode m) => (BufferedStore)(int)m;

    public static string Text(this BufferedStore e) => e switch
    {
        BufferedStore.WaiterClear => "waiter=0",
        BufferedStore.WaiterSet => "waiter=1",
        BufferedStore.TaskRunning => "task=RUNNING",
        BufferedStore.TaskInterruptible => "task=INTERRUPTIBLE",
        _ => "mode=" + ((VcpuMode)(int)e).Name(),
    };
}
