namespace Pilab.Live;

/// <summary>
/// A store buffer for P0's stores to vcpu-&gt;mode that a test controls (<see cref="VcpuThread.HeldStores"/>):
/// while <see cref="Holding"/>, mode.in and mode.out wait here instead of reaching memory; P0's own
/// loads of mode see them (store forwarding, SDM 8.2.3.5); P0's fences and locked instructions drain
/// them (SDM 8.2.2), and so does <see cref="Drain"/>, called by the test when it lets the buffer drain.
/// The other threads read memory, so an injector's mode.read or kick in between sees the old mode:
/// exactly what x86-TSO allows and SC does not. Never used by a live run, whose store buffer is the CPU's.
/// </summary>
internal sealed class HeldModeStore
{
    private int _value;
    private bool _held;

    /// <summary>P0's next mode stores are held back (until a drain).</summary>
    public bool Holding { get; set; } = true;

    /// <summary>A store is waiting in the buffer.</summary>
    public bool HasHeld => _held;

    public void Store(ref int mode, int value)
    {
        if (!Holding && !_held)
        {
            Volatile.Write(ref mode, value);
            return;
        }
        // stores to one location leave the buffer in order, so the latest held value is what lands
        _value = value;
        _held = true;
    }

    public int Load(ref int mode) => _held ? _value : Volatile.Read(ref mode);

    /// <summary>The buffer drains: the held store reaches memory.</summary>
    public void Drain(ref int mode)
    {
        if (!_held) return;
        Volatile.Write(ref mode, _value);
        _held = false;
    }
}
