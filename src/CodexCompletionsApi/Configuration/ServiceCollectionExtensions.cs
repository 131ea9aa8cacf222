using CodexCompletionsApi.Api;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Observability;
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

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ServiceClock>();
        services.AddSingleton(sp => ModelCatalog.Load(sp.GetRequiredService<IOptions<ModelsOptions>>().Value.ResolvedCatalogPath()));
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<PrometheusExporter>();
        services.AddSingleton<ApiKeyValidator>();

        services.AddSingleton<AppServerSupervisor>();
        services.AddHostedService(sp => sp.GetRequiredService<AppServerSupervisor>());
        services.TryAddSingleton<ICodexBackend, AppServerBackend>();

        services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        return builder;
    }

    private static string FormatHost(string host) => host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host;
}
