using System.Runtime.CompilerServices;

namespace Pilab.Checker;

/// <summary>
/// An append-only array in fixed 1 Mi-element chunks: growing never copies what is stored, and no
/// single allocation gets large enough to fail on a fragmented heap.
/// </summary>
internal sealed class ChunkedArray<T> where T : unmanaged
{
    private const int Shift = 20;
    private const int ChunkSize = 1 << Shift;
    private const int Mask = ChunkSize - 1;
    private T[][] _chunks = new T[16][];
    private long _count;

    public long Count => _count;

    public long Append(T value)
    {
        long i = _count;
        int c = (int)(i >> Shift);
        if (c == _chunks.Length) Array.Resize(ref _chunks, _chunks.Length * 2);
        (_chunks[c] ??= new T[ChunkSize])[i & Mask] = value;
        _count = i + 1;
        return i;
    }

    public ref T this[long i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _chunks[i >> Shift][i & Mask];
    }
}
