namespace Pilab.Checker;

/// <summary>
/// The dead ends an explorer met: how many, and the lowest-numbered violating and stuck ones. The
/// dead ends of one tally are numbered in breadth-first order (hash compaction) or are equally deep
/// (one round of the partitioned engine), so the lowest number is a shallowest one, whatever order
/// they were met in; tallies of later rounds are added with <see cref="MergeLater"/>.
/// </summary>
internal struct DeadEnds()
{
    public long Count;
    public long Violation = -1;
    public long Stuck = -1;

    /// <summary>Counts a dead end; true when it is now the lowest-indexed of its kind (violation or stuck).</summary>
    public bool Record(TerminalKind kind, long index)
    {
        Count++;
        if (kind == TerminalKind.Violation && (Violation < 0 || index < Violation)) { Violation = index; return true; }
        if (kind == TerminalKind.Stuck && (Stuck < 0 || index < Stuck)) { Stuck = index; return true; }
        return false;
    }

    /// <summary>Adds a tally of dead ends met after this one's: its picks count only where this has none.</summary>
    public void MergeLater(in DeadEnds later)
    {
        Count += later.Count;
        if (Violation < 0) Violation = later.Violation;
        if (Stuck < 0) Stuck = later.Stuck;
    }

    /// <summary>The dead end whose run is reported: a violation before a stuck state; -1 if neither.</summary>
    public readonly long Target => Violation >= 0 ? Violation : Stuck;

    /// <summary>A violation outranks a bound (the run found is real); a bound outranks stuck and safe (unexplored states may hold a violation).</summary>
    public readonly Verdict Verdict(bool boundHit) =>
        Violation >= 0 ? Checker.Verdict.Violation
        : boundHit ? Checker.Verdict.BoundReached
        : Stuck >= 0 ? Checker.Verdict.Stuck
        : Checker.Verdict.Safe;
}
