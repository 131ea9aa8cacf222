using System.Net;
using System.Net.Http.Headers;
using System.Text;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// A small body limit, CORS for one origin, and several API keys: <c>PROXY_API_KEYS=k1,k2</c> in the environment
/// while the host is built (merged with the assembly's <c>PROXY_API_KEY</c>), plus a <c>Proxy:ApiKeys</c> setting.
/// </summary>
public sealed class HttpSurfaceFixture : ServiceFixture
{
    public const int MaxBodyBytes = 4096;
    public const string Origin = "https://app.example";
    public const string SettingKey = "k3-from-setting";

    public override async ValueTask InitializeAsync()
    {
        // The aliases are read once, when the host is built; test classes run one at a time (AssemblySetup).
        Environment.SetEnvironmentVariable("PROXY_API_KEYS", "k1,k2");
        try
        {
            await base.InitializeAsync();
        }
        finally
        {
            Environment.SetEnvironmentVariable("PROXY_API_KEYS", null);
        }
    }

    protected override void ConfigureService(IWebHostBuilder builder)
    {
        builder.UseSetting("Api:MaxBodyBytes", MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Api:CorsOrigins", Origin);
        builder.UseSetting("Proxy:ApiKeys", SettingKey);
    }
}

/// <summary>The HTTP surface with non-default settings: media type, body limit, several keys, CORS.</summary>
public sealed class HttpSurfaceTests(HttpSurfaceFixture service) : IClassFixture<HttpSurfaceFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_TextPlainBody_Returns415Envelope()
    {
        var response = await service.Client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"gpt-5.5","messages":[]}""", Encoding.UTF8, "text/plain"), Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var error = (await Json.ReadAsync(response, Ct)).GetProperty("error");
        Assert.Equal("unsupported_media_type", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Post_BodyOverMaxBodyBytes_Returns413Envelope()
    {
        var padding = new string('a', HttpSurfaceFixture.MaxBodyBytes);

        var response = await service.Client.PostChatAsync(Requests.Chat(padding + ScriptDirective.Text("unreachable")), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("request_too_large", (await Json.ReadAsync(response, Ct)).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Post_BodyJustUnderMaxBodyBytes_IsServed()
    {
        var padding = new string('a', HttpSurfaceFixture.MaxBodyBytes - 300);

        var response = await service.Client.PostChatAsync(Requests.Chat(padding + " " + ScriptDirective.Text("fits")), Ct);

        Assert.Equal("fits", (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("k1")]
    [InlineData("k2")]
    [InlineData(ServiceFixture.ApiKey)] // PROXY_API_KEY, merged with PROXY_API_KEYS
    public async Task Get_ConfiguredKey_IsAccepted(string key)
    {
        using var client = service.CreateClient(apiKey: key);

        var response = await client.GetAsync("/v1/models", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("k3")]
    [InlineData("k1,k2")]
    [InlineData("K1")]
    [InlineData(" ")]
    public async Task Get_OtherKey_Returns401(string key)
    {
        using var client = service.CreateClient(apiKey: null);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);

        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", (await Json.ReadAsync(response, Ct)).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Get_KeyOnlyInProxyApiKeysSetting_IsReplacedByEnvironmentKeys()
    {
        // The PROXY_API_KEY(S) aliases are the last configuration source and replace Proxy:ApiKeys from settings
        // (appsettings.json, Proxy__ApiKeys) instead of merging with it; only the two variables merge.
        using var client = service.CreateClient(apiKey: HttpSurfaceFixture.SettingKey);

        var response = await client.GetAsync("/v1/models", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Options_PreflightFromAllowedOrigin_Returns204WithAllowHeadersWithoutApiKey()
    {
        using var client = service.CreateClient(apiKey: null);
        using var request = Preflight(HttpSurfaceFixture.Origin);

        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(HttpSurfaceFixture.Origin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods")!, StringComparison.Ordinal);
        var allowed = Header(response, "Access-Control-Allow-Headers")!.ToLowerInvariant();
        Assert.Contains("authorization", allowed, StringComparison.Ordinal);
        Assert.Contains("content-type", allowed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_PreflightFromOtherOrigin_HasNoCorsHeaders()
    {
        using var client = service.CreateClient(apiKey: null);
        using var request = Preflight("https://evil.example");

        var response = await client.SendAsync(request, Ct);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
        Assert.Null(Header(response, "Access-Control-Allow-Methods"));
        Assert.Null(Header(response, "Access-Control-Allow-Headers"));
    }

    [Fact]
    public async Task Post_FromAllowedOrigin_ResponseAllowsOriginAndExposesHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Raw(Requests.Chat(ScriptDirective.Text("cors ok")).ToJsonString()) };
        request.Headers.TryAddWithoutValidation("Origin", HttpSurfaceFixture.Origin);

        var response = await service.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpSurfaceFixture.Origin, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("Retry-After", Header(response, "Access-Control-Expose-Headers")!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Get_FromOtherOrigin_ResponseHasNoAllowOrigin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.TryAddWithoutValidation("Origin", "https://evil.example");

        var response = await service.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    internal static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "POST");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    internal static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;
}

/// <summary>The HTTP surface with default settings: CORS off, unknown paths, no keep-alive comments.</summary>
public sealed class HttpSurfaceDefaultsTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_WithOriginAndCorsOff_HasNoAllowOrigin()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        request.Headers.TryAddWithoutValidation("Origin", HttpSurfaceFixture.Origin);

        var response = await service.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(HttpSurfaceTests.Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Options_PreflightWithCorsOff_NoCorsHeadersAndKeyRequired()
    {
        using var client = service.CreateClient(apiKey: null);
        using var request = HttpSurfaceTests.Preflight(HttpSurfaceFixture.Origin);

        var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Null(HttpSurfaceTests.Header(response, "Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("GET", "/v1/nope")]
    [InlineData("POST", "/v1/embeddings")]
    [InlineData("GET", "/v1/chat/completions")]
    public async Task Send_UnknownV1Endpoint_Returns404Envelope(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = Json.Raw("{}");
        }

        var response = await service.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("application/json").MediaType, response.Content.Headers.ContentType?.MediaType);
        var error = (await Json.ReadAsync(response, Ct)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("unknown_url", error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Get_UnknownV1EndpointWithoutKey_Returns401()
    {
        using var client = service.CreateClient(apiKey: null);

        var response = await client.GetAsync("/v1/nope", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Stream_SlowModelWithDefaultSettings_SendsNoKeepAliveComments()
    {
        var response = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("slow", deltas: 2, delayMs: 400), stream: true), Ct);

        var streamed = await response.ReadChatStreamAsync(Ct);
        Assert.Equal("slow", streamed[0].Content);
        Assert.Equal(0, streamed.Comments);
    }
}
