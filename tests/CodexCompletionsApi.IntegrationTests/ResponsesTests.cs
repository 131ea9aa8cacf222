using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// <c>/v1/responses</c> over HTTP with the real Codex worker: what the SDK tests do not reach — failures in and
/// before the stream, the output modes, several messages per turn, the stored-response endpoints' edges,
/// <c>store: false</c>, validation, and a client or a worker going away mid-stream. Every streamed body passes the
/// Responses wire-invariant checker.
/// </summary>
public sealed class ResponsesTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MultiMessageTurn_EachMessageIsItsOwnItem(bool stream)
    {
        var body = Requests.Responses($"Two {Requests.Marker()} " + ScriptDirective.MultiMessage("first", "second"), stream);

        var output = await OutputAsync(body, stream);

        Assert.Equal(["first", "second"], output.EnumerateArray().Select(i => i.GetProperty("content")[0].GetProperty("text").GetString()));
        Assert.All(output.EnumerateArray(), i => Assert.Equal("message", i.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task Stream_UpstreamFailsAfterOutput_ResponseFailedWithErrorAndIncompleteMessage()
    {
        var response = await service.Client.PostResponsesAsync(Requests.Responses($"Fail {Requests.Marker()} " + ScriptDirective.Failed("server_error", "boom", text: "partial answer"), stream: true), Ct);

        var stream = await response.ReadResponsesStreamAsync(Ct);

        Assert.Equal("response.failed", stream.TerminalType);
        Assert.Equal("upstream_error", stream.Error!.Value.GetProperty("code").GetString());
        Assert.Equal("partial answer", stream.Text);
        Assert.Equal("incomplete", stream.Messages.Single().Status);
        Assert.DoesNotContain("[DONE]", stream.Sse.Raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UpstreamRateLimitBeforeOutput_IsAnHttp429(bool stream)
    {
        var response = await service.Client.PostResponsesAsync(Requests.Responses($"Busy {Requests.Marker()} " + ScriptDirective.HttpError(429), stream), Ct);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rate_limit_exceeded", (await Json.ReadAsync(response, Ct)).GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("1", response.Headers.RetryAfter?.ToString()); // no "try again in" hint from the upstream: the default
    }

    [Fact]
    public async Task FailedNonStreamingResponse_IsNotStored()
    {
        var marker = Requests.Marker();
        var response = await service.Client.PostResponsesAsync(Requests.Responses($"Fail {marker} " + ScriptDirective.Failed("server_error", "boom", text: "partial"), stream: false), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("upstream_error", (await Json.ReadAsync(response, Ct)).GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ObsidianXmlHeader_AddsTheCanonicalBlockToTheMessage(bool stream)
    {
        var body = Requests.Responses($"Weather {Requests.Marker()} " + ScriptDirective.ToolCalls(new ScriptedToolCall("get_weather", new JsonObject { ["city"] = "Paris" })), stream);
        body["tools"] = new JsonArray(Tool("get_weather", "city"));

        var output = await OutputAsync(body, stream, ("x-proxy-output-mode", "obsidian-xml"));

        var items = output.EnumerateArray().ToList();
        Assert.Equal(["message", "function_call"], items.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("<use_tool>\n<name>get_weather</name>\n<city>Paris</city>\n</use_tool>", items[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("""{"city":"Paris"}""", items[1].GetProperty("arguments").GetString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task DefaultMode_CallsAreOnlyFunctionCallItems(bool stream)
    {
        var body = Requests.Responses($"Weather {Requests.Marker()} " + ScriptDirective.ToolCalls(new ScriptedToolCall("get_weather", new JsonObject { ["city"] = "Paris" }), new ScriptedToolCall("get_weather", new JsonObject { ["city"] = "Rome" })), stream);
        body["tools"] = new JsonArray(Tool("get_weather", "city"));

        var output = await OutputAsync(body, stream);

        Assert.Equal(["""{"city":"Paris"}""", """{"city":"Rome"}"""], output.EnumerateArray().Select(i => i.GetProperty("arguments").GetString()));
        Assert.All(output.EnumerateArray(), i => Assert.Equal("function_call", i.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task ParallelToolCallsFalse_ReturnsOneCall()
    {
        var body = Requests.Responses($"Weather {Requests.Marker()} " + ScriptDirective.ToolCalls(new ScriptedToolCall("get_weather", new JsonObject { ["city"] = "Paris" }), new ScriptedToolCall("get_weather", new JsonObject { ["city"] = "Rome" })));
        body["tools"] = new JsonArray(Tool("get_weather", "city"));
        body["parallel_tool_calls"] = false;

        var output = await OutputAsync(body, stream: false);

        Assert.Equal("""{"city":"Paris"}""", Assert.Single(output.EnumerateArray()).GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task StoreFalse_IsNotRetrievableAndCannotBeContinued()
    {
        var body = Requests.Responses($"Hi {Requests.Marker()} " + ScriptDirective.Text("Hello."));
        body["store"] = false;
        var created = await (await service.Client.PostResponsesAsync(body, Ct)).ReadOkJsonAsync(Ct);
        var id = created.GetProperty("id").GetString()!;
        Assert.False(created.GetProperty("store").GetBoolean());

        var get = await service.Client.GetAsync($"/v1/responses/{id}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        var next = Requests.Responses("Again");
        next["previous_response_id"] = id;
        var continued = await service.Client.PostResponsesAsync(next, Ct);
        Assert.Equal(HttpStatusCode.NotFound, continued.StatusCode);
        Assert.Equal("previous_response_not_found", (await Json.ReadAsync(continued, Ct)).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task GetStoredResponse_IsTheStreamsFinalResponse()
    {
        var streamed = await (await service.Client.PostResponsesAsync(Requests.Responses($"Hi {Requests.Marker()} " + ScriptDirective.Text("Hello there.", deltas: 3), stream: true), Ct)).ReadResponsesStreamAsync(Ct);

        var stored = await (await service.Client.GetAsync($"/v1/responses/{streamed.Id}", Ct)).ReadOkJsonAsync(Ct);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(streamed.Response.GetRawText()), JsonNode.Parse(stored.GetRawText())));
        Assert.Equal("completed", stored.GetProperty("status").GetString());
    }

    [Fact]
    public async Task InputItems_PagesInBothOrdersWithAfterAndBefore()
    {
        var body = new JsonObject
        {
            ["model"] = Requests.Model,
            ["input"] = new JsonArray(
                new JsonObject { ["role"] = "developer", ["content"] = "Be brief." },
                new JsonObject { ["type"] = "message", ["id"] = "msg_client_given", ["role"] = "user", ["content"] = "Earlier question" },
                new JsonObject { ["role"] = "assistant", ["content"] = "Earlier answer" },
                new JsonObject { ["role"] = "user", ["content"] = $"Now {Requests.Marker()} " + ScriptDirective.Text("ok") }),
        };
        var id = (await (await service.Client.PostResponsesAsync(body, Ct)).ReadOkJsonAsync(Ct)).GetProperty("id").GetString()!;

        var all = await ListAsync($"/v1/responses/{id}/input_items?order=asc");
        var ids = all.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
        Assert.Equal(4, ids.Count);
        Assert.Equal("msg_client_given", ids[1]);
        Assert.Equal(["developer", "user", "assistant", "user"], all.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("role").GetString()));
        Assert.Equal("output_text", all.GetProperty("data")[2].GetProperty("content")[0].GetProperty("type").GetString());
        Assert.False(all.GetProperty("has_more").GetBoolean());

        var descending = await ListAsync($"/v1/responses/{id}/input_items?limit=2");
        Assert.Equal([ids[3], ids[2]], descending.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        Assert.True(descending.GetProperty("has_more").GetBoolean());
        Assert.Equal(ids[2], descending.GetProperty("last_id").GetString());

        var after = await ListAsync($"/v1/responses/{id}/input_items?order=asc&after={ids[1]}");
        Assert.Equal([ids[2], ids[3]], after.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()));
        var before = await ListAsync($"/v1/responses/{id}/input_items?order=asc&before={ids[2]}");
        Assert.Equal([ids[0], ids[1]], before.GetProperty("data").EnumerateArray().Select(i => i.GetProperty("id").GetString()));

        var badLimit = await service.Client.GetAsync($"/v1/responses/{id}/input_items?limit=0", Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
        Assert.Equal("limit", (await Json.ReadAsync(badLimit, Ct)).GetProperty("error").GetProperty("param").GetString());
        var unknown = await service.Client.GetAsync("/v1/responses/resp_unknown/input_items", Ct);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Delete_Unknown_Is404WithTheErrorEnvelope()
    {
        var response = await service.Client.DeleteAsync("/v1/responses/resp_nothing_here", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = (await Json.ReadAsync(response, Ct)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains("resp_nothing_here", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"gpt-5.5"}""", "input", "missing_required_parameter")]
    [InlineData("""{"model":"gpt-5.5","input":[{"type":"item_reference","id":"x"}]}""", "input[0].type", "invalid_value")]
    [InlineData("""{"model":"gpt-5.5","input":"x","tools":[{"type":"web_search"}]}""", "tools[0].type", "invalid_value")]
    [InlineData("""{"model":"gpt-5.5","input":"x","background":true}""", "background", "unsupported_value")]
    [InlineData("""{"model":"gpt-5.5","input":"x","conversation":"conv_1"}""", "conversation", "unknown_parameter")]
    [InlineData("""{"model":"gpt-5.5","input":"x","metadata":{"k":1}}""", "metadata.k", "invalid_type")]
    [InlineData("""{"model":"gpt-5.5","input":"x","max_output_tokens":"ten"}""", "max_output_tokens", "invalid_json")]
    [InlineData("""{"model":"gpt-5.5","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}""", "input[0].content[0].type", "invalid_value")]
    public async Task InvalidRequest_Is400NamingTheParam(string body, string param, string code)
    {
        var response = await service.Client.PostJsonAsync("/v1/responses", JsonNode.Parse(body)!.AsObject(), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await Json.ReadAsync(response, Ct)).GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task UnreachableFields_AreReportedInTheHeaderAndEchoed()
    {
        var body = Requests.Responses($"Hi {Requests.Marker()} " + ScriptDirective.Text("ok"));
        body["temperature"] = 0.2;
        body["top_p"] = 0.5;
        body["user"] = "u-1";

        var response = await service.Client.PostResponsesAsync(body, Ct);

        var json = await response.ReadOkJsonAsync(Ct);
        Assert.Equal("temperature,top_p,user", string.Join(",", response.Headers.GetValues("x-proxy-ignored-params")));
        Assert.Equal(0.2, json.GetProperty("temperature").GetDouble());
        Assert.Equal("u-1", json.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Stream_ClientLeavesMidStream_TurnIsInterrupted()
    {
        var marker = Requests.Marker();
        using var client = service.CreateClient(checkWireInvariants: false);
        using var response = await client.PostJsonAsync("/v1/responses", Requests.Responses($"Slow {marker} " + ScriptDirective.Stall(afterDeltas: 1, text: "first words then nothing"), stream: true), Ct, HttpCompletionOption.ResponseHeadersRead);
        using (var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct)))
        {
            await reader.ReadUntilAsync(e => e.Name == "response.output_text.delta", Ct).WaitAsync(Wait, Ct);
        }

        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);
        response.Dispose();

        Assert.Equal(RequestOutcome.ClientAborted, (await service.Model.WaitForOutcomeAsync(upstream.Sequence, Wait, Ct)).Outcome);
    }

    [Fact]
    public async Task Stream_WorkerKilledMidStream_ResponseFailedWorkerUnavailable()
    {
        var marker = Requests.Marker();
        var pid = service.Supervisor.Status.Pid!.Value;
        using var client = service.CreateClient(checkWireInvariants: false);
        using var response = await client.PostJsonAsync("/v1/responses", Requests.Responses($"Slow {marker} " + ScriptDirective.Stall(afterDeltas: 1, text: "first words then nothing"), stream: true), Ct, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        await reader.ReadUntilAsync(e => e.Name == "response.output_text.delta", Ct).WaitAsync(Wait, Ct);

        using (var worker = Process.GetProcessById(pid))
        {
            worker.Kill();
        }

        while (await reader.ReadAsync(Ct).WaitAsync(Wait, Ct) is not null)
        {
        }

        var stream = ResponsesWireInvariants.Check(new SseStream(reader.Events, [], "(read incrementally)"));
        Assert.Equal("response.failed", stream.TerminalType);
        Assert.Equal("worker_unavailable", stream.Error!.Value.GetProperty("code").GetString());
        await Requests.UntilAsync(() => service.Supervisor.Status is { State: WorkerState.Ready, Pid: { } p } && p != pid, TimeSpan.FromSeconds(20), "a new worker is ready", Ct);
    }

    private async Task<JsonElement> OutputAsync(JsonObject body, bool stream, params (string Name, string Value)[] headers)
    {
        var response = await service.Client.PostResponsesAsync(body, Ct, headers);
        if (!stream)
        {
            return (await response.ReadOkJsonAsync(Ct)).GetProperty("output");
        }

        var checkedStream = await response.ReadResponsesStreamAsync(Ct);
        return checkedStream.Response.GetProperty("output");
    }

    private async Task<JsonElement> ListAsync(string path) => await (await service.Client.GetAsync(path, Ct)).ReadOkJsonAsync(Ct);

    private static JsonObject Tool(string name, string parameter)
        => new()
        {
            ["type"] = "function",
            ["name"] = name,
            ["parameters"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { [parameter] = new JsonObject { ["type"] = "string" } },
                ["required"] = new JsonArray(parameter),
            },
        };
}
