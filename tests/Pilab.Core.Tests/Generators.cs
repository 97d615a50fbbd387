using System.Collections.Immutable;
using CsCheck;
using Pilab.Protocol;

namespace Pilab.Core.Tests;

/// <summary>CsCheck generators of well-formed variants.</summary>
internal static class Generators
{
    private static readonly EntryStep[] EntryChoices =
        [EntryStep.IrqOff, EntryStep.ModeIn, EntryStep.Mb, EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain, EntryStep.Check];

    /// <summary>An order of a subset of the seed's entry steps (sync as a unit or split), then enter;
    /// irq.off and mode.in at most once (a second one is an error: docs/variant-format.md).</summary>
    public static readonly Gen<ImmutableArray<EntryStep>> EntryOrder =
        Gen.Int[0, 6].SelectMany(n => Gen.OneOfConst(EntryChoices).Array[n])
            .Select(a => ImmutableArray.Create([.. a.Where((s, i) => s is not (EntryStep.IrqOff or EntryStep.ModeIn) || Array.IndexOf(a, s) == i), EntryStep.Enter]));

    /// <summary>A permutation of irq.off, mode.in, mb?, sync, check (the space synthesis enumerates).</summary>
    public static readonly Gen<ImmutableArray<EntryStep>> SeedEntryOrder =
        Gen.Bool.SelectMany(withMb =>
        {
            var units = new List<EntryStep[]> { new[] { EntryStep.IrqOff }, new[] { EntryStep.ModeIn },
                new[] { EntryStep.OnRead, EntryStep.OnClear, EntryStep.PirDrain }, new[] { EntryStep.Check } };
            if (withMb) units.Add([EntryStep.Mb]);
            return Gen.Shuffle(units.ToArray()).Select(u => ImmutableArray.Create([.. u.SelectMany(x => x), EntryStep.Enter]));
        });

    private static readonly Gen<ImmutableArray<InjectorStep>> InjectorSeq =
        Gen.OneOfConst(
            ImmutableArray.Create(InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Kick),
            ImmutableArray.Create(InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.ModeRead, InjectorStep.Notify),
            ImmutableArray.Create(InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.Mb, InjectorStep.ModeRead, InjectorStep.Notify, InjectorStep.Kick),
            ImmutableArray.Create(InjectorStep.PirSet, InjectorStep.ModeRead, InjectorStep.OnSet, InjectorStep.Notify, InjectorStep.Kick),
            ImmutableArray.Create(InjectorStep.PirSet, InjectorStep.OnSet, InjectorStep.Kick));

    public static readonly Gen<Variant> Variant =
        Gen.Select(EntryOrder, InjectorSeq, Gen.Enum<OnAlreadySet>(), Gen.Enum<RequestHandling>(), Gen.Bool,
            (entry, injector, policy, requests, withReq) =>
            {
                if (policy == OnAlreadySet.Kick && !injector.Contains(InjectorStep.Kick)) policy = OnAlreadySet.Done;
                if (withReq && requests == RequestHandling.PrePatch) injector = injector.Insert(1, InjectorStep.ReqSet);
                return new Variant("random", "a random variant", entry, injector, policy, requests, "CsCheck");
            });
}
