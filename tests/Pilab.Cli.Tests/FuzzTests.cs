namespace Pilab.Cli.Tests;

/// <summary>
/// Seeded fuzz properties (deterministic: the seeds are fixed). Files: mutated variant files through the
/// parser in-process, every rejection positioned inside the file. Arguments: mutated command lines
/// through the real executable, every run ending with a code of the contract and no stack trace.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Seeds =
    [
        "base: fixed\nentry: irq.off mode.in mb sync check enter\n",
        "# the seed's order without the barrier\nname: nomb\nbase: fixed\nentry: irq.off mode.in sync check enter\ninjector: pir.set on.set mode.read notify kick\non-already-set: done\nrequests: none\n",
        "design: kvm-2021\nbase: kvm-2021\ncheck: tso k=1 j=1 halts=1\n",
        "name: x\nentry: mode.in irq.off on.read on.clear pir.drain mb check enter\ninjector: pir.set req.set on.set mode.read notify kick\nrequests: prepatch\n",
    ];

    private static readonly string[] Pieces =
    [
        "irq.off", "mode.in", "mb", "sync", "on.read", "on.clear", "pir.drain", "check", "enter", "pir.set", "notify", "kick",
        "entry:", "injector:", "base:", "name:", "design:", "check:", "k=9", "tso", ":", "#", " ", "\t", "\n", "\r", "\r\n", "\0", "\u001b[31m", "é", "\uFEFF", "\uFFFD",
    ];

    /// <summary>A seed file with up to 6 edits: a piece inserted, a span deleted, or a span duplicated.</summary>
    private static string MutatedFile(Random random)
    {
        string s = Seeds[random.Next(Seeds.Length)];
        for (int edits = random.Next(7); edits > 0; edits--)
        {
            int i = random.Next(s.Length + 1);
            int l = Math.Min(random.Next(13), s.Length - i);
            s = random.Next(3) switch
            {
                0 => s.Insert(i, Pieces[random.Next(Pieces.Length)]),
                1 => s.Remove(i, l),
                _ => s.Insert(i, s.Substring(i, l)),
            };
        }
        return s;
    }

    /// <summary>Cases per run of the file property; the whole property takes well under a second.</summary>
    public const int FileCases = 5000;

    [Fact]
    public void MutatedVariantFiles_AreAcceptedOrRejectedAtAPositionInsideTheFile()
    {
        var random = new Random(20250412);
        int rejected = 0;
        for (int n = 0; n < FileCases; n++)
        {
            string text = MutatedFile(random);
            var r = VariantFile.Parse(text, "f.pi");
            if (r.Ok) continue;
            rejected++;
            var lines = text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
            Assert.NotEmpty(r.Errors);
            foreach (var e in r.Errors)
            {
                string why = $"case {n}: {e}\nin {System.Text.Json.JsonSerializer.Serialize(text)}";
                Assert.True(e.Line >= 1 && e.Line <= lines.Length, why);
                Assert.True(e.Column >= 1 && e.Column <= lines[e.Line - 1].Length + 1, why);
                // No raw control character reaches a message.
                Assert.False(e.ToString().Any(char.IsControl), why);
            }
        }
        // The mutations reach the errors, not only the accepting paths.
        Assert.InRange(rejected, FileCases / 10, FileCases);
    }

    private static readonly string[] Arguments =
    [
        "check", "explain", "synthesize", "barriers", "export", "live", "report", "list", "fixed", "fixed-nomb", "kvm-2021", "/dev/zero", "/tmp", "",
        "--workers", "-w", "--max-memory", "--max-states", "--mm", "tso", "-k", "-n", "-e", "--json", "--rate", "--stall-ms", "--seconds",
        "0", "-1", "1", "2", "65", "1,5", "1e-300", "Infinity", "NaN", "8796093022208", "--promela", "--no-por", "--hash-compact", "--bogus",
    ];

    /// <summary>A command and up to 6 arguments, never a run that could take long or write a file: a
    /// check is capped by --max-states, a live run by --seconds; report, synthesize and barriers (long,
    /// and report writes report.html) are left to their own tests.</summary>
    private static string[] ArgumentVector(Random random)
    {
        string[] commands = ["check", "explain", "export", "live", "list"];
        var a = new List<string> { commands[random.Next(commands.Length)] };
        for (int n = random.Next(7); n > 0; n--) a.Add(Arguments[random.Next(Arguments.Length)]);
        a.AddRange(a[0] == "live" ? ["--seconds", "0.2"] : ["--max-states", "2000"]);
        return [.. a];
    }

    /// <summary>Cases per run of the command-line property (each one starts the executable).</summary>
    public const int CommandLineCases = 16;

    [Fact]
    public void MutatedCommandLines_EndWithACodeOfTheContract_AndNoStackTrace()
    {
        int[] contract = [0, 1, 2, 3];
        var random = new Random(20250412);
        for (int n = 0; n < CommandLineCases; n++)
        {
            var args = ArgumentVector(random);
            var r = Pilab.Invoke(args);
            bool ok = contract.Contains(r.ExitCode) && !r.Err.Contains("   at ") && !r.Out.Contains("   at ") && !r.Err.Contains("internal error");
            Assert.True(ok, $"case {n}: pilab {string.Join(' ', args.Select(a => $"'{a}'"))}: exit {r.ExitCode}\n{r.Err}");
        }
    }
}
