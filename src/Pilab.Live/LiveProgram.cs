using Pilab.Protocol;

namespace Pilab.Live;

/// <summary>The vCPU thread's operations: a variant's entry steps plus the pre-patch request block and the exit path.</summary>
internal enum P0Op : byte
{
    /// <summary>Pre-patch: load requests; without EVENT skip the request block (KVM: kvm_check_request).</summary>
    ReqTest,
    /// <summary>Pre-patch: locked clear of EVENT.</summary>
    ReqClear,
    IrqOff, ModeIn, Mb, OnRead, OnClear, PirDrain, Check, Enter,
    /// <summary>Exit path: plain store mode = OUTSIDE (vcpu_enter_guest after the exit).</summary>
    ModeOut,
    /// <summary>Exit path: P0.IF = 1 (local_irq_enable), then the entry starts again.</summary>
    IrqOn,
}

/// <summary>
/// A variant compiled for the live runtime: P0's program [pre-patch block] entry... enter, mode.out,
/// irq.on, and the injector's sequence, each with the index a skip lands on. The same reading of the
/// variant as the checker's (SPEC.md sections 3 and 4): on.read with ON = 0 skips the on.clear /
/// pir.drain right after it; a cancelled check leaves through mode.out; a notify that sent NOTIFY skips
/// the kick after it; with on-already-set: kick, an injector that found ON set skips mode.read and
/// notify and kicks.
/// </summary>
internal sealed class LiveProgram
{
    public P0Op[] P0 { get; }
    public byte[] P0SkipTo { get; }
    /// <summary>Where VM exits and cancelled entries continue.</summary>
    public int ModeOutPc { get; }
    public InjectorStep[] Injector { get; }
    public byte[] InjectorSkipTo { get; }
    public Variant Variant { get; }

    public LiveProgram(Variant v)
    {
        Variant = v;
        var ops = new List<P0Op>();
        if (v.Requests == RequestHandling.PrePatch)
            ops.AddRange([P0Op.ReqTest, P0Op.ReqClear, P0Op.OnRead, P0Op.OnClear, P0Op.PirDrain]);
        int entryStart = ops.Count;
        ops.AddRange(v.Entry.Select(ToOp));
        ModeOutPc = ops.Count;
        ops.AddRange([P0Op.ModeOut, P0Op.IrqOn]);
        P0 = [.. ops];
        P0SkipTo = new byte[ops.Count];
        for (int pc = 0; pc < ops.Count; pc++)
        {
            int skip = pc + 1;
            if (ops[pc] == P0Op.ReqTest) skip = entryStart;
            else if (ops[pc] == P0Op.OnRead)
                while (skip < ops.Count && ops[skip] is P0Op.OnClear or P0Op.PirDrain) skip++;
            else if (ops[pc] == P0Op.Check) skip = ModeOutPc;
            P0SkipTo[pc] = (byte)skip;
        }

        Injector = [.. v.Injector];
        InjectorSkipTo = new byte[Injector.Length];
        for (int pc = 0; pc < Injector.Length; pc++)
        {
            int skip = pc + 1;
            if (Injector[pc] == InjectorStep.Notify && skip < Injector.Length && Injector[skip] == InjectorStep.Kick)
                skip++;
            else if (Injector[pc] == InjectorStep.ModeRead && v.OnAlreadySet == OnAlreadySet.Kick)
            {
                int k = pc + 1;
                while (k < Injector.Length && Injector[k] != InjectorStep.Kick) k++;
                skip = k;
            }
            InjectorSkipTo[pc] = (byte)skip;
        }
    }

    public static string Name(P0Op op) => op switch
    {
        P0Op.ReqTest => "req.test",
        P0Op.ReqClear => "req.clear",
        P0Op.IrqOff => "irq.off",
        P0Op.ModeIn => "mode.in",
        P0Op.Mb => "mb",
        P0Op.OnRead => "on.read",
        P0Op.OnClear => "on.clear",
        P0Op.PirDrain => "pir.drain",
        P0Op.Check => "check",
        P0Op.Enter => "enter",
        P0Op.ModeOut => "mode.out",
        P0Op.IrqOn => "irq.on",
        _ => "?",
    };

    private static P0Op ToOp(EntryStep s) => s switch
    {
        EntryStep.IrqOff => P0Op.IrqOff,
        EntryStep.ModeIn => P0Op.ModeIn,
        EntryStep.Mb => P0Op.Mb,
        EntryStep.OnRead => P0Op.OnRead,
        EntryStep.OnClear => P0Op.OnClear,
        EntryStep.PirDrain => P0Op.PirDrain,
        EntryStep.Check => P0Op.Check,
        EntryStep.Enter => P0Op.Enter,
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };
}
