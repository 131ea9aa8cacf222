namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>Lifecycle of the supervised worker.</summary>
public enum WorkerState
{
    /// <summary>Spawning the process and running the handshake.</summary>
    Starting,

    /// <summary>Handshake done and the process alive: turns are admitted.</summary>
    Ready,

    /// <summary>The process exited; waiting out the backoff before the next start.</summary>
    Restarting,

    /// <summary>The host is stopping: no new turns, in-flight turns drain.</summary>
    Stopping,

    /// <summary>The worker was stopped for good.</summary>
    Stopped,
}
