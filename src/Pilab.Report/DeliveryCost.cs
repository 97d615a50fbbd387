namespace Pilab.Report;

/// <summary>
/// The cost of a delivery over all runs of one check, as minimum and maximum (SPEC.md section 5,
/// "the reason the patch exists is to make injection cheaper"): IPIs sent, entries cancelled, VM exits.
/// </summary>
public sealed record DeliveryCost(CostRange NotifyIpis, CostRange ReschedIpis, CostRange CancelledEntries, CostRange VmExits);

/// <summary>A minimum and maximum over all runs.</summary>
public readonly record struct CostRange(int Min, int Max)
{
    public override string ToString() => Min == Max ? $"{Min}" : $"{Min}-{Max}";
}
