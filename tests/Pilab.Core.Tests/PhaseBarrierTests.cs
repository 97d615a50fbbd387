using Pilab.Checker;

namespace Pilab.Core.Tests;

/// <summary>
/// The partitioned engine's barrier: no worker passes a phase before every worker has arrived, the
/// action between phases runs once per phase, on the last to arrive, before anyone goes on; and a
/// worker that leaves (it failed) is no longer waited for, in this phase or a later one.
/// </summary>
public sealed class PhaseBarrierTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public void EveryPhase_WaitsForAll_AndRunsItsActionOnce(int workers)
    {
        const int Phases = 300;
        int arrived = 0, actions = 0, violations = 0;
        var barrier = new PhaseBarrier(workers, () =>
        {
            // Every worker has arrived in this phase, and none has gone on.
            if (Volatile.Read(ref arrived) != workers * (actions + 1)) Interlocked.Increment(ref violations);
            actions++;
        });
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            for (int p = 0; p < Phases; p++)
            {
                if (w == p % workers) Thread.Sleep(p % 7 == 0 ? 2 : 0); // a late one now and then: some wait past the spin
                Interlocked.Increment(ref arrived);
                barrier.SignalAndWait();
                if (Volatile.Read(ref actions) != p + 1) Interlocked.Increment(ref violations);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(Phases, actions);
        Assert.Equal(0, violations);
    }

    [Fact]
    public void AWorkerThatLeaves_IsNoLongerWaitedFor()
    {
        int actions = 0;
        var barrier = new PhaseBarrier(3, () => actions++);
        var stayers = Enumerable.Range(0, 2).Select(_ => new Thread(() =>
        {
            for (int p = 0; p < 50; p++) barrier.SignalAndWait();
        })).ToList();
        stayers.ForEach(t => t.Start());
        Thread.Sleep(5); // the two stay waiting in the first phase for the third
        barrier.RemoveParticipant();
        Assert.True(stayers.All(t => t.Join(TimeSpan.FromSeconds(30))));
        Assert.Equal(50, actions);
    }
}
