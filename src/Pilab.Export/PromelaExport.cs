using Pilab.Protocol;

namespace Pilab.Export;

/// <summary>The Promela export of a variant of any design: the exporter its design picks (docs/analysis.md, docs/avic.md).</summary>
public static class PromelaExport
{
    public static string Export(Variant variant, Configuration configuration) =>
        variant.IsAvic ? AvicPromelaExporter.Export(variant, configuration)
        : variant.WholeSystem ? SystemPromelaExporter.Export(variant, configuration)
        : PromelaExporter.Export(variant, configuration);
}
