using System.Collections.Immutable;

namespace Pilab.Protocol;

/// <summary>The variants of SPEC.md section 4.</summary>
public static class Builtins
{
    private static readonly ImmutableArray<InjectorStep> PatchedInjector =
        [InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Kick];

    private static readonly ImmutableArray<EntryStep> Sync =
        [EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain];

    public static readonly Variant PrePatch = new(
        "prepatch",
        "KVM before the 2016 patch: KVM_REQ_EVENT makes the entry sync PIR or cancel",
        [EntryStep.ModeIn, EntryStep.Mb, EntryStep.IrqOff, EntryStep.Check, EntryStep.Enter],
        [InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ReqSet, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Kick],
        OnAlreadySet.Kick,
        RequestHandling.PrePatch,
        "seed mail (the design the patch replaces); SPEC.md section 4");

    public static readonly Variant PatchV1 = new(
        "patch-v1",
        "the patch as posted: sync before mode.in, so an injector reading OUTSIDE after the sync is missed",
        [EntryStep.IrqOff, .. Sync, EntryStep.ModeIn, EntryStep.Mb, EntryStep.Check, EntryStep.Enter],
        PatchedInjector,
        OnAlreadySet.Done,
        RequestHandling.None,
        "[PATCH 2/3] kvm: x86: do not use KVM_REQ_EVENT for APICv interrupt injection (2016); seed mail");

    public static readonly Variant IrqLate = new(
        "irq-late",
        "interrupts disabled after the sync: the NOTIFY IPI can hit the host's dummy handler",
        [EntryStep.ModeIn, EntryStep.Mb, .. Sync, EntryStep.IrqOff, EntryStep.Check, EntryStep.Enter],
        PatchedInjector,
        OnAlreadySet.Done,
        RequestHandling.None,
        "seed mail: 'you want to do that before setting IN_GUEST_MODE, otherwise the IPI ... is ignored'");

    public static readonly Variant Fixed = new(
        "fixed",
        "the seed's order: irq.off, mode.in, mb, sync, check, enter",
        [EntryStep.IrqOff, EntryStep.ModeIn, EntryStep.Mb, .. Sync, EntryStep.Check, EntryStep.Enter],
        PatchedInjector,
        OnAlreadySet.Done,
        RequestHandling.None,
        "seed mail: the order for entering the guest must be the opposite (4a, 3, 2, 1, 4b)");

    public static readonly Variant FixedNoMb = new(
        "fixed-nomb",
        "the seed's order without the barrier after mode.in: safe under SC, loses under TSO",
        [EntryStep.IrqOff, EntryStep.ModeIn, .. Sync, EntryStep.Check, EntryStep.Enter],
        PatchedInjector,
        OnAlreadySet.Done,
        RequestHandling.None,
        "SPEC.md section 4 (KVM uses smp_store_mb for vcpu->mode)");

    public static readonly ImmutableArray<Variant> All = [PrePatch, PatchV1, IrqLate, Fixed, FixedNoMb];

    public static Variant? Find(string name) => All.FirstOrDefault(v => v.Name == name);
}
