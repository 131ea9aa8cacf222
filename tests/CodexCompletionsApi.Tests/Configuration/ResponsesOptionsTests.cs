using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Observability;
using CodexCompletionsApi.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Tests.Configuration;

public sealed class ResponsesOptionsTests
{
    private readonly ResponsesOptionsAttributeValidator _validator = new();

    [Fact]
    public void Defaults_AreThirtyDaysRetentionAndHourlyPurge()
    {
        // Arrange / Act
        var options = new ResponsesOptions();

        // Assert
        Assert.Null(options.DatabasePath);
        Assert.Equal(TimeSpan.FromDays(30), options.Retention);
        Assert.Equal(TimeSpan.FromHours(1), options.PurgeInterval);
        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(null, "/var/lib/proxy/responses.db")]
    [InlineData("", "/var/lib/proxy/responses.db")]
    [InlineData("db/stored.db", "/var/lib/proxy/db/stored.db")]
    [InlineData("../elsewhere.db", "/var/lib/elsewhere.db")]
    [InlineData("/srv/responses.sqlite", "/srv/responses.sqlite")]
    public void ResolvedDatabasePath_ResolvesAgainstTheDataDirectory(string? configured, string expected)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix paths");

        // Arrange
        var options = new ResponsesOptions { DatabasePath = configured };

        // Act
        var path = options.ResolvedDatabasePath("/var/lib/proxy");

        // Assert
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData("00:00:00", "01:00:00")]
    [InlineData("-1.00:00:00", "01:00:00")]
    [InlineData("30.00:00:00", "00:00:00")]
    [InlineData("30.00:00:00", "-00:00:01")]
    [InlineData("30.00:00:00", "31.00:00:00")]
    public void Validate_NonPositiveOrOutOfRange_Fails(string retention, string purgeInterval)
    {
        // Arrange
        var options = new ResponsesOptions { Retention = TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture), PurgeInterval = TimeSpan.Parse(purgeInterval, System.Globalization.CultureInfo.InvariantCulture) };

        // Act
        var result = _validator.Validate(null, options);

        // Assert
        Assert.True(result.Failed);
    }

    [Theory]
    [InlineData("PROXY_RESPONSES_RETENTION_DAYS", "Responses:Retention", "7", "7.00:00:00")]
    [InlineData("PROXY_RESPONSES_RETENTION_DAYS", "Responses:Retention", "0.5", "12:00:00")]
    [InlineData("PROXY_RESPONSES_PURGE_INTERVAL_MS", "Responses:PurgeInterval", "60000", "00:01:00")]
    [InlineData("PROXY_RESPONSES_DB", "Responses:DatabasePath", "/data/r.db", "/data/r.db")]
    public void Translate_ResponsesVariables_MapToResponsesKeys(string variable, string key, string value, string expected)
    {
        // Arrange
        var environment = new Dictionary<string, string> { [variable] = value };

        // Act
        var result = EnvironmentAliases.Translate(environment);

        // Assert
        Assert.Equal(expected, result[key]);
    }

    [Fact]
    public void AddResponseStore_WithAliases_ResolvesSqliteStoreAtConfiguredPath()
    {
        // Arrange
        using var provider = BuildProvider(new Dictionary<string, string>
        {
            ["PROXY_DATA_DIR"] = "/var/lib/proxy",
            ["PROXY_RESPONSES_DB"] = "stored/responses.sqlite",
            ["PROXY_RESPONSES_RETENTION_DAYS"] = "2",
            ["PROXY_RESPONSES_PURGE_INTERVAL_MS"] = "300000",
        });

        // Act
        var store = provider.GetRequiredService<IResponseStore>();
        var options = provider.GetRequiredService<IOptions<ResponsesOptions>>().Value;

        // Assert
        var sqlite = Assert.IsType<SqliteResponseStore>(store);
        Assert.Equal(Path.GetFullPath("/var/lib/proxy/stored/responses.sqlite"), sqlite.DatabasePath);
        Assert.Same(store, provider.GetRequiredService<IResponseStore>());
        Assert.Equal(TimeSpan.FromDays(2), options.Retention);
        Assert.Equal(TimeSpan.FromMinutes(5), options.PurgeInterval);
        Assert.Contains(provider.GetServices<IHostedService>(), s => s is ResponseRetentionService);
    }

    [Fact]
    public void AddResponseStore_ZeroRetention_FailsValidation()
    {
        // Arrange
        using var provider = BuildProvider(new Dictionary<string, string> { ["PROXY_RESPONSES_RETENTION_DAYS"] = "0" });

        // Act / Assert
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ResponsesOptions>>().Value);
        Assert.Contains("Retention", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider BuildProvider(Dictionary<string, string> environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(EnvironmentAliases.Translate(environment)).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddMetrics();
        services.AddSingleton<GatewayMetrics>();
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.SectionName);
        services.AddResponseStore();
        return services.BuildServiceProvider();
    }
}
