using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using OpenAI;
using OpenAI.Chat;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// The official OpenAI .NET SDK (2.x) as a real client of the service: every request goes through the SDK's own
/// serialization, pipeline (retries included) and response parsing, over the in-memory test server and the
/// fixture's handlers, to the real Codex worker and the scripted model.
/// </summary>
public sealed class SdkClientTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private const string Model = "gpt-5.5";

    /// <summary>A 2×2 red PNG.</summary>
    private const string PngBase64 = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR42mP4z8AARAwQCgAf7gP9Y167WwAAAABJRU5ErkJggg==";

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CompleteChat_TextReply_ContentStopAndExactUsage()
    {
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();

        var result = await client.CompleteChatAsync([new UserChatMessage($"Capital? {marker} " + ScriptDirective.Text("Paris is the capital of France.", deltas: 3))], cancellationToken: deadline.Token);

        var completion = result.Value;
        Assert.Equal(200, result.GetRawResponse().Status);
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
        Assert.Equal(Model, completion.Model);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal("Paris is the capital of France.", Assert.Single(completion.Content).Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.InRange(completion.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        var upstream = await UpstreamAsync(marker);
        var expectedInput = InputTokens(upstream);
        Assert.Equal(expectedInput, completion.Usage.InputTokenCount);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
        Assert.Equal(expectedInput + 3, completion.Usage.TotalTokenCount);
        Assert.Equal(0, completion.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(0, completion.Usage.OutputTokenDetails.ReasoningTokenCount);
    }

    [Fact]
    public async Task CompleteChat_ReasoningReply_ReportsReasoningTokenCount()
    {
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();

        // Two summary parts and raw reasoning, two deltas each: 6 reasoning deltas; the answer adds 2 more.
        var directive = ScriptDirective.Reasoning(["**Plan**", "Check the facts"], text: "Answer: 42", reasoningText: "raw thoughts", deltas: 2);
        var completion = (await client.CompleteChatAsync([new UserChatMessage($"Think {marker} {directive}")], cancellationToken: deadline.Token)).Value;

        Assert.Equal("Answer: 42", Assert.Single(completion.Content).Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(6, completion.Usage.OutputTokenDetails.ReasoningTokenCount);
        Assert.Equal(8, completion.Usage.OutputTokenCount);
        var upstream = await UpstreamAsync(marker);
        Assert.Equal(InputTokens(upstream) + 8, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task CompleteChatStreaming_ConcatenatedUpdatesEqualNonStreamedContent_FinalUpdateHasUsage()
    {
        const string Text = "Streaming works: one, two, three — done.";
        var requests = new RequestLog();
        var client = CreateClient(requests);
        var streamMarker = NewMarker();
        using var deadline = Deadline();

        var nonStreamed = (await client.CompleteChatAsync([new UserChatMessage($"A {NewMarker()} " + ScriptDirective.Text(Text, deltas: 5))], cancellationToken: deadline.Token)).Value;
        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage($"A {streamMarker} " + ScriptDirective.Text(Text, deltas: 5))], cancellationToken: deadline.Token))
        {
            updates.Add(update);
        }

        // The SDK asks for usage on its own: stream_options.include_usage is set for every streaming call.
        var sent = JsonNode.Parse(requests.Bodies[^1])!;
        Assert.True(sent["stream"]!.GetValue<bool>());
        Assert.True(sent["stream_options"]!["include_usage"]!.GetValue<bool>());

        var streamedText = string.Concat(updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text));
        Assert.Equal(Assert.Single(nonStreamed.Content).Text, streamedText);
        Assert.Equal(Text, streamedText);
        Assert.Single(updates, u => u.Role == ChatMessageRole.Assistant);
        Assert.Equal(ChatFinishReason.Stop, Assert.Single(updates, u => u.FinishReason is not null).FinishReason);
        Assert.All(updates, u => Assert.Equal(updates[0].CompletionId, u.CompletionId));
        Assert.StartsWith("chatcmpl-", updates[0].CompletionId, StringComparison.Ordinal);

        // Usage arrives on the last update only (the choices:[] chunk), exactly as the scripted model counted it.
        var last = updates[^1];
        Assert.NotNull(last.Usage);
        Assert.All(updates.Take(updates.Count - 1), u => Assert.Null(u.Usage));
        var upstream = await UpstreamAsync(streamMarker);
        Assert.Equal(InputTokens(upstream), last.Usage.InputTokenCount);
        Assert.Equal(5, last.Usage.OutputTokenCount);
        Assert.Equal(InputTokens(upstream) + 5, last.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task CompleteChat_SystemPromptAndHistory_ReachTheModelInOrder()
    {
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();
        ChatMessage[] messages =
        [
            new SystemChatMessage($"You are terse. {marker}"),
            new UserChatMessage("What is the capital of France?"),
            new AssistantChatMessage("Paris."),
            new UserChatMessage("And of Italy? " + ScriptDirective.Text("Rome.")),
        ];

        var completion = (await client.CompleteChatAsync(messages, cancellationToken: deadline.Token)).Value;

        Assert.Equal("Rome.", Assert.Single(completion.Content).Text);
        var upstream = await UpstreamAsync(marker);
        var items = upstream.Json!.Value.GetProperty("input").EnumerateArray().Select(Describe).ToList();
        Assert.Equal(
            [
                $"developer/input_text:You are terse. {marker}",
                "user/input_text:What is the capital of France?",
                "assistant/output_text:Paris.",
                "user/input_text:And of Italy? " + ScriptDirective.Text("Rome."),
            ],
            items);
    }

    [Fact]
    public async Task CompleteChat_NTwo_ThroughProtocolMethod_ReturnsBothChoices()
    {
        // ChatCompletionOptions.N is internal in the 2.x SDK, so n goes through the SDK's protocol method (raw JSON,
        // same pipeline); the SDK's own model then parses the response (it exposes the first choice only).
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();
        var body = new JsonObject
        {
            ["model"] = Model,
            ["n"] = 2,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = $"Twice {marker} " + ScriptDirective.Text("Same answer.", deltas: 2) }),
        };

        var result = await client.CompleteChatAsync(BinaryContent.Create(BinaryData.FromString(body.ToJsonString())), new RequestOptions { CancellationToken = deadline.Token });

        using var raw = JsonDocument.Parse(result.GetRawResponse().Content);
        var choices = raw.RootElement.GetProperty("choices").EnumerateArray().ToList();
        Assert.Equal([0, 1], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices, c => Assert.Equal("Same answer.", c.GetProperty("message").GetProperty("content").GetString()));
        Assert.All(choices, c => Assert.Equal("stop", c.GetProperty("finish_reason").GetString()));

        var parsed = ModelReaderWriter.Read<ChatCompletion>(result.GetRawResponse().Content, ModelReaderWriterOptions.Json)!;
        Assert.Equal("Same answer.", Assert.Single(parsed.Content).Text);

        // Each choice is its own upstream turn; usage adds both up.
        var upstream = service.Model.Requests.Where(r => r.Body.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, upstream.Count);
        Assert.Equal(upstream.Sum(InputTokens), parsed.Usage.InputTokenCount);
        Assert.Equal(4, parsed.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChat_JsonSchemaFormat_SchemaReachesUpstreamAndContentParses()
    {
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();
        const string Schema = """{"type":"object","properties":{"city":{"type":"string"},"population":{"type":"integer"}},"required":["city","population"],"additionalProperties":false}""";
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("city_info", BinaryData.FromString(Schema), jsonSchemaIsStrict: true),
        };
        var directive = ScriptDirective.Text("""{"city":"Paris","population":2102650}""", deltas: 4);

        var completion = (await client.CompleteChatAsync([new UserChatMessage($"City? {marker} {directive}")], options, deadline.Token)).Value;

        using var content = JsonDocument.Parse(Assert.Single(completion.Content).Text);
        Assert.Equal("Paris", content.RootElement.GetProperty("city").GetString());
        Assert.Equal(2102650, content.RootElement.GetProperty("population").GetInt32());

        var format = JsonNode.Parse((await UpstreamAsync(marker)).Body)!["text"]!["format"]!;
        Assert.Equal("json_schema", format["type"]!.GetValue<string>());
        Assert.True(format["strict"]!.GetValue<bool>());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Schema), format["schema"]), $"upstream schema: {format["schema"]?.ToJsonString()}");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CompleteChat_SchemaStrictModeCannotTake_ClientResultException400(bool strict)
    {
        // Codex sends every output schema with strict:true, so the service refuses such a schema up front, whatever
        // the request's 'strict' says (with strict:false OpenAI itself would accept it: a documented deviation).
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();
        const string Schema = """{"type":"object","properties":{"city":{"type":"string"}}}""";
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("city_info", BinaryData.FromString(Schema), jsonSchemaIsStrict: strict),
        };

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage($"City? {marker} " + ScriptDirective.Text("{}"))], options, deadline.Token));

        Assert.Equal(400, error.Status);
        var body = ErrorOf(error);
        Assert.Equal("invalid_json_schema", body.GetProperty("code").GetString());
        Assert.Equal("response_format.json_schema.schema", body.GetProperty("param").GetString());
        Assert.Contains("additionalProperties", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(service.Model.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task CompleteChat_ImageDataUrl_ReachesUpstreamAsInputImage()
    {
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();
        var png = BinaryData.FromBytes(Convert.FromBase64String(PngBase64));
        var message = new UserChatMessage(
            ChatMessageContentPart.CreateTextPart($"What colour? {marker} " + ScriptDirective.Text("Red.")),
            ChatMessageContentPart.CreateImagePart(png, "image/png"));

        var completion = (await client.CompleteChatAsync([message], cancellationToken: deadline.Token)).Value;

        Assert.Equal("Red.", Assert.Single(completion.Content).Text);
        var user = (await UpstreamAsync(marker)).Json!.Value.GetProperty("input").EnumerateArray().Last(i => i.GetProperty("role").GetString() == "user");
        var parts = user.GetProperty("content").EnumerateArray().ToList();
        Assert.Contains(parts, p => p.GetProperty("type").GetString() == "input_text" && p.GetProperty("text").GetString()!.Contains(marker, StringComparison.Ordinal));
        var image = Assert.Single(parts, p => p.GetProperty("type").GetString() == "input_image");
        Assert.Equal("data:image/png;base64," + PngBase64, image.GetProperty("image_url").GetString());
    }

    [Theory]
    [InlineData("high", "high", false)]
    [InlineData("auto", "auto", false)]
    [InlineData("low", "auto", true)] // Codex 0.169.0 replaces 'low' images with a text placeholder
    public async Task CompleteChat_ImageDetail_ReachesUpstreamOrIsReported(string detail, string upstreamDetail, bool reported)
    {
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();
        var message = new UserChatMessage(
            ChatMessageContentPart.CreateTextPart($"What colour? {marker} " + ScriptDirective.Text("Red.")),
            ChatMessageContentPart.CreateImagePart(BinaryData.FromBytes(Convert.FromBase64String(PngBase64)), "image/png", new ChatImageDetailLevel(detail)));

        var result = await client.CompleteChatAsync([message], cancellationToken: deadline.Token);

        var user = (await UpstreamAsync(marker)).Json!.Value.GetProperty("input").EnumerateArray().Last(i => i.GetProperty("role").GetString() == "user");
        var image = Assert.Single(user.GetProperty("content").EnumerateArray(), p => p.GetProperty("type").GetString() == "input_image");
        Assert.Equal(upstreamDetail, image.GetProperty("detail").GetString());
        result.GetRawResponse().Headers.TryGetValue("x-proxy-ignored-params", out var ignored);
        Assert.Equal(reported, (ignored ?? string.Empty).Contains("image_url.detail", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CompleteChat_UpstreamRateLimit_ClientResultException429AfterSdkRetries()
    {
        // The SDK's default pipeline retries a 429 three times; the service does not retry rate limits itself (that
        // would multiply the attempts), so one SDK call reaches the upstream model 1 + 3 times.
        var marker = NewMarker();
        var tries = new RequestLog();
        var client = CreateClient(tries);
        using var deadline = Deadline(TimeSpan.FromSeconds(60));

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage($"Busy? {marker} " + ScriptDirective.HttpError(429))], cancellationToken: deadline.Token));

        Assert.Equal(429, error.Status);
        var body = ErrorOf(error);
        Assert.Equal("rate_limit_exceeded", body.GetProperty("code").GetString());
        Assert.Equal("rate_limit_error", body.GetProperty("type").GetString());
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter), "429 without Retry-After");
        Assert.True(int.TryParse(retryAfter, out var seconds) && seconds >= 1, $"Retry-After: {retryAfter}");
        Assert.Equal(4, tries.Bodies.Count);
        Assert.Equal(4, service.Model.Requests.Count(r => r.Body.Contains(marker, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task CompleteChat_MaxOutputTokenCount_FinishReasonLength()
    {
        var marker = NewMarker();
        var requests = new RequestLog();
        var client = CreateClient(requests);
        using var deadline = Deadline();
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 3 };

        var completion = (await client.CompleteChatAsync([new UserChatMessage($"Count {marker} " + ScriptDirective.Text("one two three four five six seven eight", deltas: 8))], options, deadline.Token)).Value;

        Assert.Equal(3, JsonNode.Parse(requests.Bodies[^1])!["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal("one two three", Assert.Single(completion.Content).Text);
        Assert.Equal(3, completion.Usage.OutputTokenCount);
        Assert.Equal(completion.Usage.InputTokenCount + 3, completion.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task CompleteChat_StopSequences_ContentCutBeforeStop()
    {
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();
        var options = new ChatCompletionOptions { StopSequences = { "END", "###" } };

        var completion = (await client.CompleteChatAsync([new UserChatMessage($"Go {marker} " + ScriptDirective.Text("alpha beta ### gamma END", deltas: 6))], options, deadline.Token)).Value;

        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal("alpha beta ", Assert.Single(completion.Content).Text);
    }

    [Fact]
    public async Task CompleteChat_ReasoningEffortLevel_ReachesUpstream()
    {
        var marker = NewMarker();
        var client = CreateClient();
        using var deadline = Deadline();
#pragma warning disable OPENAI001 // reasoning_effort is marked "for evaluation purposes" in the 2.x SDK; it is what clients send.
        var options = new ChatCompletionOptions { ReasoningEffortLevel = ChatReasoningEffortLevel.High };
#pragma warning restore OPENAI001

        var completion = (await client.CompleteChatAsync([new UserChatMessage($"Think hard {marker} " + ScriptDirective.Text("ok"))], options, deadline.Token)).Value;

        Assert.Equal("ok", Assert.Single(completion.Content).Text);
        Assert.Equal("high", JsonNode.Parse((await UpstreamAsync(marker)).Body)!["reasoning"]!["effort"]!.GetValue<string>());
    }

    [Fact]
    public async Task CompleteChatStreaming_CancelledMidStream_UpstreamRequestIsAborted()
    {
        // The fixture's client buffers a stream to check it; acting mid-stream needs one that does not.
        var marker = NewMarker();
        using var http = service.CreateClient(checkWireInvariants: false);
        var client = CreateClient(http: http);
        using var deadline = Deadline();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var received = new StringBuilder();

        // The model sends one delta, then nothing until the caller leaves: the client gives up after reading it.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage($"Slow {marker} " + ScriptDirective.Stall(afterDeltas: 1, text: "first words"))], cancellationToken: cancel.Token))
            {
                foreach (var part in update.ContentUpdate)
                {
                    received.Append(part.Text);
                }

                if (received.Length > 0)
                {
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal("first words", received.ToString());
        var upstream = await UpstreamAsync(marker);
        var done = await service.Model.WaitForOutcomeAsync(upstream.Sequence, Wait, Ct);
        Assert.Equal(RequestOutcome.ClientAborted, done.Outcome);
    }

    /// <summary>An SDK client over <paramref name="http"/>, by default the fixture's (which checks every stream).</summary>
    private ChatClient CreateClient(RequestLog? requests = null, HttpClient? http = null)
    {
        http ??= service.Client;
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(http.BaseAddress!, "/v1"),
            Transport = new HttpClientPipelineTransport(http),
        };
        if (requests is not null)
        {
            options.AddPolicy(requests, PipelinePosition.PerTry);
        }

        return new ChatClient(Model, new ApiKeyCredential(ServiceFixture.ApiKey), options);
    }

    private static string NewMarker() => "m" + Guid.NewGuid().ToString("N")[..12];

    private static CancellationTokenSource Deadline(TimeSpan? timeout = null)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(30));
        return deadline;
    }

    private Task<RecordedRequest> UpstreamAsync(string marker)
        => service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);

    /// <summary>The scripted model's prompt count: ceil(UTF-8 bytes of the <c>input</c> JSON as sent / 4).</summary>
    private static int InputTokens(RecordedRequest request)
        => (Encoding.UTF8.GetByteCount(request.Json!.Value.GetProperty("input").GetRawText()) + 3) / 4;

    private static JsonElement ErrorOf(ClientResultException error)
    {
        using var document = JsonDocument.Parse(error.GetRawResponse()!.Content);
        return document.RootElement.GetProperty("error").Clone();
    }

    /// <summary><c>role/partType:text</c> of a Responses message item (one part).</summary>
    private static string Describe(JsonElement item)
    {
        var part = Assert.Single(item.GetProperty("content").EnumerateArray());
        return $"{item.GetProperty("role").GetString()}/{part.GetProperty("type").GetString()}:{part.GetProperty("text").GetString()}";
    }

    /// <summary>Records the body of every request the SDK sends (once per try, so retries count).</summary>
    private sealed class RequestLog : PipelinePolicy
    {
        private readonly ConcurrentQueue<string> _bodies = new();

        public IReadOnlyList<string> Bodies => [.. _bodies];

        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Record(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Record(message);
            await ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void Record(PipelineMessage message)
        {
            using var buffer = new MemoryStream();
            message.Request.Content?.WriteTo(buffer, message.CancellationToken);
            _bodies.Enqueue(Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }
}
