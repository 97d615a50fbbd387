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
/// variant's own configuration, for the note (null: none). <see cref="Version"/> is the version of
/// pilab that wrote the report (as <c>pilab --version</c> prints it), shown in the header and beside
/// every diagram (null: not shown).
/// </summary>
public sealed record ReportInput(
    ImmutableArray<ReportEntry> Entries,
    string Title = "pilab report",
    string? Command = null,
    OrderMatrix? Orders = null,
    ImmutableArray<LatencyHistogram> Latencies = default,
    string? WholeSystemOptions = null,
    string? Version = null);

/// <summary>
/// One checked variant in one configuration, with its delivery cost where it was measured, and
/// <see cref="Reproduce"/>: the command line that draws the same run again (pilab explain ... --svg),
/// or a sentence saying why no command line can (null: none shown).
/// </summary>
public sealed record ReportEntry(CheckResult Result, CostRow? Cost = null, Reproduction? Reproduce = null);

/// <summary>
/// How to get a drawn run again: a shell command line (<see cref="Command"/>), or, when none can
/// reproduce the configuration, why not (<see cref="Why"/>). Exactly one of the two is set.
/// </summary>
public sealed record Reproduction(string? Command, string? Why = null)
{
    public static Reproduction Of(string command) => new(command);
    public static Reproduction None(string why) => new(null, why);
}
