using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Analysis;

/// <summary>What a delivery costs (SPEC.md section 5): the events counted, one per step at most.</summary>
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
/// never forced (SPEC.md section 5), so a kicked vCPU can enter, take the RESCHED exit and enter again
/// forever. With IrqPriority (real hardware takes the interrupt at the next instruction boundary
/// once IF = 1) the loop is gone and every maximum is finite. The counts are per run; a delivery's
/// cost per posted interrupt divides them by the posts k x n (coalesced posts included).
/// </para>
/// PiSystem itself is left alone: this wraps it and reads the metric off each step's label and states.
/// </summary>
public static class DeliveryCost
{
    public const int MetricCount = 6;

    public static CostResult Compute(Variant variant, Configuration configuration, long maxStates = 5_000_000)
    {
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
                throw new InvalidOperationException($"more than {maxStates} states: too large to keep every edge for the cost");
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

        var graph = new Graph([.. edgeStart], [.. edgeTarget], [.. edgeMetric]);
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

    /// <summary>The explored graph in compressed rows: state i's edges are Start[i]..Start[i+1].</summary>
    private sealed class Graph(int[] start, int[] target, sbyte[] metric)
    {
        private int Count => start.Length - 1;
        private bool Terminal(int v) => start[v] == start[v + 1];

        /// <summary>0-1 BFS: the fewest steps counting metric m on a path from state 0 to a terminal state.</summary>
        public int MinToEnd(int m)
        {
            var dist = new int[Count];
            Array.Fill(dist, int.MaxValue);
            var deque = new LinkedList<int>();
            dist[0] = 0;
            deque.AddFirst(0);
            int best = int.MaxValue;
            while (deque.Count > 0)
            {
                int v = deque.First!.Value;
                deque.RemoveFirst();
                if (Terminal(v)) best = Math.Min(best, dist[v]);
                for (int e = start[v]; e < start[v + 1]; e++)
                {
                    int w = metric[e] == m ? 1 : 0, u = target[e];
                    if (dist[v] + w < dist[u])
                    {
                        dist[u] = dist[v] + w;
                        if (w == 0) deque.AddFirst(u); else deque.AddLast(u);
                    }
                }
            }
            return best == int.MaxValue ? 0 : best;
        }

        /// <summary>Which states can reach a terminal state (runs that never end are not runs of the property).</summary>
        public bool[] CoReachable()
        {
            var reverse = new List<int>[Count];
            for (int v = 0; v < Count; v++)
                for (int e = start[v]; e < start[v + 1]; e++)
                    (reverse[target[e]] ??= []).Add(v);
            var seen = new bool[Count];
            var stack = new Stack<int>();
            for (int v = 0; v < Count; v++)
                if (Terminal(v)) { seen[v] = true; stack.Push(v); }
            while (stack.Count > 0)
            {
                int v = stack.Pop();
                if (reverse[v] is null) continue;
                foreach (int u in reverse[v])
                    if (!seen[u]) { seen[u] = true; stack.Push(u); }
            }
            return seen;
        }

        /// <summary>Tarjan's algorithm, iterative; components are numbered in reverse topological order (sinks first).</summary>
        public int[] StronglyConnectedComponents(out int components)
        {
            int n = Count, counter = 0;
            components = 0;
            var order = new int[n];
            var low = new int[n];
            var comp = new int[n];
            Array.Fill(order, -1);
            Array.Fill(comp, -1);
            var stack = new Stack<int>();
            var call = new Stack<(int V, int E)>();
            for (int root = 0; root < n; root++)
            {
                if (order[root] >= 0) continue;
                call.Push((root, start[root]));
                order[root] = low[root] = counter++;
                stack.Push(root);
                while (call.Count > 0)
                {
                    var (v, e) = call.Pop();
                    if (e < start[v + 1])
                    {
                        call.Push((v, e + 1));
                        int u = target[e];
                        if (order[u] < 0)
                        {
                            order[u] = low[u] = counter++;
                            stack.Push(u);
                            call.Push((u, start[u]));
                        }
                        else if (comp[u] < 0) low[v] = Math.Min(low[v], order[u]);
                        continue;
                    }
                    if (low[v] == order[v])
                    {
                        int u;
                        do { u = stack.Pop(); comp[u] = components; } while (u != v);
                        components++;
                    }
                    if (call.Count > 0)
                    {
                        int parent = call.Peek().V;
                        low[parent] = Math.Min(low[parent], low[v]);
                    }
                }
            }
            return comp;
        }

        /// <summary>
        /// The most steps counting metric m on a path from state 0 to a terminal state, or null when a
        /// cycle through a counting step lies on such a path. Components come sinks first, so each
        /// component's value is known before any component that reaches it.
        /// </summary>
        public int? MaxToEnd(int m, bool[] canEnd, int[] comp, int components)
        {
            var members = new List<int>[components];
            for (int v = 0; v < Count; v++) (members[comp[v]] ??= []).Add(v);
            var best = new int[components];
            var pumps = new bool[components];
            Array.Fill(best, -1); // -1: no terminal state reachable
            for (int c = 0; c < components; c++)
            {
                int value = -1;
                bool countsInside = false;
                foreach (int v in members[c])
                {
                    if (!canEnd[v]) continue;
                    if (Terminal(v)) value = Math.Max(value, 0);
                    for (int e = start[v]; e < start[v + 1]; e++)
                    {
                        int u = target[e];
                        if (!canEnd[u]) continue;
                        int w = metric[e] == m ? 1 : 0;
                        if (comp[u] == c)
                        {
                            if (w == 1) countsInside = true;
                        }
                        else if (best[comp[u]] >= 0) value = Math.Max(value, best[comp[u]] + w);
                        if (comp[u] != c && pumps[comp[u]]) countsInside = true;
                    }
                }
                best[c] = value;
                // A counting cycle here, or reachable from here, that still ends: unbounded.
                pumps[c] = countsInside && value >= 0;
            }
            int c0 = comp[0];
            return pumps[c0] ? null : Math.Max(best[c0], 0);
        }
    }
}
