namespace CodexCompletionsApi.Configuration;

/// <summary>Where Codex sends model requests.</summary>
public sealed class UpstreamOptions
{
    public const string SectionName = "Upstream";

    /// <summary>
    /// A Responses-API-compatible endpoint, e.g. <c>https://api.example.com/v1</c>
    /// (<c>PROXY_UPSTREAM_BASE_URL</c>). Empty means Codex's own login (<c>codex login</c> in the
    /// Codex home, or <c>OPENAI_API_KEY</c>).
    /// </summary>
    /// <value>The default value is empty.</value>
    public string? BaseUrl { get; set; }

    /// <summary>Bearer key for <see cref="BaseUrl"/> (<c>PROXY_UPSTREAM_API_KEY</c>); passed to the worker only.</summary>
    /// <value>The default value is empty.</value>
    public string? ApiKey { get; set; }

    /// <summary>Codex fails a model stream that sends nothing for this long (<c>PROXY_UPSTREAM_IDLE_TIMEOUT_MS</c>).</summary>
    /// <value>The default value is 120 seconds.</value>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(120);

    public bool IsCustom => !string.IsNullOrWhiteSpace(BaseUrl);
}
