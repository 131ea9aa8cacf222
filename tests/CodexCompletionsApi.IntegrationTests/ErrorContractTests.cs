using System.Diagnostics;
using System.Net;
using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>Error tests' own service: short retry delays (the retry count stays the default 2), and a worker it may kill.</summary>
public sealed class ErrorContractFixture : ServiceFixture
{
    public const int Attempts = 3; // Turns:MaxRetries default 2, plus the first attempt

    protected override void ConfigureService(IWebHostBuilder builder)
        => builder.UseSetting("Turns:RetryBaseDelay", "00:00:00.020");
}

/// <summary>
/// The error contract: every scripted upstream failure mode, streamed and not; failures after headers; a worker
/// killed mid-stream; malformed bodies.
/// </summary>
/// <remarks>
/// Codex answers <c>turn/start</c> before it contacts the upstream, so the service holds a stream's headers until
/// the first output (or <c>Api:StreamHeaderGrace</c>): an upstream that fails fast gets the same HTTP status,
/// envelope and <c>Retry-After</c> whether the request streams or not. Failures after output are in-band.
/// </remarks>
public sealed class ErrorContractTests(ErrorContractFixture service) : IClassFixture<ErrorContractFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, string, int, string, string, bool, int> UpstreamFailures => new()
    {
        // name, directive, non-streamed status, type, code, Retry-After expected, upstream attempts
        { "400 context_length_exceeded", ScriptDirective.HttpError(400, code: "context_length_exceeded"), 400, "invalid_request_error", "context_length_exceeded", false, 1 },
        { "401", ScriptDirective.HttpError(401), 502, "upstream_error", "upstream_authentication_failed", false, 1 },
        { "404", ScriptDirective.HttpError(404), 404, "invalid_request_error", "model_not_found", false, 1 },
        { "429", ScriptDirective.HttpError(429, retryAfter: 2), 429, "rate_limit_error", "rate_limit_exceeded", true, 1 },
        { "429 insufficient_quota", ScriptDirective.HttpError(429, code: "insufficient_quota"), 429, "insufficient_quota", "insufficient_quota", false, 1 },
        { "500", ScriptDirective.HttpError(500), 502, "upstream_error", "upstream_error", false, ErrorContractFixture.Attempts },
        { "503", ScriptDirective.HttpError(503), 503, "server_error", "overloaded", true, ErrorContractFixture.Attempts },
        { "failed", ScriptDirective.Failed(), 502, "upstream_error", "upstream_error", false, ErrorContractFixture.Attempts },
    };

    [Theory]
    [MemberData(nameof(UpstreamFailures))]
    public async Task Post_UpstreamFailsBeforeOutput_MapsToOpenAIError(string name, string directive, int status, string type, string code, bool retryAfter, int attempts)
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Requests.Chat($"{marker} {name} {directive}"), Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(retryAfter, response.Headers.RetryAfter is not null);
        Assert.Equal(attempts, UpstreamAttempts(marker));
    }

    [Theory]
    [MemberData(nameof(UpstreamFailures))]
    public async Task Stream_UpstreamFailsBeforeOutput_SameHttpErrorAsNonStreamed(string name, string directive, int status, string type, string code, bool retryAfter, int attempts)
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Requests.Chat($"{marker} {name} {directive}", stream: true), Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(retryAfter, response.Headers.RetryAfter is not null);
        Assert.Equal(attempts, UpstreamAttempts(marker));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Post_UpstreamIncomplete_FinishReasonLength(bool stream)
    {
        var response = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Incomplete("partial answer", deltas: 3), stream), Ct);

        if (stream)
        {
            var streamed = await response.ReadChatStreamAsync(Ct);
            Assert.True(streamed.Done);
            Assert.Equal("partial answer", streamed[0].Content);
            Assert.Equal("length", streamed[0].FinishReason);
        }
        else
        {
            var choice = (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0];
            Assert.Equal("partial answer", choice.GetProperty("message").GetProperty("content").GetString());
            Assert.Equal("length", choice.GetProperty("finish_reason").GetString());
        }
    }

    [Fact]
    public async Task Stream_UpstreamCutAfterDeltas_DeltasThenInBandErrorWithoutDone()
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Cut("partial words here", deltas: 3), stream: true), Ct);

        var streamed = await response.ReadChatStreamAsync(Ct);
        Assert.False(streamed.Done);
        Assert.Equal("partial words here", streamed[0].Content);
        Assert.Equal(3, streamed[0].ContentChunks);
        Assert.Null(streamed[0].FinishReason);
        Assert.Equal("upstream_error", streamed.Error!.Value.GetProperty("code").GetString());
        Assert.Equal(1, UpstreamAttempts(marker)); // output was sent, so no retry
    }

    [Fact]
    public async Task Post_UpstreamCutAfterDeltas_Returns502WithoutRetry()
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Cut("partial words here", deltas: 3)), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_error", (await Json.ReadAsync(response, Ct)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, UpstreamAttempts(marker));
    }

    [Fact]
    public async Task Stream_WorkerKilledMidStream_InBandErrorWithinTwoSecondsAndServiceRecovers()
    {
        var marker = Requests.Marker();
        var pid = service.Supervisor.Status.Pid!.Value;
        using var client = service.CreateClient(checkWireInvariants: false);
        using var response = await client.PostJsonAsync("/v1/chat/completions", Requests.Chat(marker + " " + ScriptDirective.Stall(afterDeltas: 1, text: "first words then nothing"), stream: true), Ct, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        await reader.ReadUntilAsync(e => e.Data.Contains("\"content\":\"first", StringComparison.Ordinal), Ct).WaitAsync(Wait, Ct);
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);

        using (var worker = Process.GetProcessById(pid))
        {
            worker.Kill(); // SIGKILL
        }

        var killed = Stopwatch.StartNew();
        var rest = await DrainAsync(reader).WaitAsync(TimeSpan.FromSeconds(2), Ct);
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(2), $"the stream took {killed.Elapsed} to end after the kill");
        var streamed = WireInvariants.Check(StreamKind.ChatCompletion, new SseStream(reader.Events, [], "(read incrementally)"));
        Assert.False(streamed.Done);
        Assert.Equal("worker_unavailable", streamed.Error!.Value.GetProperty("code").GetString());
        Assert.True(rest > 0);
        Assert.Equal(RequestOutcome.ClientAborted, (await service.Model.WaitForOutcomeAsync(upstream.Sequence, Wait, Ct)).Outcome);

        // A new worker comes up and serves again.
        await Requests.UntilAsync(() => service.Supervisor.Status is { State: WorkerState.Ready, Pid: { } p } && p != pid, TimeSpan.FromSeconds(20), "a new worker is ready", Ct);
        var after = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("back again")), Ct);
        Assert.Equal("back again", (await after.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"n":"2"}""", "n", "invalid_json")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":{"role":"user","content":"x"}}""", "messages", "invalid_json")]
    [InlineData("/v1/chat/completions", """{"model":5,"messages":[{"role":"user","content":"x"}]}""", "model", "invalid_json")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"stream":"yes"}""", "stream", "invalid_json")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"max_tokens":"ten"}""", "max_tokens", "invalid_json")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]}""", "stop", "invalid_value")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"stop":5}""", "stop", "invalid_type")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"n":0}""", "n", "invalid_value")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"max_tokens":0}""", "max_tokens", "invalid_value")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":5}]}""", "messages[0].content", "invalid_type")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"robot","content":"x"}]}""", "messages[0].role", "invalid_value")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true}}""", "stream_options", "invalid_value")]
    [InlineData("/v1/chat/completions", """{"model":"gpt-5.5","messages":[{"role":"user","content":"x"}],"no_such_field":1}""", "no_such_field", "unknown_parameter")]
    [InlineData("/v1/completions", """{"model":"gpt-5.5","prompt":5}""", "prompt", "invalid_type")]
    [InlineData("/v1/completions", """{"model":"gpt-5.5","prompt":[1,2]}""", "prompt[0]", "invalid_type")]
    [InlineData("/v1/completions", """{"model":"gpt-5.5","prompt":"x","echo":"yes"}""", "echo", "invalid_json")]
    [InlineData("/v1/completions", """{"model":"gpt-5.5","prompt":"x","n":"2"}""", "n", "invalid_json")]
    public async Task Post_MalformedBody_Returns400NamingParam(string path, string body, string param, string code)
    {
        var response = await service.Client.PostAsync(path, Json.Raw(body), Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {text}");
        using var document = JsonDocument.Parse(text);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    private int UpstreamAttempts(string marker) => service.Model.Requests.Count(r => r.Body.Contains(marker, StringComparison.Ordinal));

    private static async Task<int> DrainAsync(SseReader reader)
    {
        var count = 0;
        await foreach (var _ in reader.ReadAllAsync(Ct))
        {
            count++;
        }

        return count;
    }
}
