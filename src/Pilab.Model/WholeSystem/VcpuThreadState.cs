using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Pilab.Model.WholeSystem;

/// <summary>
/// A FIFO of small store codes packed into one 64-bit word, as the whole-system and AVIC states keep the
/// vCPU thread's store buffer: a 3-bit length at <see cref="LengthShift"/>, then <see cref="Capacity"/>
/// entries of <see cref="EntryBits"/> bits from <see cref="EntriesShift"/>, oldest first. A popped
/// slot becomes 0, so equal buffers pack equally.
/// </summary>
public readonly record struct PackedFifo(int LengthShift, int EntriesShift, int EntryBits, int Capacity)
{
    private ulong EntryMask => (1UL << EntryBits) - 1;
    private ulong EntriesMask => (1UL << (EntryBits * Capacity)) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Length(ulong word) => (int)((word >> LengthShift) & 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int At(ulong word, int i) => (int)((word >> (EntriesShift + EntryBits * i)) & EntryMask);

    /// <summary>Appends a code (the caller checks there is room).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Push(ulong word, int code)
    {
        int n = Length(word);
        int at = EntriesShift + EntryBits * n;
        word = (word & ~(7UL << LengthShift)) | ((ulong)(n + 1) << LengthShift);
        return (word & ~(EntryMask << at)) | (((ulong)code & EntryMask) << at);
    }

    /// <summary>Removes the oldest code (the caller reads it first with <see cref="At"/>(word, 0)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong PopOldest(ulong word)
    {
        int n = Length(word);
        ulong entries = ((word >> EntriesShift) & EntriesMask) >> EntryBits;
        return (word & ~(EntriesMask << EntriesShift) & ~(7UL << LengthShift)) | (entries << EntriesShift) | ((ulong)(n - 1) << LengthShift);
    }
}

/// <summary>What the models with a vCPU thread (the whole system, AVIC) need of a state to buffer the thread's plain stores.</summary>
public interface IThreadStoreBuffer<TSelf, TStore> where TSelf : struct, IThreadStoreBuffer<TSelf, TStore>
{
    int StoreBufferLength { get; }
    TStore StoreBufferAt(int i);
    TSelf PushStore(TStore e);
    TSelf Apply(TStore e);
}

/// <summary>What the models with a vCPU thread need of a state to wake the thread (kvm_vcpu_wake_up).</summary>
public interface IWakeableThread<TSelf> where TSelf : struct, IWakeableThread<TSelf>
{
    bool Waiter { get; }
    bool TaskInterruptible { get; }
    ThreadStatus Status { get; }
    TSelf WithTaskInterruptible(bool b);
    TSelf WithStatus(ThreadStatus s);
}

/// <summary>The thread's plain stores under SC and x86-TSO, and its wake-up, for every model with a vCPU thread.</summary>
public static class ThreadStores
{
    /// <summary>
    /// try_to_wake_up on the thread, as kvm_vcpu_wake_up does it (rcuwait_wake_up): only if the thread
    /// announced itself (waiter) and is INTERRUPTIBLE; a sleeping thread becomes runnable.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TState Wake<TState>(in TState s, out bool woke) where TState : struct, IWakeableThread<TState>
    {
        woke = s.Waiter && s.TaskInterruptible;
        if (!woke) return s;
        var t = s.WithTaskInterruptible(false);
        return s.Status == ThreadStatus.Asleep ? t.WithStatus(ThreadStatus.Runnable) : t;
    }

    /// <summary>A plain store: under SC straight to memory; under TSO into the store buffer, and not enabled
    /// (false, <paramref name="t"/> unchanged) while the buffer is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Store<TState, TStore>(bool tso, int capacity, in TState next, TStore e, out TState t)
        where TState : struct, IThreadStoreBuffer<TState, TStore>
    {
        if (!tso)
        {
            t = next.Apply(e);
            return true;
        }
        bool room = next.StoreBufferLength < capacity;
        t = room ? next.PushStore(e) : next;
        return room;
    }

    /// <summary>The buffer's entries, oldest first, as the fields and values a trace shows.</summary>
    public static ImmutableArray<FieldValue> Buffer<TState, TStore>(in TState s, Func<TStore, FieldValue> field)
        where TState : struct, IThreadStoreBuffer<TState, TStore>
    {
        var b = ImmutableArray.CreateBuilder<FieldValue>(s.StoreBufferLength);
        for (int i = 0; i < s.StoreBufferLength; i++) b.Add(field(s.StoreBufferAt(i)));
        return b.ToImmutable();
    }
}
