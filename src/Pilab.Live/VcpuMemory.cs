using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Pilab.Live;

/// <summary>
/// The real memory of one run. The shared lines (descriptor, mode, requests, P0's pending IPIs), P0's
/// counters and each injector's counters lie in one block of native memory from
/// <see cref="NativeMemory.AlignedAlloc"/>, aligned to 128 bytes, so that every group starts a 64-byte
/// cache line as the hardware descriptor does (struct pi_desc is __aligned(64),
/// arch/x86/include/asm/posted_intr.h; SDM 29.6: the descriptor is 64-byte aligned) and nothing the GC
/// moves ever shares or splits one. Also the per-vector post timestamps the latency figure is taken
/// from (managed, 128 bytes apart).
/// </summary>
internal sealed unsafe class VcpuMemory
{
    /// <summary>Longs between two vectors' timestamps: 128 bytes, so injectors posting different vectors do not share a line.</summary>
    private const int StampStride = 16;

    /// <summary>The block's alignment: a pair of 64-byte lines (x86's adjacent-line prefetcher fetches pairs).</summary>
    public const int BlockAlignment = 128;

    private static readonly int P0CountersOffset = sizeof(SharedLines);
    private static readonly int InjectorCountersOffset = P0CountersOffset + sizeof(P0Counters);

    private readonly byte* _block;
    private readonly nuint _size;

    /// <summary>How many injectors have counters here.</summary>
    public int Injectors { get; }

    public VcpuMemory(int injectors = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(injectors, 0);
        Injectors = injectors;
        _size = (nuint)(InjectorCountersOffset + injectors * sizeof(InjectorCounters));
        _block = (byte*)NativeMemory.AlignedAlloc(_size, BlockAlignment);
        NativeMemory.Clear(_block, _size);
    }

    ~VcpuMemory() => NativeMemory.AlignedFree(_block);

    public ref SharedLines Lines => ref *(SharedLines*)_block;

    public ref P0Counters P0Counters => ref *(P0Counters*)(_block + P0CountersOffset);

    public ref InjectorCounters InjectorCounters(int injector)
    {
        if ((uint)injector >= (uint)Injectors) throw new ArgumentOutOfRangeException(nameof(injector));
        return ref *(InjectorCounters*)(_block + InjectorCountersOffset + injector * sizeof(InjectorCounters));
    }

    /// <summary>
    /// Where the groups lie: each one's address modulo 64 (0 = it starts a cache line). Read from the
    /// addresses, not assumed from the layout.
    /// </summary>
    public MemoryPlacement Placement()
    {
        static long Mod<T>(ref T x) => (long)((nuint)Unsafe.AsPointer(ref x) % 64);
        ref SharedLines s = ref Lines;
        var injectors = new long[Injectors];
        for (int i = 0; i < Injectors; i++) injectors[i] = Mod(ref InjectorCounters(i).Posted);
        return new MemoryPlacement(BlockAlignment, Mod(ref s.Pir), Mod(ref s.Mode), Mod(ref s.Pending), Mod(ref s.InGuest),
            Mod(ref P0Counters.Delivered), injectors);
    }

    private readonly long[] _stamps = new long[PirWords.Vectors * StampStride];

    /// <summary>
    /// Stopwatch timestamp of the earliest post of each vector not yet delivered, 0 when none. An
    /// injector sets it (CompareExchange from 0) just before pir.set; the guest's handler takes it
    /// (Exchange to 0). Measurement only: the protocol never reads it.
    /// </summary>
    public ref long StampOf(int vector) => ref _stamps[vector * StampStride];

    /// <summary>A copy of the state the watchdog and the final check report (racy fields read one by one).</summary>
    public StateSnapshot Snapshot()
    {
        var pir = new PirWords();
        for (int i = 0; i < PirWords.Words; i++)
            pir[i] = Volatile.Read(ref Lines.Pir[i]); // observation: any recent value will do
        return new StateSnapshot(
            Volatile.Read(ref Lines.Mode),
            (Volatile.Read(ref Lines.Control) & SharedLines.OnBit) != 0,
            pir,
            Volatile.Read(ref Lines.Pending),
            Volatile.Read(ref Lines.Requests),
            Volatile.Read(ref Lines.InGuest) != 0);
    }

    public static long Now() => Stopwatch.GetTimestamp();
}

/// <summary>The shared state as one observer saw it: what a stranded interrupt is reported with.</summary>
internal readonly record struct StateSnapshot(int Mode, bool On, PirWords Pir, int Pending, int Requests, bool InGuest)
{
    public override string ToString() =>
        $"mode={VcpuMode.Name(Mode)} ON={(On ? 1 : 0)} PIR={Pir.Describe()} pending={PendingIpi.Describe(Pending)}" +
        (Requests != 0 ? " requests=EVENT" : "") + (InGuest ? " P0.guest=1" : " P0.guest=0");
}

/// <summary>
/// Where a run's shared groups lie: the native block's alignment, and each group's address modulo 64
/// (0: it starts a cache line of its own).
/// </summary>
public sealed record MemoryPlacement(int BlockAlignment, long Descriptor, long ModeAndRequests, long Pending, long P0Published, long P0Counters, IReadOnlyList<long> InjectorCounters)
{
    /// <summary>Every group starts a 64-byte line.</summary>
    public bool LinesAligned => Descriptor == 0 && ModeAndRequests == 0 && Pending == 0 && P0Published == 0 && P0Counters == 0 && InjectorCounters.All(x => x == 0);
}
