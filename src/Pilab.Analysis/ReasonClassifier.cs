using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis;

/// <summary>The class of a losing run and the 1-based step of the trace that made the rule match (0: the final state).</summary>
public sealed record Reason(ReasonClass Class, int Step)
{
    public ReasonRule Rule => ReasonRule.Of(Class);
    public override string ToString() => Step > 0 ? $"{Rule.Id} (step {Step})" : Rule.Id;
}

/// <summary>
/// Applies the rules of <see cref="ReasonRule.All"/> to a trace, in order, over its labels
/// (<see cref="Labels"/>: actor and program counter, so the step's operation is read from the
/// compiled <see cref="ThreadProgram"/>) and the states before and after each step.
/// </summary>
public static class ReasonClassifier
{
    public static Reason Classify(PiSystem system, PiState initial, IReadOnlyList<TraceStep<PiState>> trace)
    {
        var final = trace.Count == 0 ? initial : trace[^1].State;
        if (system.Classify(final) == TerminalKind.Stuck) return new(ReasonClass.Stuck, 0);
        var config = system.Configuration;
        int posted = 0;
        for (int i = 0; i < config.Injectors; i++) posted |= 1 << config.VectorOf(i);
        // The lost vectors: posted and not delivered (they are in PIR, or were never drained).
        int lost = posted & ~final.Delivered;
        var thread = system.Program.Thread;
        var injector = system.Program.Injector;
        var policy = system.Program.Variant.OnAlreadySet;

        int lastOnRead = -1, lastCheck = -1;
        for (int j = 0; j < trace.Count; j++)
        {
            int label = trace[j].Label;
            if (Labels.Actor(label) != Labels.Thread) continue;
            var op = thread[Labels.Step(label)].Op;
            if (op == ThreadOp.OnRead) lastOnRead = j;
            if (op == ThreadOp.Check) lastCheck = j;
        }

        PiState Before(int j) => j == 0 ? initial : trace[j - 1].State;
        bool KickSucceededAfter(int j)
        {
            for (int x = j + 1; x < trace.Count; x++)
                if (Labels.IsInjector(trace[x].Label, out _) && injector[Labels.Step(trace[x].Label)].Op == InjectorStep.Kick
                    && Before(x).Mode == VcpuMode.InGuest)
                    return true;
            return false;
        }
        bool PostsLost(int label) =>
            Labels.IsInjector(label, out int i) && (lost & (1 << config.VectorOf(i))) != 0;
        // A mode.read that read mode (pre-patch's ON-already-set skip reads nothing).
        bool ReadsMode(int j, out VcpuMode memory, out VcpuMode p0View)
        {
            var s = Before(j);
            memory = s.Mode;
            p0View = s.ModeSeenByP0;
            int label = trace[j].Label;
            if (!Labels.IsInjector(label, out int i) || injector[Labels.Step(label)].Op != InjectorStep.ModeRead) return false;
            return !(policy == OnAlreadySet.Kick && s.InjectorOnWasSet(i));
        }

        // dummy-handler
        for (int j = 0; j < trace.Count; j++)
            if (trace[j].Label == Labels.Make(Labels.Cpu, Labels.HostIrqNotify) && (Before(j).Pir & lost) != 0)
                return new(ReasonClass.DummyHandler, j + 1);

        // store-buffer
        for (int j = 0; j < trace.Count; j++)
            if (PostsLost(trace[j].Label) && ReadsMode(j, out var m, out var seen)
                && m != VcpuMode.InGuest && seen == VcpuMode.InGuest && !KickSucceededAfter(j))
                return new(ReasonClass.StoreBuffer, j + 1);

        // resched-after-check
        for (int j = 0; j < trace.Count; j++)
            if (trace[j].Label == Labels.Make(Labels.Cpu, Labels.HostIrqResched) && j > lastCheck)
                for (int a = 0; a < j; a++)
                    if (Labels.IsInjector(trace[a].Label, out _) && injector[Labels.Step(trace[a].Label)].Op == InjectorStep.Kick
                        && Before(a).Mode == VcpuMode.InGuest)
                        return new(ReasonClass.ReschedAfterCheck, j + 1);

        // on-cleared-over-pir
        for (int j = 0; j < trace.Count; j++)
        {
            int label = trace[j].Label;
            if (Labels.Actor(label) == Labels.Thread && thread[Labels.Step(label)].Op == ThreadOp.OnClear
                && (Before(j).Pir & lost & final.Pir) != 0)
                return new(ReasonClass.OnClearedOverPir, j + 1);
        }

        // read-outside-after-on-read
        for (int j = lastOnRead + 1; j < trace.Count; j++)
            if (PostsLost(trace[j].Label) && ReadsMode(j, out var m, out var seen)
                && m != VcpuMode.InGuest && seen != VcpuMode.InGuest && !KickSucceededAfter(j))
                return new(ReasonClass.ReadOutsideAfterOnRead, j + 1);

        if (lost == 0 && final.Pir == 0 && final.On) return new(ReasonClass.OnLeftSet, 0);
        return new(ReasonClass.Unclassified, 0);
    }

    /// <summary>The class of a check's shortest losing run, or null when it has none.</summary>
    public static Reason? Classify(CheckResult result)
    {
        var trace = result.ExplorationOf<PiState>().Trace;
        if (result.Verdict is not (Verdict.Violation or Verdict.Stuck)) return null;
        return Classify(new PiSystem(result.Variant, result.Configuration), result.ExplorationOf<PiState>().Initial, trace.IsDefault ? ImmutableArray<TraceStep<PiState>>.Empty : trace);
    }
}
