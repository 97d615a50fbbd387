using Pilab.Checker;
using Pilab.Protocol;

namespace Pilab.Model;

// Partial-order reduction (IPartialOrderSystem): a one-transition stubborn set where one is safe.
public readonly partial struct PiSystem
{
    /// <summary>
    /// A singleton stubborn set {t} (the conditions D1, D2 of <see cref="IPartialOrderSystem{TState}"/>)
    /// when an enabled step t of a sequential actor (the vCPU thread, an injector, or P0's store
    /// buffer) commutes with every step the other actors could take before it, and no such step can
    /// disable it. "Could take" is over-approximated by footprints: the shared variables each actor
    /// may read or write from now on (an injector on its last post only what is left of its
    /// sequence; P0's processor only if an interrupt is or may become pending). Two steps commute when
    /// neither writes what the other reads or writes (<see cref="Footprints"/>), plus two facts of
    /// x86-TSO (docs/model.md section 6): a store entering the tail of P0's FIFO store buffer commutes with
    /// a flush from its head, and a flush does not change the value P0's own loads see (store
    /// forwarding). Otherwise every enabled step is explored.
    /// </summary>
    public int StubbornSuccessors(in PiState s, Span<Successor<PiState>> into)
    {
        // An injector step that touches nothing shared (notify after reading a mode other than
        // IN_GUEST, mb, the pre-patch skip of mode.read) commutes with everything.
        for (int i = 0; i < _injectors; i++)
        {
            if (s.InjectorPosts(i) >= _posts) continue;
            if (InjectorAccess(s, i, out _) == 0)
            {
                into[0] = new(InjectorStepOf(s, i), Labels.Make(Labels.FirstInjector + i, s.InjectorPc(i)));
                return 1;
            }
        }

        FutureOfInjectors(s, -1, out int injReads, out int injWrites);
        if (!s.Guest && !(_irqPriority && s.IF && (s.NotifyPending || s.ReschedPending)) && ThreadStep(s, out var next))
        {
            ThreadAccess(s, out int reads, out int writes);
            // Others before the thread's step: injectors, and P0's processor only through host.irq
            // (pi.process and extint.exit need P0.guest = 1, which only the thread's enter sets; for
            // the same reason the guest does nothing). The store buffer's flushes commute with every
            // enabled thread step: a locked step or fence is enabled only with the buffer empty,
            // and then only the thread itself can fill it.
            int otherReads = injReads, otherWrites = injWrites;
            if (s.NotifyPending || s.ReschedPending || (injWrites & (Footprints.Notify | Footprints.Resched)) != 0)
            {
                otherReads |= Footprints.IF | Footprints.Guest | Footprints.Notify | Footprints.Resched;
                otherWrites |= Footprints.Notify | Footprints.Resched;
            }
            if (Independent(reads, writes, otherReads, otherWrites))
            {
                into[0] = new(next, Labels.Make(Labels.Thread, s.ThreadPc));
                return 1;
            }
        }

        // A flush writes mode to memory. Only the injectors read memory mode (mode.read, kick): P0's
        // loads see its newest buffered store while the buffer is non-empty, which it stays until
        // this flush.
        if (_tso && s.StoreBufferLength > 0 && ((injReads | injWrites) & Footprints.Mode) == 0)
        {
            into[0] = new(s.FlushOldest(), Labels.Make(Labels.Buffer, Labels.Flush));
            return 1;
        }
        return Successors(s, into);
    }

    private static bool Independent(int reads, int writes, int otherReads, int otherWrites) =>
        (writes & (otherReads | otherWrites)) == 0 && (reads & otherWrites) == 0;

    /// <summary>What injector i's next step reads and writes in this state (0 if nothing shared).</summary>
    private int InjectorAccess(in PiState s, int i, out int writes)
    {
        var ins = _injector[s.InjectorPc(i)];
        int v = 1 << Configuration.VectorOf(i);
        switch (ins.Op)
        {
            case InjectorStep.Notify when s.InjectorModeRead(i) != VcpuMode.InGuest:
            case InjectorStep.ModeRead when s.InjectorOnWasSet(i) && _onAlreadySet == OnAlreadySet.Kick:
            case InjectorStep.Mb:
                writes = 0;
                return 0;
            default:
                int r = Footprints.Relocate(_footprints.StepReads[s.InjectorPc(i)], v);
                writes = Footprints.Relocate(_footprints.StepWrites[s.InjectorPc(i)], v);
                return r | writes;
        }
    }

    /// <summary>What the injectors other than <paramref name="except"/> may read and write from now on.</summary>
    private void FutureOfInjectors(in PiState s, int except, out int reads, out int writes)
    {
        reads = 0;
        writes = 0;
        for (int j = 0; j < _injectors; j++)
        {
            int posts = s.InjectorPosts(j);
            if (j == except || posts >= _posts) continue;
            int pc = posts < _posts - 1 ? 0 : s.InjectorPc(j); // more posts to come: the whole sequence again
            int v = 1 << Configuration.VectorOf(j);
            reads |= Footprints.Relocate(_footprints.SuffixReads[pc], v);
            writes |= Footprints.Relocate(_footprints.SuffixWrites[pc], v);
        }
    }

    /// <summary>What the vCPU thread's next step reads and writes of the shared variables.</summary>
    private void ThreadAccess(in PiState s, out int reads, out int writes)
    {
        reads = 0;
        writes = 0;
        switch (_thread[s.ThreadPc].Op)
        {
            case ThreadOp.ReqTest: reads = Footprints.Event; break;
            case ThreadOp.ReqClear: reads = writes = Footprints.Event; break;
            case ThreadOp.IrqOff or ThreadOp.IrqOn: writes = Footprints.IF; break;
            // Under TSO a store only enters P0's buffer, which no other actor reads but the flush.
            case ThreadOp.ModeIn or ThreadOp.ModeOut: writes = _tso ? 0 : Footprints.Mode; break;
            case ThreadOp.Mb: break;
            case ThreadOp.OnRead: reads = Footprints.On; break;
            case ThreadOp.OnClear: reads = writes = Footprints.On; break;
            case ThreadOp.PirDrain: reads = writes = Footprints.AllPir | Footprints.VIrr; break;
            case ThreadOp.Check: reads = Footprints.Mode | Footprints.Event; break;
            case ThreadOp.Enter: writes = Footprints.Guest; break;
            default: reads = writes = ~0; break; // an operation this analysis does not know: never reduce
        }
        // With --irq-priority the thread's step is enabled only while no interrupt is due.
        if (_irqPriority) reads |= Footprints.IF | Footprints.Notify | Footprints.Resched;
    }

    /// <summary>
    /// The shared variables as bits, and for each injector pc what that step and the rest of the
    /// sequence from it may read and write. Vector bits are stored for the injector's own vector at
    /// bit 0 and moved to its real vector by <see cref="Relocate"/>.
    /// </summary>
    private sealed class Footprints
    {
        public const int AllPir = 0xF; // PIR, one bit per vector
        public const int On = 1 << 4;
        public const int Mode = 1 << 5; // vcpu->mode in memory
        public const int Event = 1 << 6;
        public const int VIrr = 1 << 7;
        public const int IF = 1 << 8;
        public const int Guest = 1 << 9;
        public const int Notify = 1 << 10;
        public const int Resched = 1 << 11;
        private const int OwnPir = 1;

        public readonly int[] StepReads, StepWrites, SuffixReads, SuffixWrites;

        public Footprints(Instruction<InjectorStep>[] injector)
        {
            int n = injector.Length;
            StepReads = new int[n];
            StepWrites = new int[n];
            SuffixReads = new int[n + 1];
            SuffixWrites = new int[n + 1];
            for (int pc = 0; pc < n; pc++)
            {
                (StepReads[pc], StepWrites[pc]) = injector[pc].Op switch
                {
                    InjectorStep.PirSet => (OwnPir, OwnPir),
                    InjectorStep.OnSet => (On, On),
                    InjectorStep.ReqSet => (0, Event),
                    InjectorStep.ModeRead => (Mode, 0),
                    InjectorStep.Notify => (0, Notify),
                    InjectorStep.Kick => (Mode, Mode | Resched),
                    InjectorStep.Mb => (0, 0),
                    _ => (~0, ~0),
                };
            }
            for (int pc = n - 1; pc >= 0; pc--)
            {
                SuffixReads[pc] = SuffixReads[pc + 1] | StepReads[pc];
                SuffixWrites[pc] = SuffixWrites[pc + 1] | StepWrites[pc];
            }
        }

        public static int Relocate(int mask, int vectorBit) => (mask & ~OwnPir) | ((mask & OwnPir) != 0 ? vectorBit : 0);
    }
}
