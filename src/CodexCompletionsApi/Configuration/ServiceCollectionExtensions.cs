using CodexCompletionsApi.Api;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Observability;
using CodexCompletionsApi.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Configuration;

public static class ServiceCollectionExtensions
{
    /// <summary>Configuration, options, the Codex worker, the API and observability.</summary>
    public static WebApplicationBuilder AddGatewayServices(this WebApplicationBuilder builder)
    {
        builder.Configuration.AddEnvironmentAliases();
        var proxy = builder.Configuration.GetSection(ProxyOptions.SectionName).Get<ProxyOptions>() ?? new ProxyOptions();
        builder.WebHost.UseUrls($"http://{FormatHost(proxy.Host)}:{proxy.Port}");

        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<ProxyOptions, ProxyOptionsAttributeValidator>().BindConfiguration(ProxyOptions.SectionName);
        services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        services.AddOptionsWithValidateOnStart<AppServerOptions, AppServerOptionsAttributeValidator>().BindConfiguration(AppServerOptions.SectionName);
        services.AddOptionsWithValidateOnStart<UpstreamOptions>().BindConfiguration(UpstreamOptions.SectionName);
        services.AddSingleton<IValidateOptions<UpstreamOptions>, UpstreamOptionsValidator>();
        services.AddOptions<ModelsOptions>().BindConfiguration(ModelsOptions.SectionName);
        services.AddOptionsWithValidateOnStart<ApiOptions, ApiOptionsAttributeValidator>().BindConfiguration(ApiOptions.SectionName);
        services.AddOptionsWithValidateOnStart<TurnOptions, TurnOptionsAttributeValidator>().BindConfiguration(TurnOptions.SectionName);
        services.AddOptionsWithValidateOnStart<ToolOptions, ToolOptionsAttributeValidator>().BindConfiguration(ToolOptions.SectionName);
        services.AddOptionsWithValidateOnStart<ImageFetchOptions, ImageFetchOptionsAttributeValidator>().BindConfiguration(ImageFetchOptions.SectionName);

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ServiceClock>();
        services.AddSingleton(sp => ModelCatalog.Load(sp.GetRequiredService<IOptions<ModelsOptions>>().Value.ResolvedCatalogPath()));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<ApiKeyValidator>();

        services.AddSingleton<AppServerSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<AppServerSupervisor>());
        services.AddSingleton<AppServerBackend>();
        services.TryAddSingleton<ICodexBackend>(sp => ActivatorUtilities.CreateInstance<RetryingCodexBackend>(sp, sp.GetRequiredService<AppServerBackend>()));
        services.AddSingleton<ChoiceRunner>();
        services.AddSingleton<ImageFetcher>();
        services.AddResponseStore();

        var api = builder.Configuration.GetSection(ApiOptions.SectionName).Get<ApiOptions>() ?? new ApiOptions();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = api.MaxBodyBytes);
        builder.WebHost.UseSockets(sockets => sockets.UnsafePreferInlineScheduling = api.InlineIoScheduling); // ADR 14
        services.AddCors(cors => cors.AddDefaultPolicy(policy => ConfigureCors(policy, api.CorsOrigins)));

        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        return builder;
    }

    /// <summary>
    /// The stored-responses database of <c>/v1/responses</c>: <see cref="ResponsesOptions"/> (validated at
    /// startup), <see cref="IResponseStore"/> as a <see cref="SqliteResponseStore"/> singleton (unless one is
    /// registered already), and <see cref="ResponseRetentionService"/>. Needs <see cref="ProxyOptions"/>
    /// and <see cref="GatewayMetrics"/>, which <see cref="AddGatewayServices"/> registers.
    /// </summary>
    public static IServiceCollection AddResponseStore(this IServiceCollection services)
    {
        services.AddOptionsWithValidateOnStart<ResponsesOptions, ResponsesOptionsAttributeValidator>().BindConfiguration(ResponsesOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IResponseStore, SqliteResponseStore>();
        services.AddHostedService<ResponseRetentionService>();
        return services;
    }

    /// <summary>CORS (off unless <c>PROXY_CORS_ORIGINS</c> is set), then API keys on <c>/v1</c>.</summary>
    public static WebApplication UseGatewayMiddleware(this WebApplication app)
    {
        if (!string.IsNullOrWhiteSpace(app.Services.GetRequiredService<IOptions<ApiOptions>>().Value.CorsOrigins))
        {
            app.UseCors();
        }

        app.UseApiKeys();
        return app;
    }

    private static void ConfigureCors(Microsoft.AspNetCore.Cors.Infrastructure.CorsPolicyBuilder policy, string? origins)
    {
        var list = (origins ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Contains("*"))
        {
            policy.AllowAnyOrigin();
        }
        else
        {
            policy.WithOrigins(list);
        }

        policy.AllowAnyHeader()
            .WithMethods("GET", "POST", "DELETE", "OPTIONS")
            .WithExposedHeaders(ChatCompletionsEndpoints.IgnoredParamsHeader, "Retry-After")
            .SetPreflightMaxAge(TimeSpan.FromHours(1));
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
