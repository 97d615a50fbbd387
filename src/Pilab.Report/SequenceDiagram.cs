using System.Collections.Immutable;
using System.Globalization;
using System.Xml.Linq;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Model.WholeSystem;
using Pilab.Protocol;

namespace Pilab.Report;

/// <summary>
/// Draws a <see cref="SequenceLayout"/> as SVG, the way kernel engineers draw races by hand: one
/// lifeline per CPU and one for memory, time going down, an arrow per memory access or IPI. Each step
/// carries its docs/model.md name and the seed's pairing number (1 PIR, 2 ON, 3 mode, 4a IRQs/NOTIFY,
/// 4b check/kick) in the same colour on both sides, so the pairs the seed mail talks about line up.
/// The right-hand column says in words what each step did; the last row marks what is left stranded.
/// </summary>
public static class SequenceDiagram
{
    public static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private const double Gutter = 40, TitleHeight = 62, HeaderHeight = 46, RowMin = 40, BoxHalf = 42;
    private const double BufferHalf = 55, NarrativeWidth = 290, LegendHeight = 52;
    private const int NarrativeChars = 44;

    /// <summary>The diagram of a checked variant's shortest losing (or stuck) run, of any design: the
    /// lifelines and memory cells are the trace's own (<see cref="Trace.Cells"/>).</summary>
    public static XElement Render(CheckResult result, string idPrefix = "sd")
    {
        if (result.Trace is null)
            throw new ArgumentException($"{result.Variant.Name} [{result.ConfigurationText}] has no trace to draw", nameof(result));
        var c = result.Configuration;
        var v = result.Variant;
        string what = result.Verdict == Verdict.Stuck ? "gets stuck" : "loses an interrupt";
        if (v.IsAvic)
        {
            string avicTitle = $"{v.Name} under {c.Memory}: the shortest run that {what} ({result.Trace.Steps.Length} steps)";
            string[] avicSub =
            [
                $"design:   avic      ({result.ConfigurationText})",
                $"cpu-sender: {AvicPolicy.Name(v.Avic.Sender)}   ipiv: {(v.Avic.Ipiv ? "on" : "off")}   unblock-load: {AvicPolicy.Name(v.Avic.UnblockLoad)}   irte-assign: {AvicPolicy.Name(v.Avic.IrteAssign)}   blocking-preemptible: {(v.Avic.BlockingPreemptible ? "yes" : "no")}",
            ];
            return Render(SequenceLayout.Build(result.Trace), avicTitle, avicSub, idPrefix);
        }
        if (v.WholeSystem)
        {
            string wholeTitle = $"{v.Name} under {c.Memory}: the shortest run that {what} ({result.Trace.Steps.Length} steps)";
            string[] wholeSub =
            [
                $"design:   {DesignNames.Name(v.Design)}, wake-up vector {(v.WakeupArmed(c) ? "armed" : "not armed")}      ({result.ConfigurationText})",
                $"entry:    {v.EntryText}      injector: {v.InjectorText}",
                $"block:    {v.BlockText}      sched-in: {v.SchedInText}",
            ];
            return Render(SequenceLayout.Build(result.Trace), wholeTitle, wholeSub, idPrefix);
        }
        string title = $"{v.Name} under {c.Memory}, {c.Injectors} injector{(c.Injectors > 1 ? "s" : "")}: the shortest run that {what} ({result.Trace.Steps.Length} steps)";
        string[] sub =
        [
            $"vCPU entry: {string.Join("  ", v.Entry.Select(e => Seeded(StepNames.Name(e), StepNames.SeedNumber(e))))}",
            $"injector:   {string.Join("  ", v.Injector.Select(i => Seeded(StepNames.Name(i), StepNames.SeedNumber(i))))}      ({result.ConfigurationText})",
        ];
        return Render(SequenceLayout.Build(result.Trace), title, sub, idPrefix);
    }

    /// <summary>The standalone file: an XML declaration and the SVG with its own styles.</summary>
    public static string ToFile(XElement svg) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg.ToString(SaveOptions.DisableFormatting) + "\n";

    public static XElement Render(SequenceLayout layout, string title, IReadOnlyList<string> subtitle, string idPrefix = "sd")
    {
        var lines = layout.Lifelines;
        var xs = new double[lines.Length];
        double x = Gutter;
        for (int i = 0; i < lines.Length; i++)
        {
            // The injector next to memory and the vCPU thread sit off-centre in wider columns, leaving
            // room for the labels of their arrows to and from memory.
            bool nearMemory = lines[i].Kind is LifelineKind.Injector or LifelineKind.Iommu && i == layout.MemoryLine - 1;
            double w = nearMemory ? 250 : lines[i].Kind == LifelineKind.Memory ? 2 * MemoryHalf(layout) + 16 : ColumnWidth(lines[i].Kind);
            xs[i] = x + w * (nearMemory ? 0.4 : lines[i].Kind == LifelineKind.Thread ? 0.6 : 0.5);
            x += w;
        }
        double narrativeX = x + 16;
        double width = narrativeX + NarrativeWidth + 10;

        // Row geometry first: a row is as tall as its narrative, plus room for an IPI's lower arrow or a note.
        int n = layout.Steps.Length;
        var top = new double[n];
        var height = new double[n];
        var narrative = new List<string>[n];
        // A subtitle longer than two lines pushes the heads down.
        double titleHeight = TitleHeight + 15 * Math.Max(0, subtitle.Count - 2);
        double y = titleHeight + HeaderHeight + 8;
        for (int i = 0; i < n; i++)
        {
            var d = layout.Steps[i];
            narrative[i] = TextWrap.Lines(TraceText.Text(layout.Trace, d.Step), NarrativeChars);
            double h = Math.Max(RowMin, 14 * narrative[i].Count + 14);
            if (d.Arrows.Any(a => a.Kind == ArrowKind.Ipi) || d.Note is not null) h = Math.Max(h, 54);
            top[i] = y;
            height[i] = h;
            y += h;
        }
        double endTop = y + 6;
        var diagnosis = TextWrap.Lines("⇒ " + TraceText.Diagnosis(layout.Trace), (int)((width - 2 * Gutter) / 7.4));
        double endHeight = 64 + 16 * diagnosis.Count + 16;
        double totalHeight = endTop + endHeight + LegendHeight;

        var svg = new XElement(Svg + "svg",
            new XAttribute("viewBox", $"0 0 {F(width)} {F(totalHeight)}"),
            new XAttribute("width", F(width)),
            new XAttribute("height", F(totalHeight)),
            new XAttribute("class", "sd"),
            new XAttribute("role", "img"),
            new XAttribute("aria-label", title),
            new XAttribute("data-steps", n),
            new XElement(Svg + "title", title),
            new XElement(Svg + "style", Style),
            Defs(idPrefix),
            Rect(0, 0, width, totalHeight, "bg"));

        svg.Add(Text(Gutter - 28, 24, title, "title"));
        for (int i = 0; i < subtitle.Count; i++)
            svg.Add(Text(Gutter - 28, 42 + 15 * i, subtitle[i], "sub mono", preserve: true));

        for (int i = 0; i < n; i++)
            if (i % 2 == 1) svg.Add(Rect(4, top[i], width - 8, height[i], "zebra"));

        // Lifelines: heads, dashed lines, then the bands that show P0's state along its lines.
        double headTop = titleHeight;
        for (int i = 0; i < lines.Length; i++)
        {
            double w = Math.Min(ColumnWidth(lines[i].Kind), 180) - 12;
            svg.Add(new XElement(Svg + "g", new XAttribute("class", $"head {Kind(lines[i].Kind)}"),
                Rect(xs[i] - w / 2, headTop, w, HeaderHeight - 8, null, rx: 5),
                Text(xs[i], headTop + 16, lines[i].Title, "head-title", anchor: "middle"),
                Text(xs[i], headTop + 31, lines[i].Subtitle, "head-sub", anchor: "middle")));
            svg.Add(Line(xs[i], headTop + HeaderHeight - 8, xs[i], endTop + 40, "life"));
        }
        svg.Add(Text(narrativeX, headTop + 16, "what happens", "head-title"));
        svg.Add(Text(narrativeX, headTop + 31, "each step's effects, in the model's words", "head-sub"));
        Bands(svg, layout, xs, top, headTop + HeaderHeight - 8, endTop + 40);

        for (int i = 0; i < n; i++)
            svg.Add(StepGroup(layout, layout.Steps[i], xs, top[i], height[i], width, narrativeX, narrative[i], idPrefix));

        svg.Add(End(layout, xs, endTop, width, diagnosis));
        svg.Add(Legend(totalHeight - LegendHeight + 8, idPrefix, layout.Trace.Avic));
        return svg;
    }

    private static XElement StepGroup(SequenceLayout layout, DiagramStep d, double[] xs, double top, double height, double width, double narrativeX,
        List<string> narrative, string idPrefix)
    {
        var s = d.Step;
        double ay = top + 20;
        double me = xs[d.Lifeline];
        var g = new XElement(Svg + "g",
            new XAttribute("class", "step"),
            new XAttribute("data-index", s.Index),
            new XAttribute("data-actor", TraceText.Actor(layout.Trace, s)),
            new XAttribute("data-step", s.Step));
        if (s.Seed is not null) g.Add(new XAttribute("data-seed", s.Seed));
        // The row's highlight, unpainted here: the report paints the current step's when a reader steps through the run.
        g.Add(Rect(4, top, width - 8, height, "hl"));

        g.Add(Text(Gutter - 14, ay + 4, s.Index.ToString(CultureInfo.InvariantCulture), "idx", anchor: "middle"));

        bool bufferBox = layout.BufferLine >= 0 && d.Lifeline != layout.BufferLine && s.Buffer.Length > 0;

        var arrows = new XElement(Svg + "g", new XAttribute("class", "arrows"));
        var labels = new XElement(Svg + "g", new XAttribute("class", "labels"));
        foreach (var a in d.Arrows)
        {
            double fx = xs[a.From], tx = xs[a.To];
            double dir = tx >= fx ? 1 : -1;
            string cls = $"a a-{Kind(a.Kind)}{(d.PostsStranded && a.Kind == ArrowKind.Locked ? " posts-stranded" : "")}";
            string marker = a.Kind switch
            {
                ArrowKind.Ipi => "ipi",
                ArrowKind.Transition => "tr",
                ArrowKind.Flush => "fl",
                _ => d.PostsStranded ? "red" : "dark",
            };
            if (a.Kind == ArrowKind.Ipi)
            {
                // Below the row's boxes, so it visibly passes by memory on its way to P0's APIC.
                double ly = ay + 25;
                double tEnd = tx - dir * 6;
                var path = new XElement(Svg + "path",
                    new XAttribute("d", $"M{F(fx)},{F(ay + 11)} V{F(ly)} H{F(tEnd)}"),
                    new XAttribute("class", cls),
                    new XAttribute("marker-end", $"url(#{idPrefix}-m-{marker})"));
                arrows.Add(path);
                double lx = tx - dir * 60;
                labels.Add(Text(lx, ly - 5, a.Label, "lbl ipi-lbl", anchor: "middle"));
            }
            else
            {
                double x1 = fx + dir * Edge(layout, d, a.From, bufferBox);
                double x2 = tx - dir * (Edge(layout, d, a.To, bufferBox) + 2);
                arrows.Add(new XElement(Svg + "line",
                    new XAttribute("x1", F(x1)), new XAttribute("y1", F(ay)),
                    new XAttribute("x2", F(x2)), new XAttribute("y2", F(ay)),
                    new XAttribute("class", cls),
                    new XAttribute("marker-end", $"url(#{idPrefix}-m-{marker})")));
                // The label sits in the free stretch next to the actor: past the store buffer's box if the arrow crosses it.
                double lx1 = x1, lx2 = x2;
                if (bufferBox && a.From != layout.BufferLine && a.To != layout.BufferLine
                    && Math.Min(fx, tx) < xs[layout.BufferLine] && xs[layout.BufferLine] < Math.Max(fx, tx))
                {
                    double edge = xs[layout.BufferLine] + (me > xs[layout.BufferLine] ? BufferHalf : -BufferHalf);
                    if (a.From == d.Lifeline) lx2 = edge; else lx1 = edge;
                }
                if (a.Label.Length > 0)
                    labels.Add(Text((lx1 + lx2) / 2, ay - 5, a.Label, d.PostsStranded && a.Kind == ArrowKind.Locked ? "lbl lbl-red" : "lbl", anchor: "middle"));
            }
        }
        g.Add(arrows);
        // The state each step leaves behind, on the memory lifeline (and P0's store buffer under TSO),
        // drawn over the arrows: a load of ON that bypasses P0's buffered store passes behind the buffer.
        g.Add(MemoryBox(layout, xs[layout.MemoryLine], ay, layout.Trace.Before(s.Index), s.After));
        int bufferedBefore = s.Index <= 1 ? 0 : layout.Trace.Steps[s.Index - 2].Buffer.Length;
        if (bufferBox) g.Add(BufferBox(xs[layout.BufferLine], ay, s.Buffer, bufferedBefore != s.Buffer.Length));

        // The actor's box: the docs/model.md step name, with the seed's number as a coloured badge.
        double half = BoxHalfOf(s);
        var box = new XElement(Svg + "g", new XAttribute("class", $"box {Kind(layout.Lifelines[d.Lifeline].Kind)}"),
            Rect(me - half, ay - 11, 2 * half, 22, null, rx: 4),
            Text(me, ay + 4, s.Step, "step-name mono", anchor: "middle"));
        g.Add(box);
        if (s.Seed is not null)
        {
            // On the corner away from memory, where the arrows and their labels are.
            double bx = d.Lifeline < layout.MemoryLine ? me - half : me + half;
            g.Add(new XElement(Svg + "g", new XAttribute("class", $"seed seed-{s.Seed}"),
                new XElement(Svg + "circle", new XAttribute("cx", F(bx)), new XAttribute("cy", F(ay - 11)), new XAttribute("r", "9")),
                Text(bx, ay - 7.5, s.Seed, "seed-text", anchor: "middle")));
        }
        if (d.Note is not null)
            g.Add(Text(me, ay + 26, d.Note, "note", anchor: "middle"));
        g.Add(labels);

        var para = new XElement(Svg + "text", new XAttribute("class", "narr"), new XAttribute("x", F(narrativeX)), new XAttribute("y", F(ay + 4)));
        for (int i = 0; i < narrative.Count; i++)
            para.Add(new XElement(Svg + "tspan", new XAttribute("x", F(narrativeX)), new XAttribute("dy", i == 0 ? "0" : "14"), narrative[i]));
        g.Add(para);
        return g;
    }

    /// <summary>How far from a lifeline's centre an arrow starts or ends: at the edge of what is drawn there.</summary>
    private static double Edge(SequenceLayout layout, DiagramStep d, int line, bool bufferBox) =>
        line == d.Lifeline ? BoxHalfOf(d.Step)
        : line == layout.MemoryLine ? MemoryHalf(layout)
        : line == layout.BufferLine && bufferBox ? BufferHalf
        : 4;

    /// <summary>Half the actor's box: wide enough for a long whole-system step name (sched.in: desc.update).</summary>
    private static double BoxHalfOf(TraceEvent s) => s.Step.Length <= 13 ? BoxHalf : s.Step.Length * 3.7 + 6;

    /// <summary>Half the memory box: the cells the model chose, side by side.</summary>
    private static double MemoryHalf(SequenceLayout layout) => layout.Trace.Cells.Sum(CellWidth) / 2;

    /// <summary>How wide a cell is drawn (PIR, ON and mode as they always were).</summary>
    private static double CellWidth(Cell c) => c.Field switch
    {
        Field.Pir => 76,
        Field.On or Field.Sn => 34,
        Field.Mode => 64,
        Field.EventRequest => 36,
        Field.Nv => 72,
        Field.Ndst => 58,
        Field.VIrr => 76,
        Field.Wakelist => 82,
        Field.ThreadCpu => 62,
        Field.ThreadState => 62,
        Field.Irr => 76,
        Field.IsRunning or Field.IrteIsRun => 74,
        Field.HostId or Field.IrteDest => 62,
        Field.GaLogIntr => 70,
        _ => 50,
    };

    /// <summary>A cell's value in a state, and its text.</summary>
    private static int CellValue(ImmutableArray<FieldValue> state, Cell c) =>
        c.Field == Field.Wakelist ? (Trace.Find(state, Field.Wakelist) == c.Cpu ? 1 : 0) : Trace.Find(state, c.Field, c.Field is Field.IF or Field.Pending or Field.Guest ? c.Cpu : -1);

    private static string CellText(Cell c, int v) => c.Field switch
    {
        Field.Pir => $"PIR {PiState.Vectors(v)}",
        Field.On or Field.Sn => $"{TraceText.Name(c.Field)} {v}",
        Field.Mode => TraceText.Mode(v),
        Field.EventRequest => v != 0 ? "EVENT" : "-",
        Field.Nv => $"NV {TraceText.Vector((IpiVector)v)}",
        Field.Ndst => $"NDST P{v}",
        Field.VIrr => $"vIRR {PiState.Vectors(v)}",
        Field.Wakelist => v != 0 ? $"P{c.Cpu} list: vCPU" : $"P{c.Cpu} list: -",
        Field.ThreadCpu => $"thread@P{v}",
        Field.ThreadState => TraceText.Place(v),
        Field.Irr => $"IRR {PiState.Vectors(v)}",
        Field.IsRunning => $"IsRunning {v}",
        Field.HostId => $"host P{v}",
        Field.IrteIsRun => $"IRTE.IsRun {v}",
        Field.IrteDest => $"IRTE→P{v}",
        Field.GaLogIntr => $"GALogIntr {v}",
        _ => $"{TraceText.Name(c.Field)} {v}",
    };

    private static XElement MemoryBox(SequenceLayout layout, double cx, double cy, ImmutableArray<FieldValue> before, ImmutableArray<FieldValue> after)
    {
        double x0 = cx - MemoryHalf(layout);
        var g = new XElement(Svg + "g", new XAttribute("class", "mem"));
        foreach (var c in layout.Trace.Cells)
        {
            int a = CellValue(before, c), b = CellValue(after, c);
            Cell(g, x0, cy, CellWidth(c), CellText(c, b), a != b, null);
            x0 += CellWidth(c);
        }
        return g;
    }

    private static void Cell(XElement g, double x0, double cy, double w, string text, bool changed, string? extra)
    {
        string cls = "cell" + (changed ? " chg" : "") + (extra is null ? "" : " " + extra);
        g.Add(Rect(x0, cy - 11, w, 22, cls));
        var t = Text(x0 + w / 2, cy + 4, text, "cell-text mono", anchor: "middle");
        // Monospace at 10.5 px is about 6.4 px a character; squeeze what would overflow the cell.
        if (text.Length * 6.4 > w - 6)
        {
            t.Add(new XAttribute("textLength", F(w - 6)));
            t.Add(new XAttribute("lengthAdjust", "spacingAndGlyphs"));
        }
        g.Add(t);
    }

    private static XElement BufferBox(double cx, double cy, ImmutableArray<FieldValue> buffer, bool changed)
    {
        var parts = buffer.Select(e => e.Field == Field.Mode ? TraceText.Mode(e.Value) : TraceText.Store(e));
        var g = new XElement(Svg + "g", new XAttribute("class", "sb"));
        Cell(g, cx - BufferHalf, cy, 2 * BufferHalf, "[" + string.Join(" ", parts) + "]", changed, null);
        return g;
    }

    /// <summary>
    /// Shaded bands along P0's lines: on the processor while IF = 0 (a NOTIFY would wait for VM entry
    /// and be processed by the CPU, the seed's (4a)); on the guest while it runs (P0.guest = 1). One
    /// group per stretch between two steps (<c>g.seg</c>, its <c>data-index</c> the step before it, 0
    /// before the first), every one drawn even when empty, in order: a reader stepping through the run
    /// in the report sees the bands of the steps so far only.
    /// </summary>
    private static void Bands(XElement svg, SequenceLayout layout, double[] xs, double[] top, double y0, double yEnd)
    {
        int n = layout.Steps.Length;
        var bands = new XElement(Svg + "g", new XAttribute("class", "bands"));
        svg.Add(bands);
        double SegStart(int i) => i == 0 ? y0 : top[i - 1] + 20;
        double SegEnd(int i) => i == n ? yEnd : top[i] + 20;
        ImmutableArray<FieldValue> StateIn(int i) => i == 0 ? layout.Initial : layout.Steps[i - 1].Step.After;
        for (int i = 0; i <= n; i++)
        {
            var st = StateIn(i);
            double a = SegStart(i), b = SegEnd(i);
            var seg = new XElement(Svg + "g", new XAttribute("class", "seg"), new XAttribute("data-index", i));
            bands.Add(seg);
            // IF and the guest of the CPU the thread is on (the whole system's thread may be off every CPU).
            int cpu = layout.Trace.Migrates ? Trace.Find(st, Field.ThreadCpu) : layout.Trace.HostCpus[0];
            bool onCpu = Trace.Find(st, Field.ThreadState) == (int)ThreadPlace.OnCpu;
            if (onCpu && Trace.Find(st, Field.IF, cpu) == 0 && layout.ProcessorLines.TryGetValue(cpu, out int line))
                seg.Add(Rect(xs[line] - 6, a, 12, b - a, "band-if"));
            if (Trace.Find(st, Field.Guest, cpu) != 0) seg.Add(Rect(xs[layout.GuestLine] - 6, a, 12, b - a, "band-guest"));
        }
    }

    private static XElement End(SequenceLayout layout, double[] xs, double endTop, double width, List<string> diagnosis)
    {
        var f = layout.Final;
        double cy = endTop + 18;
        var g = new XElement(Svg + "g", new XAttribute("class", "end"));
        g.Add(Line(Gutter - 20, endTop, width - 10, endTop, "end-rule"));
        g.Add(Text(Gutter - 14, cy + 4, "end", "idx", anchor: "middle"));

        double x0 = xs[layout.MemoryLine] - MemoryHalf(layout);
        var mem = new XElement(Svg + "g", new XAttribute("class", "mem"));
        int pir = Trace.Find(f, Field.Pir);
        int irr = Trace.Find(f, Field.Irr);
        foreach (var c in layout.Trace.Cells)
        {
            int v = CellValue(f, c);
            double w = CellWidth(c);
            if (c.Field == Field.Irr && irr != 0)
            {
                var stranded = new XElement(Svg + "g",
                    new XAttribute("class", "stranded"),
                    new XAttribute("data-vectors", SequenceLayout.Bits(irr)));
                Cell(stranded, x0, cy, w, CellText(c, v), false, "stranded");
                stranded.Add(Text(x0 + w / 2 + (MemoryHalf(layout) - w / 2 > 100 ? 60 : MemoryHalf(layout) - w / 2), cy + 28, $"{SequenceLayout.Bits(irr)} left in IRR", "stranded-text", anchor: "middle"));
                mem.Add(stranded);
            }
            else if (c.Field == Field.Pir && pir != 0)
            {
                var stranded = new XElement(Svg + "g",
                    new XAttribute("class", "stranded"),
                    new XAttribute("data-vectors", SequenceLayout.Bits(pir)));
                Cell(stranded, x0, cy, w, CellText(c, v), false, "stranded");
                stranded.Add(Text(x0 + w / 2 + (MemoryHalf(layout) - w / 2 > 100 ? 60 : MemoryHalf(layout) - w / 2), cy + 28, $"{SequenceLayout.Bits(pir)} stranded in PIR", "stranded-text", anchor: "middle"));
                mem.Add(stranded);
            }
            else Cell(mem, x0, cy, w, CellText(c, v), false, c.Field == Field.On && v != 0 && pir != 0 ? "warn" : null);
            x0 += w;
        }
        g.Add(mem);

        int lost = Trace.Find(f, Field.VIrr) & ~Trace.Find(f, Field.Delivered) & ~pir;
        if (lost != 0)
        {
            g.Add(new XElement(Svg + "g", new XAttribute("class", "stranded"), new XAttribute("data-vectors", SequenceLayout.Bits(lost)),
                Text(xs[layout.GuestLine], cy + 28, $"{SequenceLayout.Bits(lost)} in vIRR, never taken", "stranded-text", anchor: "middle")));
        }
        bool anyPending = false;
        foreach (var (cpu, line) in layout.ProcessorLines)
        {
            int p = Trace.Find(f, Field.Pending, cpu);
            anyPending |= p != 0;
            string pending = (p & 1) != 0 ? "NOTIFY pending" : (p & 2) != 0 ? "RESCHED pending" : (p & 4) != 0 ? "WAKEUP pending" : "nothing pending";
            if (layout.Trace.Avic) { p = Trace.Find(f, Field.Doorbell, cpu); pending = p != 0 ? "doorbell pending" : "no doorbell"; anyPending |= p != 0; }
            g.Add(Text(xs[line], cy + 4, pending, "end-note", anchor: "middle"));
        }
        int hostCpu = layout.Trace.Migrates ? Trace.Find(f, Field.ThreadCpu) : layout.Trace.HostCpus[0];
        bool guest = Trace.Find(f, Field.Guest, hostCpu) != 0;
        bool asleep = Trace.Find(f, Field.ThreadState) == (int)ThreadPlace.Asleep;
        g.Add(Text(xs[layout.GuestLine], cy + 4, guest ? "guest runs" : "guest not running", "end-note", anchor: "middle"));
        if (asleep) g.Add(Text(xs[layout.ThreadLine], cy + 4, "vCPU thread asleep", "end-note", anchor: "middle"));
        if (guest && !anyPending && (pir | irr) != 0)
            g.Add(Text(xs[layout.GuestLine], cy + 18, "no IPI is coming", "end-note", anchor: "middle"));

        double dy = endTop + 50;
        var diag = new XElement(Svg + "g", new XAttribute("class", "diag"),
            Rect(Gutter - 20, dy, width - Gutter, 12 + 16 * diagnosis.Count, null, rx: 4));
        var t = new XElement(Svg + "text", new XAttribute("x", F(Gutter - 10)), new XAttribute("y", F(dy + 17)), new XAttribute("class", "diag-text"));
        for (int i = 0; i < diagnosis.Count; i++)
            t.Add(new XElement(Svg + "tspan", new XAttribute("x", F(Gutter - 10)), new XAttribute("dy", i == 0 ? "0" : "16"), diagnosis[i]));
        diag.Add(t);
        g.Add(diag);
        return g;
    }

    private static XElement Legend(double y, string idPrefix, bool avic = false)
    {
        var g = new XElement(Svg + "g", new XAttribute("class", "legend"));
        double x = Gutter - 20;
        void Item(string cls, string marker, string text)
        {
            g.Add(new XElement(Svg + "line", new XAttribute("x1", F(x)), new XAttribute("y1", F(y + 8)), new XAttribute("x2", F(x + 34)), new XAttribute("y2", F(y + 8)),
                new XAttribute("class", cls), new XAttribute("marker-end", $"url(#{idPrefix}-m-{marker})")));
            g.Add(Text(x + 42, y + 12, text, "legend-text"));
            x += 46 + text.Length * 6.4 + 18;
        }
        Item("a a-locked", "dark", "locked RMW");
        Item("a a-store", "dark", "plain store");
        Item("a a-load", "dark", "load (value comes back)");
        Item("a a-flush", "fl", "store-buffer flush");
        Item("a a-ipi", "ipi", avic ? "doorbell / GA-log interrupt" : "IPI");
        Item("a a-transition", "tr", "VM entry/exit");
        x = Gutter - 20;
        y += 22;
        g.Add(Rect(x, y + 1, 12, 14, "band-if"));
        g.Add(Text(x + 18, y + 12, avic ? "IF = 0 on the thread's CPU" : "P0.IF = 0: a NOTIFY waits for VM entry", "legend-text"));
        x += 250;
        g.Add(Rect(x, y + 1, 12, 14, "band-guest"));
        g.Add(Text(x + 18, y + 12, "guest runs", "legend-text"));
        x += 96;
        g.Add(Rect(x, y + 1, 24, 14, "cell chg"));
        g.Add(Text(x + 30, y + 12, "changed by the step", "legend-text"));
        x += 160;
        if (avic) return g; // the seed's pairing numbers are the APICv entry's
        g.Add(Text(x, y + 12, "seed's numbers:", "legend-text"));
        x += 96;
        foreach (var (seed, meaning) in new[] { ("1", "PIR"), ("2", "ON"), ("3", "mode"), ("4a", "IRQs off / NOTIFY"), ("4b", "check / kick") })
        {
            g.Add(new XElement(Svg + "g", new XAttribute("class", $"seed seed-{seed}"),
                new XElement(Svg + "circle", new XAttribute("cx", F(x + 9)), new XAttribute("cy", F(y + 8)), new XAttribute("r", "9")),
                Text(x + 9, y + 11.5, seed, "seed-text", anchor: "middle")));
            g.Add(Text(x + 22, y + 12, meaning, "legend-text"));
            x += 30 + meaning.Length * 6.4 + 10;
        }
        return g;
    }

    private static XElement Defs(string idPrefix)
    {
        XElement Marker(string id, string fill) => new(Svg + "marker",
            new XAttribute("id", $"{idPrefix}-m-{id}"), new XAttribute("viewBox", "0 0 10 10"), new XAttribute("refX", "9"), new XAttribute("refY", "5"),
            new XAttribute("markerWidth", "7"), new XAttribute("markerHeight", "7"), new XAttribute("orient", "auto-start-reverse"),
            new XElement(Svg + "path", new XAttribute("d", "M0,0 L10,5 L0,10 z"), new XAttribute("fill", fill)));
        return new XElement(Svg + "defs",
            Marker("dark", "#243b53"), Marker("red", "#c53030"), Marker("ipi", "#c53030"), Marker("tr", "#2f855a"), Marker("fl", "#b7791f"));
    }

    private static double ColumnWidth(LifelineKind k) => k switch
    {
        LifelineKind.Injector or LifelineKind.Iommu => 160,
        LifelineKind.Memory => 190,
        LifelineKind.StoreBuffer => 136,
        LifelineKind.Thread => 236,
        LifelineKind.Processor => 130,
        _ => 110,
    };

    private static string Kind(LifelineKind k) => k switch
    {
        LifelineKind.Injector => "injector",
        LifelineKind.Iommu => "iommu",
        LifelineKind.Memory => "memory",
        LifelineKind.StoreBuffer => "buffer",
        LifelineKind.Thread => "thread",
        LifelineKind.Processor => "processor",
        _ => "guest",
    };

    private static string Kind(ArrowKind k) => k switch
    {
        ArrowKind.Locked => "locked",
        ArrowKind.Store => "store",
        ArrowKind.Load => "load",
        ArrowKind.Flush => "flush",
        ArrowKind.Ipi => "ipi",
        _ => "transition",
    };

    private static string Seeded(string step, string? seed) => seed is null ? step : $"{step}({seed})";

    private static XElement Rect(double x, double y, double w, double h, string? cls, double rx = 0)
    {
        var r = new XElement(Svg + "rect", new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("width", F(w)), new XAttribute("height", F(h)));
        if (rx > 0) r.Add(new XAttribute("rx", F(rx)));
        if (cls is not null) r.Add(new XAttribute("class", cls));
        return r;
    }

    private static XElement Line(double x1, double y1, double x2, double y2, string cls) =>
        new(Svg + "line", new XAttribute("x1", F(x1)), new XAttribute("y1", F(y1)), new XAttribute("x2", F(x2)), new XAttribute("y2", F(y2)), new XAttribute("class", cls));

    private static XElement Text(double x, double y, string text, string cls, string? anchor = null, bool preserve = false)
    {
        var t = new XElement(Svg + "text", new XAttribute("x", F(x)), new XAttribute("y", F(y)), new XAttribute("class", cls), text);
        if (anchor is not null) t.Add(new XAttribute("text-anchor", anchor));
        if (preserve) t.Add(new XAttribute(XNamespace.Xml + "space", "preserve"));
        return t;
    }

    private static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>The diagram's styles, inside the SVG so the standalone file looks the same as in the report.</summary>
    public const string Style = """
        .sd{background:#fff}
        .sd text{font-family:"DejaVu Sans","Liberation Sans",Arial,sans-serif;font-size:12px;fill:#1f2933}
        .sd .mono{font-family:"DejaVu Sans Mono","Liberation Mono",Consolas,monospace}
        .sd .bg{fill:#fff}
        .sd .title{font-size:16px;font-weight:700}
        .sd .sub{font-size:11.5px;fill:#52606d}
        .sd .zebra{fill:#f4f6f9}
        .sd .hl{fill:none}
        .sd .life{stroke:#9aa5b1;stroke-width:1;stroke-dasharray:4 4}
        .sd .head rect{fill:#e4e7eb;stroke:#7b8794}
        .sd .head.injector rect,.sd .head.iommu rect{fill:#dbeafe;stroke:#3b6fb6}
        .sd .head.memory rect{fill:#fef3c7;stroke:#b7791f}
        .sd .head.buffer rect{fill:#fde68a;stroke:#b7791f}
        .sd .head.thread rect,.sd .head.processor rect{fill:#e0e7ff;stroke:#4c51bf}
        .sd .head.guest rect{fill:#d1fae5;stroke:#2f855a}
        .sd .head-title{font-weight:700;font-size:12.5px}
        .sd .head-sub{font-size:10.5px;fill:#52606d}
        .sd .idx{font-weight:700;fill:#52606d}
        .sd .box rect{fill:#fff;stroke:#334e68;stroke-width:1.2}
        .sd .box.injector rect,.sd .box.iommu rect{fill:#eff6ff;stroke:#3b6fb6}
        .sd .box.thread rect,.sd .box.processor rect{fill:#eef2ff;stroke:#4c51bf}
        .sd .box.guest rect{fill:#ecfdf5;stroke:#2f855a}
        .sd .box.buffer rect{fill:#fef9c3;stroke:#b7791f}
        .sd .step-name{font-weight:700;font-size:12px}
        .sd .seed circle{fill:#52606d;stroke:#fff;stroke-width:1.5}
        .sd .seed-1 circle{fill:#7c3aed}
        .sd .seed-2 circle{fill:#d97706}
        .sd .seed-3 circle{fill:#0f766e}
        .sd .seed-4a circle{fill:#2563eb}
        .sd .seed-4b circle{fill:#9d174d}
        .sd .seed-text{font-size:9px;font-weight:700;fill:#fff}
        .sd .note{font-size:11px;font-style:italic;fill:#334e68;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
        .sd .a{fill:none}
        .sd .a-locked{stroke:#243b53;stroke-width:2.4}
        .sd .a-store{stroke:#243b53;stroke-width:1.3}
        .sd .a-load{stroke:#243b53;stroke-width:1.3;stroke-dasharray:5 3}
        .sd .a-flush{stroke:#b7791f;stroke-width:1.8;stroke-dasharray:2 2}
        .sd .a-ipi{stroke:#c53030;stroke-width:2.2;stroke-dasharray:7 4}
        .sd .a-transition{stroke:#2f855a;stroke-width:2.2}
        .sd .posts-stranded{stroke:#c53030}
        .sd .lbl{font-size:10.5px;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
        .sd .lbl-red,.sd .ipi-lbl{fill:#c53030;font-weight:700}
        .sd .band-if{fill:#bfdbfe}
        .sd .band-guest{fill:#a7f3d0}
        .sd .cell{fill:#fff;stroke:#829ab1}
        .sd .cell.chg{fill:#fef08a;stroke:#b7791f}
        .sd .cell.warn{fill:#fee2e2}
        .sd .cell.stranded{fill:#fecaca;stroke:#c53030;stroke-width:2.5}
        .sd .cell-text{font-size:10.5px}
        .sd .narr{font-size:12px;fill:#1f2933}
        .sd .end-rule{stroke:#c53030;stroke-width:1}
        .sd .end-note{font-size:11px;fill:#334e68;font-style:italic}
        .sd .stranded-text{font-weight:700;fill:#c53030;font-size:12.5px}
        .sd .diag rect{fill:#fff5f5;stroke:#c53030;stroke-width:1.2}
        .sd .diag-text{fill:#9b2c2c;font-weight:700;font-size:12.5px}
        .sd .legend-text{font-size:11px;fill:#52606d}
        """;
}
