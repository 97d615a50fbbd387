using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis;

/// <summary>What a delivery costs (docs/model.md section 5): the events counted, one per step at most.</summary>
public enum CostMetric : byte
{
    /// <summary>An injector's notify sent the NOTIFY IPI (its mode read was IN_GUEST).</summary>
    NotifyIpi,
    /// <summary>An injector's kick succeeded and sent the RESCHED IPI.</summary>
    ReschedIpi,
    /// <summary>The entry's check cancelled the entry (mode EXITING or a request pending).</summary>
    CancelledEntry,
    /// <summary>A VM exit: extint.exit (RESCHED in guest mode) or guest.exit.</summary>
    VmExit,
    /// <summary>A host handler ran on P0: host.irq for NOTIFY (the dummy handler) or RESCHED.</summary>
    HostHandler,
    /// <summary>
    /// Pre-patch only: the entry found KVM_REQ_EVENT and took the request path (req.clear, then sync;
    /// in KVM the whole inject_pending_event path), which is what the 2016 patch set out to avoid.
    /// </summary>
    EventRequest,
}

/// <summary>The fewest and most of one metric over all complete runs; Max null when unbounded.</summary>
public readonly record struct CostRange(int Min, int? Max)
{
    public bool Unbounded => Max is null;
}

/// <summary>The cost of one variant in one configuration, per run; divide by <see cref="Posts"/> for per post.</summary>
public sealed record CostResult(
    Variant Variant,
    Configuration Configuration,
    Verdict Verdict,
    int Posts,
    long States,
    long Terminals,
    ImmutableArray<CostRange> Ranges)
{
    public CostRange this[CostMetric m] => Ranges[(int)m];
}

/// <summary>
/// The cost of a delivery, min and max over all runs that reach a terminal state, for each metric on
/// its own (the run with the fewest NOTIFYs need not be the one with the fewest exits).
/// <para>
/// The state graph is explored once with every edge kept, each weighted by the metric its step
/// counts (at most one). The minimum is a shortest path (0-1 BFS) from the initial state to any
/// terminal state. The maximum is a longest path over the graph's strongly connected components: a
/// cycle that counts a metric and can still reach a terminal state makes its maximum unbounded.
/// That is what happens without <see cref="Configuration.IrqPriority"/>: host.irq is only enabled,
/// never forced (docs/model.md section 5), so a kicked vCPU can enter, take the RESCHED exit and enter again
/// forever. With IrqPriority (real hardware takes the interrupt at the next instruction boundary
/// once IF = 1) the loop is gone and every maximum is finite. The counts are per run; a delivery's
/// cost per posted interrupt divides them by the posts k x n (coalesced posts included).
/// </para>
/// PiSystem itself is left alone: this wraps it and reads the metric off each step's label and states.
/// </summary>
public static class DeliveryCost
{
    public const int MetricCount = 6;

    /// <summary>Most states the cost keeps with every edge (about 60 bytes each with its edges).</summary>
    public const long DefaultMaxStates = 5_000_000;

    /// <summary>The cost; throws when the graph is larger than <paramref name="maxStates"/> (use <see cref="TryCompute"/> at a boundary).</summary>
    public static CostResult Compute(Variant variant, Configuration configuration, long maxStates = DefaultMaxStates) =>
        TryCompute(variant, configuration, out string? tooLarge, maxStates) ?? throw new InvalidOperationException(tooLarge);

    /// <summary>The cost, or null and why not when the state graph is larger than <paramref name="maxStates"/>.</summary>
    public static CostResult? TryCompute(Variant variant, Configuration configuration, out string? tooLarge, long maxStates = DefaultMaxStates)
    {
        tooLarge = null;
        var system = new PiSystem(variant, configuration);
        var index = new Dictionary<PiState, int>();
        var states = new List<PiState>();
        var edgeStart = new List<int>();
        var edgeTarget = new List<int>();
        var edgeMetric = new List<sbyte>();
        var buffer = new Successor<PiState>[system.MaxSuccessors];
        index[system.Initial] = 0;
        states.Add(system.Initial);
        var verdict = Verdict.Safe;
        long terminals = 0;
        for (int head = 0; head < states.Count; head++)
        {
            if (states.Count > maxStates)
            {
                tooLarge = $"more than {maxStates:N0} states: too large to keep every edge for the cost";
                return null;
            }
            var s = states[head];
            edgeStart.Add(edgeTarget.Count);
            int n = system.Successors(in s, buffer);
            if (n == 0)
            {
                terminals++;
                var kind = system.Classify(in s);
                if (kind == TerminalKind.Violation) verdict = Verdict.Violation;
                else if (kind == TerminalKind.Stuck && verdict == Verdict.Safe) verdict = Verdict.Stuck;
            }
            for (int i = 0; i < n; i++)
            {
                var t = buffer[i].State;
                if (!index.TryGetValue(t, out int ti))
                {
                    ti = states.Count;
                    index[t] = ti;
                    states.Add(t);
                }
                edgeTarget.Add(ti);
                edgeMetric.Add((sbyte)(Metric(system, s, buffer[i].Label, t) is { } m ? (int)m : -1));
            }
        }
        edgeStart.Add(edgeTarget.Count);

        var graph = new CostGraph([.. edgeStart], [.. edgeTarget], [.. edgeMetric]);
        var canEnd = graph.CoReachable();
        var scc = graph.StronglyConnectedComponents(out int componentCount);
        var ranges = ImmutableArray.CreateBuilder<CostRange>(MetricCount);
        for (int m = 0; m < MetricCount; m++)
            ranges.Add(new(graph.MinToEnd(m), graph.MaxToEnd(m, canEnd, scc, componentCount)));
        return new(variant, configuration, verdict, configuration.Injectors * configuration.Posts, states.Count, terminals, ranges.MoveToImmutable());
    }

    /// <summary>The metric a step counts, read off its label and the states around it; null if none.</summary>
    public static CostMetric? Metric(PiSystem system, in PiState s, int label, in PiState t)
    {
        int actor = Labels.Actor(label), step = Labels.Step(label);
        switch (actor)
        {
            case Labels.Thread:
                return system.Program.Thread[step].Op switch
                {
                    ThreadOp.Check when t.ThreadPc == system.Program.ModeOutPc => CostMetric.CancelledEntry,
                    ThreadOp.ReqClear => CostMetric.EventRequest,
                    _ => null,
                };
            case Labels.Cpu:
                return step switch
                {
                    Labels.ExtIntExit => CostMetric.VmExit,
                    Labels.HostIrqNotify or Labels.HostIrqResched => CostMetric.HostHandler,
                    _ => null,
                };
            case Labels.GuestActor:
                return step == Labels.GuestExit ? CostMetric.VmExit : null;
            case Labels.Buffer:
                return null;
            default:
                int i = actor - Labels.FirstInjector;
                return system.Program.Injector[step].Op switch
                {
                    InjectorStep.Notify when s.InjectorModeRead(i) == VcpuMode.InGuest => CostMetric.NotifyIpi,
                    // kvm_vcpu_exiting_guest_mode: the cmpxchg succeeds only on IN_GUEST, and only then the IPI
                    InjectorStep.Kick when s.Mode == VcpuMode.InGuest => CostMetric.ReschedIpi,
                    _ => null,
                };
        }
    }

    public static string Name(CostMetric m) => m switch
    {
        CostMetric.NotifyIpi => "NOTIFY IPIs",
        CostMetric.ReschedIpi => "RESCHED IPIs",
        CostMetric.CancelledEntry => "cancelled entries",
        CostMetric.VmExit => "VM exits",
        CostMetric.HostHandler => "host handler runs",
        CostMetric.EventRequest => "EVENT requests handled",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };
}
