using Pilab.Checker;

namespace Pilab.Model;

// Symmetry reduction (ISymmetricSystem): injectors that post the same vector are interchangeable.
public readonly partial struct PiSystem
{
    /// <summary>
    /// With --same-vector the k injectors run one program on one vector and no other part of the
    /// state names an injector, so any permutation of their words (pc, posts, mode read, ON was set)
    /// maps transitions to transitions and proper ends to proper ends with the same verdict.
    /// When each injector posts its own vector they are NOT interchangeable here: the guest takes the
    /// highest vector of vIRR first (guest.take, docs/model.md section 3; SDM 29.2.2, the highest-priority
    /// bit of RVI), so swapping two injectors together with their vectors changes which vector a
    /// guest.take removes, and is not a symmetry of this transition system. So no reduction there.
    /// </summary>
    public bool HasSymmetry => Configuration.SameVector && _injectors > 1;

    /// <summary>The orbit representative: the injector words sorted ascending (a sorting network for up to 4).</summary>
    public PiState Canonicalize(in PiState state)
    {
        if (!HasSymmetry) return state;
        ulong hi = state.Hi;
        ulong w0 = hi & 0xFFFF, w1 = (hi >> 16) & 0xFFFF, w2 = (hi >> 32) & 0xFFFF, w3 = hi >> 48;
        switch (_injectors)
        {
            case 2:
                Order(ref w0, ref w1);
                break;
            case 3:
                Order(ref w0, ref w1); Order(ref w1, ref w2); Order(ref w0, ref w1);
                break;
            default:
                Order(ref w0, ref w1); Order(ref w2, ref w3); Order(ref w0, ref w2); Order(ref w1, ref w3); Order(ref w1, ref w2);
                break;
        }
        return new PiState(state.Lo, w0 | (w1 << 16) | (w2 << 32) | (w3 << 48));
    }

    private static void Order(ref ulong a, ref ulong b)
    {
        if (a > b) (a, b) = (b, a);
    }
}
