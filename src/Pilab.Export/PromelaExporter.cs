using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Export;

/// <summary>
/// Writes one variant in one configuration as a Promela model with exactly pilab's semantics
/// (<see cref="PiSystem"/> interpreting a <see cref="ThreadProgram"/>), so SPIN can check it.
/// <para>
/// Every global of the model is a field of <see cref="PiState"/>, kept normalised the same way (a
/// finished injector's mode read and ON-was-set go back to 0, a flushed store-buffer slot to 0), and
/// every step of pilab is one <c>d_step</c> guarded by pilab's enabling condition; why that makes
/// SPIN's states pilab's one to one, and how the terminal-state monitor checks docs/model.md section 5,
/// is <see cref="PromelaWriter"/>'s to say.
/// </para>
/// </summary>
public static class PromelaExporter
{
    /// <summary>How to verify an export with SPIN; the README and the export's header quote it.</summary>
    public const string SpinCommand =
        "spin -a model.pml && gcc -O2 -DSAFETY -DNOREDUCE -o pan pan.c && ./pan -m1000000";

    public static string Export(Variant variant, Configuration configuration)
    {
        if (configuration.Problem(KvmDesign.Entry) is { } problem) throw new ArgumentException(problem, nameof(configuration));
        var program = new ThreadProgram(variant);
        var w = new PromelaWriter();
        bool tso = configuration.Memory == MemoryModel.TSO;
        int k = configuration.Injectors;
        int posted = 0;
        for (int i = 0; i < k; i++) posted |= 1 << configuration.VectorOf(i);

        w.Line($"/* pilab export: variant {variant.Name} [{configuration}]");
        w.Line($" * entry:    {variant.EntryText}");
        w.Line($" * injector: {variant.InjectorText} (on-already-set: {StepNames.Name(variant.OnAlreadySet)}, requests: {StepNames.Name(variant.Requests)})");
        w.Line(" * The semantics of pilab's PiSystem (docs/model.md sections 2-6), one d_step per pilab step.");
        w.HeaderEnd("no lost interrupt");
        w.ModeDefines();
        w.Line($"#define K        {k}   /* injectors */");
        w.Line($"#define POSTS    {configuration.Posts}   /* posts per injector */");
        w.Line($"#define POSTED   {posted}   /* the vectors posted, bit v-1 for vector v */");
        w.Line();
        w.Line("/* docs/model.md section 2; vectors are bits 0-3 (v1-v4) */");
        w.Line("byte pir = 0;          /* PIR */");
        w.Line("bit  on = 0;           /* ON */");
        w.Line("byte mode = OUTSIDE;   /* vcpu->mode in memory */");
        w.Line("bit  req_event = 0;    /* KVM_REQ_EVENT in requests */");
        w.Line("byte virr = 0;         /* vIRR */");
        w.Line("byte delivered = 0;    /* vectors the guest took */");
        w.Line("bit  p0_if = 1;        /* P0.IF */");
        w.Line("bit  p0_guest = 0;     /* P0 in VMX non-root mode */");
        w.Line("bit  p0_notify = 0;    /* NOTIFY pending at P0 */");
        w.Line("bit  p0_resched = 0;   /* RESCHED pending at P0 */");
        w.Line("byte thread_pc = 0;    /* the vCPU thread's program counter (pilab's ThreadProgram) */");
        w.Line($"byte exits_left = {configuration.Exits}; /* VM exits the guest may still cause */");
        if (tso)
        {
            w.Line("byte sb_len = 0;       /* P0's store buffer (docs/model.md section 6): length, then modes oldest first */");
            w.Line($"byte sb[{PiState.StoreBufferCapacity}];");
        }
        w.Line("byte inj_pc[K];        /* injector i: program counter, posts done, mode read, ON was already set */");
        w.Line("byte inj_posts[K];");
        w.Line("byte inj_mode[K];");
        w.Line("bit  inj_on_was_set[K];");
        w.Line();
        string seen = tso ? "(sb_len == 0 -> mode : sb[sb_len - 1])" : "mode";
        string bufferEmpty = tso ? " && sb_len == 0" : "";
        // IrqPriority: a pending host interrupt with IF = 1 runs before the vCPU thread's next step.
        string priority = configuration.IrqPriority ? " && !(p0_if && (p0_notify || p0_resched))" : "";

        w.BeginActor("The vCPU thread on P0: entry, exit path (pilab's ThreadProgram, compiled from the variant).", "Vcpu");
        var thread = program.Thread;
        for (int pc = 0; pc < thread.Length; pc++)
        {
            var ins = thread[pc];
            int next = pc + 1 == program.GuestPc ? 0 : pc + 1;
            string seed = ThreadProgram.SeedNumber(ins.Op) is { } n ? $" ({n})" : "";
            string guard = $"!p0_guest && thread_pc == {pc}{priority}";
            string body;
            switch (ins.Op)
            {
                case ThreadOp.ReqTest:
                    body = $"if :: req_event -> thread_pc = {next} :: else -> thread_pc = {ins.SkipTo} fi";
                    break;
                case ThreadOp.ReqClear:
                    guard += bufferEmpty;
                    body = $"req_event = 0; thread_pc = {next}";
                    break;
                case ThreadOp.IrqOff:
                    body = $"p0_if = 0; thread_pc = {next}";
                    break;
                case ThreadOp.ModeIn:
                case ThreadOp.ModeOut:
                    string m = ins.Op == ThreadOp.ModeIn ? "IN_GUEST" : "OUTSIDE";
                    if (tso)
                    {
                        guard += $" && sb_len < {PiState.StoreBufferCapacity}";
                        body = $"sb[sb_len] = {m}; sb_len++; thread_pc = {next}";
                    }
                    else body = $"mode = {m}; thread_pc = {next}";
                    break;
                case ThreadOp.Mb:
                    guard += bufferEmpty;
                    body = $"thread_pc = {next}";
                    break;
                case ThreadOp.OnRead:
                    body = $"if :: on -> thread_pc = {next} :: else -> thread_pc = {ins.SkipTo} fi";
                    break;
                case ThreadOp.OnClear:
                    guard += bufferEmpty;
                    body = $"on = 0; thread_pc = {next}";
                    break;
                case ThreadOp.PirDrain:
                    guard += bufferEmpty;
                    body = $"virr = virr | pir; pir = 0; thread_pc = {next}";
                    break;
                case ThreadOp.Check:
                    body = $"if :: ({seen} == EXITING || req_event) -> thread_pc = {ins.SkipTo} :: else -> thread_pc = {next} fi";
                    break;
                case ThreadOp.Enter:
                    body = $"p0_guest = 1; thread_pc = {program.GuestPc}";
                    break;
                case ThreadOp.IrqOn:
                    body = $"p0_if = 1; thread_pc = {next}";
                    break;
                default:
                    throw new InvalidOperationException($"no Promela for {ins.Op}");
            }
            w.Step(guard, body, $"{pc}: {ThreadProgram.Name(ins.Op)}{seed}");
        }
        w.EndActor();

        string vmExit = $"p0_guest = 0; p0_if = 0; thread_pc = {program.ModeOutPc}";
        w.BeginActor("P0's interrupt hardware (docs/model.md section 3, 'Hardware of P0').", "P0Cpu");
        w.Step("!p0_guest && p0_if && p0_notify", "p0_notify = 0", "host.irq: the dummy handler eats NOTIFY");
        w.Step("!p0_guest && p0_if && p0_resched", "p0_resched = 0", "host.irq: RESCHED handled");
        w.Step("p0_guest && p0_notify", "p0_notify = 0; on = 0; virr = virr | pir; pir = 0", "pi.process (SDM 29.6)");
        w.Step("p0_guest && p0_resched", vmExit, "extint.exit: RESCHED stays pending");
        w.EndActor();
        w.BeginActor("The guest: takes the highest vector of vIRR, or causes a VM exit of its own.", "Guest");
        w.GuestTakes("p0_guest", PiState.VectorCount, "virtual-interrupt delivery (SDM 29.2.2)");
        w.Step("p0_guest && exits_left > 0", $"{vmExit}; exits_left--", "guest.exit");
        w.EndActor();
        if (tso)
        {
            w.BeginActor("P0's store buffer: the oldest store reaches memory (docs/model.md section 6).", "StoreBuffer");
            w.Step("sb_len > 0", $"mode = sb[0]; {PromelaWriter.ShiftStoreBuffer(PiState.StoreBufferCapacity)}", "flush");
            w.EndActor();
        }

        for (int i = 0; i < k; i++)
            WriteInjector(w, program, variant.OnAlreadySet, i, 1 << configuration.VectorOf(i));

        var allDone = string.Join(" && ", Enumerable.Range(0, k).Select(i => $"inj_posts[{i}] == POSTS"));
        w.Monitor("docs/model.md section 5, checked in terminal states: 'timeout' holds only when no other step is enabled.",
            $"{allDone} && p0_guest && !p0_notify && !p0_resched",
            "pir == 0 && !on && virr == 0 && (delivered & POSTED) == POSTED");
        return w.ToString();
    }

    private static void WriteInjector(PromelaWriter w, ThreadProgram program, OnAlreadySet policy, int i, int v)
    {
        var inj = program.Injector;
        int length = inj.Length;
        string done = $"inj_pc[{i}] = 0; inj_posts[{i}]++; inj_mode[{i}] = OUTSIDE; inj_on_was_set[{i}] = 0";
        // A post ends when its sequence runs out (or a step says it is done): the injector's word is
        // reset, as PiSystem's InjectorStepOf does, so equal situations are equal states.
        string Go(int pc) => pc >= length ? done : $"inj_pc[{i}] = {pc}";

        w.BeginActor($"Injector P{i + 1}, posting v{System.Numerics.BitOperations.TrailingZeroCount(v) + 1} (KVM: vmx_deliver_posted_interrupt).", $"Injector{i + 1}");
        for (int pc = 0; pc < length; pc++)
        {
            var ins = inj[pc];
            string guard = $"inj_posts[{i}] < POSTS && inj_pc[{i}] == {pc}";
            string body = ins.Op switch
            {
                InjectorStep.PirSet => $"if :: (pir & {v}) != 0 -> {done} :: else -> pir = pir | {v}; {Go(pc + 1)} fi",
                InjectorStep.OnSet => policy switch
                {
                    OnAlreadySet.Done => $"if :: on -> {done} :: else -> on = 1; {Go(pc + 1)} fi",
                    OnAlreadySet.Kick => $"if :: on -> inj_on_was_set[{i}] = 1; {Go(pc + 1)} :: else -> on = 1; {Go(pc + 1)} fi",
                    _ => $"on = 1; {Go(pc + 1)}",
                },
                InjectorStep.ReqSet => $"req_event = 1; {Go(pc + 1)}",
                InjectorStep.ModeRead => policy == OnAlreadySet.Kick
                    ? $"if :: inj_on_was_set[{i}] -> {Go(ins.SkipTo)} :: else -> inj_mode[{i}] = mode; {Go(pc + 1)} fi"
                    : $"inj_mode[{i}] = mode; {Go(pc + 1)}",
                InjectorStep.Notify => $"if :: inj_mode[{i}] == IN_GUEST -> p0_notify = 1; {Go(ins.SkipTo)} :: else -> {Go(pc + 1)} fi",
                // kvm_vcpu_exiting_guest_mode: cmpxchg(&vcpu->mode, IN_GUEST_MODE, EXITING_GUEST_MODE)
                InjectorStep.Kick => $"if :: mode == IN_GUEST -> mode = EXITING; p0_resched = 1 :: else -> skip fi; {Go(pc + 1)}",
                InjectorStep.Mb => Go(pc + 1), // injectors make no plain stores: their buffer is always empty
                _ => throw new InvalidOperationException($"no Promela for {ins.Op}"),
            };
            string seed = StepNames.SeedNumber(ins.Op) is { } n ? $" ({n})" : "";
            w.Step(guard, body, $"{pc}: {StepNames.Name(ins.Op)}{seed}");
        }
        w.EndActor();
    }
}
