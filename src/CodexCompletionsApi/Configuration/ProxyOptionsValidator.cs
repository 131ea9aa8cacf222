using System.Net;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Configuration;

/// <summary>Startup rules across settings (attribute rules are checked by the generated validators).</summary>
public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        if (options.ParsedApiKeys().Count == 0 && !IsLoopback(options.Host))
        {
            return ValidateOptionsResult.Fail(
                $"PROXY_HOST={options.Host} is not a loopback address and no API key is set: refusing to serve an open proxy. Set PROXY_API_KEY (or PROXY_API_KEYS), or bind to 127.0.0.1.");
        }

        return ValidateOptionsResult.Success;
    }

    public static bool IsLoopback(string host)
        => host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
           || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}

[OptionsValidator]
public sealed partial class ProxyOptionsAttributeValidator : IValidateOptions<ProxyOptions>;

[OptionsValidator]
public sealed partial class AppServerOptionsAttributeValidator : IValidateOptions<AppServerOptions>;

/// <summary>Checks the upstream settings.</summary>
public sealed class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>
{
    public ValidateOptionsResult Validate(string? name, UpstreamOptions options)
    {
        if (options.IsCustom && (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            return ValidateOptionsResult.Fail($"PROXY_UPSTREAM_BASE_URL '{options.BaseUrl}' is not an absolute http(s) URL.");
        }

        if (options.StreamIdleTimeout <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail("PROXY_UPSTREAM_IDLE_TIMEOUT_MS must be positive.");
        }

        return ValidateOptionsResult.Success;
    }
}

[OptionsValidator]
public sealed partial class ApiOptionsAttributeValidator : IValidateOptions<ApiOptions>;

[OptionsValidator]
public sealed partial class TurnOptionsAttributeValidator : IValidateOptions<TurnOptions>;

[OptionsValidator]
public sealed partial class ImageFetchOptionsAttributeValidator : IValidateOptions<ImageFetchOptions>;

[OptionsValidator]
public sealed partial class ToolOptionsAttributeValidator : IValidateOptions<ToolOptions>;

[OptionsValidator]
public sealed partial class ResponsesOptionsAttributeValidator : IValidateOptions<ResponsesOptions>;
