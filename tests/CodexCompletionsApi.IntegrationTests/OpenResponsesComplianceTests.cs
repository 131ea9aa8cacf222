using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// The Open Responses compliance suite (openresponses/openresponses <c>compliance-tests.ts</c>) against the running
/// service: the six templates of its README (<c>basic-response</c>, <c>streaming-response</c>, <c>system-prompt</c>,
/// <c>tool-calling</c>, <c>image-input</c>, <c>multi-turn</c>) plus <c>tool-calling-streaming</c>,
/// <c>function-call-roundtrip</c> and <c>previous-response-id</c> of later versions. Each sends the suite's exact
/// request body (the model is one of the catalog's; a <c>SCRIPT:</c> directive makes the scripted model call the
/// tool where the template expects a call) and asserts what the suite asserts, through
/// <see cref="OpenResponsesHarness"/>: the ResponseResource schema, then the template's validators. Like the
/// suite, <see cref="AllTemplates_RunConcurrently_AllPass"/> also runs them all at once.
/// </summary>
public sealed class OpenResponsesComplianceTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private const string Model = Requests.Model;

    /// <summary>The suite's image: a 32×32 red heart on white, PNG.</summary>
    private const string HeartPng = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAABmklEQVR42tyWAaTyUBzFew/eG4AHz+MBSAHKBiJRGFKwIgQQJKLUIioBIhCAiCAAEizAQIAECaASqFFJq84nudjnaqvuPnxzgP9xfrq5938csPn7PwHTKSoViCIEAYEAMhmoKsU2mUCWEQqB5xEMIp/HaGQG2G6RSuH9HQ7H34rFrtPbdz4jl6PbwmEsl3QA1mt4vcRKk8dz9eg6IpF7tt9fzGY0gCgafFRFo5Blc5vLhf3eCOj1yNhM5GRMVK0aATxPZoz09YXjkQDmczJgquGQAPp9WwCNBgG027YACgUC6HRsAZRKBDAY2AJoNv/ZnwzA6WScznG3p4UAymXGAEkyXrTFAh8fLAGqagQAyGaZpYsi7bHTNPz8MEj//LxuFPo+UBS8vb0KaLXubrRa7aX0RMLCykwmn0z3+XA4WACcTpCkh9MFAZpmuVXo+mO/w+/HZvNgbblcUCxaSo/Hyck80Yu6XXDcvfVZr79cvMZjuN2U9O9vKAqjZrfbIZ0mV4TUi9Xqz6jddNy//7+e3n8Fhf/Llo2kxi8AQyGRoDkmAhAAAAAASUVORK5CYII=";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The directive that makes the scripted model call <c>get_weather</c> for San Francisco.</summary>
    private static string WeatherCall => ScriptDirective.ToolCalls(new ScriptedToolCall("get_weather", new JsonObject { ["location"] = "San Francisco, CA" }));

    /// <summary>The templates by id, in the suite's order.</summary>
    private static readonly (string Id, Func<HttpClient, CancellationToken, Task<TemplateResult>> Run)[] Templates =
    [
        ("basic-response", (client, ct) => SingleAsync("basic-response", client, Body(Message("user", "Say hello in exactly 3 words.")), streaming: false, HasOutputCompleted, ct)),
        ("streaming-response", (client, ct) => SingleAsync(
            "streaming-response",
            client,
            Body(Message("user", "Count from 1 to 5.")),
            streaming: true,
            (r, s) => [.. OpenResponsesHarness.StreamingEvents(s), .. OpenResponsesHarness.StreamingSchema(s), .. OpenResponsesHarness.CompletedStatus(r)],
            ct)),
        ("system-prompt", (client, ct) => SingleAsync(
            "system-prompt",
            client,
            Body(Message("system", "You are a pirate. Always respond in pirate speak."), Message("user", "Say hello.")),
            streaming: false,
            HasOutputCompleted,
            ct)),
        ("tool-calling", (client, ct) => SingleAsync(
            "tool-calling",
            client,
            WithTools(Body(Message("user", "What's the weather like in San Francisco? " + WeatherCall))),
            streaming: false,
            (r, _) => [.. OpenResponsesHarness.HasOutput(r), .. OpenResponsesHarness.HasOutputType(r, "function_call")],
            ct)),
        ("tool-calling-streaming", (client, ct) => SingleAsync(
            "tool-calling-streaming",
            client,
            WithTools(Body(Message("user", "What's the weather like in San Francisco? " + WeatherCall))),
            streaming: true,
            (_, s) => [.. OpenResponsesHarness.StreamingEvents(s), .. OpenResponsesHarness.StreamingSchema(s), .. OpenResponsesHarness.FunctionCallStreamingEvents(s)],
            ct)),
        ("function-call-roundtrip", FunctionCallRoundTripAsync),
        ("image-input", (client, ct) => SingleAsync(
            "image-input",
            client,
            Body(new JsonObject
            {
                ["type"] = "message",
                ["role"] = "user",
                ["content"] = new JsonArray(
                    new JsonObject { ["type"] = "input_text", ["text"] = "What do you see in this image? Answer in one sentence." },
                    new JsonObject { ["type"] = "input_image", ["image_url"] = HeartPng }),
            }),
            streaming: false,
            HasOutputCompleted,
            ct)),
        ("multi-turn", (client, ct) => SingleAsync(
            "multi-turn",
            client,
            Body(
                Message("user", "My name is Alice."),
                Message("assistant", "Hello Alice! Nice to meet you. How can I help you today?"),
                Message("user", "What is my name?")),
            streaming: false,
            HasOutputCompleted,
            ct)),
        ("previous-response-id", PreviousResponseIdAsync),
    ];

    public static TheoryData<string> TemplateIds => new(Templates.Select(t => t.Id));

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public async Task Template_Passes(string id)
    {
        var result = await RunAsync(id);

        AssertPassed(result);
    }

    /// <summary>The suite runs every template at once (<c>Promise.all</c>): so does this.</summary>
    [Fact]
    public async Task AllTemplates_RunConcurrently_AllPass()
    {
        var results = await Task.WhenAll(Templates.Select(t => t.Run(service.Client, Ct)));

        Assert.Equal(Templates.Length, results.Length);
        Assert.All(results, AssertPassed);
    }

    [Fact]
    public async Task BasicResponse_IsOneCompletedAssistantMessage()
    {
        var result = await RunAsync("basic-response");

        AssertPassed(result);
        var response = result.Response;
        var message = Assert.Single(response.GetProperty("output").EnumerateArray());
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("completed", message.GetProperty("status").GetString());
        var part = Assert.Single(message.GetProperty("content").EnumerateArray());
        Assert.Contains("Say hello in exactly 3 words.", part.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, response.GetProperty("completed_at").ValueKind);
        Assert.Equal(JsonValueKind.Object, response.GetProperty("usage").ValueKind);
    }

    [Fact]
    public async Task StreamingResponse_EveryEventIsInTheUnion_AndTheDeltasAddUpToTheFinalText()
    {
        var result = await RunAsync("streaming-response");

        AssertPassed(result);
        var events = result.Exchanges[0].Stream!.Events;
        Assert.Equal("response.created", events[0].Event);
        Assert.Equal("response.completed", events[^1].Event);
        Assert.All(events, e => Assert.Equal(e.Event, e.Data.GetProperty("type").GetString()));
        var deltas = string.Concat(events.Where(e => e.Event == "response.output_text.delta").Select(e => e.Data.GetProperty("delta").GetString()));
        var final = result.Response.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString();
        Assert.Equal(final, deltas);
        Assert.Contains("Count from 1 to 5.", final, StringComparison.Ordinal);

        // Each lifecycle snapshot passes the schema too (the union requires a full ResponseResource).
        Assert.All(events.Where(e => e.Data.TryGetProperty("response", out _)), e => ResponseResourceSchema.AssertValid(e.Data.GetProperty("response"), e.Event));
    }

    [Fact]
    public async Task ToolCalling_ReturnsTheFunctionCall_AndEchoesTheToolWithEveryKey()
    {
        var result = await RunAsync("tool-calling");

        AssertPassed(result);
        var call = Assert.Single(result.Response.GetProperty("output").EnumerateArray(), i => i.GetProperty("type").GetString() == "function_call");
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("""{"location":"San Francisco, CA"}""", call.GetProperty("arguments").GetString());
        Assert.False(string.IsNullOrEmpty(call.GetProperty("call_id").GetString()));
        Assert.Equal("completed", call.GetProperty("status").GetString());

        // The request left out "strict": the echoed tool still carries all five keys.
        var tool = Assert.Single(result.Response.GetProperty("tools").EnumerateArray());
        foreach (var key in new[] { "type", "name", "description", "parameters", "strict" })
        {
            Assert.True(tool.TryGetProperty(key, out _), $"the echoed tool has no '{key}': {tool.GetRawText()}");
        }
    }

    [Fact]
    public async Task ToolCallingStreaming_ArgumentsDeltasAddUpToTheDoneArguments_WhichNameTheFunction()
    {
        var result = await RunAsync("tool-calling-streaming");

        AssertPassed(result);
        var events = result.Exchanges[0].Stream!.Events;
        var deltas = string.Concat(events.Where(e => e.Event == "response.function_call_arguments.delta").Select(e => e.Data.GetProperty("delta").GetString()));
        var done = Assert.Single(events, e => e.Event == "response.function_call_arguments.done").Data;
        Assert.Equal("""{"location":"San Francisco, CA"}""", done.GetProperty("arguments").GetString());
        Assert.Equal(done.GetProperty("arguments").GetString(), deltas);

        // Not required by Open Responses, but by OpenAI's event (and its SDKs read it).
        Assert.Equal("get_weather", done.GetProperty("name").GetString());
        var call = Assert.Single(result.Response.GetProperty("output").EnumerateArray(), i => i.GetProperty("type").GetString() == "function_call");
        Assert.Equal(done.GetProperty("item_id").GetString(), call.GetProperty("id").GetString());
    }

    [Fact]
    public async Task ImageInput_ReachesTheModelAsAnInputImage()
    {
        var result = await RunAsync("image-input");

        AssertPassed(result);
        // (The concurrent run may have sent the same body before: any of them will do.)
        Assert.Contains(service.Model.Requests, r => r.Body.Contains("What do you see in this image?", StringComparison.Ordinal)
            && r.Body.Contains(HeartPng, StringComparison.Ordinal) && r.Body.Contains("\"input_image\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FunctionCallRoundTrip_TheOutputReachesTheModel_WhichAnswersWithText()
    {
        var result = await RunAsync("function-call-roundtrip");

        AssertPassed(result);
        var first = result.Exchanges[0].Response!.Value;
        Assert.Equal(first.GetProperty("id").GetString(), result.Response.GetProperty("previous_response_id").GetString());
        var message = Assert.Single(result.Response.GetProperty("output").EnumerateArray());
        Assert.Equal("Tool results: 64 degrees and clear", message.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task PreviousResponseId_TheStoredConversationReachesTheModel()
    {
        var result = await RunAsync("previous-response-id");

        AssertPassed(result);
        Assert.Equal(result.Exchanges[0].Response!.Value.GetProperty("id").GetString(), result.Response.GetProperty("previous_response_id").GetString());

        // The second turn's upstream request holds the first turn (replayed from the store) before the new question.
        Assert.Contains(service.Model.Requests, r => r.Body.Contains("What code word did I ask you to remember?", StringComparison.Ordinal)
            && r.Body.Contains("Remember this code word: papaya.", StringComparison.Ordinal));
    }

    // ---- the templates -------------------------------------------------------------------------------------------

    /// <summary>
    /// What one template run produced: the suite's errors (schema issues or validator messages) and every exchange;
    /// <see cref="Response"/> is the last (schema-valid) response.
    /// </summary>
    public sealed record TemplateResult(string Id, IReadOnlyList<string> Errors, IReadOnlyList<HarnessExchange> Exchanges)
    {
        public JsonElement Response => Exchanges[^1].Response ?? throw new InvalidOperationException($"'{Id}' has no valid final response.");
    }

    private Task<TemplateResult> RunAsync(string id) => Templates.Single(t => t.Id == id).Run(service.Client, Ct);

    private static void AssertPassed(TemplateResult result)
        => Assert.True(result.Errors.Count == 0, OpenResponsesHarness.Describe(result.Id, result.Errors, result.Exchanges));

    private static IEnumerable<string> HasOutputCompleted(JsonElement response, HarnessStream? stream)
        => [.. OpenResponsesHarness.HasOutput(response), .. OpenResponsesHarness.CompletedStatus(response)];

    /// <summary><c>runSingleRequestTest</c>: one request; the validators run only when the schema passed.</summary>
    private static async Task<TemplateResult> SingleAsync(string id, HttpClient client, JsonObject body, bool streaming, Func<JsonElement, HarnessStream?, IEnumerable<string>> validators, CancellationToken ct)
    {
        var exchange = await OpenResponsesHarness.PostAsync(client, body, streaming, ct);
        return exchange.Response is { } response
            ? new TemplateResult(id, [.. validators(response, exchange.Stream)], [exchange])
            : new TemplateResult(id, exchange.Errors, [exchange]);
    }

    /// <summary><c>runFunctionCallRoundTripTest</c>: a forced call, then its output with <c>previous_response_id</c>.</summary>
    private static async Task<TemplateResult> FunctionCallRoundTripAsync(HttpClient client, CancellationToken ct)
    {
        const string Id = "function-call-roundtrip";
        var firstBody = new JsonObject
        {
            ["model"] = Model,
            ["input"] = "Use the weather tool to get the temperature in San Francisco. " + WeatherCall,
            ["tools"] = new JsonArray(WeatherTool()),
            ["tool_choice"] = new JsonObject { ["type"] = "function", ["name"] = "get_weather" },
        };
        var first = await OpenResponsesHarness.PostAsync(client, firstBody, streaming: false, ct);
        if (first.Response is not { } firstResponse)
        {
            return new TemplateResult(Id, first.Errors, [first]);
        }

        var call = firstResponse.GetProperty("output").EnumerateArray().FirstOrDefault(i => i.GetProperty("type").GetString() == "function_call");
        if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("call_id", out var callId))
        {
            return new TemplateResult(Id, ["First response did not include a function_call with call_id"], [first]);
        }

        var secondBody = new JsonObject
        {
            ["model"] = Model,
            ["previous_response_id"] = firstResponse.GetProperty("id").GetString(),
            ["input"] = new JsonArray(new JsonObject { ["type"] = "function_call_output", ["call_id"] = callId.GetString(), ["output"] = "64 degrees and clear" }),
        };
        var second = await OpenResponsesHarness.PostAsync(client, secondBody, streaming: false, ct);
        return second.Response is { } response
            ? new TemplateResult(Id, [.. HasOutputCompleted(response, null)], [first, second])
            : new TemplateResult(Id, second.Errors, [first, second]);
    }

    /// <summary><c>runPreviousResponseIdTest</c>: string input, then a second turn that continues the stored first.</summary>
    private static async Task<TemplateResult> PreviousResponseIdAsync(HttpClient client, CancellationToken ct)
    {
        const string Id = "previous-response-id";
        var first = await OpenResponsesHarness.PostAsync(client, new JsonObject { ["model"] = Model, ["input"] = "Remember this code word: papaya. Reply with only OK." }, streaming: false, ct);
        if (first.Response is not { } firstResponse)
        {
            return new TemplateResult(Id, first.Errors, [first]);
        }

        var secondBody = new JsonObject
        {
            ["model"] = Model,
            ["previous_response_id"] = firstResponse.GetProperty("id").GetString(),
            ["input"] = "What code word did I ask you to remember?",
        };
        var second = await OpenResponsesHarness.PostAsync(client, secondBody, streaming: false, ct);
        return second.Response is { } response
            ? new TemplateResult(Id, [.. HasOutputCompleted(response, null)], [first, second])
            : new TemplateResult(Id, second.Errors, [first, second]);
    }

    private static JsonObject Body(params JsonObject[] input) => new() { ["model"] = Model, ["input"] = new JsonArray([.. input]) };

    private static JsonObject Message(string role, string content) => new() { ["type"] = "message", ["role"] = role, ["content"] = content };

    private static JsonObject WithTools(JsonObject body)
    {
        body["tools"] = new JsonArray(WeatherTool());
        return body;
    }

    /// <summary>The suite's <c>get_weather</c> tool (no <c>strict</c>).</summary>
    private static JsonObject WeatherTool() => (JsonObject)JsonNode.Parse("""
        {"type":"function","name":"get_weather","description":"Get the current weather for a location",
         "parameters":{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"}},"required":["location"]}}
        """)!;
}
