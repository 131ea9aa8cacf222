using System.Net;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>The first end-to-end path: a non-streaming chat completion through the real Codex CLI.</summary>
public sealed class ChatCompletionsTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_SingleUserMessage_ReturnsChatCompletionWithExactUsage()
    {
        var response = await service.Client.PostChatAsync("Hi " + ScriptDirective.Text("Paris is the capital of France.", deltas: 3), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response, Ct);
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.StartsWith("chatcmpl-", body.GetProperty("id").GetString());
        Assert.Equal("gpt-5.5", body.GetProperty("model").GetString());
        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("Paris is the capital of France.", choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());

        // The scripted model reports usage by a fixed formula; the service must pass it through exactly.
        var request = Assert.Single(service.Model.Requests, r => r.Body.Contains("Paris is the capital", StringComparison.Ordinal));
        var usage = body.GetProperty("usage");
        Assert.Equal(3, usage.GetProperty("completion_tokens").GetInt64());
        var input = request.Json!.Value.GetProperty("input").GetRawText();
        var expectedPrompt = (System.Text.Encoding.UTF8.GetByteCount(input) + 3) / 4;
        Assert.Equal(expectedPrompt, usage.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(expectedPrompt + 3, usage.GetProperty("total_tokens").GetInt64());
        Assert.Equal(0, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64());
        Assert.Equal(0, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64());
    }

    [Fact]
    public async Task Post_SystemPrompt_ReachesModelAsOnlyDeveloperMessage()
    {
        var marker = Guid.NewGuid().ToString("N");
        var content = Json.Chat("gpt-5.5", ("system", "You are terse. " + marker), ("user", "Hello " + ScriptDirective.Text("ok")));

        var response = await service.Client.PostAsync("/v1/chat/completions", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var request = Assert.Single(service.Model.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
        var items = request.Json!.Value.GetProperty("input").EnumerateArray().ToList();
        // Exactly the client's system prompt and user message: no Codex coding prompt, no environment context.
        Assert.Equal(2, items.Count);
        Assert.Equal("developer", items[0].GetProperty("role").GetString());
        Assert.Contains(marker, items[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("user", items[1].GetProperty("role").GetString());
        Assert.Equal("gpt-5.5", request.Json!.Value.GetProperty("model").GetString());
        Assert.Equal("Bearer " + ServiceFixture.UpstreamKey, request.Headers["authorization"]);
    }

    [Fact]
    public async Task Post_WithoutApiKey_Returns401Envelope()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json.Chat("gpt-5.5", ("user", "hi")) };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "wrong-key");

        var response = await service.Client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var error = (await Json.ReadAsync(response, Ct)).GetProperty("error");
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("{not json", 400, "invalid_json")]
    [InlineData("{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", 404, "model_not_found")]
    [InlineData("{\"model\":\"gpt-5.5\",\"messages\":[]}", 400, "missing_required_parameter")]
    [InlineData("{\"model\":\"gpt-5.5\",\"messages\":\"hello\"}", 400, "invalid_json")]
    public async Task Post_BadBody_ReturnsOpenAIErrorEnvelope(string body, int status, string code)
    {
        var response = await service.Client.PostAsync("/v1/chat/completions", Json.Raw(body), Ct);

        Assert.Equal(status, (int)response.StatusCode);
        var error = (await Json.ReadAsync(response, Ct)).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Post_UpstreamRateLimit_Returns429WithRetryAfter()
    {
        var response = await service.Client.PostChatAsync(ScriptDirective.HttpError(429, retryAfter: 2), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.True(response.Headers.RetryAfter is not null);
        var error = (await Json.ReadAsync(response, Ct)).GetProperty("error");
        Assert.Equal("rate_limit_exceeded", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Post_AfterTurn_ThreadIsUnsubscribed()
    {
        var response = await service.Client.PostChatAsync(ScriptDirective.Text("done"), Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The backend releases the thread (thread/unsubscribe) before the response completes its cleanup.
        var connection = service.Supervisor.CurrentConnection!;
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (connection.SubscribedThreads > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20, Ct);
        }

        Assert.Equal(0, connection.SubscribedThreads);
    }

    [Fact]
    public async Task GetModels_ListsCatalogInOpenAIShape()
    {
        var response = await service.Client.GetAsync("/v1/models", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await Json.ReadAsync(response, Ct);
        Assert.Equal("list", body.GetProperty("object").GetString());
        var ids = body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Contains("gpt-5.5", ids);
        Assert.All(body.GetProperty("data").EnumerateArray(), m => Assert.Equal("model", m.GetProperty("object").GetString()));

        var one = await service.Client.GetAsync("/v1/models/gpt-5.5", Ct);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        Assert.Equal("gpt-5.5", (await Json.ReadAsync(one, Ct)).GetProperty("id").GetString());
        var missing = await service.Client.GetAsync("/v1/models/nope", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
