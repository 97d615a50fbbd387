using Pilab.Model.Avic;
using Pilab.Protocol;

namespace Pilab.Export;

/// <summary>
/// Writes one AVIC variant (docs/avic.md) in one configuration as a Promela model with exactly the
/// semantics of <see cref="AvicModel"/>, so SPIN can check it.
/// <para>
/// Every global is a field of <see cref="AvicState"/>, kept normalised the same way (a finished
/// poster's word goes back to 0, a flushed store-buffer slot to 0), and every transition of the model
/// is one <c>d_step</c> of one process (<see cref="PromelaWriter"/>): the vCPU thread (its program,
/// sched.in with avic_vcpu_load, sched.out.preempt with avic_vcpu_put), the AVIC hardware of P0 and P2
/// (doorbells), the guest, the GA-log interrupt's handler, under TSO the thread's store buffer, and
/// each poster. With <c>-DNOREDUCE</c> SPIN stores exactly as many states as pilab's search.
/// </para>
/// </summary>
public static class AvicPromelaExporter
{
    private const int Capacity = AvicState.StoreBufferCapacity;

    public static string Export(Variant variant, Configuration configuration)
    {
        var model = new AvicModel(variant, configuration); // checks the design and the configuration
        var policy = variant.Avic;
        if (!policy.KernelOrders)
            throw new NotSupportedException($"{variant.Name}: the Promela export writes the kernel's entry and sender orders of design avic; " +
                $"this variant has a synthesized order (entry '{policy.Entry}', sender {policy.SenderOrder}), which only pilab's own checker explores");
        bool tso = configuration.Memory == MemoryModel.TSO;
        int posters = configuration.Posters;
        int posted = 0;
        for (int p = 0; p < posters; p++) posted |= 1 << configuration.VectorOf(p);
        var initial = model.Initial;

        var w = new PromelaWriter();
        w.Line($"/* pilab export: AVIC variant {variant.Name} [{configuration.Text(KvmDesign.Avic)}]");
        w.Line($" * cpu-sender {AvicPolicy.Name(policy.Sender)}, ipiv {(policy.Ipiv ? "on" : "off")}, unblock-load {AvicPolicy.Name(policy.UnblockLoad)}, " +
            $"irte-assign {AvicPolicy.Name(policy.IrteAssign)}, blocking-preemptible {(policy.BlockingPreemptible ? "yes" : "no")}");
        w.Line(" * The semantics of pilab's AvicModel (docs/avic.md), one d_step per pilab step.");
        w.HeaderEnd("no lost interrupt and no stuck state");
        w.ModeDefines();
        w.ThreadStatusDefines();
        w.Line($"#define POSTS    {configuration.Posts}   /* posts per poster */");
        w.Line($"#define POSTED   {posted}   /* the vectors posted, bit v-1 for vector v */");
        w.Line($"#define IPIV     {(policy.Ipiv ? 1 : 0)}   /* enable_ipiv: the table shows IsRunning=1 only if set */");
        w.Line();
        w.Line("/* docs/avic.md; host CPU 0 is P0, 1 is P2; vectors are bits 0-3 (v1-v4) */");
        w.Line("byte irr = 0;          /* the vAPIC backing page's IRR */");
        w.Line("byte rec = 0;          /* the IRR bits the running guest's AVIC evaluated (VMRUN, doorbell) */");
        w.Line("byte delivered = 0;    /* vectors the guest took */");
        w.Line($"bit  is_running = {(initial.IsRunning ? 1 : 0)};   /* the physical APIC ID table entry: IsRunning */");
        w.Line("bit  host_id = 0;      /* ... and its host physical APIC ID */");
        w.Line($"bit  irte_isrun = {(initial.IrteIsRun ? 1 : 0)};   /* the GA-mode IRTE: IsRun, destination, GALogIntr */");
        w.Line("bit  irte_dest = 0;");
        w.Line($"bit  irte_galog = {(initial.GaLogIntr ? 1 : 0)};");
        w.Line("bit  loaded = 1;       /* KVM's svm->avic_physical_id_entry has IsRunning */");
        w.Line("bit  latched = 0;      /* the vcpu->cpu avic_vcpu_load read (unblock-load: vcpu-cpu) */");
        w.Line("byte mode = OUTSIDE;   /* vcpu->mode in memory */");
        w.Line("bit  waiter = 0;       /* vcpu->wait.task != NULL (rcuwait), in memory */");
        w.Line("bit  task_int = 0;     /* task state TASK_INTERRUPTIBLE (else RUNNING), in memory */");
        w.Line("bit  halted = 0;       /* the guest executed HLT */");
        w.Line("bit  irq_if = 1;       /* IF of the thread's host CPU */");
        w.Line("bit  guest = 0;        /* the guest runs (SVM guest mode) */");
        w.Line("bit  host = 0;         /* the host CPU the thread is on */");
        w.Line("bit  cpu = 0;          /* vcpu->cpu */");
        w.Line("byte status = ON_CPU;  /* the thread: ON_CPU, RUNNABLE, ASLEEP */");
        w.Line("byte thread_pc = 0;    /* the thread's program counter (pilab's AvicPc) */");
        w.Line("bit  doorbell[2];      /* a doorbell pending at P0, P2 */");
        w.Line("bit  galog = 0;        /* the IOMMU's GA-log interrupt pending */");
        w.BudgetsAndStoreBuffer(configuration, Capacity, "AvicStore");
        w.Line($"byte post_pc[{posters}];    /* poster p: program counter, posts done, what it read */");
        w.Line($"byte posts[{posters}];");
        w.Line($"byte post_read[{posters}];");
        w.Line();

        WriteThread(w, policy, tso);
        WriteHardware(w);
        WriteGuest(w);
        if (tso) WriteStoreBuffer(w);
        for (int p = 0; p < posters; p++)
        {
            int v = 1 << configuration.VectorOf(p);
            if (configuration.IsIommu(p)) WriteIommu(w, p, v);
            else WriteSender(w, model, p, v);
        }

        var allDone = string.Join(" && ", Enumerable.Range(0, posters).Select(p => $"posts[{p}] == POSTS"));
        w.Monitor("docs/avic.md, checked in terminal states: 'timeout' holds only when no other step is enabled.",
            $"{allDone} && !doorbell[0] && !doorbell[1] && !galog && ((status == ON_CPU && guest) || status == ASLEEP)",
            "irr == 0 && (delivered & POSTED) == POSTED");
        return w.ToString();
    }

    /// <summary>__avic_vcpu_load(c): the shadow entry IsRunning, the table (if enable_ipiv), the IRTE: IsRun = 1, destination c, GALogIntr = 0.</summary>
    private static string Load(string c) => $"loaded = 1; is_running = IPIV; host_id = {c}; irte_isrun = 1; irte_dest = {c}; irte_galog = 0";

    private static string Wake() =>
        "if :: waiter && task_int -> task_int = 0; if :: status == ASLEEP -> status = RUNNABLE :: else -> skip fi :: else -> skip fi";

    private static (string Guard, string Body) Store(string guard, bool tso, AvicStore store, string apply, int next) =>
        tso ? ($"{guard} && sb_len < {Capacity}", $"sb[sb_len] = {(int)store}; sb_len++; thread_pc = {next}")
            : (guard, $"{apply}; thread_pc = {next}");

    private static void WriteThread(PromelaWriter w, AvicPolicy policy, bool tso)
    {
        string empty = tso ? " && sb_len == 0" : "";
        const string running = "status == ON_CPU && !guest";
        w.BeginActor("The vCPU thread (docs/avic.md): on a CPU it runs its program or is preempted; runnable, it is loaded.", "Vcpu");
        w.Step("status == RUNNABLE", $"status = ON_CPU; irq_if = 1; cpu = host; if :: waiter -> skip :: else -> {Load("host")} fi",
            "sched.in on the same CPU: kvm_sched_in -> kvm_arch_vcpu_load -> avic_vcpu_load (nothing if kvm_vcpu_is_blocking)");
        w.Step("status == RUNNABLE && migrations_left > 0",
            $"status = ON_CPU; host = 1 - host; cpu = host; irq_if = 1; migrations_left--; if :: waiter -> skip :: else -> {Load("host")} fi",
            "sched.in on the other CPU (a migration): kvm_arch_vcpu_load -> avic_vcpu_load");
        var points = new List<int> { AvicPc.IrqOff, AvicPc.Blocking, AvicPc.TaskSet, AvicPc.BlockMb, AvicPc.IrrCheck, AvicPc.SchedOutBlock, AvicPc.Unblocking, AvicPc.UnblockLoad };
        if (policy.BlockingPreemptible) points.Add(AvicPc.WaiterSet);
        w.Step($"{running} && preempts_left > 0 && irq_if{empty} && ({string.Join(" || ", points.Order().Select(pc => $"thread_pc == {pc}"))})",
            "status = RUNNABLE; preempts_left--; if :: loaded -> loaded = 0; irte_isrun = 0; irte_galog = waiter; is_running = 0 :: else -> skip fi",
            "sched.out.preempt: kvm_sched_out -> avic_vcpu_put: __avic_vcpu_put (START_BLOCKING if kvm_vcpu_is_blocking) if IsRunning");

        void Step(int pc, string guard, string body, string kernel) => w.Step($"{running} && thread_pc == {pc}{guard}", body, $"{pc}: {AvicPc.Name(pc)}: {kernel}");
        (string, string) Plain(int pc, AvicStore store, string apply)
        {
            var (g, b) = Store("", tso, store, apply, pc + 1);
            return (g, b);
        }
        Step(AvicPc.IrqOff, "", $"irq_if = 0; thread_pc = {AvicPc.ModeIn}", "vcpu_enter_guest: local_irq_disable");
        var (g1, b1) = Plain(AvicPc.ModeIn, AvicStore.ModeInGuest, "mode = IN_GUEST");
        Step(AvicPc.ModeIn, g1, b1, "vcpu_enter_guest: smp_store_release(&vcpu->mode, IN_GUEST_MODE)");
        Step(AvicPc.Mb, empty, $"thread_pc = {AvicPc.Enter}", "vcpu_enter_guest: smp_mb__after_srcu_read_unlock");
        Step(AvicPc.Enter, "", $"guest = 1; rec = irr; thread_pc = {AvicPc.Guest}", "svm_vcpu_run: VMRUN (the AVIC evaluates the IRR)");
        var (g2, b2) = Plain(AvicPc.ModeOut, AvicStore.ModeOutside, "mode = OUTSIDE");
        Step(AvicPc.ModeOut, g2, b2, "vcpu_enter_guest after the #VMEXIT: vcpu->mode = OUTSIDE_GUEST_MODE");
        Step(AvicPc.IrqOn, "", $"irq_if = 1; if :: halted -> thread_pc = {AvicPc.Blocking} :: else -> thread_pc = {AvicPc.IrqOff} fi",
            "local_irq_enable; vcpu_run: a halted vCPU blocks (kvm_vcpu_halt -> kvm_vcpu_block)");
        string put = $"loaded = 0; irte_isrun = 0; irte_galog = 1; thread_pc = {AvicPc.WaiterSet}";
        if (!policy.Ipiv) Step(AvicPc.Blocking, empty, put, "avic_vcpu_blocking -> __avic_vcpu_put(START_BLOCKING): the IRTE (the table keeps IsRunning = 0)");
        else if (tso) Step(AvicPc.Blocking, empty, $"{put}; sb[0] = {8} + host_id; sb_len = 1",
            "avic_vcpu_blocking -> __avic_vcpu_put(START_BLOCKING): the IRTE (locked), then WRITE_ONCE of the table entry, IsRunning = 0 (buffered)");
        else Step(AvicPc.Blocking, "", $"{put}; is_running = 0", "avic_vcpu_blocking -> __avic_vcpu_put(START_BLOCKING): the IRTE, then the table entry, IsRunning = 0");
        var (g3, b3) = Plain(AvicPc.WaiterSet, AvicStore.WaiterSet, "waiter = 1");
        Step(AvicPc.WaiterSet, g3, b3, "kvm_vcpu_block -> prepare_to_rcuwait");
        var (g4, b4) = Plain(AvicPc.TaskSet, AvicStore.TaskInterruptible, "task_int = 1");
        Step(AvicPc.TaskSet, g4, b4, "kvm_vcpu_block -> set_current_state(TASK_INTERRUPTIBLE), the store");
        Step(AvicPc.BlockMb, empty, $"thread_pc = {AvicPc.IrrCheck}", "set_current_state: smp_store_mb's full barrier");
        Step(AvicPc.IrrCheck, "", $"if :: irr == 0 -> thread_pc = {AvicPc.SchedOutBlock} :: else -> halted = 0; thread_pc = {AvicPc.Unblocking} fi",
            "kvm_vcpu_check_block -> kvm_arch_vcpu_runnable: the backing page's IRR");
        Step(AvicPc.SchedOutBlock, empty,
            $"if :: task_int -> if :: loaded -> loaded = 0; irte_isrun = 0; irte_galog = 1; is_running = 0 :: else -> skip fi; status = ASLEEP :: else -> skip fi; thread_pc = {AvicPc.TaskSet}",
            "schedule(): an INTERRUPTIBLE task is dequeued and sleeps (avic_vcpu_put); a woken one loops");
        if (policy.UnblockLoad == AvicUnblockLoad.ThisCpu)
            Step(AvicPc.Unblocking, empty, $"waiter = 0; task_int = 0; {Load("host")}; thread_pc = {AvicPc.IrqOff}",
                "finish_rcuwait; kvm_arch_vcpu_unblocking -> avic_vcpu_unblocking -> avic_vcpu_load (preemption disabled)");
        else
        {
            Step(AvicPc.Unblocking, empty, $"waiter = 0; task_int = 0; latched = cpu; thread_pc = {AvicPc.UnblockLoad}",
                "finish_rcuwait; avic_set_running: avic_vcpu_load(vcpu, vcpu->cpu) reads vcpu->cpu (preemptible, before 7cfc5c653b07)");
            Step(AvicPc.UnblockLoad, empty, $"{Load("latched")}; latched = 0; thread_pc = {AvicPc.IrqOff}",
                "avic_vcpu_load with the vcpu->cpu read before");
        }
        w.EndActor();
    }

    private static void WriteHardware(PromelaWriter w)
    {
        for (int c = 0; c < 2; c++)
        {
            string name = c == 0 ? "P0" : "P2";
            w.BeginActor($"{name}'s AVIC: a doorbell makes the CPU re-evaluate the IRR in guest mode; in host mode it is ignored (APM vol. 2, 15.29).", $"Avic{name}");
            w.Step($"doorbell[{c}]", $"doorbell[{c}] = 0; if :: status == ON_CPU && host == {c} && guest -> rec = irr :: else -> skip fi",
                "doorbell: evaluate the IRR, or ignore it");
            w.EndActor();
        }
        w.BeginActor("The IOMMU's GA-log interrupt: avic_ga_log_notifier -> kvm_vcpu_wake_up.", "GaLog");
        w.Step("galog", $"galog = 0; {Wake()}", "galog.irq");
        w.EndActor();
    }

    private static void WriteGuest(PromelaWriter w)
    {
        string vmExit = $"guest = 0; irq_if = 0; rec = 0; thread_pc = {AvicPc.ModeOut}";
        w.BeginActor("The guest: takes the lowest vector the AVIC evaluated, causes a #VMEXIT of its own, or halts.", "Guest");
        for (int v = 0; v < 4; v++)
            w.Step($"status == ON_CPU && guest && ((irr & rec) & {(2 << v) - 1}) == {1 << v}",
                $"irr = irr - {1 << v}; rec = rec - {1 << v}; delivered = delivered | {1 << v}", $"guest.take v{v + 1}");
        w.Step("status == ON_CPU && guest && exits_left > 0", $"{vmExit}; exits_left--", "guest.exit: a #VMEXIT of the guest's own");
        w.Step("status == ON_CPU && guest && halts_left > 0 && (irr & rec) == 0", $"{vmExit}; halts_left--; halted = 1", "guest.halt: HLT intercept");
        w.EndActor();
    }

    private static void WriteStoreBuffer(PromelaWriter w)
    {
        string apply =
            $"if :: sb[0] <= {(int)AvicStore.ModeInGuest} -> mode = sb[0] " +
            $":: sb[0] == {(int)AvicStore.WaiterClear} -> waiter = 0 " +
            $":: sb[0] == {(int)AvicStore.WaiterSet} -> waiter = 1 " +
            $":: sb[0] == {(int)AvicStore.TaskRunning} -> task_int = 0 " +
            $":: sb[0] == {(int)AvicStore.TaskInterruptible} -> task_int = 1 " +
            ":: else -> is_running = (sb[0] - 8) / 2; host_id = (sb[0] - 8) % 2 fi";
        w.StoreBufferActor("mode, waiter, task state, the table entry", apply, Capacity);
    }

    private static void WriteSender(PromelaWriter w, AvicModel model, int p, int v)
    {
        var steps = model.SenderSteps;
        string done = $"post_pc[{p}] = 0; posts[{p}]++; post_read[{p}] = 0";
        string Go(int pc) => pc >= steps.Length ? done : $"post_pc[{p}] = {pc}";
        bool kvm = model.Policy.Sender == AvicSender.Kvm;
        w.BeginActor($"CPU poster {p + 1}, posting v{System.Numerics.BitOperations.TrailingZeroCount(v) + 1} ({(kvm ? "KVM: svm_deliver_interrupt" : "a guest IPI the AVIC hardware sends")}).", $"Sender{p + 1}");
        for (int pc = 0; pc < steps.Length; pc++)
        {
            var (body, kernel) = steps[pc] switch
            {
                SenderOp.IrrSet => ($"irr = irr | {v}; {Go(pc + 1)}", kvm ? "kvm_lapic_set_irr (smp_mb__after_atomic)" : "the IRR write to the target's backing page"),
                SenderOp.IsRunningRead => ($"post_read[{p}] = is_running + 2 * host_id; {Go(pc + 1)}", "the target's physical APIC ID entry: IsRunning and the host ID"),
                SenderOp.DoorbellOrExit => ($"if :: (post_read[{p}] & 1) != 0 -> doorbell[post_read[{p}] / 2] = 1; {done} :: else -> post_read[{p}] = 0; {Go(pc + 1)} fi",
                    "IsRunning: the doorbell to the host ID; else AVIC_INCOMPLETE_IPI -> avic_kick_target_vcpus"),
                SenderOp.ModeRead => ($"post_read[{p}] = (mode == IN_GUEST); {Go(pc + 1)}", "svm_complete_interrupt_delivery: smp_load_acquire(&vcpu->mode) == IN_GUEST_MODE"),
                SenderOp.DoorbellOrWake => ($"if :: post_read[{p}] != 0 -> doorbell[cpu] = 1 :: else -> {Wake()} fi; {done}",
                    "avic_ring_doorbell to READ_ONCE(vcpu->cpu), else kvm_vcpu_wake_up"),
                _ => throw new InvalidOperationException($"no Promela for {steps[pc]}"),
            };
            w.Step($"posts[{p}] < POSTS && post_pc[{p}] == {pc}", body, $"{pc}: {SenderOps.Name(steps[pc])}: {kernel}");
        }
        w.EndActor();
    }

    private static void WriteIommu(PromelaWriter w, int p, int v)
    {
        string done = $"post_pc[{p}] = 0; posts[{p}]++; post_read[{p}] = 0";
        w.BeginActor($"IOMMU poster {p + 1}, posting v{System.Numerics.BitOperations.TrailingZeroCount(v) + 1} (AMD IOMMU guest virtual APIC mode; hardware, no kernel code).", $"Iommu{p + 1}");
        w.Step($"posts[{p}] < POSTS && post_pc[{p}] == 0",
            $"irr = irr | {v}; if :: irte_isrun -> post_read[{p}] = 1 + 2 * irte_dest; post_pc[{p}] = 1 :: irte_galog && !irte_isrun -> post_read[{p}] = 4; post_pc[{p}] = 1 :: else -> {done} fi",
            "0: iommu.post: the IRR of the backing page; the IRTE: IsRun (doorbell to Destination), else GALogIntr");
        w.Step($"posts[{p}] < POSTS && post_pc[{p}] == 1",
            $"if :: (post_read[{p}] & 1) != 0 -> doorbell[(post_read[{p}] & 2) / 2] = 1 :: else -> galog = 1 fi; {done}",
            "1: iommu.notify: the doorbell, or the GA-log entry and its interrupt");
        w.EndActor();
    }
}
