using System.Collections.Immutable;
using Pilab.Checker;

namespace Pilab.Report;

/// <summary>
/// Synthesis results (issue 3): entry orders as rows, configurations (e.g. "SC k=1", "TSO k=2") as
/// columns, each cell the verdict and the class of the reason it loses (e.g. "store-buffer").
/// <see cref="Reasons"/>, when given, says what each class means and the rule that assigns it.
/// Plain data: the synthesiser's results are mapped to it by the CLI, <see cref="HtmlReport"/> draws it.
/// </summary>
public sealed record OrderMatrix(ImmutableArray<string> Columns, ImmutableArray<OrderRow> Rows, string? Note = null, ImmutableArray<OrderReason> Reasons = default);

/// <summary>One order (the entry sequence as docs/model.md step names) and its cell per column.</summary>
public sealed record OrderRow(string Order, ImmutableArray<OrderCell> Cells, string? Name = null);

/// <summary>A verdict and, for a losing order, its reason class.</summary>
public sealed record OrderCell(Verdict Verdict, string? Reason = null);

/// <summary>A reason class: its id as the cells show it, its one-line meaning and its precise rule.</summary>
public sealed record OrderReason(string Id, string Meaning, string Rule);
