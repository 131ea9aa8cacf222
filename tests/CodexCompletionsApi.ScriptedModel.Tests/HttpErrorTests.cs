using System.Net;
using System.Text.Json;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class HttpErrorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(400, "invalid_request_error", null)]
    [InlineData(401, "invalid_request_error", "invalid_api_key")]
    [InlineData(403, "request_forbidden", "unsupported_country_region_territory")]
    [InlineData(404, "invalid_request_error", "model_not_found")]
    [InlineData(429, "requests", "rate_limit_exceeded")]
    [InlineData(500, "server_error", null)]
    [InlineData(503, "server_error", null)]
    public async Task HttpError_Status_SendsThatStatusWithAnOpenAIErrorBodyAndRetryAfter(int status, string type, string? code)
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.HttpError(status, retryAfter: 2))), Ct);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("2", HeaderNames.RetryAfter(response.Headers));
        var error = await TestClient.ErrorBodyAsync(response);
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.NotEmpty(error.GetProperty("message").GetString()!);
        var record = await server.WaitForOutcomeAsync(1, TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(RequestOutcome.Completed, record.Outcome);
        Assert.Equal(status, record.StatusCode);
        Assert.Equal("http_error", record.Reply);
    }

    [Fact]
    public async Task HttpError_WithoutRetryAfter_HasNoRetryAfterHeader()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.HttpError(429))), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Null(HeaderNames.RetryAfter(response.Headers));
    }

    [Fact]
    public async Task HttpError_429InsufficientQuota_UsesTheQuotaTypeAndMessage()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.HttpError(429, code: "insufficient_quota"))), Ct);

        var error = await TestClient.ErrorBodyAsync(response);
        Assert.Equal("insufficient_quota", error.GetProperty("code").GetString());
        Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
        Assert.Contains("quota", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpError_400ContextLengthExceeded_NamesTheInputParam()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.HttpError(400, code: "context_length_exceeded"))), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await TestClient.ErrorBodyAsync(response);
        Assert.Equal("context_length_exceeded", error.GetProperty("code").GetString());
        Assert.Equal("input", error.GetProperty("param").GetString());
        Assert.Contains("context length", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HttpError_ExplicitFields_OverrideTheDefaults()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostAsync(
            Body.Request(Body.User(ScriptDirective.HttpError(422, code: "bad_thing", message: "Custom failure", type: "custom_type", param: "foo"))),
            Ct);

        Assert.Equal(422, (int)response.StatusCode);
        var error = await TestClient.ErrorBodyAsync(response);
        Assert.Equal("Custom failure", error.GetProperty("message").GetString());
        Assert.Equal("custom_type", error.GetProperty("type").GetString());
        Assert.Equal("bad_thing", error.GetProperty("code").GetString());
        Assert.Equal("foo", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task HttpError_404DefaultMessage_NamesTheRequestedModel()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.HttpError(404))), Ct);

        var error = await TestClient.ErrorBodyAsync(response);
        Assert.Contains("`test-model`", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, error.GetProperty("param").ValueKind);
    }
}
