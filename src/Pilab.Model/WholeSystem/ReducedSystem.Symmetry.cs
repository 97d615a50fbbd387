namespace Pilab.Model.WholeSystem;

// Symmetry reduction (ISymmetricSystem): posters of one kind that post the same vector are interchangeable.
public readonly partial struct ReducedSystem
{
    /// <summary>
    /// With --same-vector every CPU injector runs one program on v1, every IOMMU poster another and every
    /// IPIv poster a third (an IOMMU poster may ignore SN, an IPIv poster never does); nothing else in the
    /// state names a poster (the IPIs they send carry no sender, PIR and the pending vectors are sets), so a
    /// permutation of the posters of one kind maps transitions to transitions and dead ends to dead ends of
    /// the same kind. Posters of different kinds are never swapped. With each poster on its own vector there
    /// is no symmetry: the guest takes the highest vector of vIRR first (guest.take), so swapping posters
    /// with their vectors changes which vector a guest.take removes.
    /// </summary>
    public bool HasSymmetry => _model.Configuration.SameVector && (_injectors > 1 || _iommu > 1 || _posters - _injectors - _iommu > 1);

    /// <summary>The orbit representative: the 12-bit poster words sorted ascending within each kind.</summary>
    public SystemState Canonicalize(in SystemState state)
    {
        if (!HasSymmetry) return state;
        ulong hi = state.Hi;
        Span<ulong> w = stackalloc ulong[4];
        for (int p = 0; p < _posters; p++) w[p] = (hi >> (12 * p)) & 0xFFF;
        w[.._injectors].Sort();
        w[_injectors..(_injectors + _iommu)].Sort();
        w[(_injectors + _iommu).._posters].Sort();
        ulong words = 0;
        for (int p = 0; p < _posters; p++) words |= w[p] << (12 * p);
        ulong mask = _posters == 4 ? 0xFFFF_FFFF_FFFFUL : (1UL << (12 * _posters)) - 1;
        return new SystemState(state.Lo, (hi & ~mask) | words);
    }
}
