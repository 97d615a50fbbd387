using System.Collections.Immutable;
using Pilab.Protocol;

namespace Pilab.Model.WholeSystem;

/// <summary>The vCPU thread's operations in the whole system (docs/whole-system.md).</summary>
public enum SysOp : byte
{
    // the entry (docs/model.md section 3)
    IrqOff, ModeIn, Mb, OnRead, OnClear, PirDrain, Check, Enter,
    // the exit path
    ModeOut, IrqOn,
    // kvm-2019: pi_pre_block, before the block loop
    PreBlock,
    // the block loop (kvm_vcpu_block)
    WaiterSet, TaskSet, IrrCheck, SchedOutBlock,
    // pi_enable_wakeup_handler, inside sched.out.block (kvm-2021, wake-up vector armed)
    WakelistAdd, NvWakeup, OnTest,
    // the context switch that takes a blocking thread off its CPU
    Sleep,
    // kvm-2019: pi_post_block, after the block loop
    PostBlock,
}

/// <summary>One instruction of the thread: its operation, where a skip lands, its name and whether the thread may be preempted before it.</summary>
public readonly record struct SysInstruction(SysOp Op, byte SkipTo, bool Preemptible, string Name);

/// <summary>
/// A whole-system variant compiled for one configuration (whether the wake-up vector is armed
/// depends on it). The thread's program is
/// <c>entry... enter | mode.out irq.on | [pre.block] loop... sched.out.block [wakelist.add nv.wakeup on.test] sleep | [post.block]</c>;
/// pc = <see cref="GuestPc"/> while the guest runs.
/// </summary>
public sealed class SystemProgram
{
    public ImmutableArray<SysInstruction> Thread { get; }
    public ImmutableArray<SchedInStep> SchedIn { get; }
    public ImmutableArray<InjectorStep> Injector { get; }
    /// <summary>For each injector pc, where the post continues when notify sent the IPI or wake woke the thread (past the else branch).</summary>
    public ImmutableArray<byte> InjectorSkip { get; }
    public ImmutableArray<SchedOutStep> SchedOutBlock { get; }
    public Variant Variant { get; }
    public bool WakeupArmed { get; }
    public int ModeOutPc { get; }
    public int BlockPc { get; }
    public int LoopPc { get; }
    public int GuestPc { get; }

    public SystemProgram(Variant v, Configuration c)
    {
        Variant = v;
        WakeupArmed = v.WakeupArmed(c);
        bool v2019 = v.Design == KvmDesign.Kvm2019;
        var ops = new List<(SysOp Op, string Name)>();
        foreach (var e in v.Entry) ops.Add((ToOp(e), StepNames.Name(e)));
        ModeOutPc = ops.Count;
        ops.Add((SysOp.ModeOut, "mode.out"));
        ops.Add((SysOp.IrqOn, "irq.on"));
        BlockPc = ops.Count;
        if (v2019 && WakeupArmed) ops.Add((SysOp.PreBlock, "pre.block"));
        LoopPc = ops.Count;
        int blockCheckPc = -1;
        foreach (var b in v.Block)
        {
            var (op, group) = b switch
            {
                BlockStep.WaiterSet => (SysOp.WaiterSet, "wait.prepare"),
                BlockStep.TaskSet => (SysOp.TaskSet, "wait.prepare"),
                BlockStep.Mb => (SysOp.Mb, "wait.prepare"),
                BlockStep.OnRead => (SysOp.OnRead, "block.check"),
                BlockStep.OnClear => (SysOp.OnClear, "block.check"),
                BlockStep.PirDrain => (SysOp.PirDrain, "block.check"),
                BlockStep.IrrCheck => (SysOp.IrrCheck, "block.check"),
                _ => (SysOp.SchedOutBlock, ""),
            };
            if (blockCheckPc < 0 && op is SysOp.OnRead or SysOp.IrrCheck) blockCheckPc = ops.Count;
            string name = StepNames.Name(b);
            ops.Add((op, group.Length == 0 || group == name ? name : $"{group}: {name}"));
        }
        int schedOutPc = ops.Count - 1;
        if (!v2019 && WakeupArmed)
            foreach (var so in v.SchedOutBlock)
                ops.Add((so switch { SchedOutStep.WakelistAdd => SysOp.WakelistAdd, SchedOutStep.NvWakeup => SysOp.NvWakeup, _ => SysOp.OnTest },
                    "sched.out.block: " + StepNames.Name(so)));
        ops.Add((SysOp.Sleep, "sleep"));
        int postBlockPc = -1;
        if (v2019 && WakeupArmed)
        {
            postBlockPc = ops.Count;
            ops.Add((SysOp.PostBlock, "post.block"));
        }
        GuestPc = ops.Count;

        var thread = new SysInstruction[ops.Count];
        for (int pc = 0; pc < ops.Count; pc++)
        {
            var op = ops[pc].Op;
            int skip = pc + 1;
            switch (op)
            {
                case SysOp.OnRead:
                    // ON = 0 skips the on.clear / pir.drain that directly follow (KVM: if (pi_test_on) ...).
                    while (skip < ops.Count && ops[skip].Op is SysOp.OnClear or SysOp.PirDrain) skip++;
                    break;
                case SysOp.Check: skip = ModeOutPc; break;            // a cancelled entry leaves through mode.out
                case SysOp.IrrCheck: skip = postBlockPc >= 0 ? postBlockPc : 0; break; // leave the loop
                case SysOp.SchedOutBlock: skip = LoopPc; break;       // woken already: loop again
                case SysOp.PreBlock: skip = 0; break;                 // ON already set: do not block
                case SysOp.Sleep: skip = LoopPc; break;               // after the wake-up, the loop goes on
            }
            // docs/whole-system.md: preemption points are the top of the entry (IF = 1) and, in the block
            // path of a preemptible host (host-preempt: full), before pre.block / wait.prepare, before
            // block.check and before sched.out.block.
            bool preemptible = pc == 0 ||
                (v.HostPreempt == HostPreempt.Full && (pc == BlockPc || pc == LoopPc || pc == blockCheckPc || pc == schedOutPc));
            thread[pc] = new(op, (byte)skip, preemptible, ops[pc].Name);
        }
        Thread = [.. thread];
        SchedIn = v.SchedIn;
        SchedOutBlock = v.SchedOutBlock;
        Injector = v.Injector;
        var injSkip = new byte[v.Injector.Length];
        for (int pc = 0; pc < injSkip.Length; pc++)
        {
            // notify's IPI and a successful wake end the post: the wake / kick after them is the other branch
            // (kvm_vcpu_trigger_posted_interrupt returns true; kvm_vcpu_kick returns after a wake-up).
            int k = pc + 1;
            while (k < injSkip.Length && v.Injector[k] is InjectorStep.Wake or InjectorStep.Kick) k++;
            injSkip[pc] = (byte)k;
        }
        InjectorSkip = [.. injSkip];
    }

    private static SysOp ToOp(EntryStep s) => s switch
    {
        EntryStep.IrqOff => SysOp.IrqOff,
        EntryStep.ModeIn => SysOp.ModeIn,
        EntryStep.Mb => SysOp.Mb,
        EntryStep.OnRead => SysOp.OnRead,
        EntryStep.OnClear => SysOp.OnClear,
        EntryStep.PirDrain => SysOp.PirDrain,
        EntryStep.Check => SysOp.Check,
        EntryStep.Enter => SysOp.Enter,
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };
}
