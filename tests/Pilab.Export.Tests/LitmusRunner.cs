using System.Text.RegularExpressions;

namespace Pilab.Export.Tests;

/// <summary>
/// An independent reading of the litmus tests pilab writes: it parses the small C subset
/// <see cref="LitmusExporter"/> uses and enumerates every execution under SC or x86-TSO (a FIFO store
/// buffer per thread; <c>xchg</c>, <c>cmpxchg</c> and <c>smp_mb()</c> drain it, as locked instructions and
/// <c>mfence</c> do; the other kernel barriers are compiler barriers on x86), to decide whether the
/// <c>exists</c> clause is reachable. It is not LKMM (herd7 is not in the test environment); it checks that
/// the test states the race pilab's own checker finds.
/// </summary>
internal static partial class LitmusRunner
{
    private enum Op { Load, Store, Xchg, Cmpxchg, Fence, JumpIfNot, Nop }

    private sealed record Ins(Op Op, string? Reg = null, string? Loc = null, int A = 0, int B = 0, Func<Dictionary<string, int>, bool>? Cond = null, int Target = -1);

    public static bool Reachable(string litmus, bool tso)
    {
        var threads = Regex.Matches(litmus, @"^P(\d)\([^)]*\)\n\{\n(.*?)^\}", RegexOptions.Multiline | RegexOptions.Singleline)
            .Select(m => Compile(m.Groups[2].Value)).ToArray();
        var exists = Regex.Match(litmus, @"^exists \((.*)\)$", RegexOptions.Multiline).Groups[1].Value;
        var atoms = exists.Split(@"/\").Select(a => a.Trim()).ToArray();
        var seen = new HashSet<string>();
        var start = new Machine(threads.Length) { Tso = tso };
        return Explore(start);

        bool Explore(Machine m)
        {
            if (!seen.Add(m.Key())) return false;
            bool any = false;
            for (int t = 0; t < threads.Length; t++)
            {
                if (tso && m.Buffers[t].Count > 0)
                {
                    var flushed = m.Clone();
                    var (loc, val) = flushed.Buffers[t][0];
                    flushed.Buffers[t].RemoveAt(0);
                    flushed.Memory[loc] = val;
                    any = true;
                    if (Explore(flushed)) return true;
                }
                if (m.Pc[t] >= threads[t].Count) continue;
                var ins = threads[t][m.Pc[t]];
                if (tso && ins.Op is Op.Xchg or Op.Cmpxchg or Op.Fence && m.Buffers[t].Count > 0) continue;
                var n = m.Clone();
                Step(n, t, ins);
                any = true;
                if (Explore(n)) return true;
            }
            return !any && Holds(m);
        }

        bool Holds(Machine m) => atoms.All(a =>
        {
            bool neg = a.StartsWith('~');
            var s = neg ? a[1..] : a;
            var parts = s.Split('=');
            int want = int.Parse(parts[1]);
            int got = parts[0].Contains(':')
                ? m.Regs[int.Parse(parts[0].Split(':')[0])].GetValueOrDefault(parts[0].Split(':')[1])
                : m.Memory.GetValueOrDefault(parts[0]);
            return (got == want) != neg;
        });
    }

    private static void Step(Machine m, int t, Ins ins)
    {
        var regs = m.Regs[t];
        int Read(string loc)
        {
            for (int i = m.Buffers[t].Count - 1; i >= 0; i--)
                if (m.Buffers[t][i].Loc == loc) return m.Buffers[t][i].Val;
            return m.Memory.GetValueOrDefault(loc);
        }
        m.Pc[t]++;
        switch (ins.Op)
        {
            case Op.Load: regs[ins.Reg!] = Read(ins.Loc!); break;
            case Op.Store: m.Buffers[t].Add((ins.Loc!, ins.A)); break;
            case Op.Xchg: regs[ins.Reg!] = Read(ins.Loc!); m.Memory[ins.Loc!] = ins.A; break;
            case Op.Cmpxchg:
                int old = Read(ins.Loc!);
                regs[ins.Reg!] = old;
                if (old == ins.A) m.Memory[ins.Loc!] = ins.B;
                break;
            case Op.JumpIfNot: if (!ins.Cond!(regs)) m.Pc[t] = ins.Target; break;
        }
        // Under SC every store reaches memory at once.
        if (ins.Op == Op.Store && !m.Tso) { m.Buffers[t].Clear(); m.Memory[ins.Loc!] = ins.A; }
    }

    private static List<Ins> Compile(string body)
    {
        var code = new List<Ins>();
        var open = new Stack<int>();
        foreach (var raw in body.Split('\n'))
        {
            string line = CommentRe().Replace(raw, "").Trim();
            if (line.Length == 0 || line.StartsWith("int ")) continue;
            Match m;
            if (line == "}") { int at = open.Pop(); code[at] = code[at] with { Target = code.Count }; continue; }
            if ((m = IfRe().Match(line)).Success)
            {
                string reg = m.Groups[1].Value;
                string rel = m.Groups[2].Value;
                int v = m.Groups[3].Success && m.Groups[3].Value.Length > 0 ? int.Parse(m.Groups[3].Value) : 0;
                Func<Dictionary<string, int>, bool> cond = rel switch
                {
                    "==" => r => r.GetValueOrDefault(reg) == v,
                    "!=" => r => r.GetValueOrDefault(reg) != v,
                    _ => r => r.GetValueOrDefault(reg) != 0,
                };
                open.Push(code.Count);
                code.Add(new Ins(Op.JumpIfNot, Cond: cond));
                continue;
            }
            if ((m = LoadRe().Match(line)).Success) code.Add(new Ins(Op.Load, m.Groups[1].Value, m.Groups[2].Value));
            else if ((m = StoreRe().Match(line)).Success) code.Add(new Ins(Op.Store, Loc: m.Groups[1].Value, A: int.Parse(m.Groups[2].Value)));
            else if ((m = XchgRe().Match(line)).Success) code.Add(new Ins(Op.Xchg, m.Groups[1].Value, m.Groups[2].Value, int.Parse(m.Groups[3].Value)));
            else if ((m = CmpxchgRe().Match(line)).Success) code.Add(new Ins(Op.Cmpxchg, m.Groups[1].Value, m.Groups[2].Value, int.Parse(m.Groups[3].Value), int.Parse(m.Groups[4].Value)));
            else if (line == "smp_mb();") code.Add(new Ins(Op.Fence));
            else if (line is "smp_wmb();" or "smp_mb__after_atomic();" or "smp_mb__before_atomic();") code.Add(new Ins(Op.Nop));
            else throw new FormatException($"not in the litmus subset: '{line}'");
        }
        if (open.Count != 0) throw new FormatException("unbalanced braces");
        return code;
    }

    private sealed class Machine
    {
        public int[] Pc;
        public Dictionary<string, int>[] Regs;
        public List<(string Loc, int Val)>[] Buffers;
        public Dictionary<string, int> Memory = [];
        public bool Tso = true;

        public Machine(int threads)
        {
            Pc = new int[threads];
            Regs = [.. Enumerable.Range(0, threads).Select(_ => new Dictionary<string, int>())];
            Buffers = [.. Enumerable.Range(0, threads).Select(_ => new List<(string, int)>())];
        }

        public Machine Clone() => new(Pc.Length)
        {
            Pc = (int[])Pc.Clone(),
            Regs = [.. Regs.Select(r => new Dictionary<string, int>(r))],
            Buffers = [.. Buffers.Select(b => new List<(string, int)>(b))],
            Memory = new Dictionary<string, int>(Memory),
            Tso = Tso,
        };

        public string Key() => string.Join('|', Pc) + "#" +
            string.Join(';', Regs.Select(r => string.Join(',', r.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")))) + "#" +
            string.Join(';', Buffers.Select(b => string.Join(',', b.Select(e => $"{e.Loc}={e.Val}")))) + "#" +
            string.Join(',', Memory.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}"));
    }

    [GeneratedRegex(@"/\*.*?\*/")] private static partial Regex CommentRe();
    [GeneratedRegex(@"^if \((r\d+)(?: (==|!=) (\d+))?\) \{$")] private static partial Regex IfRe();
    [GeneratedRegex(@"^(r\d+) = READ_ONCE\(\*(\w+)\);$")] private static partial Regex LoadRe();
    [GeneratedRegex(@"^WRITE_ONCE\(\*(\w+), (\d+)\);$")] private static partial Regex StoreRe();
    [GeneratedRegex(@"^(r\d+) = xchg(?:_relaxed)?\((\w+), (\d+)\);$")] private static partial Regex XchgRe();
    [GeneratedRegex(@"^(r\d+) = cmpxchg\((\w+), (\d+), (\d+)\);$")] private static partial Regex CmpxchgRe();
}
