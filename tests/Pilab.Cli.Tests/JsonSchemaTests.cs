using Pilab.Protocol;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Pilab.Report.Json;

namespace Pilab.Cli.Tests;

/// <summary>
/// Every command's --json, printed by the real executable for designs of both models, safe, losing,
/// bounded and with --cost, validates against the schema it names, published in docs/schema/
/// (JSON Schema draft 2020-12); and the schemas are strict enough to reject a broken document.
/// </summary>
public sealed class JsonSchemaTests
{
    private static readonly string SchemaFolder = FindSchemaFolder();

    private static string FindSchemaFolder()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "docs", "schema"))) return Path.Combine(d.FullName, "docs", "schema");
        throw new DirectoryNotFoundException("docs/schema above " + AppContext.BaseDirectory);
    }

    /// <summary>The schema file of a schema id: pilab.check/2 is docs/schema/pilab.check-2.schema.json.</summary>
    private static JsonSchema Schema(string id)
    {
        string path = Path.Combine(SchemaFolder, id.Replace('/', '-') + ".schema.json");
        Assert.True(File.Exists(path), $"{id} has no schema file {path}");
        // Each schema in its own registry: the files are loaded again by several tests at once.
        return JsonSchema.FromFile(path, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    private static EvaluationResults Evaluate(string id, JsonElement document) =>
        Schema(id).Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Errors(EvaluationResults r) =>
        string.Join("\n", (r.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}")));

    /// <summary>Runs pilab, checks its exit code, and validates what it printed against the schema the document names.</summary>
    private static JsonElement Validated(string schema, int[] exitCodes, params string[] args)
    {
        var r = Pilab.Invoke([.. args, "--json"]);
        Assert.True(exitCodes.Contains(r.ExitCode), $"pilab {string.Join(' ', args)} --json exited {r.ExitCode}: {r.Err}");
        var root = JsonDocument.Parse(r.Out).RootElement.Clone();
        Assert.Equal(schema, root.GetProperty("schema").GetString());
        Assert.Equal(PilabVersion.Value, root.GetProperty("pilabVersion").GetString());
        var result = Evaluate(schema, root);
        Assert.True(result.IsValid, $"pilab {string.Join(' ', args)} --json does not match {schema}:\n{Errors(result)}");
        return root;
    }

    /// <summary>What <c>pilab --version</c> prints: every document carries it.</summary>
    private static readonly Lazy<string> PilabVersion = new(() => Pilab.Invoke("--version").Out.Trim());

    [Theory]
    [InlineData(0, "check", "fixed")]                                  // vCPU entry, safe
    [InlineData(1, "check", "irq-late")]                               // vCPU entry, loses
    [InlineData(1, "explain", "patch-v1", "--mm", "tso", "-k", "2")]   // the run step by step
    [InlineData(0, "check", "fixed", "--hash-compact")]                // omission probability above 0
    [InlineData(3, "check", "fixed", "-k", "2", "--max-states", "100")] // bound reached
    [InlineData(0, "check", "kvm-2021")]                               // whole system, safe
    [InlineData(1, "explain", "sn-no-recompute")]                      // whole system, loses (IOMMU, preemption)
    [InlineData(1, "explain", "ndst-blocked-migration")]               // whole system, loses (migration)
    [InlineData(1, "check", "kvm-2019-cpu-injector")]                  // whole system with a CPU injector
    [InlineData(0, "check", "fixed", "--cost")]                        // cost with an unbounded metric
    [InlineData(0, "check", "fixed", "--cost", "--irq-priority")]     // cost, every metric bounded
    [InlineData(1, "check", "patch-v1", "--cost")]                     // cost null: a losing check
    public void Check_ValidatesAgainstTheSchema(int exit, params string[] args)
    {
        var root = Validated(PilabJson.CheckSchema, [exit], args);
        Assert.Equal(exit switch { 0 => "safe", 3 => "bound-reached", _ => "violation" }, root.GetProperty("verdict").GetString());
        Assert.Equal(args.Contains("--cost"), root.TryGetProperty("cost", out _));
    }

    [Fact]
    public void CheckTable_ValidatesAgainstTheSchema_WithEveryBuiltIn()
    {
        var root = Validated(PilabJson.CheckSchema, [0], "check");
        var results = root.GetProperty("results").EnumerateArray().ToList();
        // 5 vCPU-entry built-ins x {SC, TSO} x k {1, 2}, then each other built-in once.
        Assert.Equal(5 * 4 + (Builtins.All.Length - 5), results.Count);
        Assert.Contains(results, r => r.GetProperty("verdict").GetString() == "violation");
        Assert.Contains(results, r => r.GetProperty("variant").TryGetProperty("schedIn", out _));
        Assert.All(results, r => Assert.False(r.TryGetProperty("schema", out _)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(0, "--injector", "fixed-nomb", "-k", "2")]
    public void Synthesize_ValidatesAgainstTheSchema(int exit, params string[] args)
    {
        var root = Validated(PilabJson.SynthesizeSchema, [exit], ["synthesize", .. args]);
        Assert.Equal(root.GetProperty("orders").GetArrayLength(), root.GetProperty("orders").EnumerateArray().Count(o => o.GetProperty("order").GetString()!.EndsWith(" enter")));
    }

    [Fact]
    public void Synthesize_DesignAvic_ValidatesAgainstTheSchema_WithItsSenderOnEveryOrder()
    {
        var root = Validated(PilabJson.SynthesizeSchema, [0], "synthesize", "--injector", "avic-erratum-1235", "--json");
        Assert.Equal("avic", root.GetProperty("design").GetString());
        Assert.Equal("avic", root.GetProperty("sender").GetString());
        Assert.False(root.TryGetProperty("onAlreadySet", out _));
        Assert.Equal(120, root.GetProperty("orders").GetArrayLength());
        Assert.Equal(60, root.GetProperty("safeSc").GetInt32());
        Assert.Contains(root.GetProperty("orders").EnumerateArray(), o =>
            o.GetProperty("order").GetString() == "isrunning.set irq.off mode.in mb enter" && o.GetProperty("sender").GetString() == "isrunning.read irr.set doorbell.or.exit"
            && o.GetProperty("sc").GetProperty("reason").GetString() == "doorbell-ignored");
    }

    [Theory]
    [InlineData(0, "fixed")]          // already safe: which of its own fences it needs
    [InlineData(0, "fixed-nomb")]     // loses under TSO: the minimal sets
    [InlineData(1, "patch-v1")]       // loses under SC: none can help
    [InlineData(0, "kvm-2021")]       // whole system: block sequence too
    public void Barriers_ValidatesAgainstTheSchema(int exit, string variant)
    {
        var root = Validated(PilabJson.BarriersSchema, [exit], "barriers", variant);
        Assert.Equal(variant, root.GetProperty("variant").GetString());
    }

    [Theory]
    [InlineData("fixed", "--posts", "2000")]
    [InlineData("fixed", "--posts", "2000", "--calibrate")]
    [InlineData("irq-late", "--chaos", "--posts", "20000")] // often loses (exit 1); the schema holds either way
    [InlineData("fixed", "--aligned", "--posts", "2000", "--no-pin")]
    [InlineData("fixed-nomb", "--aligned", "--jitter", "300", "--posts", "20000", "--calibrate")] // may lose (exit 1)
    public void Live_ValidatesAgainstTheSchema(params string[] args)
    {
        var root = Validated(PilabJson.LiveSchema, [0, 1], ["live", .. args]);
        Assert.Equal(args.Contains("--calibrate"), root.TryGetProperty("roundTripNs", out _));
        Assert.True(root.GetProperty("placement").GetProperty("linesAligned").GetBoolean());
        Assert.Equal(args.Contains("--aligned"), root.TryGetProperty("aligned", out _));
    }

    [Theory]
    [InlineData("--calibrate")]
    [InlineData("--calibrate", "--jitter", "300", "--seed", "5", "--no-pin")]
    public void Calibration_ValidatesAgainstTheSchema(params string[] args)
    {
        var root = Validated(PilabJson.CalibrationSchema, [0], ["live", .. args]);
        Assert.Equal(args.Contains("--jitter") ? 300 : 0, root.GetProperty("litmusJitter").GetInt32());
        Assert.Equal(args.Contains("--seed") ? 5UL : 1UL, root.GetProperty("litmusSeed").GetUInt64());
        var threads = root.GetProperty("placement").GetProperty("threads");
        Assert.Equal(2, threads.GetArrayLength());
        if (args.Contains("--no-pin"))
            Assert.All(threads.EnumerateArray(), t => Assert.Equal(System.Text.Json.JsonValueKind.Null, t.GetProperty("cpu").ValueKind));
    }

    [Fact]
    public void EverySchema_IsValidDraft202012_AndNamedByItsFile()
    {
        var files = Directory.GetFiles(SchemaFolder, "*.schema.json").Select(Path.GetFileName).Order().ToList();
        Assert.Equal(new[] { "pilab.barriers-1.schema.json", "pilab.calibration-1.schema.json", "pilab.check-2.schema.json", "pilab.live-1.schema.json", "pilab.synthesize-1.schema.json" }, files);
        foreach (var id in new[] { PilabJson.CheckSchema, PilabJson.SynthesizeSchema, PilabJson.BarriersSchema, PilabJson.LiveSchema, PilabJson.CalibrationSchema })
        {
            var text = JsonDocument.Parse(File.ReadAllText(Path.Combine(SchemaFolder, id.Replace('/', '-') + ".schema.json"))).RootElement;
            Assert.Equal("https://json-schema.org/draft/2020-12/schema", text.GetProperty("$schema").GetString());
            Assert.Equal(id, text.GetProperty("title").GetString());
            Assert.Equal($"urn:pilab:schema:{id}", text.GetProperty("$id").GetString());
            var meta = MetaSchemas.Draft202012.Evaluate(text, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(meta.IsValid, $"{id}'s schema is not valid draft 2020-12:\n{Errors(meta)}");
        }
    }

    /// <summary>A real losing check with a cost member, broken one way at a time: each must be rejected.</summary>
    [Theory]
    [InlineData("no verdict")]
    [InlineData("verdict unsafe")]
    [InlineData("undocumented field")]
    [InlineData("other schema")]
    [InlineData("states negative")]
    [InlineData("step without effects")]
    [InlineData("PIR as a string of vectors")]
    [InlineData("design field of the other model")]
    [InlineData("cost max null but bounded")]
    public void BrokenDocuments_AreRejected(string breakage)
    {
        var loses = JsonNode.Parse(Pilab.Invoke("check", "patch-v1", "--json").Out)!.AsObject();
        var safe = JsonNode.Parse(Pilab.Invoke("check", "fixed", "--cost", "--json").Out)!.AsObject();
        // Both as printed are valid: the breakage, not the document, is what the schema rejects.
        Assert.True(Evaluate(PilabJson.CheckSchema, JsonSerializer.SerializeToElement(loses)).IsValid);
        Assert.True(Evaluate(PilabJson.CheckSchema, JsonSerializer.SerializeToElement(safe)).IsValid);
        var doc = breakage.StartsWith("cost") ? safe : loses;
        var firstStep = doc["trace"]?["steps"]?[0]?.AsObject();
        switch (breakage)
        {
            case "no verdict": doc.Remove("verdict"); break;
            case "verdict unsafe": doc["verdict"] = "unsafe"; break;
            case "undocumented field": doc["lostVectors"] = 1; break;
            case "other schema": doc["schema"] = "pilab.check/1"; break;
            case "states negative": doc["states"] = -1; break;
            case "step without effects": firstStep!.Remove("effects"); break;
            case "PIR as a string of vectors":
                var change = doc["trace"]!["steps"]!.AsArray().SelectMany(s => s!["changes"]!.AsArray()).First(c => (string?)c!["field"] == "PIR")!;
                change["after"] = "{v1}";
                break;
            case "design field of the other model": doc["variant"]!["schedIn"] = "desc.update"; break;
            case "cost max null but bounded": doc["cost"]!["perRun"]!["VmExit"] = new JsonObject { ["min"] = 0, ["max"] = null, ["unbounded"] = false }; break;
        }
        var result = Evaluate(PilabJson.CheckSchema, JsonSerializer.SerializeToElement(doc));
        Assert.False(result.IsValid, $"a document with {breakage} passed the schema");
    }

    [Fact]
    public void BrokenLiveDocument_IsRejected()
    {
        var doc = JsonNode.Parse(Pilab.Invoke("live", "fixed", "--posts", "1000", "--json").Out)!.AsObject();
        Assert.True(Evaluate(PilabJson.LiveSchema, JsonSerializer.SerializeToElement(doc)).IsValid);
        doc["verdict"] = "stuck"; // a live run has no stuck verdict
        Assert.False(Evaluate(PilabJson.LiveSchema, JsonSerializer.SerializeToElement(doc)).IsValid);
    }

    /// <summary>The cost document names every metric of the analysis, in its order.</summary>
    [Fact]
    public void CostPerRun_NamesEveryMetric()
    {
        var names = typeof(CostPerRunJson).GetProperties().Select(p => p.Name);
        Assert.Equal(Enum.GetNames<global::Pilab.Analysis.CostMetric>(), names);
    }
}
