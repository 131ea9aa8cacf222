using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class TextReplyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Text_WithDeltas_StreamsOrderedContiguousEventsWhoseDeltasMatchTheDoneText()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Text("The quick brown fox jumps", deltas: 3));

        Assert.Equal(
            [
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.content_part.added",
                "response.output_text.delta",
                "response.output_text.delta",
                "response.output_text.delta",
                "response.output_text.done",
                "response.content_part.done",
                "response.output_item.done",
                "response.completed",
            ],
            sse.Types);
        sse.AssertSequenceContiguous();
        Assert.Null(sse.Error);
        Assert.Equal("The quick brown fox jumps", sse.Deltas());
        Assert.Equal("The quick brown fox jumps", sse.Single("response.output_text.done").Str("text"));
        var completed = sse.Response();
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal("test-model", completed.GetProperty("model").GetString());
        var message = Assert.Single(completed.GetProperty("output").EnumerateArray().ToList());
        Assert.Equal("message", message.GetProperty("type").GetString());
        Assert.Equal("assistant", message.GetProperty("role").GetString());
        Assert.Equal("The quick brown fox jumps", message.GetProperty("content")[0].GetProperty("text").GetString());
        var created = sse.Single("response.created").Data.GetProperty("response");
        Assert.StartsWith("resp_", created.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(created.GetProperty("id").GetString(), completed.GetProperty("id").GetString());
        Assert.Equal("in_progress", created.GetProperty("status").GetString());
        var itemIds = sse.Of("response.output_text.delta").Select(e => e.Str("item_id")).Distinct();
        Assert.Equal(message.GetProperty("id").GetString(), Assert.Single(itemIds));
    }

    [Fact]
    public async Task Text_DeltaLengths_AreNearEqual()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Text("abcdefghij", deltas: 4));

        Assert.Equal(["abc", "def", "gh", "ij"], sse.Of("response.output_text.delta").Select(e => e.Str("delta")));
    }

    [Fact]
    public async Task Text_WithEmojiAndMoreDeltasThanRunes_NeverSplitsASurrogatePair()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Text("a😀b🎉", deltas: 10));

        Assert.Equal(["a", "😀", "b", "🎉"], sse.Of("response.output_text.delta").Select(e => e.Str("delta")));
    }

    [Fact]
    public async Task NoDirective_StreamsDemoReplyQuotingTheLastUserMessageInSeveralDeltas()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(Body.Request(Body.User("older message"), Body.Assistant("ok"), Body.User("What is the capital of France?")));

        Assert.Equal(4, sse.Of("response.output_text.delta").Count());
        var text = sse.Deltas();
        Assert.Contains("offline demo model", text, StringComparison.Ordinal);
        Assert.Contains("You said: \"What is the capital of France?\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("older message", text, StringComparison.Ordinal);
        Assert.Equal(text, sse.Single("response.output_text.done").Str("text"));
        Assert.Equal("completed", sse.Response().GetProperty("status").GetString());
    }

    [Fact]
    public async Task NoDirective_LongUserMessage_QuoteIsTruncatedToAbout200Chars()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var longMessage = string.Concat(Enumerable.Repeat("0123456789", 50));

        var text = (await client.StreamAsync(longMessage)).Deltas();

        Assert.Contains("You said: \"" + longMessage[..200] + "…\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain(longMessage[..201], text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DirectiveWithoutText_DemoReplyDoesNotQuoteTheDirective()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var text = (await client.StreamAsync("Tell me a joke. " + ScriptDirective.Text(deltas: 2))).Deltas();

        Assert.Contains("You said: \"Tell me a joke.\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("SCRIPT:", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerDefaultDeltas_AppliesWhenTheDirectiveHasNone()
    {
        await using var server = await ScriptedModelServer.StartAsync(new ScriptedModelOptions { DefaultDeltas = 7 }, Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Text("a fairly long sentence to split"));

        Assert.Equal(7, sse.Of("response.output_text.delta").Count());
    }

    [Fact]
    public async Task Echo_RepliesWithTheToken()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Echo("req-1234", deltas: 2));

        Assert.Equal("echo:req-1234", sse.Deltas());
        Assert.Equal(2, sse.Of("response.output_text.delta").Count());
    }

    [Fact]
    public async Task Usage_FollowsTheDocumentedFormula()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        // Raw input with whitespace and non-ASCII: tokens count UTF-8 bytes of the input value exactly as sent.
        var directive = ScriptDirective.Text("héllo wörld", deltas: 5);
        var input = "[ {\"role\": \"user\", \"content\": [{\"type\":\"input_text\",\"text\":" + JsonSerializer.Serialize(directive + " é😀") + "}]} ]";
        var bytes = Encoding.UTF8.GetByteCount(input);
        if (bytes % 4 == 0)
        {
            input += " ";
            bytes++;
        }

        using var response = await client.PostRawAsync("{\"model\":\"m\",\"stream\":true,\"input\":" + input + "}", Ct);
        var sse = await TestClient.ReadEventsAsync(response, Ct);

        var usage = sse.Usage();
        Assert.Equal((bytes + 3) / 4, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(5, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(((bytes + 3) / 4) + 5, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Usage_Override_ReplacesTheGivenFieldsAndKeepsTotalConsistent()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var directive = ScriptDirective.Create(new JsonObject
        {
            ["reply"] = "text",
            ["text"] = "hi",
            ["deltas"] = 2,
            ["usage"] = new JsonObject { ["input_tokens"] = 1000, ["cached_tokens"] = 250, ["reasoning_tokens"] = 3 },
        });

        var usage = (await client.StreamAsync(directive)).Usage();

        Assert.Equal(1000, usage.GetProperty("input_tokens").GetInt32());
        Assert.Equal(250, usage.GetProperty("input_tokens_details").GetProperty("cached_tokens").GetInt32());
        Assert.Equal(2, usage.GetProperty("output_tokens").GetInt32());
        Assert.Equal(3, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(1002, usage.GetProperty("total_tokens").GetInt32());
    }

    [Fact]
    public async Task Pacing_ThreeDeltasWith100MsDelay_TakesAtLeast200Ms()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var clock = Stopwatch.StartNew();

        var sse = await client.StreamAsync(ScriptDirective.Text("one two three", deltas: 3, delayMs: 100));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"took {clock.Elapsed}");
        Assert.Equal(3, sse.Of("response.output_text.delta").Count());
    }

    [Fact]
    public async Task Pacing_ServerDefaultDelay_AppliesWhenTheDirectiveHasNone()
    {
        await using var server = await ScriptedModelServer.StartAsync(new ScriptedModelOptions { DefaultDelayMs = 100, DefaultDeltas = 3 }, Ct);
        using var client = new TestClient(server);
        var clock = Stopwatch.StartNew();

        await client.StreamAsync("pace me");

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(190), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task FirstDelay_HoldsTheFirstOutputEventButNotResponseCreated()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var clock = Stopwatch.StartNew();

        using var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.Text("x", firstDelayMs: 300))), Ct);
        var headersAfter = clock.Elapsed;
        await TestClient.ReadEventsAsync(response, Ct);

        Assert.True(headersAfter < TimeSpan.FromMilliseconds(250), $"headers after {headersAfter}");
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task InputAsString_IsTreatedAsTheUserMessage()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(new JsonObject { ["model"] = "m", ["stream"] = true, ["input"] = ScriptDirective.Echo("s") });

        Assert.Equal("echo:s", sse.Deltas());
    }
}
