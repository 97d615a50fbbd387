using System.Diagnostics;

namespace Pilab.Live;

/// <summary>
/// The real memory of one run: the shared lines (descriptor, mode, requests, P0's pending IPIs) and the
/// per-vector post timestamps the latency figure is taken from.
/// </summary>
internal sealed class VcpuMemory
{
    /// <summary>Longs between two vectors' timestamps: 128 bytes, so injectors posting different vectors do not share a line.</summary>
    private const int StampStride = 16;

    public SharedLines Lines;

    /// <summary>
    /// Stopwatch timestamp of the earliest post of each vector not yet delivered, 0 when none. An
    /// injector sets it (CompareExchange from 0) just before pir.set; the guest's handler takes it
    /// (Exchange to 0). Measurement only: the protocol never reads it.
    /// </summary>
    private readonly long[] _stamps = new long[PirWords.Vectors * StampStride];

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
