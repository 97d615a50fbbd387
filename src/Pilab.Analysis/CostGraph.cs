namespace Pilab.Analysis;

/// <summary>The explored graph in compressed rows: state i's edges are Start[i]..Start[i+1].</summary>
internal sealed class CostGraph(int[] start, int[] target, sbyte[] metric)
{
    public int Count => start.Length - 1;

    /// <summary>The min and max of metric m over the paths from state 0 to a terminal state (max null: unbounded).</summary>
    public CostRange Range(int m)
    {
        var scc = StronglyConnectedComponents(out int components);
        return new(MinToEnd(m), MaxToEnd(m, CoReachable(), scc, components));
    }
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
