using System.Collections.Immutable;

namespace Pilab.Protocol;

/// <summary>
/// A design of the whole system of SPEC.md section 7, as data: the entry order and injector of
/// sections 3-4, plus the block loop, the sub-steps of <c>sched.in</c> (vmx_vcpu_pi_load) and of
/// <c>sched.out.block</c> (pi_enable_wakeup_handler), and the policies the historical designs
/// differ in. Kept apart from <see cref="Variant"/> so the section 2-6 model and its exporters are
/// untouched by it.
/// </summary>
public sealed record SystemVariant(
    string Name,
    string Description,
    string Source,
    KvmDesign Design,
    ImmutableArray<EntryStep> Entry,
    ImmutableArray<InjectorStep> Injector,
    ImmutableArray<BlockStep> Block,
    ImmutableArray<SchedInStep> SchedIn,
    ImmutableArray<SchedOutStep> SchedOutBlock,
    WakeupVector WakeupVector,
    BlockedNdst BlockedNdst)
{
    public const int MaxBlockSteps = 12;

    public bool SameProtocol(SystemVariant o) =>
        Design == o.Design && Entry.SequenceEqual(o.Entry) && Injector.SequenceEqual(o.Injector) &&
        Block.SequenceEqual(o.Block) && SchedIn.SequenceEqual(o.SchedIn) && SchedOutBlock.SequenceEqual(o.SchedOutBlock) &&
        WakeupVector == o.WakeupVector && BlockedNdst == o.BlockedNdst;

    public string EntryText => string.Join(' ', Entry.Select(StepNames.Name));
    public string InjectorText => string.Join(' ', Injector.Select(StepNames.Name));
    public string BlockText => string.Join(' ', Block.Select(SystemStepNames.Name));
    public string SchedInText => SchedIn.Length == 0 ? "none" : string.Join(' ', SchedIn.Select(SystemStepNames.Name));
    public string SchedOutBlockText => SchedOutBlock.Length == 0 ? "none" : string.Join(' ', SchedOutBlock.Select(SystemStepNames.Name));

    /// <summary>Whether the wake-up vector is armed when the configuration has <paramref name="iommuPosters"/> IOMMU posters.</summary>
    public bool WakeupArmed(int iommuPosters) => WakeupVector switch
    {
        WakeupVector.Armed => true,
        WakeupVector.Off => false,
        _ => iommuPosters > 0,
    };

    /// <summary>The section 4 view of the entry and injector, for validating them with the same rules.</summary>
    public Variant EntryVariant => new(Name, Description, Entry, Injector, OnAlreadySet.Done, RequestHandling.None, Source);

    /// <summary>
    /// The rules a whole-system variant obeys beyond those of section 4: null when well formed, else
    /// which line is wrong ("block", "sched-in", "sched-out-block", "injector", "blocked-ndst"),
    /// what was expected and the index of the offending step (-1: the line as a whole).
    /// </summary>
    public static (string Key, string Problem, int Index)? Validate(
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
                return ("block", $"{SystemStepNames.Name(block[i])} once", i);

        for (int i = 0; i < schedIn.Count; i++)
        {
            if (schedIn.Take(i).Contains(schedIn[i]) && schedIn[i] != SchedInStep.Mb)
                return ("sched-in", $"{SystemStepNames.Name(schedIn[i])} once", i);
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
                return ("sched-out-block", $"{SystemStepNames.Name(schedOut[i])} once", i);
        }
        if (blockedNdstGiven && design != KvmDesign.Kvm2019)
            return ("blocked-ndst", "no blocked-ndst line in kvm-2021 (its sched.in always moves a blocked vCPU off the wake list)", -1);
        return null;
    }
}
