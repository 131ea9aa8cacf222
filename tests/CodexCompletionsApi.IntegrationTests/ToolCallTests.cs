using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// Client tools end to end with the real CLI: the model's calls end the response with
/// <c>finish_reason: "tool_calls"</c>, streamed and not, and the client's results continue the
/// conversation from a fresh thread. Every streamed response is also checked by the wire-invariant
/// handler (tool-call delta rules).
/// </summary>
public sealed class ToolCallTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonArray Tools() =>
    [
        new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject
            {
                ["name"] = "lookup",
                ["description"] = "Look something up",
                ["parameters"] = JsonNode.Parse("""{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}},"required":["q"]}"""),
            },
        },
        new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = "weather", ["parameters"] = JsonNode.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""") },
        },
    ];

    private static JsonObject Body(string user, bool stream = false, Action<JsonObject>? tweak = null)
    {
        var body = Requests.Chat(user, stream);
        body["tools"] = Tools();
        tweak?.Invoke(body);
        return body;
    }

    /// <summary>Arguments with multi-byte text, so fragment boundaries are exercised.</summary>
    private static ScriptedToolCall[] Calls(int count)
        => [.. Enumerable.Range(0, count).Select(i => new ScriptedToolCall(i % 2 == 0 ? "lookup" : "weather",
            i % 2 == 0 ? new JsonObject { ["q"] = $"préfecture {i} 東京 🚀", ["n"] = i } : new JsonObject { ["city"] = $"Zürich {i}" }))];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Post_ParallelCalls_AllReturnedTogetherWithFinishToolCalls(int count)
    {
        var marker = Requests.Marker();
        var directive = ScriptDirective.ToolCalls(Calls(count), text: null, afterToolText: null, argumentsDeltas: 3);

        var response = await service.Client.PostChatAsync(Body($"{marker} {directive}"), Ct, ("x-proxy-output-mode", "openai-json"));

        var choice = (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0];
        Assert.Equal("tool_calls", choice.GetProperty("finish_reason").GetString());
        var message = choice.GetProperty("message");
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        var calls = message.GetProperty("tool_calls").EnumerateArray().ToList();
        Assert.Equal(count, calls.Count);
        var upstream = Assert.Single(service.Model.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
        var expected = Calls(count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal("function", calls[i].GetProperty("type").GetString());
            Assert.Equal(expected[i].Name, calls[i].GetProperty("function").GetProperty("name").GetString());
            var arguments = calls[i].GetProperty("function").GetProperty("arguments").GetString()!;
            Assert.True(JsonNode.DeepEquals(expected[i].Arguments, JsonNode.Parse(arguments)), arguments);
            Assert.StartsWith("call_", calls[i].GetProperty("id").GetString());
        }

        // The tools reached the model as plain functions with their schemas.
        var tools = upstream.Json!.Value.GetProperty("tools").EnumerateArray().ToList();
        Assert.Equal(["lookup", "weather"], tools.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("object", tools[0].GetProperty("parameters").GetProperty("type").GetString());

        // No turn is left waiting on a tool answer: the thread was released.
        var connection = service.Supervisor.CurrentConnection!;
        await Requests.UntilAsync(() => connection.SubscribedThreads == 0, Wait, "thread released", Ct);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(5)]
    public async Task Stream_ParallelCalls_ArgumentsConcatenateToNonStreamed(int count)
    {
        var directive = ScriptDirective.ToolCalls(Calls(count), text: null, afterToolText: null, argumentsDeltas: 4);

        var plain = (await (await service.Client.PostChatAsync(Body($"{Requests.Marker()} {directive}"), Ct, ("x-proxy-output-mode", "openai-json"))).ReadOkJsonAsync(Ct))
            .GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls").EnumerateArray().ToList();
        var streamed = await (await service.Client.PostChatAsync(Body($"{Requests.Marker()} {directive}", stream: true), Ct, ("x-proxy-output-mode", "openai-json"))).ReadChatStreamAsync(Ct);

        Assert.True(streamed.Done);
        Assert.Equal("tool_calls", streamed[0].FinishReason);
        Assert.Equal(string.Empty, streamed[0].Content);
        var calls = streamed[0].ToolCalls;
        Assert.Equal(count, calls.Count);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(plain[i].GetProperty("function").GetProperty("name").GetString(), calls[i].Name);
            Assert.Equal(plain[i].GetProperty("function").GetProperty("arguments").GetString(), calls[i].Arguments);
        }
    }

    [Fact]
    public async Task Post_ObsidianXmlMode_ContentCarriesCanonicalBlocksAndToolCalls()
    {
        var directive = ScriptDirective.ToolCalls([new ScriptedToolCall("lookup", new JsonObject { ["n"] = 2, ["q"] = "a <b> & c" })]);

        var message = (await (await service.Client.PostChatAsync(Body($"{Requests.Marker()} {directive}"), Ct)).ReadOkJsonAsync(Ct))
            .GetProperty("choices")[0].GetProperty("message");

        Assert.Equal("<use_tool>\n<name>lookup</name>\n<q>a &lt;b&gt; &amp; c</q>\n<n>2</n>\n</use_tool>", message.GetProperty("content").GetString());
        Assert.Single(message.GetProperty("tool_calls").EnumerateArray());
    }

    [Fact]
    public async Task Post_ToolResultsInHistory_ModelContinuesFromToolOutput()
    {
        var marker = Requests.Marker();
        var body = Body($"{marker} weather? " + ScriptDirective.ToolCalls([new ScriptedToolCall("weather", new JsonObject { ["city"] = "Paris" })]));
        var messages = body["messages"]!.AsArray();
        messages.Add(new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = null,
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = "call_client_1",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "weather", ["arguments"] = """{"city":"Paris"}""" },
            }),
        });
        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_client_1", ["content"] = "21C sunny" });

        var choice = (await (await service.Client.PostChatAsync(body, Ct)).ReadOkJsonAsync(Ct)).GetProperty("choices")[0];

        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal("Tool results: 21C sunny", choice.GetProperty("message").GetProperty("content").GetString());
        var input = Assert.Single(service.Model.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal)).Json!.Value.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal("function_call", input[^2].GetProperty("type").GetString());
        Assert.Equal("call_client_1", input[^2].GetProperty("call_id").GetString());
        Assert.Equal("function_call_output", input[^1].GetProperty("type").GetString());
        Assert.Equal("21C sunny", input[^1].GetProperty("output").GetString());
    }

    [Fact]
    public async Task Post_ToolChoiceNone_NoToolsReachModel()
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Body($"{marker} " + ScriptDirective.Text("plain"), tweak: b => b["tool_choice"] = "none"), Ct);

        Assert.Equal("plain", (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var upstream = Assert.Single(service.Model.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
        Assert.Equal(0, upstream.Json!.Value.GetProperty("tools").GetArrayLength());
    }

    [Fact]
    public async Task Post_NamedToolChoice_OnlyThatToolOfferedAndReported()
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(
            Body($"{marker} " + ScriptDirective.ToolCalls([new ScriptedToolCall("weather", new JsonObject { ["city"] = "Oslo" })]),
                tweak: b => b["tool_choice"] = JsonNode.Parse("""{"type":"function","function":{"name":"weather"}}""")),
            Ct);

        Assert.Equal("tool_calls", (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Contains("tool_choice", response.Headers.GetValues("x-proxy-ignored-params").Single(), StringComparison.Ordinal);
        var tools = Assert.Single(service.Model.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal)).Json!.Value.GetProperty("tools");
        Assert.Equal("weather", Assert.Single(tools.EnumerateArray()).GetProperty("name").GetString());
    }

    [Fact]
    public async Task Post_ParallelToolCallsFalse_OnlyFirstCallReturned()
    {
        var response = await service.Client.PostChatAsync(Body($"{Requests.Marker()} " + ScriptDirective.ToolCalls(Calls(3)), tweak: b => b["parallel_tool_calls"] = false), Ct, ("x-proxy-output-mode", "openai-json"));

        var calls = (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls");
        Assert.Equal("lookup", Assert.Single(calls.EnumerateArray()).GetProperty("function").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Post_LegacyFunctions_ReturnsFunctionCall()
    {
        var body = Requests.Chat($"{Requests.Marker()} " + ScriptDirective.ToolCalls([new ScriptedToolCall("lookup", new JsonObject { ["q"] = "x" })]));
        body["functions"] = JsonNode.Parse("""[{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"}}}}]""");

        var choice = (await (await service.Client.PostChatAsync(body, Ct, ("x-proxy-output-mode", "openai-json"))).ReadOkJsonAsync(Ct)).GetProperty("choices")[0];

        Assert.Equal("function_call", choice.GetProperty("finish_reason").GetString());
        var call = choice.GetProperty("message").GetProperty("function_call");
        Assert.Equal("lookup", call.GetProperty("name").GetString());
        Assert.Equal("x", JsonNode.Parse(call.GetProperty("arguments").GetString()!)!["q"]!.GetValue<string>());
        Assert.False(choice.GetProperty("message").TryGetProperty("tool_calls", out _));
    }

    private const string TextualReply = "Searching. <use_tool>\n<name>localSearch</name>\n<query>caf\u00e9 &amp; t\u00e9 \u6771\u4eac</query>\n<salientTerms>[\"a\",\"b\"]</salientTerms>\n</use_tool> tail that is dropped";

    [Fact]
    public async Task TextualBlock_ChunkedInManyDeltas_EmittedOnceAsCanonicalBlockAndToolCall_StreamAndNonStreamAgree()
    {
        var directive = ScriptDirective.Text(TextualReply, deltas: 60);

        var plain = (await (await service.Client.PostChatAsync(Requests.Chat($"{Requests.Marker()} {directive}"), Ct)).ReadOkJsonAsync(Ct)).GetProperty("choices")[0];
        var streamed = await (await service.Client.PostChatAsync(Requests.Chat($"{Requests.Marker()} {directive}", stream: true), Ct)).ReadChatStreamAsync(Ct);

        const string canonical = "<use_tool>\n<name>localSearch</name>\n<query>caf\u00e9 &amp; t\u00e9 \u6771\u4eac</query>\n<salientTerms>[\"a\",\"b\"]</salientTerms>\n</use_tool>";
        Assert.Equal("tool_calls", plain.GetProperty("finish_reason").GetString());
        Assert.Equal("Searching. \n\n" + canonical, plain.GetProperty("message").GetProperty("content").GetString());
        var call = Assert.Single(plain.GetProperty("message").GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("localSearch", call.GetProperty("function").GetProperty("name").GetString());
        var arguments = JsonNode.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!)!;
        Assert.Equal("caf\u00e9 & t\u00e9 \u6771\u4eac", arguments["query"]!.GetValue<string>());
        Assert.Equal(2, arguments["salientTerms"]!.AsArray().Count);

        Assert.Equal("tool_calls", streamed[0].FinishReason);
        Assert.Equal(plain.GetProperty("message").GetProperty("content").GetString(), streamed[0].Content);
        Assert.Single(streamed[0].ContentFragments, f => f.Contains("<use_tool>", StringComparison.Ordinal)); // the block is sent exactly once, whole
        Assert.Equal(call.GetProperty("function").GetProperty("arguments").GetString(), Assert.Single(streamed[0].ToolCalls).Arguments);
    }

    [Fact]
    public async Task TextualBlock_Malformed_PassedOnVerbatimAndStreamDoesNotStall()
    {
        const string text = "Before <use_tool>\n<query>no name</query>\n</use_tool> after";

        var streamed = await (await service.Client.PostChatAsync(Requests.Chat($"{Requests.Marker()} " + ScriptDirective.Text(text, deltas: 12), stream: true), Ct)).ReadChatStreamAsync(Ct);

        Assert.Equal("stop", streamed[0].FinishReason);
        Assert.Equal(text, streamed[0].Content);
        Assert.Empty(streamed[0].ToolCalls);
    }

    [Fact]
    public async Task TextualBlock_OpenAIJsonMode_IsPlainText()
    {
        var response = await service.Client.PostChatAsync(Requests.Chat($"{Requests.Marker()} " + ScriptDirective.Text(TextualReply, deltas: 5)), Ct, ("x-proxy-output-mode", "openai-json"));

        var choice = (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0];
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(TextualReply, choice.GetProperty("message").GetProperty("content").GetString());
    }

    [Theory]
    [InlineData("""[{"type":"retrieval"}]""", "tools[0].type")]
    [InlineData("""[{"type":"function","function":{"name":"bad name"}}]""", "tools[0].function.name")]
    [InlineData("""[{"type":"function","function":{"name":"a","parameters":"x"}}]""", "tools[0].function.parameters")]
    public async Task Post_InvalidTools_Returns400NamingParam(string tools, string param)
    {
        var body = Requests.Chat("hi");
        body["tools"] = JsonNode.Parse(tools);

        var response = await service.Client.PostChatAsync(body, Ct);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(param, (await Json.ReadAsync(response, Ct)).GetProperty("error").GetProperty("param").GetString());
    }
}
