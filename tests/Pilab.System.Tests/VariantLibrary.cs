namespace Pilab.System.Tests;

/// <summary>The regression library's folder (variants/README.md), found above the test binary.
/// Also compiled into Pilab.Export.Tests, which checks SPIN on the same files.</summary>
internal static class VariantLibrary
{
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "variants", "safe"))) return Path.Combine(d.FullName, "variants");
        throw new InvalidOperationException("no variants/ folder above " + AppContext.BaseDirectory);
    }
}
