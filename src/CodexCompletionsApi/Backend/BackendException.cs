namespace CodexCompletionsApi.Backend;

/// <summary>A failure of the Codex backend, classified by <see cref="BackendErrorKind"/>.</summary>
public sealed class BackendException : Exception
{
    public BackendException(BackendErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public BackendErrorKind Kind { get; }

    /// <summary>Seconds the client should wait before retrying, when the backend knows.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Upstream HTTP status reported by Codex, when known.</summary>
    public int? UpstreamStatus { get; init; }

    /// <summary>The last stderr lines of the worker, for diagnostics (never sent to clients).</summary>
    public IReadOnlyList<string>? WorkerStderrTail { get; init; }
}
