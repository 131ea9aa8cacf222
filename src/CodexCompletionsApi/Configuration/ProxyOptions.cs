using System.ComponentModel.DataAnnotations;

namespace CodexCompletionsApi.Configuration;

/// <summary>HTTP surface settings: listen address, API keys, data directory.</summary>
public sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    /// <summary>Interface to listen on (<c>PROXY_HOST</c>).</summary>
    /// <value>The default value is <c>127.0.0.1</c>.</value>
    [Required]
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port to listen on (<c>PORT</c>).</summary>
    /// <value>The default value is 11435.</value>
    [Range(0, 65535)]
    public int Port { get; set; } = 11435;

    /// <summary>
    /// Bearer keys accepted on <c>/v1/*</c>, comma separated (<c>PROXY_API_KEY</c>, <c>PROXY_API_KEYS</c>).
    /// Empty disables authentication, which is allowed only on a loopback bind.
    /// </summary>
    /// <value>The default value is empty.</value>
    public string? ApiKeys { get; set; }

    /// <summary>
    /// Selects the app-server backend (<c>PROXY_USE_APP_SERVER</c>). The proto backend is retired:
    /// <c>false</c> is refused at startup. Kept only so old rollback configurations fail loudly.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool UseAppServer { get; set; } = true;

    /// <summary>
    /// Directory for the service's persistent state (<c>PROXY_DATA_DIR</c>); Codex's home defaults to
    /// <c>.codex-api/</c> inside it. Relative paths resolve against the working directory.
    /// </summary>
    /// <value>The default value is the working directory.</value>
    [Required]
    public string DataDirectory { get; set; } = ".";

    /// <summary>The accepted keys, parsed from <see cref="ApiKeys"/>.</summary>
    public IReadOnlyList<string> ParsedApiKeys()
        => (ApiKeys ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The absolute data directory.</summary>
    public string ResolvedDataDirectory() => Path.GetFullPath(DataDirectory);
}
