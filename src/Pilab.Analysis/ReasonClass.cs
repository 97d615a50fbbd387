namespace Pilab.Analysis;

/// <summary>
/// Why a shortest losing run loses, as a class defined by a rule over the run's labels and states
/// (not over its narration). The rules are tried in the order of this enum; the first that matches
/// names the class. "The lost vectors" are the posted vectors the final state has not delivered, or
/// if every vector was delivered but ON is stuck at 1, none (only <see cref="OnLeftSet"/> applies).
/// </summary>
public enum ReasonClass : byte
{
    /// <summary>The final state is not a proper end (a deadlock).</summary>
    Stuck,
    /// <summary>NOTIFY eaten by the host's dummy handler.</summary>
    DummyHandler,
    /// <summary>The injector missed <c>mode.in</c> because it still sat in P0's store buffer.</summary>
    StoreBuffer,
    /// <summary>The kick's RESCHED was handled in the host after the entry's last check.</summary>
    ReschedAfterCheck,
    /// <summary>The vCPU cleared ON while a lost vector sat in PIR and drained nothing after it.</summary>
    OnClearedOverPir,
    /// <summary>The injector read OUTSIDE after the vCPU's last look at ON, and no kick succeeded.</summary>
    ReadOutsideAfterOnRead,
    /// <summary>Every vector delivered, but ON is left at 1: later posts are coalesced and never notify.</summary>
    OnLeftSet,
    /// <summary>No rule matched (the run is lost for a reason this list does not name yet).</summary>
    Unclassified,

    // design avic (ReasonRule.Avic)
    /// <summary>A CPU poster read IsRunning = 0 or mode != IN_GUEST while the thread's newer value sat in its store buffer.</summary>
    ReadBuffered,
    /// <summary>A doorbell for a lost vector reached a CPU where the vCPU was not in guest mode: ignored.</summary>
    DoorbellIgnored,
    /// <summary>A kvm_vcpu_wake_up for a lost vector found the thread not waiting.</summary>
    WakeMissed,
    /// <summary>An IOMMU post of a lost vector found IsRun = 0 and GALogIntr = 0 in the IRTE: no doorbell, no GA-log interrupt.</summary>
    NotNotified,
}

/// <summary>A reason class's short id (for CSV and JSON), its one-line meaning and its precise rule.</summary>
public sealed record ReasonRule(ReasonClass Class, string Id, string Meaning, string Rule)
{
    public static readonly IReadOnlyList<ReasonRule> All =
    [
        new(ReasonClass.Stuck, "stuck",
            "a state with no enabled step that is not a proper end",
            "the final state is not a proper end (PiSystem.Classify = Stuck)"),
        new(ReasonClass.DummyHandler, "dummy-handler",
            "NOTIFY eaten by the host's dummy handler",
            "a host.irq step handled NOTIFY (label cpu/host.irq-notify) while a lost vector was already in PIR"),
        new(ReasonClass.StoreBuffer, "store-buffer",
            "the injector read OUTSIDE while mode.in still sat in P0's store buffer",
            "an injector that posted a lost vector ran mode.read when memory held mode != IN_GUEST but P0's newest buffered store was IN_GUEST, and no kick of that post succeeded"),
        new(ReasonClass.ReschedAfterCheck, "resched-after-check",
            "the kick's RESCHED was handled in the host after the entry's last check",
            "a kick succeeded (mode IN_GUEST->EXITING) and a host.irq step handled RESCHED after the vCPU's last check step, and no later check or VM exit followed"),
        new(ReasonClass.OnClearedOverPir, "on-cleared-over-pir",
            "ON was cleared while a lost vector sat in PIR, and nothing drained PIR after",
            "a thread on.clear step ran with a lost vector in PIR (before-state), and that vector stayed in PIR to the end"),
        new(ReasonClass.ReadOutsideAfterOnRead, "read-outside-after-on-read",
            "the injector read OUTSIDE after the vCPU's last look at ON, and nobody kicked",
            "an injector that posted a lost vector ran mode.read with mode != IN_GUEST in memory and P0's view, after the vCPU's last on.read (or with no on.read after the post), and no kick succeeded after it"),
        new(ReasonClass.OnLeftSet, "on-left-set",
            "every vector delivered but ON stays 1, so later posts never notify",
            "the final state has PIR empty, every posted vector delivered and ON = 1"),
        new(ReasonClass.Unclassified, "unclassified",
            "no rule matched",
            "none of the rules above matched"),
    ];

    /// <summary>The rules for design avic (AvicReasonClassifier), tried in this order.</summary>
    public static readonly IReadOnlyList<ReasonRule> Avic =
    [
        new(ReasonClass.Stuck, "stuck",
            "a state with no enabled step that is not a proper end",
            "the final state is not a proper end (AvicModel.Classify = Stuck)"),
        new(ReasonClass.ReadBuffered, "read-buffered",
            "a poster read IsRunning = 0 or mode != IN_GUEST while the thread's newer value sat in its store buffer",
            "a CPU poster of a lost vector ran isrunning.read with IsRunning = 0 in memory and the thread's newest buffered table store IsRunning = 1, or mode.read with mode != IN_GUEST in memory and the thread's newest buffered mode store IN_GUEST"),
        new(ReasonClass.DoorbellIgnored, "doorbell-ignored",
            "a doorbell reached a CPU where the vCPU was not in guest mode, with a lost vector in the IRR",
            "a doorbell step at P0 or P2 ran while the vCPU was not in guest mode on that CPU and a lost vector was in the IRR (before-state)"),
        new(ReasonClass.WakeMissed, "wake-missed",
            "a kvm_vcpu_wake_up found the thread not waiting, with a lost vector in the IRR",
            "a sender's doorbell.or.wake that read mode != IN_GUEST, or a galog.irq step, ran while the thread was not waiting INTERRUPTIBLE (waiter and task in memory) and a lost vector was in the IRR"),
        new(ReasonClass.NotNotified, "not-notified",
            "an IOMMU post found IsRun = 0 and GALogIntr = 0: no doorbell and no GA-log interrupt",
            "an iommu.post of a lost vector ran with IRTE IsRun = 0 and GALogIntr = 0"),
        new(ReasonClass.Unclassified, "unclassified",
            "no rule matched",
            "none of the rules above matched"),
    ];

    public static ReasonRule Of(ReasonClass c) => c <= ReasonClass.Unclassified ? All[(int)c] : Avic.First(r => r.Class == c);
}
