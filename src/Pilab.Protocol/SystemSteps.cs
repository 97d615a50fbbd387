namespace Pilab.Protocol;

/// <summary>
/// The steps of the block loop (KVM: kvm_vcpu_block), in the order a variant gives them. The file
/// format's <c>wait.prepare</c> is <see cref="WaiterSet"/> <see cref="TaskSet"/> <see cref="Mb"/>
/// (prepare_to_rcuwait, set_current_state), and <c>block.check</c> is <c>sync</c> <see cref="IrrCheck"/>
/// (kvm_vcpu_check_block reaches vmx_sync_pir_to_irr through kvm_arch_vcpu_runnable).
/// </summary>
public enum BlockStep : byte
{
    /// <summary><c>waiter.set</c>: plain store waiter = 1 (rcu_assign_pointer of rcuwait.task).</summary>
    WaiterSet,
    /// <summary><c>task.set</c>: plain store task = INTERRUPTIBLE.</summary>
    TaskSet,
    /// <summary><c>mb</c>: the full fence of set_current_state (smp_store_mb).</summary>
    Mb,
    /// <summary><c>on.read</c>, <c>on.clear</c>, <c>pir.drain</c>: sync_pir_to_irr, as in the entry.</summary>
    OnRead,
    OnClear,
    PirDrain,
    /// <summary><c>irr.check</c>: load vIRR; if not empty leave the loop (waiter = 0, task = RUNNING, halted = 0).</summary>
    IrrCheck,
    /// <summary><c>sched.out.block</c>: schedule(); always last. Its descriptor work is <see cref="SchedOutStep"/>.</summary>
    SchedOutBlock,
}

/// <summary>The sub-steps of vmx_vcpu_pi_load, run when the thread is loaded on a CPU (<c>sched.in</c>).</summary>
public enum SchedInStep : byte
{
    /// <summary><c>wakelist.del</c> (locked): if NV is WAKEUP, remove the vCPU from the wake list of vcpu->cpu (kvm-2021 only).</summary>
    WakelistDel,
    /// <summary><c>desc.update</c> (locked): the fast-path test and the cmpxchg of NV/SN/NDST; the rules depend on the design.</summary>
    DescUpdate,
    /// <summary><c>mb</c>: smp_mb__after_atomic (a compiler barrier on x86: the update before it is locked).</summary>
    Mb,
    /// <summary><c>on.recompute</c> (load, locked): if PIR is not empty, set ON (c112b5f50232).</summary>
    OnRecompute,
}

/// <summary>The sub-steps of pi_enable_wakeup_handler, run by <c>sched.out.block</c> when the wake-up vector is armed (kvm-2021).</summary>
public enum SchedOutStep : byte
{
    /// <summary><c>wakelist.add</c> (locked): put the vCPU on wakelist[cpu].</summary>
    WakelistAdd,
    /// <summary><c>nv.wakeup</c> (locked): cmpxchg NV = WAKEUP.</summary>
    NvWakeup,
    /// <summary><c>on.test</c> (load): if ON is set, send WAKEUP to the thread's own CPU (apic->send_IPI_self).</summary>
    OnTest,
}

/// <summary>Whether the wake-up vector is armed (KVM: vmx_needs_pi_wakeup / kvm_arch_has_assigned_device).</summary>
public enum WakeupVector : byte
{
    /// <summary>Armed exactly when the configuration has an IOMMU poster (an assigned device).</summary>
    Auto,
    Armed,
    Off,
}

/// <summary>kvm-2019's <c>sched.in</c> for a vCPU whose NV is WAKEUP and that moved to another CPU.</summary>
public enum BlockedNdst : byte
{
    /// <summary>Only clear SN; NDST stays with the wake list (the 2019 fix "Do not change PID.NDST when loading a blocked vCPU").</summary>
    Keep,
    /// <summary>Move NDST to the new CPU although the vCPU stays on the old CPU's wake list (before that fix).</summary>
    Follow,
}
