using System.Collections.Immutable;
using Pilab.Model;

namespace Pilab.Report;

/// <summary>Who a lifeline of the sequence diagram stands for.</summary>
public enum LifelineKind : byte { Injector, Memory, StoreBuffer, Thread, Processor, Guest }

/// <summary>One vertical line of the diagram: a CPU's actor, or shared memory.</summary>
public sealed record Lifeline(LifelineKind Kind, int Cpu, string Title, string Subtitle);

/// <summary>How an arrow is drawn, after the memory kinds of SPEC.md section 3.</summary>
public enum ArrowKind : byte
{
    /// <summary>A locked read-modify-write (lock bts, cmpxchg, xchg): acts on memory.</summary>
    Locked,
    /// <summary>A plain store: to memory under SC, into P0's store buffer under TSO.</summary>
    Store,
    /// <summary>A plain load: the value comes back to the reader.</summary>
    Load,
    /// <summary>A TSO flush: the oldest buffered store reaches memory.</summary>
    Flush,
    /// <summary>An IPI: NOTIFY or RESCHED becomes pending at P0.</summary>
    Ipi,
    /// <summary>VM entry or VM exit between the vCPU thread and the guest.</summary>
    Transition,
}

/// <summary>An arrow between two lifelines (indexes into <see cref="SequenceLayout.Lifelines"/>).</summary>
public sealed record Arrow(int From, int To, ArrowKind Kind, string Label);

/// <summary>One step as drawn: the actor's lifeline, its arrows, and a short note for local steps.</summary>
public sealed record DiagramStep(NarratedStep Step, int Lifeline, ImmutableArray<Arrow> Arrows, string? Note, bool PostsStranded);

/// <summary>
/// The sequence diagram of a narrated trace as data, before any drawing: lifelines left to right
/// (injectors, memory, P0's store buffer under TSO, P0's vCPU thread, P0's processor, the guest) and
/// one <see cref="DiagramStep"/> per trace step. The SVG and the tests both read this.
/// </summary>
public sealed class SequenceLayout
{
    public ImmutableArray<Lifeline> Lifelines { get; }
    public ImmutableArray<DiagramStep> Steps { get; }
    public NarratedTrace Trace { get; }
    public MemoryModel Memory { get; }
    public PiState Initial { get; }
    public PiState Final { get; }

    /// <summary>Vectors left behind at the end: still in PIR (stranded) or in vIRR and never taken.</summary>
    public int StrandedVectors { get; }

    /// <summary>True when some state of the run has KVM_REQ_EVENT pending (the pre-patch design): memory shows it too.</summary>
    public bool UsesRequests { get; }

    public int MemoryLine { get; }
    public int BufferLine { get; }
    public int ThreadLine { get; }
    public int ProcessorLine { get; }
    public int GuestLine { get; }

    private SequenceLayout(NarratedTrace trace, MemoryModel memory)
    {
        Trace = trace;
        Memory = memory;
        UsesRequests = trace.Steps.Any(st => st.Before.EventRequest || st.After.EventRequest);
        var lines = new List<Lifeline>();
        for (int i = 1; i <= trace.Injectors; i++)
            lines.Add(new(LifelineKind.Injector, i, $"P{i} injector", "deliver_posted_interrupt"));
        MemoryLine = lines.Count;
        lines.Add(new(LifelineKind.Memory, -1, "memory", UsesRequests ? "PIR · ON · mode · requests" : "PIR · ON · mode"));
        BufferLine = -1;
        if (memory == MemoryModel.TSO)
        {
            BufferLine = lines.Count;
            lines.Add(new(LifelineKind.StoreBuffer, 0, "P0 store buffer", "x86-TSO, FIFO"));
        }
        ThreadLine = lines.Count;
        lines.Add(new(LifelineKind.Thread, 0, "P0 vCPU thread", "vcpu_enter_guest"));
        ProcessorLine = lines.Count;
        lines.Add(new(LifelineKind.Processor, 0, "P0 processor", "local APIC, IF"));
        GuestLine = lines.Count;
        lines.Add(new(LifelineKind.Guest, 0, "guest", "VMX non-root"));
        Lifelines = [.. lines];

        Initial = trace.Steps.IsEmpty ? default : trace.Steps[0].Before;
        Final = trace.Steps.IsEmpty ? default : trace.Steps[^1].After;
        StrandedVectors = Final.Pir | (Final.VIrr & ~Final.Delivered);
        Steps = [.. trace.Steps.Select(Place)];
    }

    public static SequenceLayout Build(NarratedTrace trace, MemoryModel memory) => new(trace, memory);

    public int LineOf(NarratedStep s) => s.Lane switch
    {
        Lane.Injector => s.Cpu - 1,
        Lane.P0Thread => ThreadLine,
        Lane.P0Cpu => ProcessorLine,
        Lane.Guest => GuestLine,
        Lane.P0Buffer => BufferLine >= 0 ? BufferLine : MemoryLine,
        _ => ThreadLine,
    };

    private DiagramStep Place(NarratedStep s)
    {
        int me = LineOf(s);
        PiState a = s.Before, b = s.After;
        var arrows = new List<Arrow>();
        string? note = null;
        bool postsStranded = false;
        // Where P0's plain stores go, and where its loads of mode come from (SPEC.md section 6).
        int storeTarget = BufferLine >= 0 ? BufferLine : MemoryLine;
        int modeSource = BufferLine >= 0 && a.StoreBufferLength > 0 ? BufferLine : MemoryLine;

        switch (s.Step)
        {
            case "pir.set":
            {
                int added = b.Pir & ~a.Pir;
                postsStranded = (added & StrandedVectors) != 0;
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked,
                    added != 0 ? $"set {Bits(added)} in PIR" : "coalesced"));
                break;
            }
            case "on.set":
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, a.On ? "ON already 1" : "set ON"));
                break;
            case "req.set":
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, "request EVENT"));
                break;
            case "mode.read":
                if (s.Lane == Lane.Injector && s.Effects.Any(e => e.Contains("without reading mode")))
                    note = "ON was set: skip to kick";
                else
                    arrows.Add(new(MemoryLine, me, ArrowKind.Load, $"mode = {a.Mode.Text()}"));
                break;
            case "notify":
                if (a.InjectorModeRead(s.Cpu - 1) == VcpuMode.InGuest)
                    arrows.Add(new(me, ProcessorLine, ArrowKind.Ipi, "NOTIFY IPI"));
                else
                    note = $"mode was {a.InjectorModeRead(s.Cpu - 1).Text()}: no IPI";
                break;
            case "kick":
                if (a.Mode == VcpuMode.InGuest)
                {
                    arrows.Add(new(me, MemoryLine, ArrowKind.Locked, "cmpxchg → EXITING"));
                    arrows.Add(new(me, ProcessorLine, ArrowKind.Ipi, "RESCHED IPI"));
                }
                else
                {
                    arrows.Add(new(me, MemoryLine, ArrowKind.Locked, "cmpxchg fails"));
                }
                break;
            case "req.test":
                arrows.Add(new(MemoryLine, me, ArrowKind.Load, a.EventRequest ? "EVENT pending" : "no request"));
                break;
            case "req.clear":
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, "clear EVENT"));
                break;
            case "irq.off":
                note = "IF = 0";
                break;
            case "irq.on":
                note = "IF = 1";
                break;
            case "mode.in":
                arrows.Add(new(me, storeTarget, ArrowKind.Store, "mode = IN_GUEST"));
                break;
            case "mode.out":
                arrows.Add(new(me, storeTarget, ArrowKind.Store, "mode = OUTSIDE"));
                break;
            case "mb":
                note = "full barrier";
                break;
            case "on.read":
                arrows.Add(new(MemoryLine, me, ArrowKind.Load, $"ON = {(a.On ? 1 : 0)}"));
                break;
            case "on.clear":
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, "clear ON"));
                break;
            case "pir.drain":
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, $"take PIR {Bits(a.Pir)} → vIRR"));
                break;
            case "check":
                arrows.Add(new(modeSource, me, ArrowKind.Load,
                    $"mode = {a.ModeSeenByP0.Text()}{(a.EventRequest ? ", EVENT" : "")}"));
                break;
            case "enter":
                arrows.Add(new(me, GuestLine, ArrowKind.Transition, "VM entry"));
                break;
            case "pi.process":
                arrows.Add(new(me, MemoryLine, ArrowKind.Locked, $"clear ON, PIR {Bits(a.Pir)} → vIRR"));
                break;
            case "extint.exit":
                arrows.Add(new(GuestLine, ThreadLine, ArrowKind.Transition, "VM exit (RESCHED)"));
                break;
            case "host.irq":
                note = a.NotifyPending && !b.NotifyPending ? "dummy handler eats NOTIFY" : "host handles RESCHED";
                break;
            case "guest.take":
                note = $"takes {Bits(a.VIrr & ~b.VIrr)}";
                break;
            case "guest.exit":
                arrows.Add(new(GuestLine, ThreadLine, ArrowKind.Transition, "VM exit"));
                break;
            case "flush":
                // Unlabelled: the gap to memory is narrow, and the memory cell that turns yellow says what arrived.
                arrows.Add(new(me, MemoryLine, ArrowKind.Flush, ""));
                note = $"mode = {a.StoreBufferAt(0).Text()} reaches memory";
                break;
        }
        return new(s, me, [.. arrows], note, postsStranded);
    }

    /// <summary>A vector set without braces: "v1", "v1,v2", or "nothing".</summary>
    public static string Bits(int set) => set == 0 ? "nothing" : PiState.Vectors(set).Trim('{', '}');
}
