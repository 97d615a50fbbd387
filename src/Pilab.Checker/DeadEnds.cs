namespace Pilab.Checker;

/// <summary>
/// The dead ends an explorer met: how many, and the first violating and stuck ones. "First" is by an
/// order key the explorer gives with each: the dead ends of one tally are numbered in breadth-first
/// order (hash compaction: the key is the number) or are equally deep (one round of the partitioned
/// engine: the key is the rank in the level's queue order), so the least key is the first of the
/// shallowest, whatever order they were met in. Tallies of the same round are combined with
/// <see cref="Merge"/>, those of later rounds added with <see cref="MergeLater"/>.
/// </summary>
internal struct DeadEnds()
{
    public long Count;
    /// <summary>The number (the index its parent links name it by) of the first violating dead end; -1 if none.</summary>
    public long Violation = -1;
    public long Stuck = -1;
    private long _violationKey = long.MaxValue, _stuckKey = long.MaxValue;

    /// <summary>Counts a dead end whose order key is its number; true when it is now the first of its kind (violation or stuck).</summary>
    public bool Record(TerminalKind kind, long index) => Record(kind, index, index);

    /// <summary>Counts a dead end; true when its key is now the least of its kind.</summary>
    public bool Record(TerminalKind kind, long key, long index)
    {
        Count++;
        if (kind == TerminalKind.Violation && key < _violationKey) { _violationKey = key; Violation = index; return true; }
        if (kind == TerminalKind.Stuck && key < _stuckKey) { _stuckKey = key; Stuck = index; return true; }
        return false;
    }

    /// <summary>Adds a tally of dead ends met in the same round (keys comparable): the least key wins.</summary>
    public void Merge(in DeadEnds other)
    {
        Count += other.Count;
        if (other._violationKey < _violationKey) { _violationKey = other._violationKey; Violation = other.Violation; }
        if (other._stuckKey < _stuckKey) { _stuckKey = other._stuckKey; Stuck = other.Stuck; }
    }

    /// <summary>Adds a tally of dead ends met after this one's: its picks count only where this has none.</summary>
    public void MergeLater(in DeadEnds later)
    {
        Count += later.Count;
        if (Violation < 0) { Violation = later.Violation; _violationKey = later._violationKey; }
        if (Stuck < 0) { Stuck = later.Stuck; _stuckKey = later._stuckKey; }
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
