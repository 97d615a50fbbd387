using System.Collections.Immutable;

namespace Pilab.Protocol;

/// <summary>
/// One ordering of the protocol, as data: the vCPU entry order, the injector's sequence, and the
/// two policies the seed's designs differ in. The checker interprets it, the live runtime runs it,
/// the report draws it (STYLE.md "one variant description drives everything").
/// </summary>
public sealed record Variant(
    string Name,
    string Description,
    ImmutableArray<EntryStep> Entry,
    ImmutableArray<InjectorStep> Injector,
    OnAlreadySet OnAlreadySet,
    RequestHandling Requests,
    string Source)
{
    /// <summary>Longest entry and injector sequences a variant may have (they bound the packed program counters).</summary>
    public const int MaxEntrySteps = 20;
    public const int MaxInjectorSteps = 12;

    /// <summary>True when the two describe the same protocol (names and comments aside).</summary>
    public bool SameProtocol(Variant other) =>
        Entry.SequenceEqual(other.Entry) && Injector.SequenceEqual(other.Injector) &&
        OnAlreadySet == other.OnAlreadySet && Requests == other.Requests;

    public string EntryText => string.Join(' ', Entry.Select(StepNames.Name));

    public string InjectorText => string.Join(' ', Injector.Select(StepNames.Name));

    /// <summary>
    /// Checks the rules every variant obeys; returns null when it is well formed, else what is wrong
    /// and the index of the offending step (-1 when it is the sequence as a whole).
    /// </summary>
    public static (string Problem, bool InEntry, int Index)? Validate(
        IReadOnlyList<EntryStep> entry, IReadOnlyList<InjectorStep> injector, OnAlreadySet onAlreadySet, RequestHandling requests)
    {
        if (entry.Count == 0)
            return ("an entry order ending in enter", true, -1);
        if (entry.Count > MaxEntrySteps)
            return ($"at most {MaxEntrySteps} entry steps", true, MaxEntrySteps);
        for (int i = 0; i < entry.Count - 1; i++)
            if (entry[i] == EntryStep.Enter)
                return ("enter only as the last entry step", true, i);
        if (entry[^1] != EntryStep.Enter)
            return ("the entry order to end with enter", true, entry.Count - 1);

        if (injector.Count == 0)
            return ("an injector sequence starting with pir.set", false, -1);
        if (injector.Count > MaxInjectorSteps)
            return ($"at most {MaxInjectorSteps} injector steps", false, MaxInjectorSteps);
        if (injector[0] != InjectorStep.PirSet)
            return ("the injector sequence to start with pir.set", false, 0);
        bool modeRead = false;
        for (int i = 1; i < injector.Count; i++)
        {
            switch (injector[i])
            {
                case InjectorStep.PirSet:
                    return ("pir.set only once, first", false, i);
                case InjectorStep.ModeRead:
                    modeRead = true;
                    break;
                case InjectorStep.Notify when !modeRead:
                    return ("mode.read before notify", false, i);
                case InjectorStep.Wake:
                    return ("no wake outside a whole-system variant (add 'design: kvm-2021', SPEC.md section 7)", false, i);
            }
        }
        int reqSet = ((IList<InjectorStep>)injector).IndexOf(InjectorStep.ReqSet);
        if (reqSet >= 0 && requests != RequestHandling.PrePatch)
            return ("requests: prepatch with req.set (no step of the entry would ever clear EVENT, so check would cancel every entry)", false, reqSet);
        if (onAlreadySet == OnAlreadySet.Kick && !injector.Contains(InjectorStep.Kick))
            return ("a kick step in the injector sequence for on-already-set: kick", false, -1);
        return null;
    }
}
