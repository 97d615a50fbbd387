using System.Collections.Immutable;
using System.Text;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Export;

/// <summary>What pilab's x86-TSO check predicts for a litmus test's <c>exists</c> clause.</summary>
public enum LitmusPrediction : byte
{
    /// <summary>The lost-interrupt outcome is reachable: pilab loses under TSO through the memory steps alone.</summary>
    Sometimes,
    /// <summary>The outcome is unreachable: pilab proves the variant (one injector, one post) under TSO.</summary>
    Never,
    /// <summary>pilab loses, but only through steps LKMM cannot express (the interrupt flag, the NOTIFY IPI and
    /// its handler, blocking): the test's memory outcome is unreachable and the race is not in it.</summary>
    NotCaptured,
}

/// <summary>
/// <c>pilab export --litmus</c>: the store-buffering core of a variant as a C litmus test for the Linux
/// kernel memory model (LKMM, <c>tools/memory-model</c>, run with herd7). The mapping of each pilab step to
/// the kernel primitive it stands for, and what the test leaves out, is docs/litmus.md.
/// <para>
/// An entry design gives P0, the vCPU's entry path (vcpu_enter_guest) up to VM entry, and P1, one injector
/// posting one vector (vmx_deliver_posted_interrupt). A whole-system design whose <c>sched.in</c> recomputes
/// ON gives the core of the lost wake-up instead: P0 the vCPU thread's kvm_vcpu_check_block, then
/// vmx_vcpu_pi_load's recompute on the CPU it is loaded on; P1 the injector's two locked updates.
/// </para>
/// <para>
/// LKMM has no bit operations (linux-kernel.def), so each bit is its own <c>int</c>: a fully ordered
/// value-returning bit RMW (<c>test_and_set_bit</c>, <c>test_and_clear_bit</c>) is <c>xchg()</c>, an
/// unordered one (<c>set_bit</c>, <c>clear_bit</c>) is <c>xchg_relaxed()</c> with its result unused
/// (Documentation/atomic_bitops.txt gives them exactly these orderings).
/// </para>
/// </summary>
public static class LitmusExporter
{
    /// <summary>How to run an export with herd7 against LKMM; the export's header and docs/litmus.md quote it.</summary>
    public const string HerdCommand = "herd7 -conf linux-kernel.cfg test.litmus   (in tools/memory-model)";

    /// <summary>The configuration every litmus test stands for: one injector posting one vector once.</summary>
    public static Configuration CoreConfiguration(Variant variant, MemoryModel memory) =>
        variant.WholeSystem ? variant.Check with { Memory = memory } : new Configuration(Memory: memory, Injectors: 1, Posts: 1, Exits: 0);

    /// <summary>What pilab's checker predicts for the test's <c>exists</c> clause, the TSO and SC verdicts it
    /// rests on, and whether the test is the recompute core: a whole-system variant whose shortest losing run
    /// has vmx_vcpu_pi_load set ON for a vector in PIR and an injector then find ON set and return.</summary>
    public static (LitmusPrediction Prediction, Verdict Tso, Verdict Sc, bool RecomputeCore) Predict(Variant variant)
    {
        RefuseAvic(variant);
        var tso = Models.Check(variant, CoreConfiguration(variant, MemoryModel.TSO));
        var sc = Models.Check(variant, CoreConfiguration(variant, MemoryModel.SC)).Exploration.Verdict;
        var verdict = tso.Exploration.Verdict;
        if (verdict != Verdict.Violation) return (LitmusPrediction.Never, verdict, sc, false);
        if (variant.WholeSystem)
        {
            bool recompute = tso.Trace is { } run && RecomputeRace(run);
            return (recompute ? LitmusPrediction.Sometimes : LitmusPrediction.NotCaptured, verdict, sc, recompute);
        }
        // The memory steps alone lose if the same variant still loses with interrupts off from the start,
        // where a NOTIFY always waits for the VM entry and no dummy handler can eat it.
        var twin = variant with { Entry = [EntryStep.IrqOff, .. variant.Entry.Where(s => s != EntryStep.IrqOff)] };
        bool memory = Models.Check(twin, CoreConfiguration(twin, MemoryModel.TSO)).Exploration.Verdict == Verdict.Violation;
        return (memory ? LitmusPrediction.Sometimes : LitmusPrediction.NotCaptured, verdict, sc, false);
    }

    private static bool RecomputeRace(Trace run)
    {
        bool recomputed = false;
        foreach (var e in run.Steps)
        {
            if (e.Outcome == Outcome.PirNotEmptySetOn) recomputed = true;
            else if (recomputed && e.Actor == Actor.Injector && e.Outcome == Outcome.OnAlreadySetDone) return true;
        }
        return false;
    }

    /// <summary>Why design avic has no litmus export (export --litmus says it too).</summary>
    public const string AvicReason =
        "the litmus test is the store-buffering core of APICv's descriptor protocol (PIR, ON, mode); AVIC's IRR and IsRunning have no such core in it yet";

    /// <summary>Throws <see cref="NotSupportedException"/> with the refusal for a variant of design avic.</summary>
    public static void RefuseAvic(Variant variant)
    {
        if (variant.IsAvic) throw new NotSupportedException(Models.Refusal("export --litmus", variant, AvicReason));
    }

    /// <summary>The variant's store-buffering core as an LKMM litmus test; a variant of design avic is refused
    /// (<see cref="NotSupportedException"/>, naming the design).</summary>
    public static string Export(Variant variant)
    {
        RefuseAvic(variant);
        var (prediction, tso, sc, recompute) = Predict(variant);
        return recompute
            ? ExportRecompute(variant, prediction, tso, sc)
            : ExportEntry(variant, prediction, tso, sc);
    }

    private const string Modes = "mode: 0 OUTSIDE_GUEST_MODE, 1 IN_GUEST_MODE, 2 EXITING_GUEST_MODE";

    private static string ExportEntry(Variant variant, LitmusPrediction prediction, Verdict tso, Verdict sc)
    {
        var p0 = new Thread("P0");
        var p1 = new Thread("P1");
        bool requests = variant.Requests == RequestHandling.PrePatch || variant.Injector.Contains(InjectorStep.ReqSet);
        string? checkMode = null, checkReq = null;

        // P0: the entry path, once, up to VM entry (the pre-patch request block first).
        if (variant.Requests == RequestHandling.PrePatch)
        {
            string ev = p0.Reg("KVM_REQ_EVENT pending");
            p0.Line($"{ev} = READ_ONCE(*req);", "kvm_check_request(KVM_REQ_EVENT): test_bit");
            p0.Open($"if ({ev}) {{");
            p0.Line($"{p0.Reg("unused")} = xchg_relaxed(req, 0);", "kvm_clear_request: clear_bit");
            p0.Line("smp_mb__after_atomic();", "kvm_check_request");
            Sync(p0, [EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain]);
            p0.Close();
        }
        var entry = variant.Entry;
        for (int i = 0; i < entry.Length; i++)
        {
            switch (entry[i])
            {
                case EntryStep.IrqOff: p0.Comment("irq.off: local_irq_disable(); the interrupt flag is not in LKMM"); break;
                case EntryStep.ModeIn: p0.Line("WRITE_ONCE(*mode, 1);", "mode.in: vcpu->mode = IN_GUEST_MODE"); break;
                case EntryStep.Mb: p0.Line("smp_mb();", "mb: smp_mb__after_srcu_read_unlock / smp_store_mb"); break;
                case EntryStep.OnRead:
                    int end = i + 1;
                    while (end < entry.Length && entry[end] is EntryStep.OnClear or EntryStep.PirDrain) end++;
                    Sync(p0, entry[i..end]);
                    i = end - 1;
                    break;
                case EntryStep.OnClear: p0.Line($"{p0.Reg("ON was set")} = xchg(on, 0);", "on.clear: pi_test_and_clear_on"); break;
                case EntryStep.PirDrain: p0.Line($"{p0.Reg("PIR drained into vIRR")} = xchg(pir, 0);", "pir.drain: kvm_apic_update_irr, xchg of the PIR word"); break;
                case EntryStep.Check:
                    checkMode = p0.Reg("mode at the check");
                    p0.Line($"{checkMode} = READ_ONCE(*mode);", "check: vcpu->mode == EXITING_GUEST_MODE");
                    if (requests)
                    {
                        checkReq = p0.Reg("requests at the check");
                        p0.Line($"{checkReq} = READ_ONCE(*req);", "check: kvm_request_pending");
                    }
                    break;
                case EntryStep.Enter: p0.Comment("enter: VM entry; the guest, the NOTIFY IPI and posted-interrupt processing are not in LKMM"); break;
            }
        }

        // P1: one injector posting v1 once.
        string? notifyMode = null, kick = null;
        string? onWas = null;
        var inj = variant.Injector;
        int opened = 0;
        bool kickRule = variant.OnAlreadySet == OnAlreadySet.Kick;
        int kickGuardUntil = -1;
        for (int i = 0; i < inj.Length; i++)
        {
            if (i == kickGuardUntil) { p1.Close(); opened--; kickGuardUntil = -1; }
            switch (inj[i])
            {
                case InjectorStep.PirSet:
                    string pirWas = p1.Reg("v was already in PIR");
                    p1.Line($"{pirWas} = xchg(pir, 1);", "pir.set: pi_test_and_set_pir (test_and_set_bit)");
                    p1.Open($"if ({pirWas} == 0) {{", "coalesced otherwise: the post is done");
                    opened++;
                    break;
                case InjectorStep.OnSet:
                    onWas = p1.Reg("ON was already set");
                    p1.Line($"{onWas} = xchg(on, 1);", "on.set: pi_test_and_set_on (test_and_set_bit)");
                    if (variant.OnAlreadySet == OnAlreadySet.Done)
                    {
                        p1.Open($"if ({onWas} == 0) {{", "ON already set: a notification is due, the post is done");
                        opened++;
                    }
                    break;
                case InjectorStep.ReqSet:
                    p1.Line("smp_wmb();", "kvm_make_request");
                    p1.Line($"{p1.Reg("unused")} = xchg_relaxed(req, 1);", "req.set: kvm_make_request(KVM_REQ_EVENT): set_bit");
                    break;
                case InjectorStep.ModeRead:
                    if (kickRule && onWas is not null)
                    {
                        // pre-patch: if ON was already set, kick without reading mode
                        int k = i + 1;
                        while (k < inj.Length && inj[k] != InjectorStep.Kick) k++;
                        p1.Open($"if ({onWas} == 0) {{", "if (r || !kvm_vcpu_trigger_posted_interrupt(vcpu)) kvm_vcpu_kick(vcpu)");
                        opened++;
                        kickGuardUntil = k;
                    }
                    notifyMode = p1.Reg("mode read by the injector");
                    p1.Line($"{notifyMode} = READ_ONCE(*mode);", "mode.read: vcpu->mode == IN_GUEST_MODE (kvm_vcpu_trigger_posted_interrupt)");
                    break;
                case InjectorStep.Notify:
                    p1.Comment($"notify: {notifyMode} == 1 sends POSTED_INTR_VECTOR; IPIs are not in LKMM");
                    break;
                case InjectorStep.Kick:
                    bool afterNotify = i > 0 && inj[i - 1] == InjectorStep.Notify && notifyMode is not null;
                    if (afterNotify) { p1.Open($"if ({notifyMode} != 1) {{", "no IPI sent: kvm_vcpu_kick"); opened++; }
                    kick = p1.Reg("mode seen by the kick's cmpxchg");
                    p1.Line("smp_mb__before_atomic();", "kick: kvm_vcpu_exiting_guest_mode");
                    p1.Line($"{kick} = cmpxchg(mode, 1, 2);", "kick: IN_GUEST_MODE -> EXITING_GUEST_MODE; success sends RESCHED");
                    if (afterNotify) { p1.Close(); opened--; }
                    break;
                case InjectorStep.Mb: p1.Line("smp_mb();", "mb"); break;
                case InjectorStep.Wake: p1.Comment("wake: kvm_vcpu_wake_up; blocking is not in this test"); break;
            }
        }
        if (kickGuardUntil >= 0) { p1.Close(); opened--; }
        while (opened-- > 0) p1.Close();

        var lost = new List<string> { "pir=1" };
        if (checkMode is not null) lost.Add($"~0:{checkMode}=2");
        if (checkReq is not null) lost.Add($"0:{checkReq}=0");
        if (notifyMode is not null && inj.Contains(InjectorStep.Notify)) lost.Add($"~1:{notifyMode}=1");
        if (kick is not null) lost.Add($"~1:{kick}=1");

        var w = new StringBuilder();
        Header(w, variant, prediction, tso, sc, [
            $"P0 is the vCPU's entry path (vcpu_enter_guest), once, up to VM entry: {EntryWords(variant)}.",
            $"P1 is one injector posting one vector (vmx_deliver_posted_interrupt): {variant.InjectorText}",
            $"(on-already-set: {StepNames.Name(variant.OnAlreadySet)}). pir and on are the vector's PIR bit and ON;",
            $"{Modes}; req is KVM_REQ_EVENT.",
            "exists: the lost interrupt: the vector is still in PIR, P0 entered the guest (its check saw",
            "neither EXITING_GUEST_MODE nor a request), and P1 sent no NOTIFY and no successful kick.",
            "Left out, as LKMM cannot express them: the interrupt flag (irq.off), the NOTIFY IPI, posted-",
            "interrupt processing and the host's dummy handler, the VM entry itself and the exit path.",
        ]);
        w.Append("{}\n\n");
        p0.Write(w, requests ? "int *mode, int *on, int *pir, int *req" : "int *mode, int *on, int *pir");
        w.Append('\n');
        p1.Write(w, requests ? "int *mode, int *on, int *pir, int *req" : "int *mode, int *on, int *pir");
        w.Append('\n').Append("exists (").Append(string.Join(" /\\ ", lost)).Append(")\n");
        return w.ToString();
    }

    private static void Sync(Thread p0, ImmutableArray<EntryStep> steps)
    {
        // on.read: ON = 0 skips the on.clear / pir.drain that follow (KVM: if (pi_test_on) ...).
        string on = p0.Reg("ON read by the sync");
        p0.Line($"{on} = READ_ONCE(*on);", "on.read: vmx_sync_pir_to_irr reads ON");
        if (steps.Length == 1) return;
        p0.Open($"if ({on}) {{");
        foreach (var s in steps[1..])
        {
            if (s == EntryStep.OnClear) p0.Line($"{p0.Reg("ON was set")} = xchg(on, 0);", "on.clear: pi_test_and_clear_on");
            else p0.Line($"{p0.Reg("PIR drained into vIRR")} = xchg(pir, 0);", "pir.drain: kvm_apic_update_irr, xchg of the PIR word");
        }
        p0.Close();
    }

    private static string ExportRecompute(Variant variant, LitmusPrediction prediction, Verdict tso, Verdict sc)
    {
        var p0 = new Thread("P0");
        var p1 = new Thread("P1");
        string seen = p0.Reg("ON read by kvm_vcpu_check_block");
        p0.Line($"{seen} = READ_ONCE(*on);", "block.check: kvm_vcpu_check_block -> vmx_sync_pir_to_irr reads ON");
        p0.Open($"if ({seen}) {{", "pending: the thread does not sleep");
        p0.Line($"{p0.Reg("ON was set")} = xchg(on, 0);", "on.clear: pi_clear_on");
        p0.Line($"{p0.Reg("PIR drained into vIRR")} = xchg(pir, 0);", "pir.drain: kvm_apic_update_irr");
        p0.Close();
        p0.Comment("preempted before schedule(), loaded on another CPU: vmx_vcpu_pi_load");
        string pir = p0.Reg("PIR read by the recompute");
        p0.Line($"{pir} = READ_ONCE(*pir);", "on.recompute: if (!pi_is_pir_empty(pi_desc))");
        p0.Open($"if ({pir}) {{");
        p0.Line($"{p0.Reg("unused")} = xchg_relaxed(on, 1);", "pi_set_on(pi_desc): set_bit");
        p0.Close();
        p0.Comment("then schedule(): the thread sleeps unless it is woken");

        string pirWas = p1.Reg("v was already in PIR");
        p1.Line($"{pirWas} = xchg(pir, 1);", "pir.set: pi_test_and_set_pir");
        p1.Open($"if ({pirWas} == 0) {{");
        string onWas = p1.Reg("ON was already set");
        p1.Line($"{onWas} = xchg(on, 1);", "on.set: pi_test_and_set_on; set: return, no IPI, no wake-up");
        p1.Comment($"{onWas} == 0: the vCPU is not IN_GUEST_MODE, so kvm_vcpu_wake_up wakes the thread");
        p1.Close();

        var w = new StringBuilder();
        Header(w, variant, prediction, tso, sc, [
            "The core of the lost wake-up of vmx_vcpu_pi_load's ON recompute (docs/whole-system.md).",
            "P0 is the vCPU thread: kvm_vcpu_check_block finds nothing pending; it is preempted before",
            "schedule() and loaded on another CPU, where vmx_vcpu_pi_load sets ON if PIR is not empty.",
            "P1 is a CPU injector (vmx_deliver_posted_interrupt): pi_test_and_set_pir, pi_test_and_set_on.",
            "exists: the lost wake-up: P0's check saw ON = 0 (so the thread goes on to sleep), P1 found ON",
            "already set (so it returns without an IPI or kvm_vcpu_wake_up), and the vector stays in PIR.",
            "Left out, as LKMM cannot express them: the scheduler (preemption, migration, schedule()), SN,",
            "NV and NDST, the wake-up handler and the IPIs. The race needs no reordering: it is a sequentially",
            "consistent interleaving, so any memory model that allows SC executions allows it.",
        ]);
        w.Append("{}\n\n");
        p0.Write(w, "int *on, int *pir");
        w.Append('\n');
        p1.Write(w, "int *on, int *pir");
        w.Append('\n').Append($"exists (0:{seen}=0 /\\ 1:{onWas}=1 /\\ pir=1)\n");
        return w.ToString();
    }

    private static string EntryWords(Variant v) =>
        (v.Requests == RequestHandling.PrePatch ? "(EVENT pending: clear it and sync) " : "") + v.EntryText;

    private static void Header(StringBuilder w, Variant variant, LitmusPrediction prediction, Verdict tso, Verdict sc, string[] body)
    {
        var core = CoreConfiguration(variant, MemoryModel.TSO);
        w.Append("C pilab-").Append(variant.Name).Append("\n\n(*\n");
        w.Append(" * Result: ").Append(prediction == LitmusPrediction.Sometimes ? "Sometimes" : "Never").Append('\n');
        w.Append(" *\n");
        string check = $"pilab check {variant.Name} {core.Arguments(variant.Design)}";
        switch (prediction)
        {
            case LitmusPrediction.Sometimes:
                w.Append(" * pilab predicts the outcome: `").Append(check).Append("` loses an interrupt")
                 .Append(sc == Verdict.Violation ? " (already under SC)" : " (under TSO, not under SC)").Append(".\n");
                break;
            case LitmusPrediction.Never:
                w.Append(" * pilab predicts no such outcome: `").Append(check).Append("` is ").Append(Verdicts.Name(tso)).Append(".\n");
                break;
            case LitmusPrediction.NotCaptured:
                w.Append(" * pilab predicts no such outcome, although `").Append(check).Append("` loses an interrupt:\n");
                w.Append(" * this litmus test does not capture ").Append(variant.Name).Append("'s race, which needs steps LKMM cannot\n");
                w.Append(" * express (").Append(variant.WholeSystem
                    ? "blocking, the scheduler, SN/NV/NDST and the wake-up vector"
                    : "the interrupt flag and the NOTIFY IPI eaten by the host's dummy handler").Append(").\n");
                break;
        }
        w.Append(" * x86-TSO is stronger than LKMM: a locked x86 instruction is a full barrier even where the C\n");
        w.Append(" * primitive is unordered (set_bit, clear_bit, a failed cmpxchg), so LKMM may allow what x86 forbids.\n");
        w.Append(" *\n");
        foreach (var line in body) w.Append(" * ").Append(line).Append('\n');
        w.Append(" *\n * Written by: pilab export --litmus ").Append(variant.Name).Append(" (docs/litmus.md)\n");
        w.Append(" * Run: ").Append(HerdCommand).Append('\n');
        w.Append(" *)\n\n");
    }

    /// <summary>One litmus thread's body: registers declared on first use, nested ifs, a comment per step.</summary>
    private sealed class Thread(string name)
    {
        private readonly List<(string Reg, string Meaning)> _regs = [];
        private readonly List<string> _lines = [];
        private int _depth = 1;

        public string Reg(string meaning)
        {
            string r = "r" + _regs.Count;
            _regs.Add((r, meaning));
            return r;
        }

        public void Line(string code, string? comment = null) =>
            _lines.Add(new string('\t', _depth) + code + (comment is null ? "" : "\t/* " + comment + " */"));

        public void Comment(string text) => _lines.Add(new string('\t', _depth) + "/* " + text + " */");

        public void Open(string code, string? comment = null) { Line(code, comment); _depth++; }

        public void Close() { _depth--; _lines.Add(new string('\t', _depth) + "}"); }

        public void Write(StringBuilder w, string parameters)
        {
            w.Append(name).Append('(').Append(parameters).Append(")\n{\n");
            foreach (var (r, meaning) in _regs) w.Append("\tint ").Append(r).Append(";\t/* ").Append(meaning).Append(" */\n");
            if (_regs.Count > 0) w.Append('\n');
            foreach (var l in _lines) w.Append(l).Append('\n');
            w.Append("}\n");
        }
    }
}
