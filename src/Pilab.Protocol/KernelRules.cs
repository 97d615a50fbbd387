namespace Pilab.Protocol;

// The rules of the whole-system designs that KVM patches have changed over the years, each a key of
// the variant format with the real code's rule as its default (docs/whole-system.md, "Rules a patch
// may change"; docs/findings.md cites the code each value follows).

/// <summary>When <c>sched.in</c>'s <c>on.recompute</c> sets ON for a non-empty PIR (key <c>on-recompute</c>).</summary>
public enum OnRecompute : byte
{
    /// <summary>Whenever the load reaches it: after the full path, and after a fast path that cleared SN
    /// (vmx_vcpu_pi_load since c112b5f50232, v5.0; unchanged in v6.17).</summary>
    Always,
    /// <summary>Only when this load cleared an SN that was set: pilab's candidate fix (docs/findings.md).</summary>
    SnWasSet,
}

/// <summary>When an IOMMU post notifies (key <c>iommu-sn</c>).</summary>
public enum IommuSn : byte
{
    /// <summary>VT-d 5.2.3: set ON and notify only if ON was 0 and SN = 0.</summary>
    Respect,
    /// <summary>Ignoring SN: set ON and notify whenever ON was 0 (a rule no VT-d implements; it shows what SN is for).</summary>
    Ignore,
}

/// <summary>When kvm_sched_out marks the vCPU <c>preempted</c> (key <c>preempted</c>).</summary>
public enum PreemptedRule : byte
{
    /// <summary>v5.14 and later ("sched,perf,kvm: Fix preemption condition"): whenever the task is still on the
    /// run queue, so a thread preempted while INTERRUPTIBLE counts as preempted.</summary>
    OnRq,
    /// <summary>Before v5.14: only if the task state is RUNNING (<c>current->state == TASK_RUNNING</c>).</summary>
    Running,
}

/// <summary>What vmx_vcpu_pi_put does for a vCPU put while preempted, when the wake-up vector is armed (key <c>preempt-put</c>, kvm-2021 design).</summary>
public enum PreemptPut : byte
{
    /// <summary>v5.17-v6.16: a blocking vCPU gets the wake-up handler; then, if preempted, SN = 1.</summary>
    WakeupAndSn,
    /// <summary>v6.17 (6737557442e5 "Suppress PI notifications whenever the vCPU is put"): the wake-up handler
    /// only for a blocking vCPU that is not preempted; every other put sets SN = 1.</summary>
    Sn,
}

/// <summary>Whether the host kernel can preempt the vCPU thread in the block loop (key <c>host-preempt</c>).</summary>
public enum HostPreempt : byte
{
    /// <summary>CONFIG_PREEMPT (full, lazy, RT): the thread can be preempted before the block loop, before
    /// block.check and between block.check and schedule().</summary>
    Full,
    /// <summary>PREEMPT_NONE or PREEMPT_VOLUNTARY: the thread leaves its CPU only at the top of the entry
    /// (vcpu_run's need_resched check) and in schedule() itself.</summary>
    None,
}

/// <summary>The file format's words for the rules.</summary>
public static class KernelRuleNames
{
    public static string Name(OnRecompute r) => r == OnRecompute.Always ? "always" : "sn-was-set";
    public static string Name(IommuSn r) => r == IommuSn.Respect ? "respect" : "ignore";
    public static string Name(PreemptedRule r) => r == PreemptedRule.OnRq ? "on-rq" : "running";
    public static string Name(PreemptPut r) => r == PreemptPut.WakeupAndSn ? "wakeup-and-sn" : "sn";
    public static string Name(HostPreempt r) => r == HostPreempt.Full ? "full" : "none";

    /// <summary>Each key's words, in the order the errors list them.</summary>
    public static readonly string[] OnRecomputeWords = ["always", "sn-was-set"];
    public static readonly string[] IommuSnWords = ["respect", "ignore"];
    public static readonly string[] PreemptedWords = ["on-rq", "running"];
    public static readonly string[] PreemptPutWords = ["wakeup-and-sn", "sn"];
    public static readonly string[] HostPreemptWords = ["full", "none"];

    public static OnRecompute ParseOnRecompute(string w) => w == "always" ? OnRecompute.Always : OnRecompute.SnWasSet;
    public static IommuSn ParseIommuSn(string w) => w == "respect" ? IommuSn.Respect : IommuSn.Ignore;
    public static PreemptedRule ParsePreempted(string w) => w == "on-rq" ? PreemptedRule.OnRq : PreemptedRule.Running;
    public static PreemptPut ParsePreemptPut(string w) => w == "wakeup-and-sn" ? PreemptPut.WakeupAndSn : PreemptPut.Sn;
    public static HostPreempt ParseHostPreempt(string w) => w == "full" ? HostPreempt.Full : HostPreempt.None;
}
