using System.Collections.Immutable;

namespace Pilab.Report;

/// <summary>
/// A live run's delivery latency (issue 5): counts per bucket, each bucket ending at its upper
/// bound, plus named percentiles and a line saying what ran. Plain data: the CLI fills it from the
/// live runtime, <see cref="HistogramChart"/> draws it.
/// </summary>
public sealed record LatencyHistogram(
    string Title,
    string Unit,
    ImmutableArray<LatencyBucket> Buckets,
    ImmutableArray<LatencyPercentile> Percentiles = default,
    double Seconds = 0,
    string? Note = null)
{
    /// <summary>
    /// Bins recorded values (nanoseconds, each with its count, e.g. an HdrHistogram's recorded values)
    /// into buckets that double, in microseconds: 0.125, 0.25, 0.5, 1, 2, ... from the bucket of the
    /// smallest value to that of the largest, empty buckets in between kept so the axis stays
    /// logarithmic. Latency tails span orders of magnitude, so equal-width buckets would put every
    /// sample in the first bar.
    /// </summary>
    public static ImmutableArray<LatencyBucket> DoublingMicroseconds(IEnumerable<(double Nanoseconds, long Count)> values)
    {
        const int First = -3; // 2^-3 us = 125 ns: below a cross-core round trip, nothing is faster
        var counts = new SortedDictionary<int, long>();
        foreach (var (ns, count) in values)
        {
            if (count <= 0) continue;
            double us = ns / 1000;
            int e = us <= Math.Pow(2, First) ? First : (int)Math.Ceiling(Math.Log2(us));
            // Log2 rounds: make 2^(e-1) < us <= 2^e hold exactly.
            while (Math.Pow(2, e) < us) e++;
            while (e > First && Math.Pow(2, e - 1) >= us) e--;
            counts[e] = counts.GetValueOrDefault(e) + count;
        }
        if (counts.Count == 0) return [];
        int lo = counts.Keys.First(), hi = counts.Keys.Last();
        var buckets = ImmutableArray.CreateBuilder<LatencyBucket>(hi - lo + 1);
        for (int e = lo; e <= hi; e++) buckets.Add(new LatencyBucket(Math.Pow(2, e), counts.GetValueOrDefault(e)));
        return buckets.MoveToImmutable();
    }
}

/// <summary>Samples with latency at most <see cref="UpperBound"/> (and above the previous bucket's bound).</summary>
public readonly record struct LatencyBucket(double UpperBound, long Count);

/// <summary>A percentile, e.g. ("p99", 2.4).</summary>
public readonly record struct LatencyPercentile(string Name, double Value);
