namespace Pilab.Live;

/// <summary>
/// What a thread does between two protocol steps. A struct type parameter, so that the JIT compiles a
/// loop per kind and <see cref="NoPause"/> costs nothing.
/// </summary>
internal interface IStepPause
{
    void Pause();
}

/// <summary>Full speed: nothing between steps.</summary>
internal struct NoPause : IStepPause
{
    public readonly void Pause() { }
}
