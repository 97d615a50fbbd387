using System.Collections.Immutable;
using Pilab.Model;

namespace Pilab.Report;

/// <summary>
/// Everything an HTML report shows, as plain data. Only <see cref="Entries"/> is required: checks of
/// any design, the vCPU-entry ones drawn in the verdict table (memory model and injectors as columns),
/// the whole-system ones (each once, at its own configuration) in the whole-system table. The optional
/// sections (synthesis order matrix, live latency histograms, one per live run) are drawn when given
/// and left out otherwise, so the pieces that compute them stay independent of the report.
/// <see cref="WholeSystemOptions"/> names the command-line options laid over each whole-system
/// variant's own configuration, for the note (null: none).
/// </summary>
public sealed record ReportInput(
    ImmutableArray<ReportEntry> Entries,
    string Title = "pilab report",
    string? Command = null,
    OrderMatrix? Orders = null,
    ImmutableArray<LatencyHistogram> Latencies = default,
    string? WholeSystemOptions = null);

/// <summary>One checked variant in one configuration, with its delivery cost where it was measured.</summary>
public sealed record ReportEntry(CheckResult Result, CostRow? Cost = null);
