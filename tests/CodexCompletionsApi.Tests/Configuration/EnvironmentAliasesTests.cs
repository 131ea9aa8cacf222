using CodexCompletionsApi.Configuration;
using Microsoft.Extensions.Configuration;

namespace CodexCompletionsApi.Tests.Configuration;

public sealed class EnvironmentAliasesTests
{
    private static IConfiguration Build(Dictionary<string, string> environment)
        => new ConfigurationBuilder().AddInMemoryCollection(EnvironmentAliases.Translate(environment)).Build();

    [Fact]
    public void Translate_Port_MapsToProxyPort()
    {
        // Arrange
        var environment = new Dictionary<string, string> { ["PORT"] = "8080", ["PROXY_HOST"] = "0.0.0.0" };

        // Act
        var result = EnvironmentAliases.Translate(environment);

        // Assert
        Assert.Equal("8080", result["Proxy:Port"]);
        Assert.Equal("0.0.0.0", result["Proxy:Host"]);
        Assert.Equal(2, result.Count);
    }

    [Fact]
    public void Translate_BothApiKeyVariables_AreMerged()
    {
        // Arrange
        var environment = new Dictionary<string, string> { ["PROXY_API_KEY"] = "single", ["PROXY_API_KEYS"] = "k1, k2" };

        // Act
        var result = EnvironmentAliases.Translate(environment);

        // Assert
        Assert.Equal("single,k1, k2", result["Proxy:ApiKeys"]);
    }

    [Fact]
    public void Translate_OnlyApiKeysVariable_IsUsedAsIs()
    {
        // Arrange
        var environment = new Dictionary<string, string> { ["PROXY_API_KEYS"] = "k1,k2" };

        // Act
        var result = EnvironmentAliases.Translate(environment);

        // Assert
        Assert.Equal("k1,k2", result["Proxy:ApiKeys"]);
    }

    [Theory]
    [InlineData("PROXY_WORKER_HANDSHAKE_TIMEOUT_MS", "AppServer:HandshakeTimeout", "1500", "00:00:01.5000000")]
    [InlineData("PROXY_WORKER_REQUEST_TIMEOUT_MS", "AppServer:RequestTimeout", "45000", "00:00:45")]
    [InlineData("PROXY_WORKER_RESTART_MAX_MS", "AppServer:RestartMaxDelay", "90000", "00:01:30")]
    [InlineData("PROXY_SHUTDOWN_DRAIN_MS", "AppServer:DrainTimeout", "250", "00:00:00.2500000")]
    [InlineData("PROXY_UPSTREAM_IDLE_TIMEOUT_MS", "Upstream:StreamIdleTimeout", "3000", "00:00:03")]
    public void Translate_MillisecondVariable_BecomesTimeSpanString(string variable, string key, string value, string expected)
    {
        // Arrange
        var environment = new Dictionary<string, string> { [variable] = value };

        // Act
        var result = EnvironmentAliases.Translate(environment);

        // Assert
        Assert.Equal(expected, result[key]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Translate_BlankValues_AreIgnored(string blank)
    {
        // Arrange
        var environment = new Dictionary<string, string>
        {
            ["PORT"] = blank,
            ["PROXY_API_KEY"] = blank,
            ["PROXY_WORKER_REQUEST_TIMEOUT_MS"] = blank,
            ["CODEX_BIN"] = blank,
        };

        // Act
        var result = EnvironmentAliases.Translate(environment);

        // Assert
        Assert.Empty(result);
    }

    [Fact]
    public void Translate_UnrelatedVariables_AreNotTranslated()
    {
        // Arrange
        var environment = new Dictionary<string, string> { ["HOME"] = "/root", ["Proxy__Port"] = "1" };

        // Act
        var result = EnvironmentAliases.Translate(environment);

        // Assert
        Assert.Empty(result);
    }

    [Fact]
    public void Translate_BoundIntoOptions_GivesExpectedValues()
    {
        // Arrange
        var environment = new Dictionary<string, string>
        {
            ["PROXY_HOST"] = "0.0.0.0",
            ["PORT"] = "9000",
            ["PROXY_API_KEY"] = "key-a",
            ["PROXY_API_KEYS"] = " key-b , key-c ",
            ["PROXY_USE_APP_SERVER"] = "true",
            ["PROXY_DATA_DIR"] = "/var/lib/proxy",
            ["CODEX_BIN"] = "/opt/codex",
            ["PROXY_ALLOW_CODEX_VERSION_MISMATCH"] = "true",
            ["PROXY_CODEX_HOME"] = "/var/lib/proxy/codex",
            ["PROXY_WORKER_HANDSHAKE_TIMEOUT_MS"] = "5000",
            ["PROXY_WORKER_REQUEST_TIMEOUT_MS"] = "1500",
            ["PROXY_WORKER_RESTART_MAX_MS"] = "60000",
            ["PROXY_SHUTDOWN_DRAIN_MS"] = "2000",
            ["PROXY_WORKER_PASS_ENV"] = "FOO,BAR",
            ["PROXY_WORKER_RECYCLE_TURNS"] = "1000",
            ["PROXY_UPSTREAM_BASE_URL"] = "https://api.example.com/v1",
            ["PROXY_UPSTREAM_API_KEY"] = "sk-up",
            ["PROXY_UPSTREAM_IDLE_TIMEOUT_MS"] = "3000",
            ["PROXY_MODEL_CATALOG"] = "/etc/models.json",
        };

        // Act
        var configuration = Build(environment);
        var proxy = configuration.GetSection(ProxyOptions.SectionName).Get<ProxyOptions>()!;
        var appServer = configuration.GetSection(AppServerOptions.SectionName).Get<AppServerOptions>()!;
        var upstream = configuration.GetSection(UpstreamOptions.SectionName).Get<UpstreamOptions>()!;
        var models = configuration.GetSection(ModelsOptions.SectionName).Get<ModelsOptions>()!;

        // Assert
        Assert.Equal("0.0.0.0", proxy.Host);
        Assert.Equal(9000, proxy.Port);
        Assert.Equal(["key-a", "key-b", "key-c"], proxy.ParsedApiKeys());
        Assert.True(proxy.UseAppServer);
        Assert.Equal("/var/lib/proxy", proxy.DataDirectory);
        Assert.Equal("/opt/codex", appServer.CodexBinary);
        Assert.True(appServer.AllowVersionMismatch);
        Assert.Equal("/var/lib/proxy/codex", appServer.CodexHome);
        Assert.Equal(TimeSpan.FromSeconds(5), appServer.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), appServer.RequestTimeout);
        Assert.Equal(TimeSpan.FromMinutes(1), appServer.RestartMaxDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), appServer.DrainTimeout);
        Assert.Equal("FOO,BAR", appServer.PassEnvironment);
        Assert.Equal(1000, appServer.RecycleAfterTurns);
        Assert.Equal("https://api.example.com/v1", upstream.BaseUrl);
        Assert.Equal("sk-up", upstream.ApiKey);
        Assert.Equal(TimeSpan.FromSeconds(3), upstream.StreamIdleTimeout);
        Assert.True(upstream.IsCustom);
        Assert.Equal("/etc/models.json", models.CatalogPath);
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void Translate_InlineIoScheduling_BindsApiOption(string? value, bool expected)
    {
        // Arrange
        var environment = new Dictionary<string, string>();
        if (value is not null)
        {
            environment["PROXY_INLINE_IO_SCHEDULING"] = value;
        }

        // Act
        var api = Build(environment).GetSection(ApiOptions.SectionName).Get<ApiOptions>() ?? new ApiOptions();

        // Assert
        Assert.Equal(expected, api.InlineIoScheduling);
    }

    [Fact]
    public void Translate_NothingSet_OptionsKeepDefaults()
    {
        // Arrange
        var configuration = Build([]);

        // Act
        var proxy = configuration.GetSection(ProxyOptions.SectionName).Get<ProxyOptions>() ?? new ProxyOptions();
        var appServer = configuration.GetSection(AppServerOptions.SectionName).Get<AppServerOptions>() ?? new AppServerOptions();

        // Assert
        Assert.Equal("127.0.0.1", proxy.Host);
        Assert.Equal(11435, proxy.Port);
        Assert.Empty(proxy.ParsedApiKeys());
        Assert.Equal(TimeSpan.FromSeconds(30), appServer.RequestTimeout);
        Assert.Equal(50_000, appServer.RecycleAfterTurns);
    }
}
