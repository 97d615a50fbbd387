using System.Collections.Immutable;

namespace Pilab.Report;

/// <summary>
/// A live run's delivery latency (issue 5): counts per bucket, each bucket ending at its upper
/// bound, plus named percentiles. Plain data: the live runtime fills it, <see cref="HistogramChart"/>
/// draws it.
/// </summary>
public sealed record LatencyHistogram(
    string Title,
    string Unit,
    ImmutableArray<LatencyBucket> Buckets,
    ImmutableArray<LatencyPercentile> Percentiles = default,
    double Seconds = 0);

/// <summary>Samples with latency at most <see cref="UpperBound"/> (and above the previous bucket's bound).</summary>
public readonly record struct LatencyBucket(double UpperBound, long Count);

/// <summary>A percentile, e.g. ("p99", 2.4).</summary>
public readonly record struct LatencyPercentile(string Name, double Value);
