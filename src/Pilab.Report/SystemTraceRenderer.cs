using System.Text;
using Pilab.Model.WholeSystem;

namespace Pilab.Report;

/// <summary>
/// A whole-system run (SPEC.md section 7) as one line per step: the actor (the vCPU thread with
/// the CPU it is on, P0's or P2's interrupt hardware, the guest, a CPU injector, an IOMMU poster),
/// the step's SPEC.md name and what it changed. The whole system has more actors than a timeline
/// has room for columns, so it reads as a list.
/// </summary>
public static class SystemTraceRenderer
{
    public static string Render(SystemTrace trace)
    {
        int actorWidth = Math.Max(12, trace.Steps.Select(s => s.Actor.Length).DefaultIfEmpty(0).Max());
        var sb = new StringBuilder();
        foreach (var s in trace.Steps)
            sb.Append($"{s.Index,3}. {s.Actor.PadRight(actorWidth)} {s.Step}: {s.Text}\n");
        sb.Append("=> ").Append(trace.Diagnosis).Append('\n');
        return sb.ToString();
    }
}
