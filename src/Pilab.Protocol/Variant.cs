using System.Collections.Immutable;

namespace Pilab.Protocol;

/// <summary>
/// One design of KVM's posted-interrupt code, as data: the vCPU entry order and the injector's
/// sequence with the policies the seed's designs differ in, and, for the whole-system designs
/// (<see cref="KvmDesign.Kvm2019"/>, <see cref="KvmDesign.Kvm2021"/>), the block loop, the sub-steps
/// of <c>sched.in</c> (vmx_vcpu_pi_load) and of <c>sched.out.block</c> (pi_enable_wakeup_handler)
/// and their policies. <see cref="Check"/> is the configuration that tells the variant's story: what
/// <c>pilab check</c> checks when no option says otherwise. The checker interprets a variant, the live
/// runtime runs it, the report draws it; <see cref="Design"/> picks the model.
/// </summary>
public sealed record Variant(
    string Name,
    string Description,
    ImmutableArray<EntryStep> Entry,
    ImmutableArray<InjectorStep> Injector,
    OnAlreadySet OnAlreadySet,
    RequestHandling Requests,
    string Source)
{
    public KvmDesign Design { get; init; } = KvmDesign.Entry;

    /// <summary>Whole-system designs: kvm_vcpu_block's loop, ending in sched.out.block.</summary>
    public ImmutableArray<BlockStep> Block { get; init; } = [];

    /// <summary>Whole-system designs: the sub-steps of vmx_vcpu_pi_load.</summary>
    public ImmutableArray<SchedInStep> SchedIn { get; init; } = [];

    /// <summary>kvm-2021: the sub-steps of pi_enable_wakeup_handler.</summary>
    public ImmutableArray<SchedOutStep> SchedOutBlock { get; init; } = [];

    public WakeupVector WakeupVector { get; init; } = WakeupVector.Auto;

    /// <summary>kvm-2019: what sched.in does to NDST of a blocked vCPU that moved.</summary>
    public BlockedNdst BlockedNdst { get; init; } = BlockedNdst.Keep;

    // Rules a patch may change (src/Pilab.Protocol/KernelRules.cs), each with mainline's rule as default.

    /// <summary>When sched.in's on.recompute sets ON (key <c>on-recompute</c>).</summary>
    public OnRecompute OnRecompute { get; init; } = OnRecompute.Always;

    /// <summary>When an IOMMU post notifies (key <c>iommu-sn</c>).</summary>
    public IommuSn IommuSn { get; init; } = IommuSn.Respect;

    /// <summary>When kvm_sched_out marks the vCPU preempted (key <c>preempted</c>; kvm-2019 before v5.14: running).</summary>
    public PreemptedRule Preempted { get; init; } = PreemptedRule.OnRq;

    /// <summary>kvm-2021: what vmx_vcpu_pi_put does for a preempted vCPU (key <c>preempt-put</c>; v6.17: sn).</summary>
    public PreemptPut PreemptPut { get; init; } = PreemptPut.WakeupAndSn;

    /// <summary>Whether the host kernel can preempt the thread in the block loop (key <c>host-preempt</c>).</summary>
    public HostPreempt HostPreempt { get; init; } = HostPreempt.Full;

    /// <summary>The configuration that tells this variant's story (a file's <c>check:</c> line); options override it.</summary>
    public Configuration Check { get; init; } = new();

    /// <summary>A race pilab found in code KVM ran or runs, rather than the code before a historical fix
    /// (a file's <c>finding: yes</c> line; never taken from a base, whose protocol the file changes).</summary>
    public bool Finding { get; init; }

    /// <summary>The verdict a regression file states for its own configuration (its <c>expect:</c> line:
    /// <c>safe</c> or <c>violation</c>), for <c>pilab test</c>; null when the file does not say.</summary>
    public string? Expect { get; init; }

    public bool WholeSystem => Design != KvmDesign.Entry;

    /// <summary>The AVIC design's policies (docs/avic.md); the default for every other design.</summary>
    public AvicPolicy Avic { get; init; }

    /// <summary>Of the AVIC design (its own model; no PIR, ON, SN, NV, NDST).</summary>
    public bool IsAvic => Design == KvmDesign.Avic;

    /// <summary>Longest entry and injector sequences a variant may have (they bound the packed program counters).</summary>
    public const int MaxEntrySteps = 20;
    public const int MaxInjectorSteps = 12;
    public const int MaxBlockSteps = 12;

    /// <summary>True when the two describe the same protocol (names, comments and the configuration aside).</summary>
    public bool SameProtocol(Variant o) =>
        Design == o.Design && Entry.SequenceEqual(o.Entry) && Injector.SequenceEqual(o.Injector) &&
        OnAlreadySet == o.OnAlreadySet && Requests == o.Requests &&
        Block.SequenceEqual(o.Block) && SchedIn.SequenceEqual(o.SchedIn) && SchedOutBlock.SequenceEqual(o.SchedOutBlock) &&
        WakeupVector == o.WakeupVector && BlockedNdst == o.BlockedNdst &&
        OnRecompute == o.OnRecompute && IommuSn == o.IommuSn && Preempted == o.Preempted && PreemptPut == o.PreemptPut && HostPreempt == o.HostPreempt &&
        Avic == o.Avic;

    public string EntryText => string.Join(' ', Entry.Select(StepNames.Name));

    public string InjectorText => string.Join(' ', Injector.Select(StepNames.Name));
    public string BlockText => string.Join(' ', Block.Select(StepNames.Name));
    public string SchedInText => SchedIn.Length == 0 ? "none" : string.Join(' ', SchedIn.Select(StepNames.Name));
    public string SchedOutBlockText => SchedOutBlock.Length == 0 ? "none" : string.Join(' ', SchedOutBlock.Select(StepNames.Name));

    /// <summary>Whether the wake-up vector is armed in a configuration (vmx_needs_pi_wakeup: <c>auto</c> is armed
    /// iff there is an IOMMU poster, an assigned device, or an IPIv poster, IPI virtualization).</summary>
    public bool WakeupArmed(Configuration c) => WakeupArmed(c.Iommu + c.Ipiv);

    /// <summary>Whether the wake-up vector is armed when the configuration has <paramref name="hardwarePosters"/> IOMMU and IPIv posters.</summary>
    public bool WakeupArmed(int hardwarePosters) => WakeupVector switch
    {
        WakeupVector.Armed => true,
        WakeupVector.Off => false,
        _ => hardwarePosters > 0,
    };

    /// <summary>
    /// Checks the rules every variant obeys; returns null when it is well formed, else what is wrong
    /// and the index of the offending step (-1 when it is the sequence as a whole).
    /// </summary>
    public static (string Problem, bool InEntry, int Index)? ValidateEntry(
        IReadOnlyList<EntryStep> entry, IReadOnlyList<InjectorStep> injector, OnAlreadySet onAlreadySet, RequestHandling requests)
    {
        if (entry.Count == 0)
            return ("an entry order ending in enter", true, -1);
        if (entry.Count > MaxEntrySteps)
            return ($"at most {MaxEntrySteps} entry steps", true, MaxEntrySteps);
        for (int i = 0; i < entry.Count - 1; i++)
            if (entry[i] == EntryStep.Enter)
                return ("enter only as the last entry step", true, i);
        if (entry[^1] != EntryStep.Enter)
            return ("the entry order to end with enter", true, entry.Count - 1);
        // A second irq.off or mode.in changes nothing: only the vCPU thread writes IF and its mode, and
        // nothing between the two could have undone the first. Every other step may come again and
        // means something there: mb orders anew, on.read, pir.drain and check read anew, on.clear clears
        // an ON an injector may have set since (docs/variant-format.md, "Repeated steps").
        int irqOff = -1, modeIn = -1;
        for (int i = 0; i < entry.Count; i++)
        {
            if (entry[i] == EntryStep.IrqOff && irqOff++ >= 0)
                return ("irq.off only once: a second one changes nothing (only the vCPU thread writes IF)", true, i);
            if (entry[i] == EntryStep.ModeIn && modeIn++ >= 0)
                return ("mode.in only once: a second one changes nothing (only the vCPU thread writes its mode)", true, i);
        }

        if (injector.Count == 0)
            return ("an injector sequence starting with pir.set", false, -1);
        if (injector.Count > MaxInjectorSteps)
            return ($"at most {MaxInjectorSteps} injector steps", false, MaxInjectorSteps);
        if (injector[0] != InjectorStep.PirSet)
            return ("the injector sequence to start with pir.set", false, 0);
        bool modeRead = false;
        for (int i = 1; i < injector.Count; i++)
        {
            switch (injector[i])
            {
                case InjectorStep.PirSet:
                    return ("pir.set only once, first", false, i);
                case InjectorStep.ModeRead:
                    modeRead = true;
                    break;
                case InjectorStep.Notify when !modeRead:
                    return ("mode.read before notify", false, i);
                case InjectorStep.Wake:
                    return ("no wake outside a whole-system variant (add 'design: kvm-2021': docs/whole-system.md)", false, i);
            }
        }
        int reqSet = ((IList<InjectorStep>)injector).IndexOf(InjectorStep.ReqSet);
        if (reqSet >= 0 && requests != RequestHandling.PrePatch)
            return ("requests: prepatch with req.set (no step of the entry would ever clear EVENT, so check would cancel every entry)", false, reqSet);
        if (onAlreadySet == OnAlreadySet.Kick && !injector.Contains(InjectorStep.Kick))
            return ("a kick step in the injector sequence for on-already-set: kick", false, -1);
        return null;
    }

    /// <summary>
    /// The rules a whole-system variant obeys beyond those of section 4: null when well formed, else
    /// which line is wrong ("block", "sched-in", "sched-out-block", "injector", "blocked-ndst"),
    /// what was expected and the index of the offending step (-1: the line as a whole).
    /// </summary>
    public static (string Key, string Problem, int Index)? ValidateSystem(
        KvmDesign design, IReadOnlyList<InjectorStep> injector, IReadOnlyList<BlockStep> block,
        IReadOnlyList<SchedInStep> schedIn, IReadOnlyList<SchedOutStep> schedOut, bool blockedNdstGiven)
    {
        for (int i = 0; i < injector.Count; i++)
            if (injector[i] == InjectorStep.ReqSet)
                return ("injector", "no req.set in a whole-system variant (its entry has no request handling)", i);
        int notify = ((IList<InjectorStep>)injector).IndexOf(InjectorStep.Notify);
        int wake = ((IList<InjectorStep>)injector).IndexOf(InjectorStep.Wake);
        if (wake < 0)
            return ("injector", "a wake step (kvm_vcpu_wake_up), or a sleeping vCPU could never be woken by a CPU injector", -1);
        if (notify < 0 || wake < notify)
            return ("injector", "notify before wake (wake is the branch taken when the mode read was not IN_GUEST)", wake);

        if (block.Count == 0)
            return ("block", "a block loop ending in sched.out.block", -1);
        if (block.Count > MaxBlockSteps)
            return ("block", $"at most {MaxBlockSteps} block steps", MaxBlockSteps);
        for (int i = 0; i < block.Count - 1; i++)
            if (block[i] == BlockStep.SchedOutBlock)
                return ("block", "sched.out.block only as the last block step", i);
        if (block[^1] != BlockStep.SchedOutBlock)
            return ("block", "the block loop to end with sched.out.block", block.Count - 1);
        if (!block.Contains(BlockStep.IrrCheck))
            return ("block", "an irr.check (block.check) in the block loop, or the thread could never leave it", -1);
        for (int i = 0; i < block.Count; i++)
            if (block.Take(i).Contains(block[i]) && block[i] != BlockStep.Mb)
                return ("block", $"{StepNames.Name(block[i])} once", i);

        for (int i = 0; i < schedIn.Count; i++)
        {
            if (schedIn.Take(i).Contains(schedIn[i]) && schedIn[i] != SchedInStep.Mb)
                return ("sched-in", $"{StepNames.Name(schedIn[i])} once", i);
            if (design == KvmDesign.Kvm2019 && schedIn[i] == SchedInStep.WakelistDel)
                return ("sched-in", "no wakelist.del in kvm-2019 (post_block takes the vCPU off the wake list)", i);
        }
        if (!schedIn.Contains(SchedInStep.DescUpdate))
            return ("sched-in", "a desc.update (clearing SN is what sched.in is for)", -1);

        for (int i = 0; i < schedOut.Count; i++)
        {
            if (design == KvmDesign.Kvm2019)
                return ("sched-out-block", "none in kvm-2019 (its sched.out.block leaves the descriptor alone; pre_block arms the wake-up vector)", i);
            if (schedOut.Take(i).Contains(schedOut[i]))
                return ("sched-out-block", $"{StepNames.Name(schedOut[i])} once", i);
        }
        if (blockedNdstGiven && design != KvmDesign.Kvm2019)
            return ("blocked-ndst", "no blocked-ndst line in kvm-2021 (its sched.in always moves a blocked vCPU off the wake list)", -1);
        return null;
    }
}
