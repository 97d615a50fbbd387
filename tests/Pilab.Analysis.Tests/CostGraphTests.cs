using CsCheck;
using Pilab.Analysis;

namespace Pilab.Analysis.Tests;

/// <summary>The cost's path algorithms against a plain dynamic program over walks of bounded length.</summary>
public sealed class CostGraphTests
{
    // A random graph of 1-7 states; each state has 0-3 edges, each counting the metric (1) or not (0).
    private static readonly Gen<(int[] Start, int[] Target, sbyte[] Metric)> Graphs =
        Gen.Int[1, 7].SelectMany(n =>
            Gen.Select(Gen.Int[0, n - 1], Gen.Int[0, 1]).Array[0, 3].Array[n].Select(rows =>
            {
                var start = new int[n + 1];
                var target = new List<int>();
                var metric = new List<sbyte>();
                for (int v = 0; v < n; v++)
                {
                    start[v] = target.Count;
                    foreach (var (t, w) in rows[v]) { target.Add(t); metric.Add((sbyte)w); }
                }
                start[n] = target.Count;
                return (start, target.ToArray(), metric.ToArray());
            }));

    [Fact]
    public void MinAndMax_MatchTheWalkDynamicProgram()
    {
        // f[l][v]: the most counting steps on a walk of at most l steps from v to a terminal state
        // (-inf if none), g likewise the fewest. Without a counting cycle on an ending walk, the best
        // walk can be shortened to a simple path (drop zero cycles), so f[n] is the max; with one,
        // pumping it n times (at most n steps each, plus two paths of n) beats any simple path's at
        // most n - 1, so f[n*n + 2n] > f[n] exactly when the max is unbounded.
        Graphs.Sample(g =>
        {
            var (start, target, metric) = g;
            int n = start.Length - 1;
            bool Terminal(int v) => start[v] == start[v + 1];
            const int None = int.MinValue / 4;
            int[] Walk(int steps, bool most)
            {
                var f = new int[n];
                for (int v = 0; v < n; v++) f[v] = Terminal(v) ? 0 : most ? None : -None;
                for (int l = 0; l < steps; l++)
                {
                    var next = (int[])f.Clone();
                    for (int v = 0; v < n; v++)
                        for (int e = start[v]; e < start[v + 1]; e++)
                        {
                            int u = target[e];
                            if (Math.Abs(f[u]) >= -None / 2) continue;
                            int w = f[u] + metric[e];
                            next[v] = most ? Math.Max(next[v], w) : Math.Min(next[v], w);
                        }
                    f = next;
                }
                return f;
            }
            var graph = new CostGraph(start, target, metric);
            var range = graph.Range(1);
            int shortest = Walk(n, most: false)[0], longest = Walk(n, most: true)[0], pumped = Walk(n * n + 2 * n, most: true)[0];
            bool ends = longest != None;
            Assert.Equal(ends ? shortest : 0, range.Min);
            if (!ends) Assert.Equal(0, range.Max);
            else if (pumped > longest) Assert.Null(range.Max);
            else Assert.Equal(longest, range.Max);
        }, iter: 2000);
    }
}
