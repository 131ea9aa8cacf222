using System.ComponentModel.DataAnnotations;

namespace CodexCompletionsApi.Configuration;

/// <summary>How the OpenAI-compatible endpoints shape requests and responses.</summary>
public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest <c>n</c> accepted (<c>PROXY_MAX_N</c>); each choice is its own Codex turn.</summary>
    /// <value>The default value is 8.</value>
    [Range(1, 128)]
    public int MaxChoices { get; set; } = 8;

    /// <summary>
    /// What streamed and returned messages carry of the model's reasoning summaries
    /// (<c>PROXY_REASONING_OUTPUT</c>): <c>drop</c> (like OpenAI's chat API), <c>reasoning_content</c>
    /// (<c>delta.reasoning_content</c> / <c>message.reasoning_content</c>), or <c>think-tags</c>
    /// (<c>&lt;think&gt;…&lt;/think&gt;</c> before the answer, inside <c>content</c>). The
    /// <c>x-proxy-reasoning-output</c> request header overrides it per request.
    /// </summary>
    /// <value>The default value is <c>drop</c>.</value>
    [Required]
    [RegularExpression("^(drop|reasoning_content|think-tags)$")]
    public string ReasoningOutput { get; set; } = "drop";

    /// <summary>
    /// How long a stream may wait, after its turns started, for the first output before the headers
    /// are sent anyway (<c>PROXY_STREAM_HEADER_GRACE_MS</c>). Upstream failures inside this window
    /// (rate limits, authentication) become real HTTP errors instead of in-band error events.
    /// </summary>
    /// <value>The default value is 1 second.</value>
    public TimeSpan StreamHeaderGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Interval of <c>: keepalive</c> SSE comments while a stream is idle (<c>PROXY_SSE_KEEPALIVE_MS</c>); zero turns them off.</summary>
    /// <value>The default value is zero (off).</value>
    public TimeSpan SseKeepAlive { get; set; } = TimeSpan.Zero;

    /// <summary>Largest request body accepted (<c>PROXY_MAX_BODY_BYTES</c>); larger bodies get 413.</summary>
    /// <value>The default value is 32 MiB.</value>
    [Range(1024, long.MaxValue)]
    public long MaxBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// Browser origins allowed by CORS, comma separated, or <c>*</c> (<c>PROXY_CORS_ORIGINS</c>).
    /// Empty turns CORS off.
    /// </summary>
    /// <value>The default value is empty (off).</value>
    public string? CorsOrigins { get; set; }

    /// <summary>
    /// Whether Kestrel runs socket and pipe continuations on the thread that completed them instead of
    /// queueing each one to the thread pool (<c>PROXY_INLINE_IO_SCHEDULING</c>; Kestrel's
    /// <c>UnsafePreferInlineScheduling</c>). A streamed event is then sent by the thread that wrote it,
    /// without a thread-pool hop per flush: 23% less service CPU per streamed request, 9% per
    /// non-streamed one (ADR 14). It requires that no request code blocks a thread, which the service
    /// already requires of everything on its JSON-RPC reader thread (ADR 7).
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool InlineIoScheduling { get; set; } = true;
}
