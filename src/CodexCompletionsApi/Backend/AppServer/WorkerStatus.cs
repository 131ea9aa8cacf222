namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>An immutable snapshot of the supervisor, read by the probes and metrics without I/O.</summary>
public sealed record WorkerStatus
{
    public WorkerState State { get; init; } = WorkerState.Starting;

    public int? Pid { get; init; }

    /// <summary>Worker processes started after the first one.</summary>
    public int Restarts { get; init; }

    /// <summary>Workers replaced after <c>PROXY_WORKER_RECYCLE_TURNS</c> turns (not counted in <see cref="Restarts"/>).</summary>
    public int Recycles { get; init; }

    /// <summary>Exits within the crash-loop window have reached the threshold.</summary>
    public bool CrashLoop { get; init; }

    /// <summary>Exits inside the sliding crash-loop window.</summary>
    public int RecentExits { get; init; }

    public string? CliVersion { get; init; }

    public DateTimeOffset? ReadySince { get; init; }

    public DateTimeOffset? NextStartAt { get; init; }

    /// <summary>Why the worker is not ready, or the last failure.</summary>
    public string? LastError { get; init; }

    public int? LastExitCode { get; init; }
}
