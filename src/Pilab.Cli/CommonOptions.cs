using System.CommandLine;
using Pilab.Checker;
using Pilab.Model;
using Pilab.Protocol;

namespace Pilab.Cli;

/// <summary>The options check, explain and the later commands share, and their translation into a
/// <see cref="Configuration"/> and <see cref="ExplorationOptions"/>.</summary>
internal sealed class CommonOptions
{
    public readonly Argument<string> Variant = new("variant")
    {
        Description = "a built-in variant (pilab list) or the path of a variant file (docs/variant-format.md)",
    };
    public readonly Option<string> Mm = new("--mm") { Description = "memory model: sc or tso", DefaultValueFactory = _ => "sc" };
    public readonly Option<int> Injectors = new("--injectors", "-k") { Description = "injecting CPUs, 1-4", DefaultValueFactory = _ => 1 };
    public readonly Option<bool> SameVector = new("--same-vector") { Description = "all injectors post v1 (default: injector i posts vi)" };
    public readonly Option<int> Posts = new("--posts", "-n") { Description = "posts per injector, 1-7", DefaultValueFactory = _ => 1 };
    public readonly Option<int> Exits = new("--exits", "-e") { Description = "VM exits the guest may cause on its own, 0-7", DefaultValueFactory = _ => 0 };
    public readonly Option<int> Halts = new("--halts") { Description = "HLTs the guest may execute (whole-system variants, SPEC.md section 7), 0-3", DefaultValueFactory = _ => 0 };
    public readonly Option<int> Preemptions = new("--preemptions") { Description = "preemptions of the vCPU thread (whole-system variants), 0-3", DefaultValueFactory = _ => 0 };
    public readonly Option<int> Migrations = new("--migrations") { Description = "moves of the vCPU thread between P0 and P2 when it is loaded again (whole-system variants), 0-3", DefaultValueFactory = _ => 0 };
    public readonly Option<int> Iommu = new("--iommu", "-j") { Description = "IOMMU posters (VT-d posted interrupts; whole-system variants), 0-4; --injectors may then be 0", DefaultValueFactory = _ => 0 };
    public readonly Option<bool> IrqPriority = new("--irq-priority") { Description = "a pending host interrupt on P0 with IF=1 runs before the vCPU thread's next step (as hardware does)" };
    public readonly Option<long> MaxStates = new("--max-states") { Description = "stop after this many states (exit code 3)", DefaultValueFactory = _ => int.MaxValue - 1L };
    public readonly Option<long> MaxMemory = new("--max-memory") { Description = "stop before the visited set outgrows this many MiB (exit code 3); default three quarters of memory", DefaultValueFactory = _ => ExplorationOptions.DefaultMaxMemory() >> 20 };
    public readonly Option<bool> NoPor = new("--no-por") { Description = "explore every interleaving: no partial-order reduction (stubborn sets)" };
    public readonly Option<bool> NoSymmetry = new("--no-symmetry") { Description = "no symmetry reduction over interchangeable injectors" };
    public readonly Option<int> Workers = new("--workers", "-w") { Description = "exploring threads (default: all cores)", DefaultValueFactory = _ => Environment.ProcessorCount };
    public readonly Option<bool> HashCompact = new("--hash-compact") { Description = "store a 64-bit fingerprint per state instead of the state (less memory; the chance of a missed state is reported); one worker" };
    public readonly Option<bool> Json = new("--json") { Description = "print the result as JSON (docs/json.md)" };

    public CommonOptions()
    {
        Mm.AcceptOnlyFromAmong("sc", "tso");
    }

    public void AddTo(Command c, bool withVariant = true)
    {
        if (withVariant) c.Arguments.Add(Variant);
        foreach (var o in new Option[] { Mm, Injectors, SameVector, Posts, Exits, Halts, Preemptions, Migrations, Iommu, IrqPriority, MaxStates, MaxMemory, NoPor, NoSymmetry, Workers, HashCompact, Json })
            c.Options.Add(o);
    }

    public Configuration Configuration(ParseResult p) =>
        Configuration(p, p.GetValue(Mm) == "tso" ? MemoryModel.TSO : MemoryModel.SC);

    /// <summary>The options <see cref="Configuration(ParseResult, MemoryModel)"/> reads, for a command that fixes the memory model itself.</summary>
    public Option[] FixedMemoryConfigurationOptions => [Injectors, SameVector, Posts, Exits, IrqPriority];

    /// <summary>The section 4 configuration under a memory model the command fixes itself (barriers: TSO; synthesize: both).</summary>
    public Configuration Configuration(ParseResult p, MemoryModel memory) => new(
        p.GetValue(Injectors), p.GetValue(Posts), p.GetValue(Exits), p.GetValue(SameVector), memory, p.GetValue(IrqPriority));

    /// <summary>Writes a variant file's diagnostics to stderr; one without a line (no such built-in or file) as pilab's own message.</summary>
    public static void PrintErrors(IEnumerable<Diagnostic> errors)
    {
        foreach (var e in errors)
            Console.Error.WriteLine(e.Line == 0 ? $"pilab: {e.File}: {e.Found}; expected {e.Expected}" : e.ToString());
    }

    /// <summary>The whole-system configuration (SPEC.md section 7) the options describe.</summary>
    public Model.WholeSystem.SystemConfiguration SystemConfiguration(ParseResult p) => new(
        p.GetValue(Injectors), p.GetValue(Iommu), p.GetValue(Posts), p.GetValue(Exits), p.GetValue(Halts),
        p.GetValue(Preemptions), p.GetValue(Migrations), p.GetValue(SameVector),
        p.GetValue(Mm) == "tso" ? MemoryModel.TSO : MemoryModel.SC, p.GetValue(IrqPriority));

    /// <summary>True when an option of SPEC.md section 7 is set (a section 4 variant cannot use them).</summary>
    public bool UsesWholeSystem(ParseResult p) =>
        p.GetValue(Halts) != 0 || p.GetValue(Preemptions) != 0 || p.GetValue(Migrations) != 0 || p.GetValue(Iommu) != 0;

    public ExplorationOptions Exploration(ParseResult p) => new()
    {
        MaxStates = p.GetValue(MaxStates),
        MaxMemoryBytes = p.GetValue(MaxMemory) << 20,
        PartialOrder = !p.GetValue(NoPor),
        Symmetry = !p.GetValue(NoSymmetry),
        // Hash compaction runs the sequential engine (HashCompactExplorer); the figures then say 1 worker.
        Workers = p.GetValue(HashCompact) ? 1 : p.GetValue(Workers),
        HashCompaction = p.GetValue(HashCompact),
    };

    /// <summary>Loads the variant and validates the configuration; on bad input prints why and returns false.</summary>
    public bool TryResolve(ParseResult p, out Variant variant, out Configuration configuration)
    {
        configuration = Configuration(p);
        variant = null!;
        if (UsesWholeSystem(p))
        {
            Console.Error.WriteLine("pilab: --halts, --preemptions, --migrations and --iommu need a whole-system variant (SPEC.md section 7): " +
                string.Join(", ", Protocol.SystemBuiltins.WholeSystem.Select(v => v.Name)) + ", or a file with a 'design:' line");
            return false;
        }
        if (configuration.Problem() is { } problem)
        {
            Console.Error.WriteLine($"pilab: {problem}");
            return false;
        }
        if (p.GetValue(MaxStates) < 1 || p.GetValue(MaxMemory) < 1)
        {
            Console.Error.WriteLine("pilab: --max-states and --max-memory must be at least 1");
            return false;
        }
        if (p.GetValue(Workers) is < 1 or > 1024)
        {
            Console.Error.WriteLine($"pilab: --workers must be 1 to 1024, not {p.GetValue(Workers)}");
            return false;
        }
        var loaded = VariantFile.Load(p.GetValue(Variant)!);
        if (!loaded.Ok)
        {
            PrintErrors(loaded.Errors);
            return false;
        }
        variant = loaded.Variant!;
        return true;
    }
}
