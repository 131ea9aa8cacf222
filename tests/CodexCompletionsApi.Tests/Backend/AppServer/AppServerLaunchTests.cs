using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Tests.Backend.AppServer;

public sealed class AppServerLaunchTests
{
    private const string CodexHome = "/data/.codex-api";
    private const string CatalogPath = "/data/.codex-api/model-catalog.json";
    private const string Provider = "model_providers.proxy-upstream";

    private static readonly Dictionary<string, string> HostEnvironment = new(StringComparer.Ordinal)
    {
        ["PROXY_API_KEY"] = "sk-proxy-secret",
        ["PROXY_API_KEYS"] = "k1,k2",
        ["PROXY_UPSTREAM_API_KEY"] = "sk-upstream-in-host-env",
        ["AWS_SECRET_ACCESS_KEY"] = "aws-secret",
        ["GITHUB_TOKEN"] = "ghp_secret",
        ["DATABASE_URL"] = "postgres://user:pw@db/app",
        ["PATH"] = "/home/me/evil/bin:/usr/bin",
        ["HOME"] = "/home/me",
        ["LD_PRELOAD"] = "/tmp/evil.so",
        ["OPENAI_API_KEY"] = "sk-openai-login",
        ["HTTPS_PROXY"] = "http://egress:3128",
        ["SSL_CERT_FILE"] = "/etc/ssl/custom.pem",
        ["TZ"] = "Europe/Paris",
        ["NO_PROXY"] = string.Empty,
        ["MY_EXTRA"] = "extra-value",
    };

    private static UpstreamOptions Custom(string? apiKey = "sk-upstream") => new()
    {
        BaseUrl = "https://api.example.com/v1/",
        ApiKey = apiKey,
        StreamIdleTimeout = TimeSpan.FromSeconds(90),
    };

    private static AppServerLaunchPlan Create(UpstreamOptions upstream, AppServerOptions? options = null)
        => AppServerLaunch.Create(
            "/opt/codex/bin/codex",
            options ?? new AppServerOptions(),
            upstream,
            CodexHome,
            "/data/work",
            CatalogPath,
            "gpt-6.1-sol",
            HostEnvironment);

    /// <summary>The values passed with <c>-c</c>, in order.</summary>
    private static List<string> ConfigValues(AppServerLaunchPlan plan)
    {
        var values = new List<string>();
        for (var i = 0; i < plan.Arguments.Count; i++)
        {
            if (plan.Arguments[i] == "-c")
            {
                Assert.True(i + 1 < plan.Arguments.Count, "-c is the last argument");
                values.Add(plan.Arguments[++i]);
            }
        }

        return values;
    }

    [Fact]
    public void Create_AnyMode_StartsWithAppServerStrictConfig()
    {
        // Arrange / Act
        var plan = Create(new UpstreamOptions());

        // Assert
        Assert.Equal("/opt/codex/bin/codex", plan.FileName);
        Assert.Equal("/data/work", plan.WorkingDirectory);
        Assert.Equal(["app-server", "--strict-config"], plan.Arguments.Take(2));
        Assert.All(plan.Arguments.Skip(2).Where((_, i) => i % 2 == 0), argument => Assert.Equal("-c", argument));
    }

    [Fact]
    public void Create_AnyMode_PassesEveryLockdownEntry()
    {
        // Arrange / Act
        var values = ConfigValues(Create(Custom()));

        // Assert
        Assert.NotEmpty(AppServerLaunch.LockdownConfig);
        Assert.All(AppServerLaunch.LockdownConfig, entry => Assert.Contains(entry, values));
    }

    [Fact]
    public void Create_AnyMode_UnloadsThreadsAtUnsubscribe()
    {
        // Arrange / Act
        var custom = ConfigValues(Create(Custom()));
        var login = ConfigValues(Create(new UpstreamOptions()));

        // Assert: without it Codex keeps every finished request's thread loaded for 60 s (ADR 13).
        Assert.Contains("thread_unload_delay_secs=0", custom);
        Assert.Contains("thread_unload_delay_secs=0", login);
        Assert.All(AppServerLaunch.ResourceConfig, entry => Assert.Contains(entry, custom));
    }

    [Theory]
    [InlineData("features.shell_tool=false")]
    [InlineData("features.unified_exec=false")]
    [InlineData("features.shell_snapshot=false")]
    [InlineData("features.view_image=false")]
    [InlineData("features.plugins=false")]
    [InlineData("features.apps=false")]
    [InlineData("web_search=\"disabled\"")]
    [InlineData("tool_output_token_limit=1000000")]
    [InlineData("project_doc_max_bytes=0")]
    [InlineData("approval_policy=\"never\"")]
    [InlineData("sandbox_mode=\"read-only\"")]
    [InlineData("shell_environment_policy.inherit=\"none\"")]
    [InlineData("include_environment_context=false")]
    public void Create_LoginMode_PassesCriticalLockdownEntry(string entry)
    {
        // Arrange / Act
        var values = ConfigValues(Create(new UpstreamOptions()));

        // Assert
        Assert.Contains(entry, values);
    }

    [Fact]
    public void Create_CustomUpstream_ConfiguresProvider()
    {
        // Arrange / Act
        var values = ConfigValues(Create(Custom()));

        // Assert
        Assert.Contains("model_provider=\"proxy-upstream\"", values);
        Assert.Contains($"{Provider}.name=\"proxy-upstream\"", values);
        Assert.Contains($"{Provider}.base_url=\"https://api.example.com/v1\"", values);
        Assert.Contains($"{Provider}.wire_api=\"responses\"", values);
        Assert.Contains($"{Provider}.request_max_retries=0", values);
        Assert.Contains($"{Provider}.stream_max_retries=0", values);
        Assert.Contains($"{Provider}.stream_idle_timeout_ms=90000", values);
        Assert.Contains($"{Provider}.env_key=\"CODEX_PROXY_UPSTREAM_API_KEY\"", values);
    }

    [Fact]
    public void Create_CustomUpstreamWithoutKey_OmitsEnvKey()
    {
        // Arrange / Act
        var plan = Create(Custom(apiKey: null));
        var values = ConfigValues(plan);

        // Assert
        Assert.Contains("model_provider=\"proxy-upstream\"", values);
        Assert.DoesNotContain(values, v => v.Contains("env_key", StringComparison.Ordinal));
        Assert.False(plan.Environment.ContainsKey(AppServerLaunch.UpstreamKeyVariable));
    }

    [Fact]
    public void Create_LoginMode_AddsNoProviderKeys()
    {
        // Arrange / Act
        var values = ConfigValues(Create(new UpstreamOptions { BaseUrl = "  " }));

        // Assert
        Assert.DoesNotContain(values, v => v.StartsWith("model_provider", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_AnyMode_PassesCatalogAndDefaultModel()
    {
        // Arrange / Act
        var values = ConfigValues(Create(Custom()));

        // Assert
        Assert.Contains($"model_catalog_json=\"{CatalogPath}\"", values);
        Assert.Contains("model=\"gpt-6.1-sol\"", values);
    }

    [Fact]
    public void Create_CustomUpstream_EnvironmentHasOnlyAllowedVariables()
    {
        // Arrange / Act
        var env = Create(Custom()).Environment;

        // Assert
        Assert.Equal(
            new[] { "CODEX_HOME", "CODEX_PROXY_UPSTREAM_API_KEY", "HOME", "HTTPS_PROXY", "LANG", "PATH", "SSL_CERT_FILE", "TZ" },
            env.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("sk-upstream", env[AppServerLaunch.UpstreamKeyVariable]);
        Assert.Equal(CodexHome, env["HOME"]);
        Assert.Equal(CodexHome, env["CODEX_HOME"]);
        Assert.Equal("C.UTF-8", env["LANG"]);
        Assert.DoesNotContain("evil", env["PATH"], StringComparison.Ordinal);
        Assert.Equal("http://egress:3128", env["HTTPS_PROXY"]);
    }

    [Fact]
    public void Create_LoginMode_EnvironmentPassesOpenAiKeyOnly()
    {
        // Arrange / Act
        var env = Create(new UpstreamOptions()).Environment;

        // Assert
        Assert.Equal(
            new[] { "CODEX_HOME", "HOME", "HTTPS_PROXY", "LANG", "OPENAI_API_KEY", "PATH", "SSL_CERT_FILE", "TZ" },
            env.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("sk-openai-login", env["OPENAI_API_KEY"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Create_AnyMode_NeverLeaksServiceSecrets(bool custom)
    {
        // Arrange / Act
        var env = Create(custom ? Custom() : new UpstreamOptions()).Environment;

        // Assert
        foreach (var name in new[] { "PROXY_API_KEY", "PROXY_API_KEYS", "PROXY_UPSTREAM_API_KEY", "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "DATABASE_URL", "LD_PRELOAD", "MY_EXTRA", "NO_PROXY" })
        {
            Assert.False(env.ContainsKey(name), $"{name} reached the worker");
        }

        Assert.DoesNotContain(env.Values, v => v.Contains("secret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Create_PassEnvironmentExtras_AreHonoured()
    {
        // Arrange
        var options = new AppServerOptions { PassEnvironment = " MY_EXTRA , ABSENT_VAR,," };

        // Act
        var env = Create(Custom(), options).Environment;

        // Assert
        Assert.Equal("extra-value", env["MY_EXTRA"]);
        Assert.False(env.ContainsKey("ABSENT_VAR"));
        Assert.False(env.ContainsKey("PROXY_API_KEY"));
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData(@"C:\dir\file", "\"C:\\\\dir\\\\file\"")]
    [InlineData(@"\""", "\"\\\\\\\"\"")]
    public void TomlString_Value_EscapesQuotesAndBackslashes(string value, string expected)
    {
        // Arrange / Act
        var toml = AppServerLaunch.TomlString(value);

        // Assert
        Assert.Equal(expected, toml);
    }

    [Fact]
    public void Create_BaseUrlWithQuote_IsTomlEscaped()
    {
        // Arrange
        var upstream = new UpstreamOptions { BaseUrl = "https://h/a\"b//" };

        // Act
        var values = ConfigValues(Create(upstream));

        // Assert
        Assert.Contains($"{Provider}.base_url=\"https://h/a\\\"b\"", values);
    }
}
