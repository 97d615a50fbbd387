using Pilab.Live;
using Pilab.Protocol;

namespace Pilab.Live.Tests;

/// <summary>
/// The deterministic scheduler: P0 and the injectors of a live run, driven one step at a time on the
/// test's thread in an order the test chooses. The steps are the runtime's own (VcpuThread.Step,
/// Injector.Step) over the runtime's own memory; only the interleaving is the test's. The guest makes
/// no exits of its own, so nothing depends on a clock.
/// </summary>
internal sealed class Stepper
{
    public VcpuMemory Memory { get; }
    public VcpuThread P0 { get; }
    public Injector[] Injectors { get; }
    public List<string> Log { get; } = [];

    public Stepper(Variant variant, int injectors = 1, int vectorsPerInjector = 1)
    {
        var program = new ThreadProgram(variant);
        Memory = new VcpuMemory(injectors);
        P0 = new VcpuThread(program, Memory, exitsPerSecond: 0, new HdrHistogram.LongHistogram(1_000_000_000, 1));
        Injectors = new Injector[injectors];
        for (int i = 0; i < injectors; i++)
            Injectors[i] = new Injector(program, Memory, i, LiveOptions.FirstVector + i * vectorsPerInjector, vectorsPerInjector);
    }

    /// <summary>One P0 step; logs what it was.</summary>
    public Stepper P(int times = 1)
    {
        for (int t = 0; t < times; t++)
        {
            Log.Add(P0.InGuest ? "P0 guest boundary" : $"P0 {ThreadProgram.Name(P0.NextOp)}");
            P0.Step();
        }
        return this;
    }

    /// <summary>Makes P0's next <paramref name="n"/> host-side steps and returns what they were.</summary>
    public List<ThreadOp> P0Ops(int n)
    {
        var ops = new List<ThreadOp>();
        for (int i = 0; i < n; i++)
        {
            ops.Add(P0.NextOp);
            P0.Step();
        }
        return ops;
    }

    /// <summary>One step of injector i.</summary>
    public bool I(int i = 0)
    {
        Log.Add($"P{i + 1} {StepNames.Name(Injectors[i].NextStep)}");
        return Injectors[i].Step();
    }

    /// <summary>Injector i's whole post, step by step.</summary>
    public Stepper Post(int i = 0)
    {
        while (!I(i)) { }
        return this;
    }

    /// <summary>
    /// The end of a run: injectors finish their posts, then P0 runs until it is settled (guest running,
    /// nothing pending, vIRR empty): a terminal state, where whatever is in PIR is stranded.
    /// </summary>
    public Ending Settle(int maxP0Steps = 10_000)
    {
        for (int i = 0; i < Injectors.Length; i++)
            while (Injectors[i].InFlight) I(i);
        for (int n = 0; n < maxP0Steps && !P0.Settled; n++) P0.Step();
        Assert.True(P0.Settled, $"P0 did not settle in {maxP0Steps} steps");
        var state = Memory.Snapshot();
        return new Ending(state.Pir.ToList(), state.On, state);
    }

    public long Delivered => P0.Counters.Delivered;

    public long Accepted
    {
        get
        {
            long n = 0;
            foreach (var inj in Injectors) n += inj.Counters.Posted - inj.Counters.CoalescedInPir;
            return n;
        }
    }
}

/// <summary>The terminal state a stepped run ends in.</summary>
internal sealed record Ending(IReadOnlyList<int> Stranded, bool On, StateSnapshot State)
{
    public bool Lost => Stranded.Count > 0 || On;
}
