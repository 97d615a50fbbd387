using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Export;

/// <summary>
/// Writes one whole-system variant (docs/whole-system.md) in one configuration as a Promela model with
/// exactly the semantics of <see cref="WholeSystemModel"/>, so SPIN can check it.
/// <para>
/// Every global is a field of <see cref="SystemState"/>, kept normalised the same way (a finished
/// poster's word goes back to 0, a flushed store-buffer slot to 0), and every transition of the
/// model is one <c>d_step</c> of one process (<see cref="PromelaWriter"/>): the vCPU thread
/// (its program, sched.in and its sub-steps, sched.out.preempt), the interrupt hardware of P0 and P2,
/// the guest, under TSO the thread's store buffer, and each poster. Steps with disjoint guards that
/// pilab writes as one transition (guest.take of the highest vector) are options of one process.
/// With <c>-DNOREDUCE</c> SPIN stores exactly as many states as pilab's unreduced search.
/// </para>
/// <para>
/// The comment of each step names pilab's step and the kernel function it follows.
/// </para>
/// </summary>
public static class SystemPromelaExporter
{
    private const int Capacity = SystemState.StoreBufferCapacity;

    public static string Export(Variant variant, Configuration configuration)
    {
        if (configuration.Problem(variant.Design) is { } problem) throw new ArgumentException(problem, nameof(configuration));
        var program = new SystemProgram(variant, configuration);
        bool tso = configuration.Memory == MemoryModel.TSO;
        int posters = configuration.Posters;
        int posted = 0;
        for (int p = 0; p < posters; p++) posted |= 1 << configuration.VectorOf(p);

        var w = new PromelaWriter();
        w.Line($"/* pilab export: whole-system variant {variant.Name} [{configuration}]");
        w.Line($" * design:   {DesignNames.Name(variant.Design)}, wake-up vector {StepNames.Name(variant.WakeupVector)} ({(program.WakeupArmed ? "armed" : "not armed")} here)" +
            (variant.Design == KvmDesign.Kvm2019 ? $", blocked-ndst {StepNames.Name(variant.BlockedNdst)}" : ""));
        w.Line($" * entry:    {variant.EntryText}");
        w.Line($" * injector: {variant.InjectorText}");
        w.Line($" * block:    {variant.BlockText}");
        w.Line($" * sched-in: {variant.SchedInText}; sched-out-block: {variant.SchedOutBlockText}");
        w.Line($" * rules:    on-recompute {KernelRuleNames.Name(variant.OnRecompute)}, iommu-sn {KernelRuleNames.Name(variant.IommuSn)}, preempted {KernelRuleNames.Name(variant.Preempted)}" +
            (variant.Design == KvmDesign.Kvm2021 ? $", preempt-put {KernelRuleNames.Name(variant.PreemptPut)}" : "") + $", host-preempt {KernelRuleNames.Name(variant.HostPreempt)}");
        w.Line(" * The semantics of pilab's WholeSystemModel (docs/whole-system.md), one d_step per pilab step.");
        w.HeaderEnd("no lost interrupt and no stuck state");
        w.ModeDefines();
        w.ThreadStatusDefines();
        w.Line($"#define NOTIFY   {SystemState.Notify}   /* pending vectors at a CPU: POSTED_INTR_VECTOR */");
        w.Line($"#define RESCHED  {SystemState.Resched}   /* RESCHEDULE_VECTOR */");
        w.Line($"#define WAKEUP   {SystemState.Wakeup}   /* POSTED_INTR_WAKEUP_VECTOR */");
        w.Line($"#define POSTS    {configuration.Posts}   /* posts per poster */");
        w.Line($"#define POSTED   {posted}   /* the vectors posted, bit v-1 for vector v */");
        w.Line();
        w.Line("/* docs/whole-system.md; host CPU 0 is P0, 1 is P2; vectors are bits 0-3 (v1-v4) */");
        w.Line("byte pir = 0;          /* PIR */");
        w.Line("bit  on = 0;           /* ON */");
        w.Line("bit  sn = 0;           /* SN */");
        w.Line("bit  nv_wakeup = 0;    /* NV: 0 = POSTED_INTR_VECTOR, 1 = POSTED_INTR_WAKEUP_VECTOR */");
        w.Line("bit  ndst = 0;         /* NDST */");
        w.Line("byte mode = OUTSIDE;   /* vcpu->mode in memory */");
        w.Line("byte virr = 0;         /* vIRR */");
        w.Line("byte delivered = 0;    /* vectors the guest took */");
        w.Line("bit  waiter = 0;       /* vcpu->wait.task != NULL (rcuwait), in memory */");
        w.Line("bit  task_int = 0;     /* task state TASK_INTERRUPTIBLE (else RUNNING), in memory */");
        w.Line("byte wakelist = 0;     /* 0: on no wake list; c + 1: on wakeup_vcpus_on_cpu of host CPU c */");
        w.Line("bit  halted = 0;       /* the guest executed HLT (vcpu->arch.mp_state HALTED) */");
        w.Line("bit  irq_if = 1;       /* IF of the thread's host CPU */");
        w.Line("bit  guest = 0;        /* the guest runs (VMX non-root mode) */");
        w.Line("bit  host = 0;         /* the host CPU the thread is on */");
        w.Line("bit  cpu = 0;          /* vcpu->cpu */");
        w.Line("byte status = ON_CPU;  /* the thread: ON_CPU, RUNNABLE, ASLEEP */");
        w.Line("byte load_pc = 0;      /* sched.in: 0 = not loading, i = vmx_vcpu_pi_load sub-step i - 1 next */");
        if (variant.OnRecompute == OnRecompute.SnWasSet)
            w.Line("bit  sn_cleared = 0;   /* on-recompute sn-was-set: this load cleared an SN that was set (0 outside a load) */");
        w.Line("byte thread_pc = 0;    /* the thread's program counter (pilab's SystemProgram) */");
        w.Line("byte pending[2];       /* vectors pending at P0 and P2: NOTIFY | RESCHED | WAKEUP */");
        w.BudgetsAndStoreBuffer(configuration, Capacity, "BufferedStore");
        w.Line($"byte post_pc[{posters}];    /* poster p: program counter, posts done */");
        w.Line($"byte posts[{posters}];");
        if (configuration.Injectors > 0)
            w.Line($"byte inj_mode[{posters}];   /* CPU injector: the mode it read */");
        if (configuration.Iommu + configuration.Ipiv > 0)
        {
            w.Line($"bit  iommu_nv[{posters}];   /* IOMMU poster: NV and NDST read by iommu.post */");
            w.Line($"bit  iommu_ndst[{posters}];");
        }
        w.Line();

        WriteThread(w, variant, configuration, program, tso);
        for (int c = 0; c < 2; c++) WriteCpu(w, c, program);
        WriteGuest(w, program);
        if (tso) WriteStoreBuffer(w);
        for (int p = 0; p < posters; p++)
        {
            int v = 1 << configuration.VectorOf(p);
            if (configuration.IsHardware(p)) WriteHardwarePoster(w, p, v, configuration.IsIpiv(p), configuration.IsIommu(p) && variant.IommuSn == IommuSn.Ignore);
            else WriteInjector(w, program, p, v);
        }

        var allDone = string.Join(" && ", Enumerable.Range(0, posters).Select(p => $"posts[{p}] == POSTS"));
        w.Monitor("docs/whole-system.md, checked in terminal states: 'timeout' holds only when no other step is enabled.",
            $"{allDone} && pending[0] == 0 && pending[1] == 0 && ((status == ON_CPU && guest) || status == ASLEEP)",
            "pir == 0 && !on && virr == 0 && (delivered & POSTED) == POSTED");
        return w.ToString();
    }

    /// <summary>
    /// The vCPU thread: its program (entry, exit path, block loop), sched.in with the sub-steps of
    /// vmx_vcpu_pi_load, and sched.out.preempt; as <see cref="WholeSystemModel"/>'s thread steps.
    /// </summary>
    private static void WriteThread(PromelaWriter w, Variant variant, Configuration configuration, SystemProgram program, bool tso)
    {
        var thread = program.Thread;
        bool kvm2019 = variant.Design == KvmDesign.Kvm2019;
        string bufferEmpty = tso ? " && sb_len == 0" : "";
        // IrqPriority: a pending host interrupt with IF = 1 runs before the thread's next step.
        string running = "status == ON_CPU && !guest" + (configuration.IrqPriority ? " && !(irq_if && pending[host] != 0)" : "");

        w.BeginActor("The vCPU thread (docs/whole-system.md): on a CPU it runs its program or a sched.in sub-step, or is preempted; runnable, it is loaded.", "Vcpu");

        // sched.in: the scheduler loads the thread on a CPU; vmx_vcpu_pi_load's sub-steps follow.
        var schedIn = program.SchedIn;
        bool snWasSet = variant.OnRecompute == OnRecompute.SnWasSet;
        string loaded = schedIn.Length > 0 ? "load_pc = 1" : "cpu = host";
        // on-recompute sn-was-set: desc.update remembers whether it cleared an SN that was set (before it changes SN).
        string remember = snWasSet ? "sn_cleared = sn; " : "";
        w.Step("status == RUNNABLE", $"status = ON_CPU; irq_if = 1; {loaded}",
            "sched.in on the same CPU: __schedule -> finish_task_switch -> kvm_sched_in -> kvm_arch_vcpu_load");
        w.Step("status == RUNNABLE && migrations_left > 0", $"status = ON_CPU; host = 1 - host; irq_if = 1; migrations_left--; {loaded}",
            "sched.in on the other CPU (a migration): kvm_sched_in -> kvm_arch_vcpu_load");
        for (int i = 0; i < schedIn.Length; i++)
        {
            string finish = "load_pc = 0; cpu = host" + (snWasSet ? "; sn_cleared = 0" : "");
            string advance = i + 1 >= schedIn.Length ? finish : $"load_pc = {i + 2}";
            string body = schedIn[i] switch
            {
                SchedInStep.WakelistDel => $"if :: nv_wakeup -> wakelist = 0 :: else -> skip fi; {advance}",
                SchedInStep.DescUpdate when !kvm2019 =>
                    $"if :: !nv_wakeup && cpu == host -> if :: sn -> {remember}sn = 0; {advance} :: else -> {finish} fi " +
                    $":: else -> {remember}nv_wakeup = 0; sn = 0; ndst = host; {advance} fi",
                SchedInStep.DescUpdate =>
                    $"if :: !sn && cpu == host -> {finish} " +
                    $":: else -> {remember}if :: {(variant.BlockedNdst == BlockedNdst.Keep ? "(nv_wakeup || cpu == host)" : "cpu == host")} -> sn = 0 " +
                    $":: else -> sn = 0; ndst = host fi; {advance} fi",
                SchedInStep.Mb => advance,
                SchedInStep.OnRecompute => $"if :: pir != 0{(snWasSet ? " && sn_cleared" : "")} -> on = 1 :: else -> skip fi; {advance}",
                _ => throw new InvalidOperationException($"no Promela for sched.in sub-step {schedIn[i]}"),
            };
            w.Step($"{running} && load_pc == {i + 1}", body, $"sched.in: {StepNames.Name(schedIn[i])}: {SchedInKernel(schedIn[i], kvm2019)}");
        }

        // sched.out.preempt at a preemption point with IF = 1, budget left and an empty store buffer.
        var points = Enumerable.Range(0, thread.Length).Where(pc => thread[pc].Preemptible).Select(pc => $"thread_pc == {pc}");
        string preempt = "status = RUNNABLE; preempts_left--";
        if (program.WakeupArmed)
        {
            // kvm_sched_out: vcpu->preempted (preempted: on-rq, always; running, only if the task is RUNNING).
            bool onRq = variant.Preempted == PreemptedRule.OnRq;
            string preempted = onRq ? "1" : "!task_int";
            if (kvm2019) preempt += onRq ? "; sn = 1" : "; if :: task_int -> skip :: else -> sn = 1 fi";
            else
            {
                var handler = new List<string>();
                if (variant.SchedOutBlock.Contains(SchedOutStep.WakelistAdd)) handler.Add("wakelist = cpu + 1");
                if (variant.SchedOutBlock.Contains(SchedOutStep.NvWakeup)) handler.Add("nv_wakeup = 1");
                if (variant.SchedOutBlock.Contains(SchedOutStep.OnTest)) handler.Add("if :: on -> pending[host] = pending[host] | WAKEUP :: else -> skip fi");
                string enable = handler.Count > 0 ? string.Join("; ", handler) : "skip";
                if (variant.PreemptPut == PreemptPut.Sn)
                    // 6.17: if (!vcpu->preempted && kvm_vcpu_is_blocking(vcpu)) pi_enable_wakeup_handler(); else pi_set_sn();
                    preempt += onRq ? "; sn = 1" : $"; if :: !({preempted}) && waiter -> {enable} :: else -> sn = 1 fi";
                else
                {
                    if (handler.Count > 0) preempt += $"; if :: waiter -> {enable} :: else -> skip fi";
                    preempt += onRq ? "; sn = 1" : $"; if :: {preempted} -> sn = 1 :: else -> skip fi";
                }
            }
        }
        w.Step($"{running} && load_pc == 0 && preempts_left > 0 && irq_if{bufferEmpty} && ({string.Join(" || ", points)})", preempt,
            "sched.out.preempt: __schedule (preemption) -> kvm_sched_out -> vmx_vcpu_put -> vmx_vcpu_pi_put" +
            (kvm2019 ? " (pi_set_sn if vcpu->preempted)"
            : variant.PreemptPut == PreemptPut.Sn ? " (v6.17: pi_enable_wakeup_handler if blocking and not vcpu->preempted, else pi_set_sn)"
            : " (pi_enable_wakeup_handler if a waiter, then pi_set_sn if vcpu->preempted)"));

        string seen = tso ? ModeSeenByThread() : "mode";
        for (int pc = 0; pc < thread.Length; pc++)
        {
            var ins = thread[pc];
            int next = pc + 1;
            int skip = ins.SkipTo;
            string guard = $"{running} && load_pc == 0 && thread_pc == {pc}";
            string body;
            switch (ins.Op)
            {
                case SysOp.IrqOff:
                    body = $"irq_if = 0; thread_pc = {next}";
                    break;
                case SysOp.ModeIn:
                    (guard, body) = Store(guard, tso, BufferedStore.ModeInGuest, "mode = IN_GUEST", next);
                    break;
                case SysOp.ModeOut:
                    (guard, body) = Store(guard, tso, BufferedStore.ModeOutside, "mode = OUTSIDE", next);
                    break;
                case SysOp.WaiterSet:
                    (guard, body) = Store(guard, tso, BufferedStore.WaiterSet, "waiter = 1", next);
                    break;
                case SysOp.TaskSet:
                    (guard, body) = Store(guard, tso, BufferedStore.TaskInterruptible, "task_int = 1", next);
                    break;
                case SysOp.Mb:
                    guard += bufferEmpty;
                    body = $"thread_pc = {next}";
                    break;
                case SysOp.OnRead:
                    body = $"if :: on -> thread_pc = {next} :: else -> thread_pc = {skip} fi";
                    break;
                case SysOp.OnClear:
                    guard += bufferEmpty;
                    body = $"on = 0; thread_pc = {next}";
                    break;
                case SysOp.PirDrain:
                    guard += bufferEmpty;
                    body = $"virr = virr | pir; pir = 0; thread_pc = {next}";
                    break;
                case SysOp.Check:
                    body = $"if :: {seen} == EXITING -> thread_pc = {skip} :: else -> thread_pc = {next} fi";
                    break;
                case SysOp.Enter:
                    body = $"guest = 1; thread_pc = {program.GuestPc}";
                    break;
                case SysOp.IrqOn:
                    body = $"irq_if = 1; if :: halted -> thread_pc = {program.BlockPc} :: else -> thread_pc = 0 fi";
                    break;
                case SysOp.PreBlock:
                    guard += bufferEmpty;
                    body = $"if :: on -> wakelist = 0; nv_wakeup = 0; ndst = cpu; halted = 0; thread_pc = {skip} " +
                        $":: else -> wakelist = cpu + 1; nv_wakeup = 1; ndst = cpu; thread_pc = {next} fi";
                    break;
                case SysOp.IrrCheck:
                    // an interrupt: finish_rcuwait (waiter = 0) and __set_current_state(TASK_RUNNING), plain stores, in this order.
                    string leave = $"halted = 0; thread_pc = {skip}; ";
                    if (tso)
                    {
                        guard += $" && (virr == 0 || sb_len + 2 <= {Capacity})";
                        leave += $"sb[sb_len] = {(int)BufferedStore.WaiterClear}; sb[sb_len + 1] = {(int)BufferedStore.TaskRunning}; sb_len = sb_len + 2";
                    }
                    else leave += "waiter = 0; task_int = 0";
                    body = $"if :: virr == 0 -> thread_pc = {next} :: else -> {leave} fi";
                    break;
                case SysOp.SchedOutBlock:
                    guard += bufferEmpty;
                    body = $"if :: task_int -> irq_if = 0; thread_pc = {next} :: else -> thread_pc = {skip} fi";
                    break;
                case SysOp.WakelistAdd:
                    body = $"wakelist = cpu + 1; thread_pc = {next}";
                    break;
                case SysOp.NvWakeup:
                    body = $"nv_wakeup = 1; thread_pc = {next}";
                    break;
                case SysOp.OnTest:
                    body = $"if :: on -> pending[host] = pending[host] | WAKEUP :: else -> skip fi; thread_pc = {next}";
                    break;
                case SysOp.Sleep:
                    body = $"if :: task_int -> status = ASLEEP :: else -> status = RUNNABLE fi; irq_if = 1; thread_pc = {skip}";
                    break;
                case SysOp.PostBlock:
                    guard += bufferEmpty;
                    body = "nv_wakeup = 0; ndst = cpu; wakelist = 0; thread_pc = 0";
                    break;
                default:
                    throw new InvalidOperationException($"no Promela for {ins.Op}");
            }
            w.Step(guard, body, $"{pc}: {ins.Name}: {ThreadKernel(ins.Op, pc >= program.ModeOutPc, kvm2019)}");
        }
        w.EndActor();
    }

    /// <summary>A plain store of the thread: under SC it reaches memory at once; under TSO it waits for room in the buffer.</summary>
    private static (string Guard, string Body) Store(string guard, bool tso, BufferedStore store, string apply, int next) =>
        tso ? ($"{guard} && sb_len < {Capacity}", $"sb[sb_len] = {(int)store}; sb_len++; thread_pc = {next}")
            : (guard, $"{apply}; thread_pc = {next}");

    /// <summary>The mode the thread's own loads see under TSO: the newest buffered mode store, else memory (store forwarding).</summary>
    private static string ModeSeenByThread()
    {
        string e = "mode";
        for (int i = 0; i < Capacity; i++)
            e = $"(sb_len > {i} && sb[{i}] <= {(int)BufferedStore.ModeExiting} -> sb[{i}] : {e})";
        return e;
    }

    /// <summary>The interrupt hardware of host CPU c (0 = P0, 1 = P2).</summary>
    private static void WriteCpu(PromelaWriter w, int c, SystemProgram program)
    {
        string name = SystemLabels.CpuName(c);
        string here = $"status == ON_CPU && host == {c}";
        // a CPU not running the thread, or running it in the host with IF = 1, takes the interrupt in the host.
        string hostIrq = $"(status != ON_CPU || host != {c} || (!guest && irq_if))";
        w.BeginActor($"{name}'s interrupt hardware: in VMX non-root mode the vectors go to the guest's VMCS, else to the host's handlers.", $"Cpu{name}");
        w.Step($"{here} && guest && (pending[{c}] & NOTIFY) != 0", $"pending[{c}] = pending[{c}] & {7 & ~SystemState.Notify}; on = 0; virr = virr | pir; pir = 0",
            "pi.process: posted-interrupt processing of the notification vector in non-root mode (SDM 29.6)");
        w.Step($"{here} && guest && (pending[{c}] & (RESCHED | WAKEUP)) != 0", $"guest = 0; irq_if = 0; thread_pc = {program.ModeOutPc}",
            "extint.exit: not the notification vector: VM exit (vmx_handle_exit_irqoff -> handle_external_interrupt_irqoff); it stays pending");
        w.Step($"{hostIrq} && (pending[{c}] & NOTIFY) != 0", $"pending[{c}] = pending[{c}] & {7 & ~SystemState.Notify}",
            "host.irq: sysvec_kvm_posted_intr_ipi, the dummy handler (PIR stays as it is)");
        w.Step($"{hostIrq} && (pending[{c}] & RESCHED) != 0", $"pending[{c}] = pending[{c}] & {7 & ~SystemState.Resched}",
            "host.irq: sysvec_reschedule_ipi (scheduler_ipi)");
        w.Step($"{hostIrq} && (pending[{c}] & WAKEUP) != 0",
            $"pending[{c}] = pending[{c}] & {7 & ~SystemState.Wakeup}; if :: wakelist == {c + 1} && on -> {Wake()} :: else -> skip fi",
            "host.irq: sysvec_kvm_posted_intr_wakeup_ipi -> pi_wakeup_handler: kvm_vcpu_wake_up for each vCPU on this CPU's wake list with ON set");
        w.EndActor();
    }

    /// <summary>
    /// kvm_vcpu_wake_up -> rcuwait_wake_up -> wake_up_process (try_to_wake_up): only a thread that
    /// announced itself (waiter) and is INTERRUPTIBLE is woken; a sleeping one becomes runnable.
    /// </summary>
    private static string Wake(string thenWoken = "", string otherwise = "skip") =>
        $"if :: waiter && task_int -> task_int = 0; if :: status == ASLEEP -> status = RUNNABLE :: else -> skip fi{(thenWoken.Length > 0 ? "; " + thenWoken : "")} :: else -> {otherwise} fi";

    private static void WriteGuest(PromelaWriter w, SystemProgram program)
    {
        string vmExit = $"guest = 0; irq_if = 0; thread_pc = {program.ModeOutPc}";
        w.BeginActor("The guest: takes the highest vector of vIRR, causes a VM exit of its own, or halts.", "Guest");
        w.GuestTakes("status == ON_CPU && guest", PiState.VectorCount, "virtual-interrupt delivery (SDM 29.2.2)");
        w.Step("status == ON_CPU && guest && exits_left > 0", $"{vmExit}; exits_left--",
            "guest.exit: a VM exit of the guest's own (vmx_vcpu_run returns; vcpu_enter_guest goes on after the exit)");
        w.Step("status == ON_CPU && guest && halts_left > 0 && virr == 0", $"{vmExit}; halts_left--; halted = 1",
            "guest.halt: HLT exits (handle_halt -> kvm_emulate_halt: the vCPU is halted)");
        w.EndActor();
    }

    private static void WriteStoreBuffer(PromelaWriter w)
    {
        string apply =
            $"if :: sb[0] <= {(int)BufferedStore.ModeExiting} -> mode = sb[0] " +
            $":: sb[0] == {(int)BufferedStore.WaiterClear} -> waiter = 0 " +
            $":: sb[0] == {(int)BufferedStore.WaiterSet} -> waiter = 1 " +
            $":: sb[0] == {(int)BufferedStore.TaskRunning} -> task_int = 0 " +
            ":: else -> task_int = 1 fi";
        w.StoreBufferActor("mode, waiter, task state", apply, Capacity);
    }

    /// <summary>CPU injector p, posting vector bit v: vmx_deliver_posted_interrupt (locked operations, loads and IPIs only).</summary>
    private static void WriteInjector(PromelaWriter w, SystemProgram program, int p, int v)
    {
        var inj = program.Injector;
        int length = inj.Length;
        string done = $"post_pc[{p}] = 0; posts[{p}]++; inj_mode[{p}] = 0";
        // a post ends when its sequence runs out (or a step says it is done): the poster's word is reset, as pilab does.
        string Go(int pc) => pc >= length ? done : $"post_pc[{p}] = {pc}";

        w.BeginActor($"CPU injector {p + 1}, posting v{System.Numerics.BitOperations.TrailingZeroCount(v) + 1} (KVM: vmx_deliver_posted_interrupt).", $"Injector{p + 1}");
        for (int pc = 0; pc < length; pc++)
        {
            int skip = program.InjectorSkip[pc];
            var (body, kernel) = inj[pc] switch
            {
                InjectorStep.PirSet => ($"if :: (pir & {v}) != 0 -> {done} :: else -> pir = pir | {v}; {Go(pc + 1)} fi",
                    "pi_test_and_set_pir (coalesced into the pending one if set)"),
                InjectorStep.OnSet => ($"if :: on -> {done} :: else -> on = 1; {Go(pc + 1)} fi",
                    "pi_test_and_set_on (a notification is already due if set)"),
                InjectorStep.ModeRead => ($"inj_mode[{p}] = mode; {Go(pc + 1)}",
                    "kvm_vcpu_trigger_posted_interrupt: vcpu->mode == IN_GUEST_MODE"),
                InjectorStep.Notify => ($"if :: inj_mode[{p}] == IN_GUEST -> pending[cpu] = pending[cpu] | NOTIFY; {Go(skip)} :: else -> {Go(pc + 1)} fi",
                    "kvm_vcpu_trigger_posted_interrupt: apic->send_IPI_mask(get_cpu_mask(vcpu->cpu), POSTED_INTR_VECTOR)"),
                InjectorStep.Wake => (Wake(Go(skip), Go(pc + 1)),
                    "kvm_vcpu_wake_up -> rcuwait_wake_up -> wake_up_process"),
                // kvm_vcpu_exiting_guest_mode: cmpxchg(&vcpu->mode, IN_GUEST_MODE, EXITING_GUEST_MODE)
                InjectorStep.Kick => ($"if :: mode == IN_GUEST -> mode = EXITING; pending[cpu] = pending[cpu] | RESCHED :: else -> skip fi; {Go(pc + 1)}",
                    "kvm_vcpu_kick: kvm_vcpu_exiting_guest_mode (cmpxchg) + smp_send_reschedule(vcpu->cpu)"),
                InjectorStep.Mb => (Go(pc + 1), "smp_mb (injectors make no plain stores: their buffer is always empty)"),
                _ => throw new InvalidOperationException($"no Promela for injector step {inj[pc]}"),
            };
            string seed = StepNames.SeedNumber(inj[pc]) is { } n ? $" ({n})" : "";
            w.Step($"posts[{p}] < POSTS && post_pc[{p}] == {pc}", body, $"{pc}: {StepNames.Name(inj[pc])}{seed}: {kernel}");
        }
        w.EndActor();
    }

    /// <summary>Hardware poster p, posting vector bit v: an IOMMU (VT-d posted interrupts) or an IPIv poster
    /// (a vCPU's IPI posted by IPI virtualization, as VT-d posts); it never reads vcpu->mode.</summary>
    private static void WriteHardwarePoster(PromelaWriter w, int p, int v, bool ipiv, bool ignoreSn)
    {
        string done = $"post_pc[{p}] = 0; posts[{p}]++; iommu_nv[{p}] = 0; iommu_ndst[{p}] = 0";
        string kind = ipiv ? "ipiv" : "iommu";
        int vector = System.Numerics.BitOperations.TrailingZeroCount(v) + 1;
        w.BeginActor(ipiv
            ? $"IPIv poster {p + 1}, posting v{vector} (another vCPU in guest mode writes the ICR; the CPU posts into this vCPU's descriptor as VT-d does: hardware, no kernel code)."
            : $"IOMMU poster {p + 1}, posting v{vector} (VT-d posted interrupts of an assigned device; hardware, no kernel code).", ipiv ? $"Ipiv{p + 1}" : $"Iommu{p + 1}");
        w.Step($"posts[{p}] < POSTS && post_pc[{p}] == 0",
            $"pir = pir | {v}; if :: !on{(ignoreSn ? "" : " && !sn")} -> on = 1; iommu_nv[{p}] = nv_wakeup; iommu_ndst[{p}] = ndst; post_pc[{p}] = 1 :: else -> {done} fi",
            ipiv ? "0: ipiv.post: one locked update of the descriptor (SDM, IPI virtualization): PIR |= v; if !ON && !SN: ON = 1, read NV and NDST"
            : ignoreSn ? "0: iommu.post (iommu-sn ignore): one locked update of the descriptor: PIR |= v; if !ON: ON = 1, read NV and NDST"
            : "0: iommu.post: one locked update of the descriptor (VT-d 5.2.3): PIR |= v; if !ON && !SN: ON = 1, read NV and NDST");
        w.Step($"posts[{p}] < POSTS && post_pc[{p}] == 1",
            $"if :: iommu_nv[{p}] -> pending[iommu_ndst[{p}]] = pending[iommu_ndst[{p}]] | WAKEUP :: else -> pending[iommu_ndst[{p}]] = pending[iommu_ndst[{p}]] | NOTIFY fi; {done}",
            $"1: {kind}.notify: the notification event, vector NV to APIC NDST");
        w.EndActor();
    }

    /// <summary>The kernel function a thread step follows; entry steps in vcpu_enter_guest, the rest on the exit and block paths.</summary>
    private static string ThreadKernel(SysOp op, bool blockPath, bool kvm2019) => op switch
    {
        SysOp.IrqOff => "vcpu_enter_guest: local_irq_disable",
        SysOp.ModeIn => "vcpu_enter_guest: smp_store_mb(vcpu->mode, IN_GUEST_MODE), the store",
        SysOp.Mb when blockPath => "kvm_vcpu_block -> set_current_state: smp_store_mb's full barrier",
        SysOp.Mb => "vcpu_enter_guest: smp_store_mb's full barrier (smp_mb__after_srcu_read_unlock)",
        SysOp.OnRead when blockPath => "kvm_vcpu_check_block -> kvm_arch_vcpu_runnable -> vmx_sync_pir_to_irr: pi_test_on",
        SysOp.OnRead => "vcpu_enter_guest -> vmx_sync_pir_to_irr: pi_test_on",
        SysOp.OnClear when blockPath => "kvm_vcpu_check_block -> vmx_sync_pir_to_irr: pi_clear_on",
        SysOp.OnClear => "vcpu_enter_guest -> vmx_sync_pir_to_irr: pi_clear_on",
        SysOp.PirDrain when blockPath => "kvm_vcpu_check_block -> vmx_sync_pir_to_irr -> kvm_apic_update_irr (xchg of PIR into vIRR)",
        SysOp.PirDrain => "vcpu_enter_guest -> vmx_sync_pir_to_irr -> kvm_apic_update_irr (xchg of PIR into vIRR)",
        SysOp.Check => "vcpu_enter_guest: if (vcpu->mode == EXITING_GUEST_MODE || kvm_request_pending) cancel the entry",
        SysOp.Enter => "vmx_vcpu_run -> vmx_vcpu_enter_exit: VMLAUNCH/VMRESUME",
        SysOp.ModeOut => "vcpu_enter_guest after the VM exit: vcpu->mode = OUTSIDE_GUEST_MODE",
        SysOp.IrqOn => "vcpu_enter_guest: local_irq_enable; vcpu_run: a halted vCPU blocks (kvm_vcpu_halt -> kvm_vcpu_block) instead of entering",
        SysOp.PreBlock => "kvm_vcpu_block -> kvm_x86_ops.pre_block -> pi_pre_block (undone by __pi_post_block if ON is set)",
        SysOp.WaiterSet => "kvm_vcpu_block -> prepare_to_rcuwait: rcu_assign_pointer(w->task, current)",
        SysOp.TaskSet => "kvm_vcpu_block -> set_current_state(TASK_INTERRUPTIBLE), the store",
        SysOp.IrrCheck => "kvm_vcpu_check_block: kvm_arch_vcpu_runnable (kvm_cpu_has_interrupt); if so leave: finish_rcuwait, halted = 0",
        SysOp.SchedOutBlock => kvm2019
            ? "kvm_vcpu_block -> schedule -> __schedule: an INTERRUPTIBLE task is dequeued (a woken one stays)"
            : "kvm_vcpu_block -> schedule -> __schedule: an INTERRUPTIBLE task is dequeued; the switch runs kvm_sched_out -> vmx_vcpu_pi_put",
        SysOp.WakelistAdd => "vmx_vcpu_pi_put -> pi_enable_wakeup_handler: list_add_tail(&vmx->pi_wakeup_list, &per_cpu(wakeup_vcpus_on_cpu, vcpu->cpu))",
        SysOp.NvWakeup => "pi_enable_wakeup_handler: try_cmpxchg64(&pi_desc->control, NV = POSTED_INTR_WAKEUP_VECTOR)",
        SysOp.OnTest => "pi_enable_wakeup_handler: if (pi_test_on(&new)) apic->send_IPI_self(POSTED_INTR_WAKEUP_VECTOR)",
        SysOp.Sleep => "__schedule -> context_switch: the task leaves the CPU (runnable again if woken meanwhile)",
        SysOp.PostBlock => "kvm_vcpu_block -> kvm_x86_ops.post_block -> pi_post_block -> __pi_post_block",
        _ => throw new InvalidOperationException($"no kernel function for {op}"),
    };

    private static string SchedInKernel(SchedInStep step, bool kvm2019) => step switch
    {
        SchedInStep.WakelistDel => "vmx_vcpu_pi_load: if NV == POSTED_INTR_WAKEUP_VECTOR, list_del(&vmx->pi_wakeup_list) under wakeup_vcpus_on_cpu_lock",
        SchedInStep.DescUpdate when kvm2019 => "vmx_vcpu_pi_load: fast path if !SN and same CPU; else NDST (unless blocked) and pi_clear_sn",
        SchedInStep.DescUpdate => "vmx_vcpu_pi_load: fast path (pi_test_and_clear_sn) if NV == POSTED_INTR_VECTOR and same CPU; else try_cmpxchg64 NV, SN = 0, NDST",
        SchedInStep.Mb => "vmx_vcpu_pi_load: smp_mb__after_atomic",
        SchedInStep.OnRecompute => "vmx_vcpu_pi_load: if (!pi_is_pir_empty(pi_desc)) pi_set_on (c112b5f50232; on-recompute sn-was-set: only if this load cleared a set SN)",
        _ => throw new InvalidOperationException($"no kernel function for {step}"),
    };
}
