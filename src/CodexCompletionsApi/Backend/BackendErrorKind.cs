namespace CodexCompletionsApi.Backend;

/// <summary>
/// The one error taxonomy of the service. <c>Api/OpenAIErrors</c> maps each kind to an HTTP status
/// and an OpenAI error type in one place.
/// </summary>
public enum BackendErrorKind
{
    /// <summary>The Codex worker is not running, restarting, or died during the call.</summary>
    Unavailable,

    /// <summary>The worker or the upstream is overloaded; retry later.</summary>
    Overloaded,

    /// <summary>Every turn slot stayed busy for the whole queue timeout (admission control).</summary>
    QueueTimeout,

    /// <summary>Upstream rate limit.</summary>
    RateLimited,

    /// <summary>Upstream quota or usage limit exhausted.</summary>
    QuotaExceeded,

    /// <summary>A deadline expired (JSON-RPC call, first token, idle, total).</summary>
    Timeout,

    /// <summary>The prompt does not fit the model's context window.</summary>
    ContextLengthExceeded,

    /// <summary>The upstream does not know the model.</summary>
    ModelNotFound,

    /// <summary>The upstream rejected Codex's credentials (a server-side problem, not the client's).</summary>
    UpstreamAuthentication,

    /// <summary>The upstream failed (5xx, cut stream, failed response).</summary>
    UpstreamError,

    /// <summary>Codex rejected the request as invalid.</summary>
    InvalidRequest,

    /// <summary>The turn failed for a reason Codex did not classify.</summary>
    TurnFailed,

    /// <summary>The service is shutting down.</summary>
    ShuttingDown,

    /// <summary>A response asked to be stored (<c>store: true</c>) could not be saved in the response store.</summary>
    StoreUnavailable,
}
