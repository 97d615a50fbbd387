using System.Collections.Immutable;
using Pilab.Checker;
using Pilab.Model;

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

/// <summary>
/// A verdict and, for a losing order, its reason class and, when given, <see cref="Run"/>: the shortest
/// run the reason class was read from, which the report lists below the matrix and links the cell to.
/// </summary>
public sealed record OrderCell(Verdict Verdict, string? Reason = null, OrderRun? Run = null);

/// <summary>A losing cell's shortest run (its check result, with the trace) and how to get it again.</summary>
public sealed record OrderRun(CheckResult Result, Reproduction Reproduce);

/// <summary>A reason class: its id as the cells show it, its one-line meaning and its precise rule.</summary>
public sealed record OrderReason(string Id, string Meaning, string Rule);
