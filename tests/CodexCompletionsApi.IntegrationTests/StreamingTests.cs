using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using CodexCompletionsApi.Translation;
using Microsoft.AspNetCore.Hosting;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>The streaming fixture: keep-alive comments every 100 ms of silence, so slow streams show them.</summary>
public sealed class StreamingFixture : ServiceFixture
{
    public static readonly TimeSpan KeepAlive = TimeSpan.FromMilliseconds(100);

    protected override void ConfigureService(IWebHostBuilder builder)
        => builder.UseSetting("Api:SseKeepAlive", KeepAlive.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// Streaming chat and legacy completions end to end through the real Codex worker. Every streamed response is
/// also checked against the wire contract by the fixture client's <see cref="WireInvariantHandler"/>.
/// </summary>
public sealed class StreamingTests(StreamingFixture service) : IClassFixture<StreamingFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stream_TextReply_RoleChunkDeltasFinishAndDoneMatchNonStreamedText()
    {
        const string text = "The quick brown fox jumps over the lazy dog.";
        var directive = ScriptDirective.Text(text, deltas: 6);

        var streamed = await (await service.Client.PostChatAsync(Requests.Chat("Hi " + directive, stream: true), Ct)).ReadChatStreamAsync(Ct);
        var plain = await (await service.Client.PostChatAsync(Requests.Chat("Hi " + directive), Ct)).ReadOkJsonAsync(Ct);

        Assert.True(streamed.Done);
        Assert.Null(streamed.Error);
        Assert.Equal(Requests.Model, streamed.Model);
        var choice = Assert.Single(streamed.Choices).Value;
        Assert.True(choice.HasRole);
        Assert.Equal(text, choice.Content);
        Assert.Equal(6, choice.ContentChunks); // each upstream delta is forwarded as it comes, none merged or held back
        Assert.Equal("stop", choice.FinishReason);
        var first = streamed.Chunks[0].GetProperty("choices")[0].GetProperty("delta");
        Assert.Equal("assistant", first.GetProperty("role").GetString());
        Assert.Equal(string.Empty, first.TryGetProperty("content", out var c) ? c.GetString() : string.Empty);
        var last = streamed.Chunks[^1].GetProperty("choices")[0];
        Assert.Equal("stop", last.GetProperty("finish_reason").GetString());
        Assert.Null(streamed.Usage);

        var message = plain.GetProperty("choices")[0];
        Assert.Equal(choice.Content, message.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("stop", message.GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task Stream_IncludeUsage_FinalChunkCarriesExactUsage()
    {
        var marker = Requests.Marker();

        var streamed = await (await service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Text("one two three four five", deltas: 5), stream: true, includeUsage: true), Ct)).ReadChatStreamAsync(Ct);

        Assert.True(streamed.Done);
        Assert.All(streamed.Chunks.SkipLast(1), chunk => Assert.Equal(JsonValueKind.Null, chunk.GetProperty("usage").ValueKind));
        Assert.Empty(streamed.Chunks[^1].GetProperty("choices").EnumerateArray());
        var usage = streamed.Usage!.Value;
        var request = Assert.Single(service.Model.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
        var prompt = Requests.ScriptedPromptTokens(request);
        Assert.Equal(prompt, usage.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(5, usage.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(prompt + 5, usage.GetProperty("total_tokens").GetInt64());
        Assert.Equal(0, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64());
        Assert.Equal(0, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64());
    }

    [Fact]
    public async Task Stream_TwoChoices_EachIndexHasItsOwnRoleFinishAndSameContent()
    {
        var marker = Requests.Marker();
        var body = Requests.Chat(marker + " " + ScriptDirective.Text("Twin answer here.", deltas: 4), stream: true, includeUsage: true);
        body["n"] = 2;

        var streamed = await (await service.Client.PostChatAsync(body, Ct)).ReadChatStreamAsync(Ct);

        Assert.Equal([0, 1], streamed.Choices.Keys);
        Assert.All(streamed.Choices.Values, choice =>
        {
            Assert.True(choice.HasRole);
            Assert.Equal("Twin answer here.", choice.Content);
            Assert.Equal("stop", choice.FinishReason);
        });

        // Each choice is its own upstream request; usage counts both.
        var requests = service.Model.Requests.Where(r => r.Body.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, requests.Count);
        var usage = streamed.Usage!.Value;
        Assert.Equal(requests.Sum(Requests.ScriptedPromptTokens), usage.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(8, usage.GetProperty("completion_tokens").GetInt64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Post_StopSequenceSplitAcrossDeltas_CutsBeforeStopAndAbortsUpstream(bool stream)
    {
        var marker = Requests.Marker();
        const string text = "The answer is 42. END of the useful part; everything after the stop sequence must never reach the client at all.";
        var body = Requests.Chat(marker + " " + ScriptDirective.Text(text, deltas: text.Length, delayMs: 25), stream);
        body["stop"] = new JsonArray("END", "never-present");

        var response = await service.Client.PostChatAsync(body, Ct);

        var (content, finish) = await ContentAsync(response, stream);
        Assert.Equal("The answer is 42. ", content);
        Assert.Equal("stop", finish);

        // The service interrupted the turn at the stop sequence; Codex then dropped the upstream request
        // long before its remaining ~2.3 s of deltas were sent.
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);
        var outcome = await service.Model.WaitForOutcomeAsync(upstream.Sequence, TimeSpan.FromSeconds(2), Ct);
        Assert.Equal(RequestOutcome.ClientAborted, outcome.Outcome);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Post_MaxTokens_FinishReasonLengthAndContentWithinLimit(bool stream)
    {
        const int maxTokens = 10;
        var text = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"word{i}")) + ".";
        var body = Requests.Chat(ScriptDirective.Text(text, deltas: 20), stream, includeUsage: stream);
        body["max_tokens"] = maxTokens;

        var response = await service.Client.PostChatAsync(body, Ct);

        var (content, finish) = await ContentAsync(response, stream);
        Assert.Equal("length", finish);
        Assert.StartsWith(content, text, StringComparison.Ordinal);
        Assert.InRange(OutputLimiter.CountTokens(content), maxTokens - 1, maxTokens);
    }

    [Fact]
    public async Task Stream_MaxTokensWithUsage_CompletionTokensWithinLimit()
    {
        const int maxTokens = 6;
        var text = string.Join(' ', Enumerable.Range(1, 30).Select(i => $"item{i}"));
        var body = Requests.Chat(ScriptDirective.Text(text, deltas: 15), stream: true, includeUsage: true);
        body["max_completion_tokens"] = maxTokens;

        var streamed = await (await service.Client.PostChatAsync(body, Ct)).ReadChatStreamAsync(Ct);

        Assert.Equal("length", streamed[0].FinishReason);
        Assert.InRange(streamed.Usage!.Value.GetProperty("completion_tokens").GetInt64(), 1, maxTokens);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("drop")]
    [InlineData("reasoning_content")]
    [InlineData("think-tags")]
    public async Task Post_ReasoningOutputMode_ShapesReasoningTheSameStreamedAndNot(string? mode)
    {
        var directive = ScriptDirective.Reasoning(["Plan the reply", "Check the facts"], "Final answer.");
        var headers = mode is null ? [] : new[] { (ReasoningOutputs.Header, mode) };

        var streamed = await (await service.Client.PostChatAsync(Requests.Chat(directive, stream: true), Ct, headers)).ReadChatStreamAsync(Ct);
        var plain = (await (await service.Client.PostChatAsync(Requests.Chat(directive), Ct, headers)).ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message");

        var plainContent = plain.GetProperty("content").GetString();
        var plainReasoning = plain.TryGetProperty("reasoning_content", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        Assert.Equal(plainContent, streamed[0].Content);
        Assert.Equal(plainReasoning ?? string.Empty, streamed[0].ReasoningContent);
        const string reasoning = "Plan the reply\n\nCheck the facts";
        switch (mode)
        {
            case "reasoning_content":
                Assert.Equal("Final answer.", plainContent);
                Assert.Equal(reasoning, plainReasoning);
                break;
            case "think-tags":
                Assert.Equal("<think>" + reasoning + "</think>Final answer.", plainContent);
                Assert.Null(plainReasoning);
                break;
            default:
                Assert.Equal("Final answer.", plainContent);
                Assert.Null(plainReasoning);
                break;
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Post_MultiMessageTurn_MessagesJoinedByBlankLine(bool stream)
    {
        var response = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.MultiMessage("First message.", "Second one.", "Third."), stream), Ct);

        var (content, finish) = await ContentAsync(response, stream);
        Assert.Equal("First message.\n\nSecond one.\n\nThird.", content);
        Assert.Equal("stop", finish);
    }

    [Fact]
    public async Task Stream_SlowModel_SendsKeepAliveCommentsBetweenDeltas()
    {
        var streamed = await (await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("slow but steady", deltas: 3, delayMs: 450), stream: true), Ct)).ReadChatStreamAsync(Ct);

        Assert.Equal("slow but steady", streamed[0].Content);
        Assert.True(streamed.Comments >= 2, $"expected keep-alive comments in two 450 ms gaps with a {StreamingFixture.KeepAlive.TotalMilliseconds} ms interval, got {streamed.Comments}");
        Assert.All(streamed.Sse.Comments, comment => Assert.Equal("keepalive", comment.Text));
    }

    [Fact]
    public async Task Completions_NonStreamed_ReturnsTextCompletion()
    {
        var response = await service.Client.PostJsonAsync("/v1/completions", Requests.Completion("Say it " + ScriptDirective.Text("Legacy reply.", deltas: 3)), Ct);

        var body = await response.ReadOkJsonAsync(Ct);
        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(Requests.Model, body.GetProperty("model").GetString());
        var choice = Assert.Single(body.GetProperty("choices").EnumerateArray());
        Assert.Equal("Legacy reply.", choice.GetProperty("text").GetString());
        Assert.Equal(0, choice.GetProperty("index").GetInt32());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.Equal(3, body.GetProperty("usage").GetProperty("completion_tokens").GetInt64());
    }

    [Fact]
    public async Task Completions_Streamed_TextCompletionChunksConcatenateToReply()
    {
        var body = Requests.Completion("Say it " + ScriptDirective.Text("Streamed legacy reply.", deltas: 4), stream: true);
        body["stream_options"] = new JsonObject { ["include_usage"] = true };

        var streamed = await (await service.Client.PostJsonAsync("/v1/completions", body, Ct)).ReadTextStreamAsync(Ct);

        Assert.True(streamed.Done);
        Assert.Equal("Streamed legacy reply.", streamed[0].Content);
        Assert.Equal(4, streamed[0].ContentChunks);
        Assert.Equal("stop", streamed[0].FinishReason);
        Assert.Equal(4, streamed.Usage!.Value.GetProperty("completion_tokens").GetInt64());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Completions_EchoTrue_OutputStartsWithPrompt(bool stream)
    {
        var prompt = "Echo me " + ScriptDirective.Text("and the reply.", deltas: 2);
        var body = Requests.Completion(prompt, stream);
        body["echo"] = true;

        var response = await service.Client.PostJsonAsync("/v1/completions", body, Ct);

        if (stream)
        {
            var streamed = await response.ReadTextStreamAsync(Ct);
            Assert.Equal(prompt + "and the reply.", streamed[0].Content);
            Assert.Equal(prompt, streamed[0].ContentFragments[0]);
        }
        else
        {
            var text = (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("text").GetString();
            Assert.Equal(prompt + "and the reply.", text);
        }
    }

    [Fact]
    public async Task Completions_PromptArray_JoinedIntoOneUserMessage()
    {
        var marker = Requests.Marker();
        var prompt = new JsonArray(marker + " first line", "second line " + ScriptDirective.Text("joined", deltas: 1));

        var response = await service.Client.PostJsonAsync("/v1/completions", Requests.Completion(prompt), Ct);

        Assert.Equal("joined", (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("text").GetString());
        var request = Assert.Single(service.Model.Requests, r => r.Body.Contains(marker, StringComparison.Ordinal));
        var user = request.Json!.Value.GetProperty("input").EnumerateArray().Single(i => i.GetProperty("role").GetString() == "user");
        var texts = user.GetProperty("content").EnumerateArray().Select(p => p.GetProperty("text").GetString()).ToList();
        Assert.Equal(marker + " first line\nsecond line " + ScriptDirective.Text("joined", deltas: 1), Assert.Single(texts));
    }

    /// <summary>Content and finish reason of choice 0, from a stream or a JSON body.</summary>
    private static async Task<(string Content, string? Finish)> ContentAsync(HttpResponseMessage response, bool stream)
    {
        if (stream)
        {
            var streamed = await response.ReadChatStreamAsync(Ct);
            Assert.True(streamed.Done, "the stream should end with [DONE]");
            return (streamed[0].Content, streamed[0].FinishReason);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var choice = (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0];
        return (choice.GetProperty("message").GetProperty("content").GetString()!, choice.GetProperty("finish_reason").GetString());
    }
}
