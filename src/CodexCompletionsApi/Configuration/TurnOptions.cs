using System.ComponentModel.DataAnnotations;

namespace CodexCompletionsApi.Configuration;

/// <summary>Admission, deadlines and retries of Codex turns.</summary>
public sealed class TurnOptions
{
    public const string SectionName = "Turns";

    /// <summary>Turns running at once per worker (<c>PROXY_MAX_CONCURRENT_TURNS</c>); more wait in a queue.</summary>
    /// <value>The default value is 64.</value>
    [Range(1, 100000)]
    public int MaxConcurrentTurns { get; set; } = 64;

    /// <summary>How long a turn may wait for a slot (<c>PROXY_QUEUE_TIMEOUT_MS</c>); then 429 with <c>Retry-After</c>.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline for the first output of a turn (<c>PROXY_FIRST_TOKEN_TIMEOUT_MS</c>).</summary>
    /// <value>The default value is 120 seconds.</value>
    public TimeSpan FirstTokenTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Longest silence between two events of a running turn (<c>PROXY_IDLE_TIMEOUT_MS</c>).</summary>
    /// <value>The default value is 300 seconds.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>Longest a turn may run in total (<c>PROXY_TOTAL_TIMEOUT_MS</c>).</summary>
    /// <value>The default value is 30 minutes.</value>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Retries of a turn that failed with a retryable error before any output was produced
    /// (<c>PROXY_RETRY_MAX</c>): upstream 5xx, overload, rate limit, a worker restart.
    /// </summary>
    /// <value>The default value is 2.</value>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 2;

    /// <summary>First retry delay; doubles per attempt, with ±20% jitter, capped at 5 seconds.</summary>
    /// <value>The default value is 250 milliseconds.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);
}
