using Pilab.Live;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Live.Tests;

/// <summary>
/// Every interleaving of P0's first steps with one injector's posts, run on the live runtime's steps
/// on one thread (so under sequential consistency), each to its terminal state. The runtime must lose
/// an interrupt in some interleaving exactly for the variants the checker finds losing under SC.
/// </summary>
public sealed class ExhaustiveInterleavingTests
{
    /// <summary>P0 steps interleaved with the posts: enough for the longest entry (prepatch's request block plus its entry) and a few guest boundaries.</summary>
    private const int P0Budget = 14;

    public static TheoryData<string> Variants() => [.. Builtins.EntryDesigns.Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(Variants))]
    public void LiveLosesExactlyWhenCheckerLosesUnderSc(string name)
    {
        var variant = Builtins.Find(name)!;
        var (schedules, losing, example) = Explore(variant, posts: 1, P0Budget);
        var model = ModelChecker.Check(variant, new Configuration(Injectors: 1, Posts: 1));
        bool modelLoses = model.Verdict == Pilab.Checker.Verdict.Violation;
        Assert.True(schedules > 100, $"only {schedules} schedules explored");
        Assert.True(modelLoses == (losing > 0),
            $"{name}: checker says {(modelLoses ? "loses" : "safe")}, live lost in {losing} of {schedules} interleavings{(example is null ? "" : ": " + example)}");
    }

    [Fact]
    public void Fixed_NeverStrands_WithTwoPostsOfTheSameVector()
    {
        // fixed's entry is 8 steps: budget 9 lets the second post land anywhere up to the first guest boundary.
        var (schedules, losing, example) = Explore(Builtins.Fixed, posts: 2, p0Budget: 9);
        Assert.True(schedules > 10_000, $"only {schedules} schedules explored");
        Assert.True(losing == 0, $"lost in {losing} of {schedules}: {example}");
    }

    [Fact]
    public void PatchV1_AndIrqLate_Strand_InSomeInterleavings_FixedInNone()
    {
        Assert.True(Explore(Builtins.PatchV1, posts: 1, P0Budget).Losing > 0);
        Assert.True(Explore(Builtins.IrqLate, posts: 1, P0Budget).Losing > 0);
        Assert.Equal(0, Explore(Builtins.Fixed, posts: 1, P0Budget).Losing);
    }

    /// <summary>Depth-first over the choices "P0 steps" / "the injector steps", replaying each prefix on fresh objects.</summary>
    private static (int Schedules, int Losing, string? Example) Explore(Variant variant, int posts, int p0Budget)
    {
        int schedules = 0, losing = 0;
        string? example = null;
        var prefix = new List<bool>(); // true = injector
        void Visit()
        {
            var s = Replay(variant, prefix, posts, out int p0Steps, out int postsDone);
            bool injectorCan = postsDone < posts;
            bool p0Can = p0Steps < p0Budget;
            if (!injectorCan && !p0Can)
            {
                schedules++;
                var end = s.Settle();
                if (end.Lost || s.Accepted != s.Delivered + s.P0.Counters.MergedInVIrr)
                {
                    losing++;
                    example ??= string.Join(", ", s.Log) + " => " + end.State;
                }
                return;
            }
            if (p0Can)
            {
                prefix.Add(false);
                Visit();
                prefix.RemoveAt(prefix.Count - 1);
            }
            if (injectorCan)
            {
                prefix.Add(true);
                Visit();
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
        Visit();
        return (schedules, losing, example);
    }

    private static Stepper Replay(Variant variant, List<bool> prefix, int posts, out int p0Steps, out int postsDone)
    {
        var s = new Stepper(variant);
        p0Steps = 0;
        postsDone = 0;
        foreach (bool injector in prefix)
        {
            if (injector)
            {
                if (s.I()) postsDone++;
            }
            else
            {
                s.P();
                p0Steps++;
            }
        }
        return s;
    }
}
