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

/// <summary>A file's '# check: mm=sc,tso k=1 j=1 ...' line.</summary>
internal sealed record CheckLine(string[] Memory, int K, int J, int N, int E, int H, int P, int M)
{
    public static CheckLine Read(string text)
    {
        string line = text.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("# check:"));
        var kv = line["# check:".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Split('=')).ToDictionary(p => p[0], p => p[1]);
        int Get(string k, int d) => kv.TryGetValue(k, out var v) ? int.Parse(v) : d;
        return new(kv["mm"].Split(','), Get("k", 1), Get("j", 0), Get("n", 1), Get("e", 0), Get("h", 0), Get("p", 0), Get("m", 0));
    }
}
