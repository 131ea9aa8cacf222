using System.Globalization;
using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// Builds the worker's command line and environment (pure). The lockdown flags switch off every
/// built-in Codex tool and hidden behaviour (docs/app-server-protocol.md §2.3); with
/// <c>--strict-config</c> a mistyped key stops the process instead of silently re-enabling a tool.
/// </summary>
internal static class AppServerLaunch
{
    /// <summary>Provider id used for <see cref="UpstreamOptions.BaseUrl"/>.</summary>
    public const string UpstreamProviderId = "proxy-upstream";

    /// <summary>Variable through which the worker receives <see cref="UpstreamOptions.ApiKey"/>.</summary>
    public const string UpstreamKeyVariable = "CODEX_PROXY_UPSTREAM_API_KEY";

    /// <summary>
    /// The lockdown: each key and what it removes is documented in docs/app-server-protocol.md §2.2.
    /// </summary>
    public static readonly IReadOnlyList<string> LockdownConfig =
    [
        "features.shell_tool=false",
        "features.unified_exec=false",
        "features.shell_snapshot=false",
        "features.view_image=false",
        "features.multi_agent=false",
        "features.goals=false",
        "features.apps=false",
        "features.plugins=false",
        "web_search=\"disabled\"",
        "tools.experimental_request_user_input.enabled=false",
        "skills.include_instructions=false",
        "skills.bundled.enabled=false",
        "include_permissions_instructions=false",
        "include_environment_context=false",
        "include_apps_instructions=false",
        "include_collaboration_mode_instructions=false",
        "project_doc_max_bytes=0",
        "tool_output_token_limit=1000000",
        "shell_environment_policy.inherit=\"none\"",
        "sandbox_mode=\"read-only\"",
        "approval_policy=\"never\"",
    ];

    /// <summary>
    /// Resource settings (docs/performance.md, "Codex's own cost"; ADR 13). Every request runs on a
    /// fresh ephemeral thread that is never used again after <c>thread/unsubscribe</c>, yet Codex
    /// keeps an unsubscribed thread loaded for 60 s by default (~0.9 MiB each), so its RSS tracked
    /// throughput (~3 GB at 52 turns/s). With a delay of 0 the thread unloads at the unsubscribe:
    /// measured 300 sequential threads → 1 loaded and 147 MiB instead of 301 and 390 MiB; CPU per
    /// turn unchanged. A subscribed thread (a running turn) is not affected.
    /// </summary>
    public static readonly IReadOnlyList<string> ResourceConfig =
    [
        "thread_unload_delay_secs=0",
    ];

    /// <summary>Host variables the worker may need to reach its upstream (TLS roots, egress proxies).</summary>
    public static readonly IReadOnlyList<string> PassThroughVariables =
    [
        "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "RUST_LOG", "TZ",
    ];

    public static AppServerLaunchPlan Create(
        string codexBinary,
        AppServerOptions options,
        UpstreamOptions upstream,
        string codexHome,
        string workingDirectory,
        string catalogPath,
        string defaultModel,
        IReadOnlyDictionary<string, string> hostEnvironment)
    {
        var args = new List<string> { "app-server", "--strict-config" };

        void Config(string keyValue)
        {
            args.Add("-c");
            args.Add(keyValue);
        }

        if (upstream.IsCustom)
        {
            const string p = "model_providers." + UpstreamProviderId;
            Config($"model_provider=\"{UpstreamProviderId}\"");
            Config($"{p}.name=\"{UpstreamProviderId}\"");
            Config($"{p}.base_url={TomlString(upstream.BaseUrl!.TrimEnd('/'))}");
            Config($"{p}.wire_api=\"responses\"");
            if (!string.IsNullOrEmpty(upstream.ApiKey))
            {
                Config($"{p}.env_key=\"{UpstreamKeyVariable}\"");
            }

            // The service decides on retries: Codex's own retries re-send deltas under new item ids.
            Config($"{p}.request_max_retries=0");
            Config($"{p}.stream_max_retries=0");
            Config($"{p}.stream_idle_timeout_ms={((long)upstream.StreamIdleTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}");
        }

        Config($"model_catalog_json={TomlString(catalogPath)}");
        Config($"model={TomlString(defaultModel)}");
        foreach (var entry in LockdownConfig)
        {
            Config(entry);
        }

        foreach (var entry in ResourceConfig)
        {
            Config(entry);
        }

        return new AppServerLaunchPlan(codexBinary, args, CreateEnvironment(options, upstream, codexHome, hostEnvironment), workingDirectory);
    }

    /// <summary>
    /// The scrubbed environment: a fixed PATH, the Codex home, locale, the upstream credential and
    /// the pass-through list. Nothing of the service's own configuration (API keys) reaches the child.
    /// </summary>
    public static Dictionary<string, string> CreateEnvironment(
        AppServerOptions options,
        UpstreamOptions upstream,
        string codexHome,
        IReadOnlyDictionary<string, string> hostEnvironment)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ["HOME"] = codexHome,
            ["CODEX_HOME"] = codexHome,
            ["LANG"] = "C.UTF-8",
        };

        var names = PassThroughVariables.Concat(
            (options.PassEnvironment ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var name in names)
        {
            if (hostEnvironment.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value))
            {
                env[name] = value;
            }
        }

        if (upstream.IsCustom)
        {
            if (!string.IsNullOrEmpty(upstream.ApiKey))
            {
                env[UpstreamKeyVariable] = upstream.ApiKey;
            }
        }
        else if (hostEnvironment.TryGetValue("OPENAI_API_KEY", out var openAiKey) && !string.IsNullOrEmpty(openAiKey))
        {
            // Codex's own login may be an API key in the environment.
            env["OPENAI_API_KEY"] = openAiKey;
        }

        return env;
    }

    /// <summary>A TOML basic string (the value side of <c>-c key=value</c>).</summary>
    public static string TomlString(string value)
    {
        var escaped = value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return $"\"{escaped}\"";
    }
}
