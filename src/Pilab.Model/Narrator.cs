using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model;

/// <summary>Which CPU a step belongs to: P0 (the vCPU's CPU) or injector P1..Pk.</summary>
public enum Lane : byte { P0Thread, P0Cpu, Guest, P0Buffer, Injector }

/// <summary>One step of a run in words a kernel engineer recognises.</summary>
public sealed record NarratedStep(
    int Index,
    Lane Lane,
    int Cpu,
    string Actor,
    string Step,
    string? Seed,
    ImmutableArray<string> Effects,
    PiState Before,
    PiState After)
{
    public string Text => string.Join(", ", Effects);
}

/// <summary>A narrated counterexample: its steps and the diagnosis of where it ends.</summary>
public sealed record NarratedTrace(ImmutableArray<NarratedStep> Steps, string Diagnosis, int Injectors);

/// <summary>Turns labels and states into the words of SPEC.md and the seed mail.</summary>
public static class Narrator
{
    public static NarratedTrace Narrate(PiSystem system, PiState initial, IReadOnlyList<TraceStep<PiState>> trace)
    {
        var steps = ImmutableArray.CreateBuilder<NarratedStep>(trace.Count);
        var before = initial;
        for (int i = 0; i < trace.Count; i++)
        {
            steps.Add(Describe(system, i + 1, before, trace[i].Label, trace[i].State));
            before = trace[i].State;
        }
        return new(steps.ToImmutable(), Diagnose(system, before), system.Configuration.Injectors);
    }

    public static NarratedStep Describe(PiSystem system, int index, PiState s, int label, PiState t)
    {
        var fx = new List<string>();
        int actor = Labels.Actor(label), step = Labels.Step(label);
        bool tso = system.Configuration.Memory == MemoryModel.TSO;
        Lane lane;
        int cpu = 0;
        string actorName, name;
        string? seed = null;
        switch (actor)
        {
            case Labels.Thread:
            {
                lane = Lane.P0Thread;
                actorName = "P0 vCPU";
                var ins = system.Program.Thread[step];
                name = ThreadProgram.Name(ins.Op);
                seed = ThreadProgram.SeedNumber(ins.Op);
                switch (ins.Op)
                {
                    case ThreadOp.ReqTest:
                        fx.Add(s.EventRequest ? "EVENT pending: clear it and sync" : "no EVENT request: skip the sync");
                        break;
                    case ThreadOp.OnRead:
                        fx.Add(s.On ? "read ON=1" : "read ON=0: skip on.clear/pir.drain");
                        break;
                    case ThreadOp.Check:
                        var m = s.ModeSeenByP0;
                        string src = tso && s.StoreBufferLength > 0 ? " (from its store buffer)" : "";
                        if (t.ThreadPc == system.Program.ModeOutPc)
                            fx.Add($"read mode={m.Name()}{src}{(s.EventRequest ? ", EVENT pending" : "")}: cancel the entry");
                        else
                            fx.Add($"read mode={m.Name()}{src}, no request: go on to enter");
                        break;
                    case ThreadOp.Enter:
                        fx.Add("VM entry: the guest runs");
                        break;
                    case ThreadOp.Mb:
                        fx.Add(tso ? "full barrier (store buffer empty)" : "full barrier");
                        break;
                }
                break;
            }
            case Labels.Cpu:
                lane = Lane.P0Cpu;
                actorName = "P0 cpu";
                switch (step)
                {
                    case Labels.PiProcess:
                        name = "pi.process";
                        fx.Add("NOTIFY in guest mode: posted-interrupt processing");
                        break;
                    case Labels.ExtIntExit:
                        name = "extint.exit";
                        fx.Add("RESCHED in guest mode: VM exit");
                        break;
                    case Labels.HostIrqNotify:
                        name = "host.irq";
                        fx.Add("dummy handler ate NOTIFY (IF=1 in the host)");
                        break;
                    default:
                        name = "host.irq";
                        fx.Add("host handled RESCHED");
                        break;
                }
                break;
            case Labels.GuestActor:
                lane = Lane.Guest;
                actorName = "guest";
                if (step == Labels.GuestTake)
                {
                    name = "guest.take";
                    fx.Add($"guest took {PiState.Vectors(s.VIrr & ~t.VIrr)}");
                }
                else
                {
                    name = "guest.exit";
                    fx.Add("guest caused a VM exit");
                }
                break;
            case Labels.Buffer:
                lane = Lane.P0Buffer;
                actorName = "P0 store buffer";
                name = "flush";
                fx.Add($"mode={s.StoreBufferAt(0).Name()} reaches memory");
                break;
            default:
            {
                lane = Lane.Injector;
                int i = actor - Labels.FirstInjector;
                cpu = i + 1;
                actorName = $"P{cpu} injector";
                var ins = system.Program.Injector[step];
                name = StepNames.Name(ins.Op);
                seed = StepNames.SeedNumber(ins.Op);
                int v = 1 << system.Configuration.VectorOf(i);
                switch (ins.Op)
                {
                    case InjectorStep.PirSet when (s.Pir & v) != 0:
                        fx.Add($"{PiState.Vectors(v)} already in PIR: coalesced, post done");
                        break;
                    case InjectorStep.OnSet when s.On:
                        fx.Add(system.Program.Variant.OnAlreadySet switch
                        {
                            OnAlreadySet.Done => "ON already set: a notification is due, post done",
                            OnAlreadySet.Kick => "ON already set: will kick",
                            _ => "ON already set: go on",
                        });
                        break;
                    case InjectorStep.ModeRead when t.InjectorPc(i) != 0 && t.InjectorPc(i) == ins.SkipTo && ins.SkipTo != step + 1:
                        fx.Add("ON was already set: kick without reading mode");
                        break;
                    case InjectorStep.ModeRead:
                        fx.Add($"read mode={s.Mode.Name()}");
                        break;
                    case InjectorStep.Notify:
                        var read = s.InjectorModeRead(i);
                        fx.Add(read == VcpuMode.InGuest ? "mode was IN_GUEST: NOTIFY IPI"
                            : $"mode was {read.Name()}: no IPI{(NextIsKick(system, step) ? ", kick instead" : " (no kick follows)")}");
                        break;
                    case InjectorStep.Kick:
                        fx.Add(s.Mode == VcpuMode.InGuest ? "cmpxchg IN_GUEST->EXITING succeeded: RESCHED IPI"
                            : $"cmpxchg failed (mode {s.Mode.Name()}): no IPI");
                        break;
                }
                Diff(s, t, fx);
                if (t.InjectorPosts(i) > s.InjectorPosts(i) && !fx.Any(f => f.Contains("post done")))
                    fx.Add("post done");
                return new(index, lane, cpu, actorName, name, seed, [.. fx], s, t);
            }
        }
        Diff(s, t, fx);
        return new(index, lane, cpu, actorName, name, seed, [.. fx], s, t);
    }

    private static bool NextIsKick(PiSystem system, int pc) =>
        pc + 1 < system.Program.Injector.Length && system.Program.Injector[pc + 1].Op == InjectorStep.Kick;

    private static void Diff(PiState s, PiState t, List<string> fx)
    {
        if (s.Pir != t.Pir) fx.Add($"PIR {PiState.Vectors(s.Pir)}->{PiState.Vectors(t.Pir)}");
        if (s.On != t.On) fx.Add($"ON {B(s.On)}->{B(t.On)}");
        if (s.Mode != t.Mode) fx.Add($"mode {s.Mode.Name()}->{t.Mode.Name()}");
        if (t.StoreBufferLength > s.StoreBufferLength)
            fx.Add($"mode {s.ModeSeenByP0.Name()}->{t.StoreBufferAt(t.StoreBufferLength - 1).Name()} (buffered)");
        if (s.EventRequest != t.EventRequest) fx.Add(t.EventRequest ? "EVENT requested" : "EVENT cleared");
        if (s.VIrr != t.VIrr && (t.VIrr & ~s.VIrr) != 0) fx.Add($"vIRR {PiState.Vectors(s.VIrr)}->{PiState.Vectors(t.VIrr)}");
        if (s.Delivered != t.Delivered) fx.Add($"delivered {PiState.Vectors(t.Delivered)}");
        if (s.IF != t.IF) fx.Add($"P0.IF {B(s.IF)}->{B(t.IF)}");
        if (!s.NotifyPending && t.NotifyPending) fx.Add("NOTIFY pending at P0");
        if (!s.ReschedPending && t.ReschedPending) fx.Add("RESCHED pending at P0");
        if (s.Guest && !t.Guest) fx.Add("P0.guest 1->0");
    }

    private static string B(bool b) => b ? "1" : "0";

    /// <summary>One line on the final state: where the vCPU is, what is left, and why it is lost.</summary>
    public static string Diagnose(PiSystem system, PiState s)
    {
        string where = s.Guest ? "guest running" : $"vCPU in the host at {ThreadProgram.Name(system.Program.Thread[s.ThreadPc].Op)}";
        var pending = new List<string>();
        if (s.NotifyPending) pending.Add("NOTIFY");
        if (s.ReschedPending) pending.Add("RESCHED");
        string pend = pending.Count == 0 ? "nothing pending at P0" : $"{string.Join("+", pending)} pending at P0";
        string line = $"{where}, PIR={PiState.Vectors(s.Pir)}, ON={B(s.On)}, vIRR={PiState.Vectors(s.VIrr)}, {pend}";
        if (system.Classify(s) == TerminalKind.Stuck) return line + ": no step is enabled (stuck)";
        if (system.NoLostInterrupt(s)) return line + ": every posted vector was delivered";
        if (s.Pir != 0) return line + $": {PiState.Vectors(s.Pir).Trim('{', '}')} {(BitCount(s.Pir) > 1 ? "are" : "is")} stranded";
        if (s.On) return line + ": ON stuck at 1, so later posts will never notify";
        return line + ": a posted vector was never delivered";
    }

    private static int BitCount(int x) => System.Numerics.BitOperations.PopCount((uint)x);
}
