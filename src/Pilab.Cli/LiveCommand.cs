using System.CommandLine;
using System.Globalization;
using Pilab.Checker;
using Pilab.Live;
using Pilab.Model;
using Pilab.Protocol;
using Spectre.Console;

namespace Pilab.Cli;

/// <summary>pilab live: a variant on real threads over real memory (src/Pilab.Live), with a progress display.</summary>
internal static class LiveCommand
{
    public static Command Create(CommonOptions common)
    {
        var variant = new Argument<string?>("variant")
        {
            Description = "a built-in variant (pilab list) or the path of a variant file; not needed with --calibrate alone",
            Arity = ArgumentArity.ZeroOrOne,
        };
        variant.CompletionSources.Add(Completion.Variants);
        ParseErrors.RefuseOptionsAsValues(variant);
        var seconds = new Option<double?>("--seconds", "-s") { Description = "run this long, more than 0 and at most 604800 (a week) (default 10 s; with --posts and no --seconds, until the posts are made)" }.Invariant();
        var injectors = new Option<int>("--injectors", "-k") { Description = "injector threads, 1-64 (this machine has " + Environment.ProcessorCount + " cores; P0 spins on one)", DefaultValueFactory = _ => 1 };
        var rate = new Option<double>("--rate", "-r") { Description = "posts per second per injector, 0.001 to 1e9; 0 = as fast as possible", DefaultValueFactory = _ => 0 }.Invariant();
        var exitRate = new Option<double>("--exit-rate", "-x") { Description = "VM exits per second the guest causes itself, 0.001 to 1e9 (a 1000 Hz tick by default); 0 = tickless guest", DefaultValueFactory = _ => 1000 }.Invariant();
        var chaos = new Option<bool>("--chaos") { Description = "seeded random delays between steps, so race windows open often" };
        var seed = new Option<ulong>("--seed") { Description = "seed of the --chaos delay schedule; with --aligned, of the jitter (and of --calibrate's litmus rounds)", DefaultValueFactory = _ => 1 };
        var posts = new Option<long>("--posts", "-n") { Description = "stop after this many posts in all (0 = no bound)", DefaultValueFactory = _ => 0 };
        var vectors = new Option<int>("--vectors") { Description = "vectors each injector cycles through", DefaultValueFactory = _ => 1 };
        var stall = new Option<double>("--stall-ms") { Description = "report a strand once it has lasted this long (ms), 0.001 to 3600000", DefaultValueFactory = _ => 0.1 }.Invariant();
        var noRescue = new Option<bool>("--no-rescue") { Description = "do not force a VM exit after reporting a strand (a tickless guest then stays stranded)" };
        var aligned = new Option<bool>("--aligned") { Description = "litmus7-style rounds: P0's entry and one post of each injector start together each round (a shared round counter), each round judged in its settled state; --posts bounds the rounds" };
        var jitter = new Option<int>("--jitter") { Description = "with --aligned (and for --calibrate's litmus rounds): each round P0 or the injector waits a random 0 to n delay-loop iterations (about 1 ns each) after the round opens, 0-1000000", DefaultValueFactory = _ => 0 };
        var noPin = new Option<bool>("--no-pin") { Description = "do not pin P0 and the injectors to distinct CPUs (pinning uses sched_setaffinity, Linux only)" };
        var calibrate = new Option<bool>("--calibrate") { Description = "measure the cross-core round trip (cache-line ping-pong) and the store-buffering litmus, on two threads pinned as P0 and the first injector, the litmus in rounds aligned as --aligned's (same --jitter and --seed); with a variant, also give latency in round trips" };
        var hgrm = new Option<string?>("--hgrm") { Description = "also write the post-to-guest-handler latency to this file in HdrHistogram's percentile distribution format (microseconds; docs/json.md)" };

        var c = new Command("live", "run a variant on real threads at full speed: posted, coalesced, delivered and stranded interrupts, latency, cost per delivery (exit 0 none lost, 1 lost)");
        c.Arguments.Add(variant);
        foreach (var o in new Option[] { seconds, injectors, rate, exitRate, chaos, seed, posts, vectors, stall, noRescue, aligned, jitter, noPin, calibrate, hgrm, common.Json })
            c.Options.Add(o);
        c.SetAction(p =>
        {
            bool json = p.GetValue(common.Json);
            string? name = p.GetValue(variant);
            if (name is null)
            {
                if (!p.GetValue(calibrate))
                {
                    Console.Error.WriteLine("pilab: live needs a variant (pilab list) or a variant file, or --calibrate");
                    return ExitCodes.BadInput;
                }
                // --calibrate alone: the litmus rounds take --jitter and --seed as an aligned run would, and --no-pin
                int litmusJitter = p.GetValue(jitter);
                if (litmusJitter is < 0 or > LiveOptions.MaxJitter)
                {
                    Console.Error.WriteLine($"pilab: --jitter must be 0 to {LiveOptions.MaxJitter}, not {litmusJitter}");
                    return ExitCodes.BadInput;
                }
                var alone = Calibration.Measure(!p.GetValue(noPin), litmusJitter, p.GetValue(seed));
                Console.Write(json ? LiveJson.Write(alone) + "\n" : LiveReport.CalibrationText(alone));
                return ExitCodes.NoLoss;
            }
            var loaded = CommonOptions.LoadVariant(name);
            if (!loaded.Ok)
            {
                CommonOptions.PrintErrors(loaded.Errors);
                return ExitCodes.BadInput;
            }
            if (loaded.Variant!.WholeSystem)
                return CommonOptions.Refuse("live", loaded.Variant, "the live runtime runs the vCPU entry and its injectors only: it has no halting, IOMMU or scheduler");
            long maxPosts = p.GetValue(posts);
            bool isAligned = p.GetValue(aligned);
            if (isAligned && p.GetResult(stall) is { Implicit: false })
            {
                Console.Error.WriteLine("pilab: --aligned judges each round in its settled state, without the watchdog: --stall-ms does not apply");
                return ExitCodes.BadInput;
            }
            var options = new LiveOptions(loaded.Variant!)
            {
                Seconds = p.GetValue(seconds) ?? (maxPosts > 0 ? null : 10),
                Injectors = p.GetValue(injectors),
                Rate = p.GetValue(rate),
                // the aligned mode's guest makes no exits of its own; an explicit --exit-rate is refused by LiveOptions.Problem
                ExitRate = isAligned && p.GetResult(exitRate) is null or { Implicit: true } ? 0 : p.GetValue(exitRate),
                Aligned = isAligned,
                Jitter = p.GetValue(jitter),
                Chaos = p.GetValue(chaos),
                Seed = p.GetValue(seed),
                MaxPosts = maxPosts,
                VectorsPerInjector = p.GetValue(vectors),
                StallMilliseconds = p.GetValue(stall),
                Rescue = !p.GetValue(noRescue),
                Pin = !p.GetValue(noPin),
            };
            if (options.Problem() is { } problem)
            {
                Console.Error.WriteLine($"pilab: {problem}");
                return ExitCodes.BadInput;
            }
            // An empty --hgrm path is refused before the run, not after it.
            if (p.GetValue(hgrm) is "")
            {
                Console.Error.WriteLine("pilab: cannot write '': an empty file name");
                return ExitCodes.BadInput;
            }
            // --calibrate with a variant: pinned as the run will be, the litmus rounds with the run's jitter and seed
            CalibrationResult? cal = null;
            if (p.GetValue(calibrate))
            {
                cal = Calibration.Measure(options.Pin, options.Aligned ? options.Jitter : 0, options.Seed);
                if (!json) Console.Write(LiveReport.CalibrationText(cal));
            }
            // The aligned mode puts the checker's verdicts (as many injectors as the rounds run, x86-TSO and SC) next to what this CPU shows.
            CheckerPrediction? prediction = null;
            if (options.Aligned)
            {
                var tso = Models.Check(options.Variant, options.Variant.Check with { Memory = MemoryModel.TSO, Injectors = options.Injectors });
                var sc = Models.Check(options.Variant, options.Variant.Check with { Memory = MemoryModel.SC, Injectors = options.Injectors });
                prediction = new CheckerPrediction(Verdicts.Name(tso.Verdict), tso.TraceLength, Verdicts.Name(sc.Verdict), sc.TraceLength);
            }
            var (result, latency) = Run(options, json);
            Console.Write(json ? LiveJson.Write(result, cal, Interrupt.Requested ? Interrupt.Name : null, prediction) + "\n" : LiveReport.Text(result, cal, prediction));
            if (p.GetValue(hgrm) is { } path && !ReportFiles.TryWrite(path, LiveReport.PercentileDistribution(latency, LiveReport.TicksPerMicrosecond), out _))
                return ExitCodes.BadInput;
            // A loss seen stands however the run ended; a run a signal cut short without one has no verdict.
            if (result.LostInterrupt || !result.Settled) return ExitCodes.Violation;
            return Interrupt.Requested ? Interrupt.ExitCode : ExitCodes.NoLoss;
        });
        return c;
    }

    /// <summary>Runs until the time or the posts are up, or SIGINT or SIGTERM (<see cref="Interrupt"/>); shows progress; returns the final figures and the latency histogram.</summary>
    private static (LiveResult Result, HdrHistogram.LongHistogram Latency) Run(LiveOptions options, bool json)
    {
        var run = new LiveRun(options);
        var stop = Interrupt.Token;
        {
            run.Start();
            bool Done() => stop.IsCancellationRequested || run.PostsDone ||
                (options.Seconds is { } s && run.Elapsed.TotalSeconds >= s);
            if (!json && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive)
            {
                var table = new Table().AddColumns("", "").HideHeaders().Border(TableBorder.Rounded)
                    .Title($"pilab live {Markup.Escape(options.Variant.Name)}");
                AnsiConsole.Live(table).Start(ctx =>
                {
                    while (!Done())
                    {
                        Fill(table, run.Progress(), options);
                        ctx.Refresh();
                        stop.WaitHandle.WaitOne(250);
                    }
                    Fill(table, run.Progress(), options);
                    ctx.Refresh();
                });
            }
            else
            {
                var next = TimeSpan.FromSeconds(1);
                while (!Done())
                {
                    stop.WaitHandle.WaitOne(50);
                    if (run.Elapsed >= next && !json)
                    {
                        Console.WriteLine(LiveReport.ProgressLine(run.Progress()));
                        next += TimeSpan.FromSeconds(1);
                    }
                }
            }
            if (stop.IsCancellationRequested && !json) Console.WriteLine($"interrupted by {Interrupt.Name}: stopping the injectors, figures so far:");
            var result = run.Finish();
            return (result, run.LatencyHistogram);
        }
    }

    private static void Fill(Table t, LiveResult r, LiveOptions o)
    {
        var ci = CultureInfo.InvariantCulture;
        t.Rows.Clear();
        string limit = o.Seconds is { } s ? string.Create(ci, $" of {s:F0}") : "";
        t.AddRow("elapsed", string.Create(ci, $"{r.Elapsed.TotalSeconds:F1} s{limit}"));
        string bound = o.MaxPosts > 0 ? string.Create(ci, $" of {o.MaxPosts:N0}") : "";
        if (r.Aligned is { } a)
            t.AddRow("rounds", string.Create(ci, $"{a.Rounds:N0}{bound}  ({a.RoundsPerSecond:N0}/s), {a.StrandsPerMillionRounds:F1} strands per million"));
        t.AddRow("posted", string.Create(ci, $"{r.Posted:N0}{bound}  ({r.PostsPerSecond:N0}/s)"));
        t.AddRow("coalesced", string.Create(ci, $"{r.CoalescedInPir:N0} in PIR, {r.MergedInVIrr:N0} in vIRR, ON already set {r.OnAlreadySet:N0}"));
        t.AddRow("delivered", string.Create(ci, $"{r.Delivered:N0}"));
        t.AddRow("IPIs", string.Create(ci, $"NOTIFY {r.NotifyIpis:N0}, RESCHED {r.ReschedIpis:N0}"));
        t.AddRow("P0", string.Create(ci, $"VM exits {r.VmExits:N0}, entries {r.Entries:N0}, cancelled {r.CancelledEntries:N0}, dummy handler {r.DummyHandlerRuns:N0}"));
        t.AddRow(r.StrandsDetected > 0 ? "[red]stranded[/]" : "stranded", string.Create(ci, $"{r.StrandsDetected:N0}"));
    }
}
