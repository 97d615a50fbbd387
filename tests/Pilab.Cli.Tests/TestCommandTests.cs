using System.Xml.Linq;

namespace Pilab.Cli.Tests;

/// <summary><c>pilab test</c>: the regression run for CI, over the project's own variants/ library.</summary>
public sealed class TestCommandTests
{
    private static string Variants()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, "variants", "safe"))) return Path.Combine(d.FullName, "variants");
        throw new InvalidOperationException("no variants/ folder above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void TheLibrary_PassesAsKtap_AndAsJUnit()
    {
        string junit = Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.xml");
        var r = Pilab.Invoke("test", Variants(), "--ktap", "--junit", junit);
        Assert.Equal(0, r.ExitCode);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        int files = Directory.GetFiles(Variants(), "*.variant", SearchOption.AllDirectories).Length;
        Assert.Equal("KTAP version 1", lines[0]);
        Assert.Equal($"1..{files}", lines[1]);
        Assert.Equal(files, lines.Count(l => l.StartsWith("ok ")));
        Assert.DoesNotContain(lines, l => l.StartsWith("not ok"));
        Assert.Contains(lines, l => l.Contains("kvm-2021-unarmed-migration.variant # kvm-2021-unarmed-migration [SC k=1 j=0 n=1 e=0 h=1 p=1 m=1]: expected violation, got violation (shortest run 24 steps)"));
        var doc = XDocument.Load(junit);
        var suite = doc.Root!.Element("testsuite")!;
        Assert.Equal(files.ToString(), suite.Attribute("tests")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Equal(files, suite.Elements("testcase").Count());
    }

    [Fact]
    public void AMismatch_ExitsOne_AndIsNotOkInKtap_AndAFailureInJUnit()
    {
        // fixed-nomb under TSO loses; the file says it is safe
        string path = Pilab.TempFile("base: fixed-nomb\ncheck: mm=tso\nexpect: safe\n");
        string junit = Path.Combine(Path.GetTempPath(), $"pilab-{Guid.NewGuid():N}.xml");
        var r = Pilab.Invoke("test", path, "--ktap", "--junit", junit);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"not ok 1 {path} # {Path.GetFileNameWithoutExtension(path)} [TSO k=1 n=1 e=0]: expected safe, got violation (shortest run 11 steps)", r.Out);
        var failure = XDocument.Load(junit).Descendants("failure").Single();
        Assert.Contains("expected safe, got violation", failure.Attribute("message")!.Value);
    }

    [Fact]
    public void AFileWithNoExpectation_OrThatDoesNotParse_IsBadInput()
    {
        Assert.Equal(2, Pilab.Invoke("test", Pilab.TempFile("base: fixed\n")).ExitCode);
        var bad = Pilab.Invoke("test", Pilab.TempFile("base: fixed\nexpect: maybe\n"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("found 'maybe', expected safe or violation", bad.Out);
        Assert.Equal(2, Pilab.Invoke("test", "/no/such/folder").ExitCode);
    }
}
