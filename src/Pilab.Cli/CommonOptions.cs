using System.CommandLine;
using Pilab.Checker;
using Pilab.Model;

namespace Pilab.Cli;

/// <summary>
/// The options check, explain and the later commands share, and the one place they become a
/// <see cref="Configuration"/> and <see cref="ExplorationOptions"/>: a variant's own configuration
/// (its <c>check:</c> line) with the options given on the command line laid over it, checked by
/// <see cref="Configuration.Problem"/> for the variant's design, so every rule holds for every design.
/// </summary>
internal sealed class CommonOptions
{
    public readonly Argument<string> Variant = new("variant")
    {
        Description = "a built-in variant (pilab list) or the path of a variant file (docs/variant-format.md)",
    };
    // No defaults here: an option not given leaves the variant's own configuration as it is.
    public readonly Option<string> Mm = new("--mm") { Description = "memory model: sc or tso (default: the variant's check line, else sc)" };
    public readonly Option<int> Injectors = new("--injectors", "-k") { Description = "CPU injectors: 1-4 (whole-system designs: 0-4, with --iommu 1-4 posters in all)" };
    public readonly Option<bool> SameVector = new("--same-vector") { Description = "all posters post v1 (default: poster i posts vi)" };
    public readonly Option<int> Posts = new("--posts", "-n") { Description = "posts per poster, 1-7" };
    public readonly Option<int> Exits = new("--exits", "-e") { Description = "VM exits the guest may cause on its own, 0-7" };
    public readonly Option<int> Halts = new("--halts") { Description = "HLTs the guest may execute, 0-3 (whole-system designs)" };
    public readonly Option<int> Preemptions = new("--preemptions") { Description = "preemptions of the vCPU thread, 0-3 (whole-system designs)" };
    public readonly Option<int> Migrations = new("--migrations") { Description = "moves of the vCPU thread between P0 and P2 when it is loaded again, 0-3 (whole-system designs)" };
    public readonly Option<int> Iommu = new("--iommu", "-j") { Description = "IOMMU posters (VT-d posted interrupts), 0-4 (whole-system designs)" };
    public readonly Option<int> Ipiv = new("--ipiv", "-i") { Description = "IPIv posters (another vCPU's IPI posted by IPI virtualization; arms the wake-up vector), 0-4 (whole-system designs)" };
    public readonly Option<bool> IrqPriority = new("--irq-priority") { Description = "a pending host interrupt on P0 with IF=1 runs before the vCPU thread's next step (as hardware does)" };
    public readonly Option<long> MaxStates = new("--max-states") { Description = "stop after this many states (exit code 3)", DefaultValueFactory = _ => int.MaxValue - 1L };
    public readonly Option<long> MaxMemory = new("--max-memory") { Description = "stop before the process's resident memory (the runtime's and the search's tables, states and buffers) would outgrow this many MiB (exit code 3); default 80 % of the memory available, less 64 MiB", DefaultValueFactory = _ => ExplorationOptions.DefaultMaxMemory() >> 20 };
    public readonly Option<bool> NoPor = new("--no-por") { Description = "explore every interleaving: no partial-order reduction (stubborn sets)" };
    public readonly Option<bool> NoSymmetry = new("--no-symmetry") { Description = "no symmetry reduction over interchangeable injectors" };
    public readonly Option<bool> NoChains = new("--no-chains") { Description = "store every state of the reduced graph: without it, a state with one stubborn successor is passed through, not stored (same verdicts and runs; fewer states stored)" };
    public readonly Option<int> Workers = new("--workers", "-w")
    {
        Description = $"exploring threads, 1-{MaxWorkers} (default: all cores, at most {MaxWorkers}; every pair of workers has a mailbox, so their memory grows with the square of the workers)",
        DefaultValueFactory = _ => Math.Min(MaxWorkers, Environment.ProcessorCount),
    };
    public readonly Option<bool> HashCompact = new("--hash-compact") { Description = "store a 64-bit fingerprint per state instead of the state (less memory; the chance of a missed state is reported)" };
    public readonly Option<string> Store = new("--store")
    {
        Description = "the exact visited set: plain (each state whole, the fastest) or compact (tree compression: each half of a state stored once, a state a bit-packed pair of indices and parent link; about a quarter of the memory, slower); same states and runs",
        DefaultValueFactory = _ => "plain",
    };
    public readonly Option<bool> Json = new("--json") { Description = "print the result as JSON (docs/json.md)" };
    public readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "no progress on stderr: by default a search that runs longer than a second shows its depth, states, transitions and memory there (a live line on a terminal, a line every few seconds otherwise)" };

    /// <summary>The largest --max-memory (MiB) whose byte count still fits: 2^43 MiB would overflow.</summary>
    private const long MaxMemoryMiB = 1L << 40;

    /// <summary>The most exploring threads: the mailboxes take memory in the square of the workers
    /// (256 workers took 2.2 GB on a 97-state check), and more threads than this gain nothing here.</summary>
    public const int MaxWorkers = 64;

    public CommonOptions()
    {
        Variant.CompletionSources.Add(Completion.Variants);
        ParseErrors.RefuseOptionsAsValues(Variant);
        Mm.CompletionSources.Add("sc", "tso");
        // Case-insensitive, as the tables print it: --mm TSO.
        Store.CustomParser = r =>
        {
            string v = r.Tokens.Count == 1 ? r.Tokens[0].Value.ToLowerInvariant() : "";
            if (v is "plain" or "compact") return v;
            r.AddError($"--store takes plain or compact, not '{(r.Tokens.Count == 1 ? r.Tokens[0].Value : "")}'");
            return null;
        };
        Mm.CustomParser = r =>
        {
            string v = r.Tokens.Count == 1 ? r.Tokens[0].Value.ToLowerInvariant() : "";
            if (v is "sc" or "tso") return v;
            r.AddError($"--mm takes sc or tso, not '{(r.Tokens.Count == 1 ? r.Tokens[0].Value : "")}'");
            return null;
        };
    }

    /// <summary>The options that describe the configuration (the rest describe the search).</summary>
    public Option[] ConfigurationOptions => [Mm, Injectors, SameVector, Posts, Exits, Halts, Preemptions, Migrations, Iommu, Ipiv, IrqPriority];

    /// <summary>The variant, every configuration option, every search option and --json: check and explain use them all.</summary>
    public void AddTo(Command c)
    {
        c.Arguments.Add(Variant);
        Option[] all = [.. ConfigurationOptions, MaxStates, MaxMemory, NoPor, NoSymmetry, NoChains, Workers, HashCompact, Store, Json];
        foreach (var o in all) c.Options.Add(o);
    }

    /// <summary>Whether the option was given on the command line.</summary>
    public static bool Given(ParseResult p, Option o) => p.GetResult(o) is { Implicit: false };

    /// <summary>The configuration options given on the command line, by name, for a message.</summary>
    public IEnumerable<string> GivenNames(ParseResult p, params Option[] among) => among.Where(o => Given(p, o)).Select(o => o.Name);

    /// <summary>The options given on the command line laid over <paramref name="over"/>.</summary>
    public Configuration Overlay(ParseResult p, Configuration over) => over with
    {
        Memory = Given(p, Mm) ? (p.GetValue(Mm) == "tso" ? MemoryModel.TSO : MemoryModel.SC) : over.Memory,
        Injectors = Given(p, Injectors) ? p.GetValue(Injectors) : over.Injectors,
        SameVector = p.GetValue(SameVector) || over.SameVector,
        Posts = Given(p, Posts) ? p.GetValue(Posts) : over.Posts,
        Exits = Given(p, Exits) ? p.GetValue(Exits) : over.Exits,
        Halts = Given(p, Halts) ? p.GetValue(Halts) : over.Halts,
        Preemptions = Given(p, Preemptions) ? p.GetValue(Preemptions) : over.Preemptions,
        Migrations = Given(p, Migrations) ? p.GetValue(Migrations) : over.Migrations,
        Iommu = Given(p, Iommu) ? p.GetValue(Iommu) : over.Iommu,
        Ipiv = Given(p, Ipiv) ? p.GetValue(Ipiv) : over.Ipiv,
        IrqPriority = p.GetValue(IrqPriority) || over.IrqPriority,
    };

    /// <summary>The options <see cref="Configuration(ParseResult, MemoryModel)"/> reads, for a command that fixes the memory model itself.</summary>
    public Option[] FixedMemoryConfigurationOptions => [Injectors, SameVector, Posts, Exits, IrqPriority];

    /// <summary>The vCPU-entry configuration under a memory model the command fixes itself (barriers: TSO; synthesize: both).</summary>
    public Configuration Configuration(ParseResult p, MemoryModel memory) => Overlay(p, new Configuration()) with { Memory = memory };

    /// <summary>Writes a variant file's diagnostics to stderr; one without a line (no such built-in or file) as pilab's own message.</summary>
    public static void PrintErrors(IEnumerable<Diagnostic> errors)
    {
        foreach (var e in errors)
            Console.Error.WriteLine(e.Line == 0 ? $"pilab: {e.File}: {Diagnostic.Printable(e.Found)}; expected {e.Expected}" : e.ToString());
    }

    /// <summary>The search the options describe, or null after saying what is wrong with them.</summary>
    public ExplorationOptions? Exploration(ParseResult p)
    {
        string? problem =
            p.GetValue(MaxStates) < 1 ? $"--max-states must be at least 1, not {p.GetValue(MaxStates)}"
            : p.GetValue(MaxMemory) is < 1 or > MaxMemoryMiB ? $"--max-memory must be 1 to {MaxMemoryMiB} MiB, not {p.GetValue(MaxMemory)}"
            : p.GetValue(Workers) is < 1 or > MaxWorkers ? $"--workers must be 1 to {MaxWorkers}, not {p.GetValue(Workers)}"
            : p.GetValue(HashCompact) && Given(p, Store) ? "--store chooses the exact search's visited set; --hash-compact keeps fingerprints instead: give one of them"
            : null;
        if (problem is not null)
        {
            Console.Error.WriteLine($"pilab: {problem}");
            return null;
        }
        return new()
        {
            MaxStates = p.GetValue(MaxStates),
            MaxMemoryBytes = p.GetValue(MaxMemory) << 20,
            // --max-memory bounds the process's resident memory: the runtime's own counts against it.
            BaselineBytes = Environment.WorkingSet,
            PartialOrder = !p.GetValue(NoPor),
            Symmetry = !p.GetValue(NoSymmetry),
            Chains = !p.GetValue(NoChains),
            Workers = p.GetValue(Workers),
            HashCompaction = p.GetValue(HashCompact),
            Store = p.GetValue(Store) == "compact" ? StateStore.Compact : StateStore.Plain,
        };
    }

    /// <summary>Loads the variant named on the command line; on bad input prints why and returns null.</summary>
    public Variant? Load(ParseResult p)
    {
        var loaded = LoadVariant(p.GetValue(Variant)!);
        if (loaded.Ok) return loaded.Variant;
        PrintErrors(loaded.Errors);
        return null;
    }

    /// <summary>Resolves a variant argument as <see cref="VariantFile.Load"/> does, a built-in's name before a
    /// file's; when a file of that name is here too, says on stderr which was taken and how to name the other.</summary>
    public static VariantParseResult LoadVariant(string nameOrPath)
    {
        NoteShadowed(nameOrPath);
        return VariantFile.Load(nameOrPath);
    }

    /// <summary>A built-in's name that is also a file's in the working directory: the built-in is used; ./name names the file.</summary>
    public static void NoteShadowed(string name)
    {
        if (Builtins.Find(name) is null || !File.Exists(name)) return;
        Console.Error.WriteLine($"pilab: {name}: the built-in variant is used, not the file {name} in this directory (name the file as ./{name} to use it)");
    }

    /// <summary>The configuration to check <paramref name="variant"/> in: its own, with the options given
    /// laid over it; null after saying why when the variant's design cannot check it.</summary>
    public Configuration? ConfigurationFor(ParseResult p, Variant variant)
    {
        var configuration = Overlay(p, variant.Check);
        if (configuration.Problem(variant.Design) is not { } problem) return configuration;
        Console.Error.WriteLine($"pilab: {variant.Name} (design {DesignNames.Name(variant.Design)}): {problem}");
        return null;
    }

    /// <summary>Loads the variant, its configuration and the search; on bad input prints why and returns false.</summary>
    public bool TryResolve(ParseResult p, out Variant variant, out Configuration configuration, out ExplorationOptions exploration)
    {
        variant = null!;
        configuration = null!;
        exploration = null!;
        if (Load(p) is not { } v || ConfigurationFor(p, v) is not { } c || Exploration(p) is not { } x) return false;
        (variant, configuration, exploration) = (v, c, x);
        return true;
    }

    /// <summary>A command that cannot serve a variant's design says so in one line, naming the design: exit 2.</summary>
    public static int Refuse(string command, Variant variant, string why)
    {
        Console.Error.WriteLine($"pilab: {Models.Refusal(command, variant, why)}");
        return ExitCodes.BadInput;
    }
}
