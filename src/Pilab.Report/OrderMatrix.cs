using System.Collections.Immutable;
using Pilab.Checker;

namespace Pilab.Report;

/// <summary>
/// Synthesis results (issue 3): entry orders as rows, configurations (e.g. "SC k=1", "TSO k=2") as
/// columns, each cell the verdict and the class of the reason it loses (e.g. "late irq.off",
/// "store buffering"). Plain data: the synthesiser fills it, <see cref="HtmlReport"/> draws it.
/// </summary>
public sealed record OrderMatrix(ImmutableArray<string> Columns, ImmutableArray<OrderRow> Rows, string? Note = null);

/// <summary>One order (the entry sequence as SPEC.md step names) and its cell per column.</summary>
public sealed record OrderRow(string Order, ImmutableArray<OrderCell> Cells, string? Name = null);

/// <summary>A verdict and, for a losing order, its reason class.</summary>
public sealed record OrderCell(Verdict Verdict, string? Reason = null);
