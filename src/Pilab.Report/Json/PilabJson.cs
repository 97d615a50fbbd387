using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Pilab.Report.Json;

/// <summary>
/// Every command's <c>--json</c>: the documents are records (CheckDocuments.cs, CommandDocuments.cs),
/// written by the System.Text.Json source generator (<see cref="PilabJsonContext"/>), each with its
/// schema id and version and pilab's version first. The schemas are published in docs/schema/ and
/// documented in docs/json.md; within a schema version fields are only added.
/// </summary>
public static class PilabJson
{
    public const string CheckSchema = "pilab.check/2";
    public const string SynthesizeSchema = "pilab.synthesize/1";
    public const string BarriersSchema = "pilab.barriers/1";
    public const string LiveSchema = "pilab.live/1";
    public const string CalibrationSchema = "pilab.calibration/1";

    /// <summary>pilab's version as <c>pilab --version</c> prints it (the version, then + and the commit it was built from).</summary>
    public static string Version { get; } =
        typeof(PilabJson).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(PilabJson).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>
    /// camelCase names, indented; text as it is (the relaxed encoder: non-ASCII characters such as
    /// the arrows of the effects stay readable), control characters still escaped.
    /// </summary>
    public static PilabJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static string Write(CheckDocument d) => Serialize(d, Context.CheckDocument);
    public static string Write(CheckCostDocument d) => Serialize(d, Context.CheckCostDocument);
    public static string Write(CheckListDocument d) => Serialize(d, Context.CheckListDocument);
    public static string Write(SynthesizeDocument d) => Serialize(d, Context.SynthesizeDocument);
    public static string Write(BarriersDocument d) => Serialize(d, Context.BarriersDocument);
    public static string Write(LiveDocument d) => Serialize(d, Context.LiveDocument);
    public static string Write(CalibrationDocument d) => Serialize(d, Context.CalibrationDocument);

    private static string Serialize<T>(T document, JsonTypeInfo<T> info) => JsonSerializer.Serialize(document, info);
}

/// <summary>The source-generated serializers of every document pilab prints.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(CheckDocument))]
[JsonSerializable(typeof(CheckCostDocument))]
[JsonSerializable(typeof(CheckListDocument))]
[JsonSerializable(typeof(SynthesizeDocument))]
[JsonSerializable(typeof(BarriersDocument))]
[JsonSerializable(typeof(LiveDocument))]
[JsonSerializable(typeof(CalibrationDocument))]
public sealed partial class PilabJsonContext : JsonSerializerContext;
