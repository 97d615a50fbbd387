using System.Collections.Immutable;
using Pilab.Model;

namespace Pilab.Report;

/// <summary>
/// Everything an HTML report shows, as plain data. Only <see cref="Entries"/> is required; the
/// optional sections (synthesis order matrix, live latency histograms, one per live run) are drawn when
/// given and left out otherwise, so the pieces that compute them stay independent of the report.
/// </summary>
public sealed record ReportInput(
    ImmutableArray<ReportEntry> Entries,
    string Title = "pilab report",
    string? Command = null,
    OrderMatrix? Orders = null,
    ImmutableArray<LatencyHistogram> Latencies = default);

/// <summary>One checked variant in one configuration, with its delivery cost where it was measured.</summary>
public sealed record ReportEntry(CheckResult Result, CostRow? Cost = null);
