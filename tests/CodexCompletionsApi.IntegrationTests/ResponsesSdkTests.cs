#pragma warning disable OPENAI001 // the SDK marks its Responses client as experimental
using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using OpenAI;
using OpenAI.Responses;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// The official OpenAI .NET SDK's Responses client against the service, the real Codex worker and the scripted
/// model: its own serialization and parsing, streaming and not, a function-call round trip through
/// <c>function_call_output</c>, structured output, reasoning, <c>previous_response_id</c> and the stored-response
/// endpoints. Every streamed body also passes the Responses wire-invariant checker of the fixture's client.
/// </summary>
public sealed class ResponsesSdkTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private const string Model = "gpt-5.5";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CreateResponse_Text_CompletedWithExactUsage()
    {
        var marker = NewMarker();
        var client = CreateClient();

        var result = (await client.CreateResponseAsync(Model, $"Capital? {marker} " + ScriptDirective.Text("Paris is the capital of France.", deltas: 3), cancellationToken: Ct)).Value;

        Assert.StartsWith("resp_", result.Id, StringComparison.Ordinal);
        Assert.Equal(ResponseStatus.Completed, result.Status);
        Assert.Equal(Model, result.Model);
        Assert.Equal("Paris is the capital of France.", result.GetOutputText());
        var message = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(result.OutputItems));
        Assert.StartsWith("msg_", message.Id, StringComparison.Ordinal);
        Assert.Equal(MessageRole.Assistant, message.Role);
        Assert.InRange(result.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        var upstream = await UpstreamAsync(marker);
        Assert.Equal(Requests.ScriptedPromptTokens(upstream), result.Usage.InputTokenCount);
        Assert.Equal(3, result.Usage.OutputTokenCount);
        Assert.Equal(Requests.ScriptedPromptTokens(upstream) + 3, result.Usage.TotalTokenCount);
        Assert.Equal(0, result.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(0, result.Usage.OutputTokenDetails.ReasoningTokenCount);
    }

    [Fact]
    public async Task CreateResponseStreaming_DeltasAddUpToTheCompletedResponse()
    {
        const string Text = "Streaming works: one, two, three — done.";
        var client = CreateClient();
        var updates = new List<StreamingResponseUpdate>();

        await using (var stream = await client.CreateResponseStreamingAsync(Model, $"Go {NewMarker()} " + ScriptDirective.Text(Text, deltas: 5), cancellationToken: Ct))
        {
            await foreach (var update in stream)
            {
                updates.Add(update);
            }
        }

        Assert.IsType<StreamingResponseCreatedUpdate>(updates[0]);
        Assert.IsType<StreamingResponseInProgressUpdate>(updates[1]);
        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]);
        Assert.Equal(Enumerable.Range(0, updates.Count), updates.Select(u => u.SequenceNumber));
        var deltas = updates.OfType<StreamingResponseOutputTextDeltaUpdate>().Select(d => d.Delta).ToList();
        Assert.Equal(5, deltas.Count);
        Assert.Equal(Text, string.Concat(deltas));
        Assert.Equal(Text, completed.Response.GetOutputText());
        Assert.Equal(ResponseStatus.Completed, completed.Response.Status);
        Assert.Equal(5, completed.Response.Usage.OutputTokenCount);
        Assert.Equal(((StreamingResponseCreatedUpdate)updates[0]).Response.Id, completed.Response.Id);
        Assert.Equal(Text, updates.OfType<StreamingResponseOutputTextDoneUpdate>().Single().Text);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FunctionCall_RoundTripThroughFunctionCallOutput(bool streaming)
    {
        var marker = NewMarker();
        var client = CreateClient();
        var tool = ResponseTool.CreateFunctionTool(
            "get_weather",
            BinaryData.FromString("""{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}"""),
            strictModeEnabled: false,
            functionDescription: "Get the current weather for a location");
        var directive = ScriptDirective.ToolCalls([new ScriptedToolCall("get_weather", new JsonObject { ["location"] = "San Francisco, CA" })], afterToolText: "It is 64 degrees and clear.");
        var options = new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem($"Weather in SF? {marker} {directive}")]);
        options.Tools.Add(tool);

        var first = await CreateAsync(client, options, streaming);

        var call = Assert.IsType<FunctionCallResponseItem>(Assert.Single(first.OutputItems));
        Assert.Equal("get_weather", call.FunctionName);
        Assert.Equal("""{"location":"San Francisco, CA"}""", call.FunctionArguments.ToString());
        Assert.StartsWith("fc_", call.Id, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal(ResponseStatus.Completed, first.Status);

        var followUp = new CreateResponseOptions(Model, [ResponseItem.CreateFunctionCallOutputItem(call.CallId, "64 degrees and clear")]) { PreviousResponseId = first.Id };
        followUp.Tools.Add(tool);
        var second = await CreateAsync(client, followUp, streaming);

        Assert.Equal("It is 64 degrees and clear.", second.GetOutputText());
        Assert.Equal(first.Id, second.PreviousResponseId);

        // The model saw the whole conversation, in order: the question, its call, the tool's output.
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal) && r.Body.Contains("function_call_output", StringComparison.Ordinal), Wait, Ct);
        var items = upstream.Json!.Value.GetProperty("input").EnumerateArray().ToList();
        var calls = items.Where(i => i.GetProperty("type").GetString() == "function_call").ToList();
        var outputs = items.Where(i => i.GetProperty("type").GetString() == "function_call_output").ToList();
        Assert.Equal(call.CallId, Assert.Single(calls).GetProperty("call_id").GetString());
        Assert.Equal("""{"location":"San Francisco, CA"}""", calls[0].GetProperty("arguments").GetString());
        Assert.Equal(call.CallId, Assert.Single(outputs).GetProperty("call_id").GetString());
        Assert.True(items.IndexOf(calls[0]) < items.IndexOf(outputs[0]));
    }

    [Fact]
    public async Task PreviousResponseId_ReplaysTheStoredConversation()
    {
        var client = CreateClient();
        var marker = NewMarker();

        var first = (await client.CreateResponseAsync(Model, $"My name is Alice. {marker} " + ScriptDirective.Text("Hello Alice!"), cancellationToken: Ct)).Value;
        var secondMarker = NewMarker();
        var second = (await client.CreateResponseAsync(Model, $"What is my name? {secondMarker} " + ScriptDirective.Text("Alice."), previousResponseId: first.Id, cancellationToken: Ct)).Value;

        Assert.Equal("Alice.", second.GetOutputText());
        var upstream = await UpstreamAsync(secondMarker);
        var messages = upstream.Json!.Value.GetProperty("input").EnumerateArray()
            .Where(i => i.GetProperty("type").GetString() == "message")
            .Select(i => (Role: i.GetProperty("role").GetString(), Text: string.Concat(i.GetProperty("content").EnumerateArray().Select(p => p.GetProperty("text").GetString()))))
            .ToList();
        Assert.Equal(3, messages.Count);
        Assert.Equal(("user", $"My name is Alice. {marker} " + ScriptDirective.Text("Hello Alice!")), messages[0]);
        Assert.Equal(("assistant", "Hello Alice!"), messages[1]);
        Assert.Equal("user", messages[2].Role);
        Assert.StartsWith("What is my name?", messages[2].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StructuredOutput_JsonSchemaReachesTheModelAsStrictFormat()
    {
        const string Schema = """{"type":"object","properties":{"city":{"type":"string"},"population":{"type":"integer"}},"required":["city","population"],"additionalProperties":false}""";
        var marker = NewMarker();
        var client = CreateClient();
        var options = new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem($"City? {marker} " + ScriptDirective.Text("""{"city":"Paris","population":2102650}""", deltas: 4))])
        {
            TextOptions = new ResponseTextOptions { TextFormat = ResponseTextFormat.CreateJsonSchemaFormat("city_info", BinaryData.FromString(Schema), jsonSchemaIsStrict: true) },
        };

        var result = (await client.CreateResponseAsync(options, Ct)).Value;

        using var answer = JsonDocument.Parse(result.GetOutputText());
        Assert.Equal("Paris", answer.RootElement.GetProperty("city").GetString());
        Assert.Equal(ResponseTextFormatKind.JsonSchema, result.TextOptions.TextFormat.Kind);
        var upstream = await UpstreamAsync(marker);
        var format = upstream.Json!.Value.GetProperty("text").GetProperty("format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.True(format.GetProperty("strict").GetBoolean());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Schema), JsonNode.Parse(format.GetProperty("schema").GetRawText())));
    }

    [Fact]
    public async Task ReasoningSummary_StreamsAReasoningItemBeforeTheMessage()
    {
        var marker = NewMarker();
        var client = CreateClient();
        var options = new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem($"Think {marker} " + ScriptDirective.Reasoning(["**Plan**", "Check the facts"], text: "Answer: 42", deltas: 2))])
        {
            ReasoningOptions = new ResponseReasoningOptions { ReasoningSummaryVerbosity = ResponseReasoningSummaryVerbosity.Auto },
            StreamingEnabled = true,
        };
        var updates = new List<StreamingResponseUpdate>();

        await using (var stream = await client.CreateResponseStreamingAsync(options, Ct))
        {
            await foreach (var update in stream)
            {
                updates.Add(update);
            }
        }

        var completed = Assert.IsType<StreamingResponseCompletedUpdate>(updates[^1]).Response;
        Assert.Equal(2, completed.OutputItems.Count);
        var reasoning = Assert.IsType<ReasoningResponseItem>(completed.OutputItems[0]);
        Assert.Equal("**Plan**Check the facts", reasoning.GetSummaryText());
        Assert.Equal(2, reasoning.SummaryParts.Count);
        Assert.Equal("Answer: 42", completed.GetOutputText());
        Assert.Equal(4, completed.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal(["**Plan**", "Check the facts"], updates.OfType<StreamingResponseReasoningSummaryTextDoneUpdate>().Select(u => u.Text));
        var upstream = await UpstreamAsync(marker);
        Assert.Equal("auto", upstream.Json!.Value.GetProperty("reasoning").GetProperty("summary").GetString());
    }

    [Fact]
    public async Task MaxOutputTokens_EndsIncomplete()
    {
        var client = CreateClient();
        var options = new CreateResponseOptions(Model, [ResponseItem.CreateUserMessageItem($"Long {NewMarker()} " + ScriptDirective.Text("one two three four five six seven eight nine ten eleven twelve", deltas: 12))])
        {
            MaxOutputTokenCount = 3,
        };

        var result = (await client.CreateResponseAsync(options, Ct)).Value;

        Assert.Equal(ResponseStatus.Incomplete, result.Status);
        Assert.Equal(ResponseIncompleteStatusReason.MaxOutputTokens, result.IncompleteStatusDetails.Reason);
        Assert.Equal(3, result.Usage.OutputTokenCount);
        Assert.Equal("one two three", result.GetOutputText());
        var message = Assert.IsAssignableFrom<MessageResponseItem>(Assert.Single(result.OutputItems));
        Assert.Equal(MessageStatus.Incomplete, message.Status);
    }

    [Fact]
    public async Task StoredResponse_GetListInputItemsAndDelete()
    {
        var client = CreateClient();
        var created = (await client.CreateResponseAsync(
            new CreateResponseOptions(Model, [ResponseItem.CreateSystemMessageItem("Be brief."), ResponseItem.CreateUserMessageItem($"Hi {NewMarker()} " + ScriptDirective.Text("Hello."))]) { Metadata = { ["ticket"] = "T-1" } },
            Ct)).Value;

        var fetched = (await client.GetResponseAsync(created.Id, Ct)).Value;
        Assert.Equal(created.Id, fetched.Id);
        Assert.Equal("Hello.", fetched.GetOutputText());
        Assert.Equal("T-1", fetched.Metadata["ticket"]);

        var items = new List<ResponseItem>();
        await foreach (var item in client.GetResponseInputItemsAsync(new ResponseItemCollectionOptions(created.Id) { PageSizeLimit = 1, Order = ResponseItemCollectionOrder.Ascending }, Ct))
        {
            items.Add(item);
        }

        Assert.Equal(2, items.Count); // two pages of one, followed through has_more / after
        Assert.Equal(MessageRole.System, Assert.IsAssignableFrom<MessageResponseItem>(items[0]).Role);
        Assert.Equal(MessageRole.User, Assert.IsAssignableFrom<MessageResponseItem>(items[1]).Role);

        var deleted = (await client.DeleteResponseAsync(created.Id, Ct)).Value;
        Assert.True(deleted.Deleted);
        Assert.Equal(created.Id, deleted.ResponseId);
        var missing = await Assert.ThrowsAsync<ClientResultException>(() => client.GetResponseAsync(created.Id, Ct));
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task PreviousResponseId_Unknown_Is404PreviousResponseNotFound()
    {
        var client = CreateClient();

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CreateResponseAsync(Model, "Hi", previousResponseId: "resp_doesnotexist", cancellationToken: Ct));

        Assert.Equal(404, error.Status);
        using var body = JsonDocument.Parse(error.GetRawResponse()!.Content);
        Assert.Equal("previous_response_not_found", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("previous_response_id", body.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    private static async Task<ResponseResult> CreateAsync(ResponsesClient client, CreateResponseOptions options, bool streaming)
    {
        if (!streaming)
        {
            return (await client.CreateResponseAsync(options, Ct)).Value;
        }

        options.StreamingEnabled = true;
        ResponseResult? final = null;
        await using var stream = await client.CreateResponseStreamingAsync(options, Ct);
        await foreach (var update in stream)
        {
            if (update is StreamingResponseCompletedUpdate completed)
            {
                final = completed.Response;
            }
        }

        return final ?? throw new InvalidOperationException("The stream ended without response.completed.");
    }

    private ResponsesClient CreateClient()
    {
        var http = service.Client;
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        return new OpenAIClient(new ApiKeyCredential(ServiceFixture.ApiKey), options).GetResponsesClient();
    }

    private static string NewMarker() => "m" + Guid.NewGuid().ToString("N")[..12];

    private Task<RecordedRequest> UpstreamAsync(string marker)
        => service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);
}
