using System.Collections.Immutable;

namespace Pilab.Protocol;

/// <summary>The vCPU thread's operations: the entry steps of docs/model.md section 3 plus the pre-patch
/// request test and the exit path.</summary>
public enum ThreadOp : byte
{
    /// <summary>Pre-patch: load requests; if EVENT is not pending skip the request block.</summary>
    ReqTest,
    /// <summary>Pre-patch: locked clear of EVENT (kvm_check_request).</summary>
    ReqClear,
    IrqOff, ModeIn, Mb, OnRead, OnClear, PirDrain, Check, Enter,
    /// <summary>Exit path: plain store mode = OUTSIDE.</summary>
    ModeOut,
    /// <summary>Exit path: P0.IF = 1, then the entry starts again.</summary>
    IrqOn,
}

/// <summary>One instruction of a compiled program: what it does and where a skip lands.</summary>
public readonly record struct Instruction<TOp>(TOp Op, byte SkipTo) where TOp : struct;

/// <summary>
/// A variant compiled to the programs the model (PiSystem) and the live runtime both run, so the two
/// read a variant the same way (docs/model.md sections 3 and 4). The vCPU thread's program is
/// [pre-patch block] entry... enter, mode.out, irq.on; pc = <see cref="GuestPc"/> while the guest runs.
/// VM exits and cancelled entries continue at <see cref="ModeOutPc"/>.
/// </summary>
public sealed class ThreadProgram
{
    public ImmutableArray<Instruction<ThreadOp>> Thread { get; }
    public ImmutableArray<Instruction<InjectorStep>> Injector { get; }
    public int ModeOutPc { get; }
    public int GuestPc { get; }
    public Variant Variant { get; }

    public ThreadProgram(Variant v)
    {
        Variant = v;
        var ops = new List<ThreadOp>();
        if (v.Requests == RequestHandling.PrePatch)
            ops.AddRange([ThreadOp.ReqTest, ThreadOp.ReqClear, ThreadOp.OnRead, ThreadOp.OnClear, ThreadOp.PirDrain]);
        int entryStart = ops.Count;
        ops.AddRange(v.Entry.Select(ToOp));
        ModeOutPc = ops.Count;
        ops.AddRange([ThreadOp.ModeOut, ThreadOp.IrqOn]);
        GuestPc = ops.Count;

        var thread = new Instruction<ThreadOp>[ops.Count];
        for (int pc = 0; pc < ops.Count; pc++)
        {
            int skip = pc + 1;
            if (ops[pc] == ThreadOp.ReqTest) skip = entryStart;
            else if (ops[pc] == ThreadOp.OnRead)
            {
                // ON = 0 skips the on.clear / pir.drain that directly follow (KVM: if (pi_test_on) ...).
                while (skip < ops.Count && ops[skip] is ThreadOp.OnClear or ThreadOp.PirDrain) skip++;
            }
            else if (ops[pc] == ThreadOp.Check) skip = ModeOutPc; // a cancelled entry leaves through mode.out
            thread[pc] = new(ops[pc], (byte)skip);
        }
        Thread = [.. thread];

        var inj = new Instruction<InjectorStep>[v.Injector.Length];
        for (int pc = 0; pc < inj.Length; pc++)
        {
            int skip = pc + 1;
            var op = v.Injector[pc];
            if (op == InjectorStep.Notify && skip < inj.Length && v.Injector[skip] == InjectorStep.Kick)
                skip++; // the IPI was sent: the kick that follows is the other branch (seed 4a vs 4b)
            else if (op == InjectorStep.ModeRead && v.OnAlreadySet == OnAlreadySet.Kick)
            {
                // pre-patch: if ON was already set, kick without reading mode
                int k = pc + 1;
                while (k < inj.Length && v.Injector[k] != InjectorStep.Kick) k++;
                skip = k;
            }
            inj[pc] = new(op, (byte)skip);
        }
        Injector = [.. inj];
    }

    /// <summary>The thread ops that are entry steps, each with its step: the one place the two enums meet.</summary>
    private static readonly (EntryStep Step, ThreadOp Op)[] EntryOps =
    [
        (EntryStep.IrqOff, ThreadOp.IrqOff), (EntryStep.ModeIn, ThreadOp.ModeIn), (EntryStep.Mb, ThreadOp.Mb),
        (EntryStep.OnRead, ThreadOp.OnRead), (EntryStep.OnClear, ThreadOp.OnClear), (EntryStep.PirDrain, ThreadOp.PirDrain),
        (EntryStep.Check, ThreadOp.Check), (EntryStep.Enter, ThreadOp.Enter),
    ];

    private static ThreadOp ToOp(EntryStep s)
    {
        foreach (var (step, op) in EntryOps)
            if (step == s) return op;
        throw new ArgumentOutOfRangeException(nameof(s));
    }

    private static EntryStep? EntryStepOf(ThreadOp op)
    {
        foreach (var (step, o) in EntryOps)
            if (o == op) return step;
        return null;
    }

    /// <summary>docs/model.md's name of the op: an entry step's own name (<see cref="StepNames"/>), else the pre-patch and exit-path names.</summary>
    public static string Name(ThreadOp op) => op switch
    {
        ThreadOp.ReqTest => "req.test",
        ThreadOp.ReqClear => "req.clear",
        ThreadOp.ModeOut => "mode.out",
        ThreadOp.IrqOn => "irq.on",
        _ => EntryStepOf(op) is { } s ? StepNames.Name(s) : "?",
    };

    /// <summary>The seed mail's pairing number of an entry step; the pre-patch and exit-path ops have none.</summary>
    public static string? SeedNumber(ThreadOp op) => EntryStepOf(op) is { } s ? StepNames.SeedNumber(s) : null;
}
