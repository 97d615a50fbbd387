namespace Pilab.Protocol;

/// <summary>
/// The steps of the vCPU entry path (docs/model.md section 3, KVM: vcpu_enter_guest), in the
/// vocabulary a variant file uses. <c>sync</c> is not here: it is shorthand for
/// <see cref="OnRead"/>, <see cref="OnClear"/>, <see cref="PirDrain"/> (KVM: sync_pir_to_irr).
/// </summary>
public enum EntryStep : byte
{
    /// <summary><c>irq.off</c> (seed 4a): P0.IF = 0, so a NOTIFY IPI stays pending until VM entry.</summary>
    IrqOff,
    /// <summary><c>mode.in</c> (seed 3): plain store mode = IN_GUEST.</summary>
    ModeIn,
    /// <summary><c>mb</c>: full barrier (smp_mb, mfence).</summary>
    Mb,
    /// <summary><c>on.read</c> (seed 2): load ON; if 0 skip the on.clear / pir.drain that follow.</summary>
    OnRead,
    /// <summary><c>on.clear</c> (seed 2): locked clear of ON.</summary>
    OnClear,
    /// <summary><c>pir.drain</c> (seed 1): locked move of PIR into vIRR (xchg of each PIR word).</summary>
    PirDrain,
    /// <summary><c>check</c> (seed 4b): cancel the entry if mode is EXITING or a request is pending.</summary>
    Check,
    /// <summary><c>enter</c>: VM entry, P0.guest = 1. Always last.</summary>
    Enter,
}

/// <summary>The steps of an injector (docs/model.md section 3, KVM: vmx_deliver_posted_interrupt).</summary>
public enum InjectorStep : byte
{
    /// <summary><c>pir.set</c> (seed 1): locked set of v in PIR; coalesced (post done) if already set.</summary>
    PirSet,
    /// <summary><c>on.set</c> (seed 2): locked set of ON; what happens if it was set is <see cref="OnAlreadySet"/>.</summary>
    OnSet,
    /// <summary><c>req.set</c>: locked set of KVM_REQ_EVENT (pre-patch design).</summary>
    ReqSet,
    /// <summary><c>mode.read</c> (seed 3): load vcpu->mode.</summary>
    ModeRead,
    /// <summary><c>notify</c> (seed 4a): NOTIFY IPI if the mode read was IN_GUEST, else fall through to a following <c>kick</c>.</summary>
    Notify,
    /// <summary><c>kick</c> (seed 4b): cmpxchg mode IN_GUEST -> EXITING; on success a RESCHED IPI.</summary>
    Kick,
    /// <summary><c>mb</c>: full barrier.</summary>
    Mb,
    /// <summary><c>wake</c> (whole system, docs/whole-system.md): where the injector did not notify, wake a
    /// sleeping vCPU thread (KVM: kvm_vcpu_wake_up). Only whole-system variants may use it.</summary>
    Wake,
}

/// <summary>What an injector does when <c>on.set</c> finds ON already set.</summary>
public enum OnAlreadySet : byte
{
    /// <summary>The post is done: a notification is already due (the patched design).</summary>
    Done,
    /// <summary>Skip <c>mode.read</c>/<c>notify</c> and kick (pre-patch: <c>if (r || !trigger) kvm_vcpu_kick</c>).</summary>
    Kick,
    /// <summary>Ignore it and go on with the sequence.</summary>
    Continue,
}

/// <summary>How the entry handles KVM requests before entering.</summary>
public enum RequestHandling : byte
{
    /// <summary>No request processing at the top of the entry (the patched design).</summary>
    None,
    /// <summary>Pre-patch: at the top of the entry, if EVENT is pending, clear it and sync PIR to vIRR.</summary>
    PrePatch,
}
