using System.Text;

namespace Pilab.Export;

/// <summary>
/// What pilab's Promela exports (<see cref="PromelaExporter"/> for the section 2-6 model,
/// <see cref="SystemPromelaExporter"/> for the whole system, <see cref="AvicPromelaExporter"/> for AVIC)
/// have in common: how a step is written so that SPIN's state is pilab's state, the header's end, the
/// vCPU thread's status values, budgets and store buffer (the whole system and AVIC), the guest's take
/// of the highest vector, the store-buffer shift, and the terminal-state monitor.
/// <para>
/// Each actor is one process whose body is a <c>do</c> loop of <c>d_step</c> options, one per pilab
/// step, guarded by pilab's enabling condition. A process therefore sits at its loop head between
/// steps, its program counter constant; every global is a field of pilab's state, normalised the
/// same way. With <c>-DNOREDUCE</c> SPIN stores exactly as many states as pilab explores.
/// </para>
/// </summary>
internal sealed class PromelaWriter
{
    private readonly StringBuilder _sb = new();

    public void Line(string s = "") => _sb.Append(s).Append('\n');

    /// <summary>The header comment's last lines: how to verify, what pan's answer means, the comment's end.</summary>
    public void HeaderEnd(string errorsMean)
    {
        Line($" * Verify: {PromelaExporter.SpinCommand}");
        Line($" * 'errors: 0' means {errorsMean}; with -DNOREDUCE, 'states, stored' equals pilab's state count.");
        Line(" */");
        Line();
    }

    /// <summary>The vCPU thread's status values of the whole-system and AVIC models.</summary>
    public void ThreadStatusDefines()
    {
        Line("#define ON_CPU   0   /* the thread runs on its host CPU */");
        Line("#define RUNNABLE 1   /* on a run queue: sched.in will load it */");
        Line("#define ASLEEP   2   /* off the run queue until a wake */");
    }

    /// <summary>The budgets of the whole-system and AVIC models, and under TSO the thread's store buffer (entries in <paramref name="codes"/>).</summary>
    public void BudgetsAndStoreBuffer(Pilab.Protocol.Configuration configuration, int capacity, string codes)
    {
        Line($"byte exits_left = {configuration.Exits}; /* budgets: guest exits, HLTs, preemptions, migrations */");
        Line($"byte halts_left = {configuration.Halts};");
        Line($"byte preempts_left = {configuration.Preemptions};");
        Line($"byte migrations_left = {configuration.Migrations};");
        if (configuration.Memory != Pilab.Protocol.MemoryModel.TSO) return;
        Line($"byte sb_len = 0;       /* the thread's store buffer: length, then entries oldest first (pilab's {codes} codes) */");
        Line($"byte sb[{capacity}];");
    }

    /// <summary>The thread's store buffer as a process: its one step writes the oldest entry to memory (<paramref name="apply"/>) and shifts the rest.</summary>
    public void StoreBufferActor(string stores, string apply, int capacity)
    {
        BeginActor($"The thread's store buffer (TSO): the oldest plain store ({stores}) reaches memory.", "StoreBuffer");
        Step("sb_len > 0", $"{apply}; {ShiftStoreBuffer(capacity)}", "flush (x86-TSO: the store buffer drains in order)");
        EndActor();
    }

    /// <summary>The values of vcpu->mode, as pilab's <c>VcpuMode</c> numbers them.</summary>
    public void ModeDefines()
    {
        Line("#define OUTSIDE  0   /* vcpu->mode: OUTSIDE_GUEST_MODE */");
        Line("#define IN_GUEST 1   /* IN_GUEST_MODE */");
        Line("#define EXITING  2   /* EXITING_GUEST_MODE */");
    }

    /// <summary>Opens an actor: a comment, the process, and the loop of its steps (a valid end state at the loop head).</summary>
    public void BeginActor(string comment, string name)
    {
        Line($"/* {comment} */");
        Line($"active proctype {name}()");
        Line("{");
        Line("end:");
        Line("    do");
    }

    /// <summary>One pilab step: enabled exactly when <paramref name="guard"/> holds, and indivisible.</summary>
    public void Step(string guard, string body, string comment) =>
        Line($"    :: d_step {{ {guard} -> {body} }} /* {comment} */");

    public void EndActor()
    {
        Line("    od");
        Line("}");
        Line();
    }

    /// <summary>
    /// guest.take: the guest takes the highest vector of vIRR (bits 0 to <paramref name="vectors"/> - 1)
    /// into <c>delivered</c>; one option per vector, their guards disjoint, so one pilab step.
    /// </summary>
    public void GuestTakes(string guard, int vectors, string what)
    {
        for (int v = vectors - 1; v >= 0; v--)
            Step($"{guard} && virr >= {1 << v} && virr < {2 << v}", $"virr = virr - {1 << v}; delivered = delivered | {1 << v}",
                $"guest.take v{v + 1}: {what}");
    }

    /// <summary>The oldest store-buffer entry leaves: the others move up and the vacated slot becomes 0, as pilab packs it.</summary>
    public static string ShiftStoreBuffer(int capacity)
    {
        var shift = new StringBuilder();
        for (int j = 0; j + 1 < capacity; j++) shift.Append($"sb[{j}] = sb[{j + 1}]; ");
        return shift.Append($"sb[{capacity - 1}] = 0; sb_len--").ToString();
    }

    /// <summary>
    /// The property, checked where pilab checks it, in terminal states: a monitor whose only step is
    /// guarded by <c>timeout</c> (true when no other step is enabled) classifies the dead end as pilab
    /// does: not a proper end is stuck (the first assertion fails), a proper end must have lost no
    /// interrupt (else the second fails, a violation); pan names the assertion that failed, so its
    /// verdict can be told apart. It changes nothing, so it adds no state.
    /// </summary>
    public void Monitor(string comment, string properEnd, string noLostInterrupt)
    {
        Line($"/* {comment} */");
        Line("active proctype Monitor()");
        Line("{");
        Line("end:");
        Line("    do");
        Line("    :: atomic { timeout ->");
        Line("           if");
        Line($"           :: !({properEnd}) -> assert({properEnd}) /* stuck: not a proper end */");
        Line($"           :: else -> assert({noLostInterrupt}) /* a proper end: no lost interrupt */");
        Line("           fi");
        Line("       }");
        Line("    od");
        Line("}");
    }

    public override string ToString() => _sb.ToString();
}
