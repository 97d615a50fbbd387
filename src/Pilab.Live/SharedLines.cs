using System.Runtime.InteropServices;

namespace Pilab.Live;

/// <summary>
/// The memory P0 and the injectors share, each group on its own cache lines so that only true sharing
/// moves lines between cores (128 bytes apart because x86's adjacent-line prefetcher pairs 64-byte
/// lines). It lives in <see cref="VcpuMemory"/>'s native block, aligned to 128 bytes, so every offset
/// below that is a multiple of 64 starts a cache line.
/// <list type="bullet">
/// <item>the posted-interrupt descriptor: PIR (bits 255:0) and ON (bit 256) in one 64-byte block, as
/// in struct pi_desc (arch/x86/include/asm/posted_intr.h, __aligned(64); SDM 29.6), starting a 64-byte
/// line: PIR at bytes 0-31 and the control word at byte 32 of it, as in hardware;</item>
/// <item>vcpu-&gt;mode and vcpu-&gt;requests, read by injectors, written by P0;</item>
/// <item>P0's local APIC: the pending physical vectors, set by injectors' IPIs;</item>
/// <item>what P0 publishes only for the watchdog (in guest, drain sequence);</item>
/// <item>the aligned mode's round counters P0 writes (the injectors' are in their counters, <see cref="InjectorCounters"/>).</item>
/// </list>
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 768)]
internal struct SharedLines
{
    public const int OnBit = 1;

    /// <summary>PIR: one bit per vector. Set by pir.set (lock or), emptied by pir.drain / pi.process (xchg per word).</summary>
    [FieldOffset(128)] public PirWords Pir;

    /// <summary>The descriptor's control word; bit 0 is ON (outstanding notification).</summary>
    [FieldOffset(160)] public long Control;

    /// <summary>vcpu-&gt;mode (<see cref="VcpuMode"/>).</summary>
    [FieldOffset(256)] public int Mode;

    /// <summary>vcpu-&gt;requests (<see cref="VcpuRequest"/>).</summary>
    [FieldOffset(260)] public int Requests;

    /// <summary>P0.pending (<see cref="PendingIpi"/>): an IPI is a lock or here; P0 acknowledges with a lock and.</summary>
    [FieldOffset(384)] public int Pending;

    /// <summary>1 while P0 runs the guest (between enter and the VM exit). Observation only.</summary>
    [FieldOffset(512)] public int InGuest;

    /// <summary>
    /// Odd while P0 moves PIR into vIRR (pir.drain, or pi.process from acknowledging NOTIFY to the end of
    /// the drain), incremented at both ends. Observation only: posted-interrupt processing is atomic for
    /// software on real hardware but not here, and a watchdog must not take a P0 descheduled half way
    /// through it for a strand.
    /// </summary>
    [FieldOffset(520)] public long DrainSequence;

    /// <summary>Aligned mode only: the round P0 has opened (P0 writes, the injectors spin on it). Not protocol memory.</summary>
    [FieldOffset(640)] public long RoundOpen;

    /// <summary>Aligned mode only: the round P0 has reset the memory for (P0 writes).</summary>
    [FieldOffset(648)] public long RoundReady;
}
