using System.Collections.Immutable;
using Pilab.Model;

namespace Pilab.Report;

/// <summary>Who a lifeline of the sequence diagram stands for.</summary>
public enum LifelineKind : byte { Injector, Memory, StoreBuffer, Thread, Processor, Guest, Iommu }

/// <summary>One vertical line of the diagram: a CPU's actor, an IOMMU, or shared memory.</summary>
public sealed record Lifeline(LifelineKind Kind, int Cpu, string Title, string Subtitle);

/// <summary>How an arrow is drawn, after the memory kinds of docs/model.md section 3.</summary>
public enum ArrowKind : byte
{
    /// <summary>A locked read-modify-write (lock bts, cmpxchg, xchg): acts on memory.</summary>
    Locked,
    /// <summary>A plain store: to memory under SC, into the thread's store buffer under TSO.</summary>
    Store,
    /// <summary>A plain load: the value comes back to the reader.</summary>
    Load,
    /// <summary>A TSO flush: the oldest buffered store reaches memory.</summary>
    Flush,
    /// <summary>An IPI: NOTIFY, RESCHED or WAKEUP becomes pending at a CPU.</summary>
    Ipi,
    /// <summary>VM entry or VM exit between the vCPU thread and the guest.</summary>
    Transition,
}

/// <summary>An arrow between two lifelines (indexes into <see cref="SequenceLayout.Lifelines"/>).</summary>
public sealed record Arrow(int From, int To, ArrowKind Kind, string Label);

/// <summary>One step as drawn: the actor's lifeline, its arrows, and a short note for local steps.</summary>
public sealed record DiagramStep(TraceEvent Step, int Lifeline, ImmutableArray<Arrow> Arrows, string? Note, bool PostsStranded);

/// <summary>
/// The sequence diagram of a trace as data, before any drawing: lifelines left to right (CPU
/// injectors, IOMMU posters, memory with the cells the model chose, the thread's store buffer under
/// TSO, the vCPU thread, each host CPU's processor, the guest) and one <see cref="DiagramStep"/> per
/// trace step, built from the steps' typed accesses, reads and changes. The SVG and the tests both read this.
/// </summary>
public sealed class SequenceLayout
{
    public ImmutableArray<Lifeline> Lifelines { get; }
    public ImmutableArray<DiagramStep> Steps { get; }
    public Trace Trace { get; }
    public MemoryModel Memory => Trace.Memory;
    public ImmutableArray<FieldValue> Initial => Trace.Initial;
    public ImmutableArray<FieldValue> Final => Trace.Steps.IsEmpty ? Trace.Initial : Trace.Steps[^1].After;

    /// <summary>Vectors left behind at the end: still in PIR (stranded) or in vIRR and never taken.</summary>
    public int StrandedVectors { get; }

    public int MemoryLine { get; }
    public int BufferLine { get; }
    public int ThreadLine { get; }
    public int GuestLine { get; }
    /// <summary>AVIC with an IOMMU poster: the lifeline of the GA-log interrupt's handler, else -1.</summary>
    public int GaLogLine { get; }
    /// <summary>The processor lifeline of each host CPU, by CPU number.</summary>
    public ImmutableDictionary<int, int> ProcessorLines { get; }
    public int ProcessorLine => ProcessorLines[Trace.HostCpus[0]];

    private SequenceLayout(Trace trace)
    {
        Trace = trace;
        bool ws = trace.Migrates;
        var lines = new List<Lifeline>();
        bool avic = trace.Avic;
        bool avicIpi = avic && trace.Steps.Any(s => s.Actor == Actor.AvicIpi);
        for (int i = 1; i <= trace.Injectors; i++)
            lines.Add(avic ? new(LifelineKind.Injector, -1, avicIpi ? $"guest IPI {i}" : $"injector {i}", avicIpi ? "AVIC hardware, incomplete-IPI exit" : "svm_deliver_interrupt")
                : ws ? new(LifelineKind.Injector, -1, $"injector {i}", "deliver_posted_interrupt") : new(LifelineKind.Injector, i, $"P{i} injector", "deliver_posted_interrupt"));
        for (int j = 1; j <= trace.Iommus; j++)
            lines.Add(new(LifelineKind.Iommu, -1, trace.HardwarePosterName(j), avic ? "guest virtual APIC (GA) mode" : trace.IsIpiv(j) ? "IPI virtualization" : "posted-interrupt remapping"));
        // AVIC: the GA-log interrupt is handled on a CPU the thread does not run on (avic_ga_log_notifier).
        GaLogLine = -1;
        if (avic && trace.Iommus > 0)
        {
            GaLogLine = lines.Count;
            lines.Add(new(LifelineKind.Processor, 1, "GA-log irq", "avic_ga_log_notifier"));
        }
        MemoryLine = lines.Count;
        lines.Add(new(LifelineKind.Memory, -1, "memory", string.Join(" · ", trace.Cells.Select(CellName))));
        BufferLine = -1;
        if (trace.Memory == MemoryModel.TSO)
        {
            BufferLine = lines.Count;
            lines.Add(ws ? new(LifelineKind.StoreBuffer, -1, "store buffer", "x86-TSO, moves with the thread") : new(LifelineKind.StoreBuffer, 0, "P0 store buffer", "x86-TSO, FIFO"));
        }
        ThreadLine = lines.Count;
        lines.Add(ws ? new(LifelineKind.Thread, -1, "vCPU thread", "enter, block, sched.in") : new(LifelineKind.Thread, 0, "P0 vCPU thread", "vcpu_enter_guest"));
        var processors = ImmutableDictionary.CreateBuilder<int, int>();
        foreach (int c in trace.HostCpus)
        {
            processors[c] = lines.Count;
            lines.Add(new(LifelineKind.Processor, c, $"P{c} processor", avic ? "AVIC: doorbell" : ws ? "local APIC, handlers" : "local APIC, IF"));
        }
        ProcessorLines = processors.ToImmutable();
        GuestLine = lines.Count;
        lines.Add(new(LifelineKind.Guest, -1, "guest", avic ? "SVM guest mode" : "VMX non-root"));
        Lifelines = [.. lines];

        StrandedVectors = Trace.Find(Final, Field.Pir) | (Trace.Find(Final, Field.VIrr) & ~Trace.Find(Final, Field.Delivered)) | Trace.Find(Final, Field.Irr);
        Steps = [.. trace.Steps.Select(Place)];
    }

    public static SequenceLayout Build(Trace trace) => new(trace);

    /// <summary>A cell's name in the memory lifeline's heading.</summary>
    public static string CellName(Cell c) => c.Field switch
    {
        Field.EventRequest => "requests",
        Field.Wakelist => $"P{c.Cpu} wake list",
        Field.ThreadCpu => "thread's CPU",
        Field.ThreadState => "thread state",
        _ => TraceText.Name(c.Field),
    };

    public int LineOf(TraceEvent s) => s.Actor switch
    {
        Actor.Injector => s.Instance - 1,
        Actor.Iommu => Trace.Injectors + s.Instance - 1,
        Actor.VcpuThread => ThreadLine,
        Actor.Interrupts when !ProcessorLines.ContainsKey(s.Cpu ?? 0) && GaLogLine >= 0 => GaLogLine,
        Actor.Interrupts => ProcessorLines[s.Cpu ?? 0],
        Actor.AvicIpi => s.Instance - 1,
        Actor.Guest => GuestLine,
        Actor.StoreBuffer => BufferLine >= 0 ? BufferLine : MemoryLine,
        _ => ThreadLine,
    };

    private int Processor(int cpu) => ProcessorLines.TryGetValue(cpu, out int l) ? l : ProcessorLine;

    private static int ChangeOf(TraceEvent s, Field f, out int before)
    {
        foreach (var c in s.Changes)
            if (c.Field == f && !c.Buffered) { before = c.Before; return c.After; }
        before = s.Value(f);
        return before;
    }

    private DiagramStep Place(TraceEvent s)
    {
        int me = LineOf(s);
        var arrows = new List<Arrow>();
        string? note = null;
        bool postsStranded = false;
        var before = Trace.Before(s.Index);
        int bufferedBefore = s.Index <= 1 ? 0 : Trace.Steps[s.Index - 2].Buffer.Length;
        // Where the thread's plain stores go, and where its loads come from (docs/model.md section 6).
        int storeTarget = s.Access == AccessKind.BufferedStore && BufferLine >= 0 ? BufferLine : MemoryLine;
        int loadSource = s.Access == AccessKind.ForwardedLoad && BufferLine >= 0 ? BufferLine : MemoryLine;
        string M(Field f = Field.Mode) => TraceText.Value(f, s.Read(f) ?? 0);
        void Locked(string label) => arrows.Add(new(me, MemoryLine, ArrowKind.Locked, label));
        void Load(string label) => arrows.Add(new(loadSource, me, ArrowKind.Load, label));
        void Ipi() { if (s.Ipi is { } ipi) arrows.Add(new(me, Processor(ipi.TargetCpu), ArrowKind.Ipi, ipi.Vector == IpiVector.Doorbell ? "doorbell" : $"{TraceText.Vector(ipi.Vector)} IPI")); }

        switch (s.Outcome)
        {
            case Outcome.SkipModeRead: note = "ON was set: skip to kick"; break;
            case Outcome.ModeRead: Load($"mode = {M()}"); break;
            case Outcome.NotifyIpi: case Outcome.IommuNotify: Ipi(); break;
            case Outcome.NoIpiKickInstead or Outcome.NoIpiNoKick or Outcome.NoIpiWakeInstead: note = $"mode was {M()}: no IPI"; break;
            case Outcome.KickIpi: Locked("cmpxchg → EXITING"); Ipi(); break;
            case Outcome.KickFailed: Locked("cmpxchg fails"); break;
            case Outcome.EventPending or Outcome.NoEvent: Load(s.Outcome == Outcome.EventPending ? "EVENT pending" : "no request"); break;
            case Outcome.FullBarrier: note = "full barrier"; break;
            case Outcome.AfterAtomic: note = "smp_mb__after_atomic"; break;
            case Outcome.OnFound or Outcome.OnClearSkip: Load($"ON = {s.Read(Field.On)}"); break;
            case Outcome.CancelEntry or Outcome.GoOnToEnter: Load($"mode = {M()}{(s.Read(Field.EventRequest) == 1 ? ", EVENT" : "")}"); break;
            case Outcome.VmEntry: arrows.Add(new(me, GuestLine, ArrowKind.Transition, "VM entry")); break;
            case Outcome.PiProcessing: Locked($"clear ON, PIR {Bits(s.Read(Field.Pir) ?? 0)} → vIRR"); break;
            case Outcome.ExitOnIpi:
                arrows.Add(new(GuestLine, ThreadLine, ArrowKind.Transition, $"VM exit ({((s.Read(Field.Pending) ?? 2) == 4 ? "WAKEUP" : "RESCHED")})"));
                break;
            case Outcome.DummyAteNotify: note = "dummy handler eats NOTIFY"; break;
            case Outcome.HostHandledResched: note = "host handles RESCHED"; break;
            case Outcome.WakeupHandlerWakes: Load("on this wake list, ON = 1"); note = "wakes the vCPU"; break;
            case Outcome.WakeupHandlerNothing: Load(s.Read(Field.Wakelist) == s.Cpu ? "ON = 0" : "vCPU not on this list"); break;
            case Outcome.GuestTake:
                note = $"takes {Bits(ChangeOf(s, Trace.Avic ? Field.Irr : Field.VIrr, out int v0) is var v1 ? v0 & ~v1 : 0)}";
                break;
            case Outcome.GuestExit: arrows.Add(new(GuestLine, ThreadLine, ArrowKind.Transition, "VM exit")); break;
            case Outcome.GuestHalt: arrows.Add(new(GuestLine, ThreadLine, ArrowKind.Transition, "VM exit (HLT)")); break;
            case Outcome.Flushed:
                // Unlabelled: the gap to memory is narrow, and the memory cell that turns yellow says what arrived.
                arrows.Add(new(me, MemoryLine, ArrowKind.Flush, ""));
                note = $"{Spaced(s.Reads[0])} reaches memory";
                break;
            case Outcome.Loaded when Trace.Avic: Locked($"IsRunning = 1 @P{s.Cpu}"); break;
            case Outcome.Migrated when Trace.Avic: Locked($"IsRunning = 1 @P{s.Cpu}"); note = $"from P{s.Read(Field.ThreadCpu)}"; break;
            case Outcome.Loaded: note = $"loaded on P{s.Cpu}"; break;
            case Outcome.Migrated: note = $"loaded on P{s.Cpu} (from P{s.Read(Field.ThreadCpu)})"; break;
            case Outcome.Preempted: note = "preempted"; break;
            case Outcome.Sleeps: note = "sleeps"; break;
            case Outcome.WokenRunnable: note = "woken: runnable"; break;
            case Outcome.Block: note = "IF = 1, halted: block"; break;
            case Outcome.VirrEmptySchedule: note = "vIRR empty"; break;
            case Outcome.VirrPendingLeave: note = "vIRR not empty: leave"; break;
            case Outcome.ScheduleOut: Load("task = INTERRUPTIBLE"); break;
            case Outcome.WokenLoop: Load("task = RUNNING"); break;
            case Outcome.SelfWakeupIpi: Load("ON = 1"); Ipi(); break;
            case Outcome.NoSelfIpi: Load("ON = 0"); break;
            case Outcome.WakeThread: Locked("wake the thread"); break;
            case Outcome.NothingToWake: Locked("nothing to wake"); break;
            case Outcome.DescriptorUnchanged: Locked("nothing to do"); break;
            case Outcome.NotOnWakeList: Locked("on no wake list"); break;
            case Outcome.PirNotEmptySetOn: Locked(ChangeOf(s, Field.On, out int on0) != on0 ? "PIR ≠ {}: set ON" : "PIR ≠ {}: ON already 1"); break;
            case Outcome.PirEmpty: Locked("PIR empty"); break;
            case Outcome.SnWasNotSetNoRecompute: Locked("SN was not set: ON left alone"); break;
            // AVIC (docs/avic.md)
            case Outcome.IrrSet or Outcome.IommuPostedDoorbell or Outcome.IommuPostedGaLog or Outcome.IommuPostedNothing:
            {
                int added = ChangeOf(s, Field.Irr, out int i0) & ~i0;
                postsStranded = ((added == 0 ? s.Value(Field.Irr) & ~i0 : added) & StrandedVectors) != 0 && added != 0;
                string irr = added != 0 ? $"set {Bits(added)} in IRR" : "IRR already set";
                Locked(s.Outcome switch
                {
                    Outcome.IommuPostedDoorbell => $"{irr}; IsRun → P{s.Read(Field.IrteDest)}",
                    Outcome.IommuPostedGaLog => $"{irr}; GA log",
                    Outcome.IommuPostedNothing => $"{irr}; no IsRun, no GA log",
                    _ => irr,
                });
                break;
            }
            case Outcome.IsRunningRead: Load($"IsRunning = {s.Read(Field.IsRunning)}, host P{s.Read(Field.HostId)}"); break;
            case Outcome.DoorbellRung: case Outcome.IommuDoorbell: Ipi(); break;
            case Outcome.IommuGaLog:
                if (GaLogLine >= 0) arrows.Add(new(me, GaLogLine, ArrowKind.Ipi, "GA-log interrupt"));
                break;
            case Outcome.IncompleteIpiExit: note = "IsRunning = 0: incomplete-IPI exit"; break;
            case Outcome.ModeReadAvic: Load($"mode = {M()}"); break;
            case Outcome.WakeAvic: Locked("wake the thread"); break;
            case Outcome.NothingToWakeAvic: Locked("nothing to wake"); break;
            case Outcome.GaLogWakes: Locked("wake the thread"); break;
            case Outcome.GaLogNothing: Locked("nothing to wake"); break;
            case Outcome.DoorbellEvaluated: Locked($"evaluate IRR {Bits(s.Read(Field.Irr) ?? 0)}"); break;
            case Outcome.DoorbellIgnored: note = "doorbell ignored: no guest of this vCPU here"; break;
            case Outcome.IrrEvaluated: arrows.Add(new(me, GuestLine, ArrowKind.Transition, $"VMRUN (IRR {Bits(s.Read(Field.Irr) ?? 0)})")); break;
            case Outcome.IrrEmptySchedule: Load("IRR = {}"); break;
            case Outcome.IrrPendingLeave: Load($"IRR = {TraceText.Vectors(s.Read(Field.Irr) ?? 0)}: leave"); break;
            case Outcome.AvicBlocking: Locked("IsRunning = 0, IsRun = 0"); break;
            case Outcome.AvicLoad: Locked($"IsRunning = 1 @P{s.Value(Field.HostId)}"); break;
            case Outcome.AvicUnblockReadCpu: Load($"vcpu->cpu = P{s.Read(Field.VcpuCpu)}"); break;
            case Outcome.AvicLoadSkipped: note = $"loaded on P{s.Cpu}; blocking: no AVIC load"; break;
            case Outcome.AvicPut: Locked("IsRunning = 0, IsRun = 0"); break;
            case Outcome.PostedWithSn or Outcome.PostedOnAlreadySet or Outcome.PostedWillNotify:
            {
                int added = ChangeOf(s, Field.Pir, out int p0) & ~p0;
                postsStranded = (added & StrandedVectors) != 0;
                string pir = added != 0 ? $"set {Bits(added)} in PIR" : "coalesced";
                Locked(s.Outcome switch
                {
                    Outcome.PostedWithSn => pir + " (SN = 1)",
                    Outcome.PostedOnAlreadySet => pir + " (ON already 1)",
                    _ => pir + ", set ON",
                });
                break;
            }
            default:
                Generic(s, me, arrows, ref note, ref postsStranded, storeTarget, loadSource);
                break;
        }
        return new(s, me, [.. arrows], note, postsStranded);
    }

    /// <summary>Steps whose drawing follows from their access alone: the locked updates, plain stores and IF.</summary>
    private void Generic(TraceEvent s, int me, List<Arrow> arrows, ref string? note, ref bool postsStranded, int storeTarget, int loadSource)
    {
        switch (s.Access)
        {
            case AccessKind.LockedRmw when s.Target == Field.Pir && s.Actor == Actor.VcpuThread:
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, $"take PIR {Bits(s.Read(Field.Pir) ?? 0)} → vIRR"));
                break;
            case AccessKind.LockedRmw when s.Target == Field.Pir:
            {
                int added = ChangeOf(s, Field.Pir, out int p0) & ~p0;
                postsStranded = (added & StrandedVectors) != 0;
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, added != 0 ? $"set {Bits(added)} in PIR" : "coalesced"));
                break;
            }
            case AccessKind.LockedRmw when s.Target == Field.On && s.Actor != Actor.VcpuThread:
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, s.Read(Field.On) == 1 ? "ON already 1" : "set ON"));
                break;
            case AccessKind.LockedRmw when s.Target == Field.On:
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, "clear ON"));
                break;
            case AccessKind.LockedRmw when s.Target == Field.EventRequest:
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, s.Actor == Actor.VcpuThread ? "clear EVENT" : "request EVENT"));
                break;
            case AccessKind.LockedRmw:
            {
                var said = s.Changes.Where(c => !c.Buffered && c.Field is Field.Sn or Field.Nv or Field.Ndst or Field.Wakelist or Field.On)
                    .Select(c => c.Field == Field.Wakelist ? (c.After < 0 ? $"off P{c.Before}'s list" : $"on P{c.After}'s list") : $"{TraceText.Name(c.Field)} = {TraceText.Value(c.Field, c.After)}");
                string label = string.Join(", ", said);
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, label.Length > 0 ? label : $"{TraceText.Name(s.Target ?? Field.Pir)} unchanged"));
                break;
            }
            case AccessKind.Store or AccessKind.BufferedStore when s.Target is { } f:
            {
                int v = s.Access == AccessKind.BufferedStore && s.Buffer.Length > 0 ? s.Buffer[^1].Value : s.Value(f);
                arrows.Add(new(me, storeTarget, ArrowKind.Store, $"{TraceText.Name(f)} = {TraceText.Value(f, v)}"));
                break;
            }
            case AccessKind.Load or AccessKind.ForwardedLoad when s.Target is { } f:
                arrows.Add(new(loadSource, me, ArrowKind.Load, $"{TraceText.Name(f)} = {TraceText.Value(f, s.Read(f) ?? s.Value(f))}"));
                break;
            case AccessKind.Local when s.Target == Field.IF:
                note = $"IF = {s.Value(Field.IF, s.Cpu ?? 0)}";
                break;
            case AccessKind.Fence:
                note = "full barrier";
                break;
        }
    }

    /// <summary>A buffered store with spaces round the '=': mode = IN_GUEST.</summary>
    private static string Spaced(FieldValue e) => $"{TraceText.Name(e.Field)} = {TraceText.Value(e.Field, e.Value)}";

    /// <summary>A vector set without braces: "v1", "v1,v2", or "nothing".</summary>
    public static string Bits(int set) => set == 0 ? "nothing" : TraceText.Bits(set);
}
