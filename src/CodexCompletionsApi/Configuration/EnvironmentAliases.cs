using System.Globalization;

namespace CodexCompletionsApi.Configuration;

/// <summary>
/// The operator interface: the environment variable names of the original specification
/// (<c>PROXY_*</c>, <c>PORT</c>, <c>CODEX_BIN</c>), each mapped onto one options key. Standard
/// ASP.NET Core configuration (<c>Proxy__Port</c>, appsettings.json) works too; these win.
/// </summary>
public static class EnvironmentAliases
{
    /// <summary>One alias: the variable, the configuration key it sets, and how its value converts.</summary>
    public sealed record Alias(string Variable, string Key, Func<string, string>? Convert = null);

    private static string Milliseconds(string value)
        => TimeSpan.FromMilliseconds(double.Parse(value, CultureInfo.InvariantCulture)).ToString("c", CultureInfo.InvariantCulture);

    private static string Days(string value)
        => TimeSpan.FromDays(double.Parse(value, CultureInfo.InvariantCulture)).ToString("c", CultureInfo.InvariantCulture);

    /// <summary>Every alias, in documentation order (docs/configuration.md lists the same table).</summary>
    public static readonly IReadOnlyList<Alias> All =
    [
        new("PROXY_HOST", "Proxy:Host"),
        new("PORT", "Proxy:Port"),
        new("PROXY_API_KEY", "Proxy:ApiKeys"),
        new("PROXY_API_KEYS", "Proxy:ApiKeys"),
        new("PROXY_USE_APP_SERVER", "Proxy:UseAppServer"),
        new("PROXY_DATA_DIR", "Proxy:DataDirectory"),
        new("CODEX_BIN", "AppServer:CodexBinary"),
        new("PROXY_ALLOW_CODEX_VERSION_MISMATCH", "AppServer:AllowVersionMismatch"),
        new("PROXY_CODEX_HOME", "AppServer:CodexHome"),
        new("PROXY_WORKER_HANDSHAKE_TIMEOUT_MS", "AppServer:HandshakeTimeout", Milliseconds),
        new("PROXY_WORKER_REQUEST_TIMEOUT_MS", "AppServer:RequestTimeout", Milliseconds),
        new("PROXY_WORKER_RESTART_MAX_MS", "AppServer:RestartMaxDelay", Milliseconds),
        new("PROXY_SHUTDOWN_DRAIN_MS", "AppServer:DrainTimeout", Milliseconds),
        new("PROXY_WORKER_RECYCLE_TURNS", "AppServer:RecycleAfterTurns"),
        new("PROXY_WORKER_PASS_ENV", "AppServer:PassEnvironment"),
        new("PROXY_UPSTREAM_BASE_URL", "Upstream:BaseUrl"),
        new("PROXY_UPSTREAM_API_KEY", "Upstream:ApiKey"),
        new("PROXY_UPSTREAM_IDLE_TIMEOUT_MS", "Upstream:StreamIdleTimeout", Milliseconds),
        new("PROXY_MODEL_CATALOG", "Models:CatalogPath"),
        new("PROXY_MAX_N", "Api:MaxChoices"),
        new("PROXY_REASONING_OUTPUT", "Api:ReasoningOutput"),
        new("PROXY_SSE_KEEPALIVE_MS", "Api:SseKeepAlive", Milliseconds),
        new("PROXY_STREAM_HEADER_GRACE_MS", "Api:StreamHeaderGrace", Milliseconds),
        new("PROXY_MAX_BODY_BYTES", "Api:MaxBodyBytes"),
        new("PROXY_CORS_ORIGINS", "Api:CorsOrigins"),
        new("PROXY_INLINE_IO_SCHEDULING", "Api:InlineIoScheduling"),
        new("PROXY_MAX_CONCURRENT_TURNS", "Turns:MaxConcurrentTurns"),
        new("PROXY_QUEUE_TIMEOUT_MS", "Turns:QueueTimeout", Milliseconds),
        new("PROXY_FIRST_TOKEN_TIMEOUT_MS", "Turns:FirstTokenTimeout", Milliseconds),
        new("PROXY_IDLE_TIMEOUT_MS", "Turns:IdleTimeout", Milliseconds),
        new("PROXY_TOTAL_TIMEOUT_MS", "Turns:TotalTimeout", Milliseconds),
        new("PROXY_RETRY_MAX", "Turns:MaxRetries"),
        new("PROXY_OUTPUT_MODE", "Tools:OutputMode"),
        new("PROXY_ENABLE_PARALLEL_TOOL_CALLS", "Tools:ParallelToolCalls"),
        new("PROXY_TOOL_BLOCK_MAX", "Tools:ToolBlockMax"),
        new("PROXY_STOP_AFTER_TOOLS", "Tools:StopAfterTools"),
        new("PROXY_STOP_AFTER_TOOLS_MODE", "Tools:StopAfterToolsMode"),
        new("PROXY_SUPPRESS_TAIL_AFTER_TOOLS", "Tools:SuppressTailAfterTools"),
        new("PROXY_RESPONSES_DB", "Responses:DatabasePath"),
        new("PROXY_RESPONSES_RETENTION_DAYS", "Responses:Retention", Days),
        new("PROXY_RESPONSES_PURGE_INTERVAL_MS", "Responses:PurgeInterval", Milliseconds),
    ];

    /// <summary>
    /// Translates the aliased variables present in <paramref name="environment"/> into configuration
    /// keys. When both <c>PROXY_API_KEY</c> and <c>PROXY_API_KEYS</c> are set, their keys are merged.
    /// </summary>
    public static Dictionary<string, string?> Translate(IReadOnlyDictionary<string, string> environment)
    {
        var result = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var alias in All)
        {
            if (!environment.TryGetValue(alias.Variable, out var raw) || string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            var value = alias.Convert is null ? raw : alias.Convert(raw);
            result[alias.Key] = result.TryGetValue(alias.Key, out var existing) && alias.Key == "Proxy:ApiKeys"
                ? $"{existing},{value}"
                : value;
        }

        return result;
    }

    /// <summary>Adds the aliases as the last (winning) configuration source.</summary>
    public static IConfigurationBuilder AddEnvironmentAliases(this IConfigurationBuilder builder)
        => builder.AddInMemoryCollection(Translate(ReadProcessEnvironment()));

    /// <summary>This process's environment variables.</summary>
    public static Dictionary<string, string> ReadProcessEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return environment;
    }
}
