namespace Pilab.Live;

/// <summary>
/// The per-round pieces of the aligned mode (<c>pilab live --aligned</c>), shared by the live loop
/// (<see cref="LiveRun"/>) and the step-by-step tests. A round, litmus7-style: the memory and P0 are
/// re-initialised (<see cref="Reset"/>: P0 at the top of the vCPU loop in the host with IF = 1, mode
/// OUTSIDE, PIR, ON, requests and pending all 0); the round opens (a shared round counter); P0 runs its
/// entry path and one injector makes one post, both starting as the round opens; once the post is over
/// and P0 runs the guest, P0 runs on until it is settled (guest running, nothing pending, vIRR empty:
/// the model's terminal state, docs/model.md section 5), and <see cref="Judge"/> looks at it: a vector
/// still in PIR is stranded. The judgement is exact (the terminal state, with no post in flight), so
/// the aligned mode needs no watchdog thresholds.
/// </summary>
internal sealed class AlignedRound
{
    private readonly VcpuMemory _m;
    private readonly VcpuThread _p0;

    public AlignedRound(VcpuMemory memory, VcpuThread p0)
    {
        _m = memory;
        _p0 = p0;
    }

    /// <summary>
    /// Between rounds, with the injector waiting for the next round and P0 settled (or not started):
    /// the initial state again. Plain writes, and only of what is not already so, to leave the lines
    /// where the round left them; the release store that tells the injector the round is ready
    /// publishes them.
    /// </summary>
    public void Reset()
    {
        ref SharedLines s = ref _m.Lines;
        for (int i = 0; i < PirWords.Words; i++)
            if (s.Pir[i] != 0) s.Pir[i] = 0;
        if (s.Control != 0) s.Control = 0;
        if (s.Mode != VcpuMode.Outside) s.Mode = VcpuMode.Outside;
        if (s.Requests != 0) s.Requests = 0;
        if (s.Pending != 0) s.Pending = 0;
        if (s.InGuest != 0) s.InGuest = 0;
        _p0.ResetToLoopStart();
    }

    /// <summary>
    /// The injector's preparation of a round, litmus7's -preload: it reads the lines its post will touch
    /// (mode, the descriptor's control word and PIR), so that each round starts with them shared by both
    /// CPUs, as in KVM where injectors read vcpu-&gt;mode all the time. P0's mode.in then needs the line
    /// back (an RFO) and waits in the store buffer meanwhile, as it does in a real vCPU entry; after the
    /// reset alone it would hit in P0's own cache and leave the buffer at once.
    /// </summary>
    public long Preload()
    {
        ref SharedLines s = ref _m.Lines;
        // Volatile.Read: loads that must happen (not hoisted or dropped); the value is not used.
        return Volatile.Read(ref s.Mode) + Volatile.Read(ref s.Control) + (long)Volatile.Read(ref s.Pir[PirWords.WordOf(LiveOptions.FirstVector)]);
    }

    /// <summary>
    /// The judgement of a settled round (call from P0's thread once <see cref="VcpuThread.Settled"/>):
    /// the vectors left in PIR, with the state, or null when nothing is stranded.
    /// </summary>
    public (IReadOnlyList<int> Vectors, StateSnapshot State)? Judge()
    {
        var state = _m.Snapshot();
        if (state.Pir.IsEmpty && !state.On) return null;
        return (state.Pir.ToList(), state);
    }

    /// <summary>The stamps of the vectors a reset clears (measurement only: a stranded vector's post is not a delivery).</summary>
    public void ClearStamps(IReadOnlyList<int> vectors)
    {
        foreach (int v in vectors) Volatile.Write(ref _m.StampOf(v), 0);
    }
}
