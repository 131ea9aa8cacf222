using System.Text.Json;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class ReasoningAndMessageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reasoning_StreamsSummaryPartsRawTextThenTheMessage()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Reasoning(["**Plan** the answer", "Check it"], text: "Answer.", reasoningText: "raw chain", deltas: 2));

        sse.AssertSequenceContiguous();
        Assert.Equal(
            [
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.reasoning_summary_part.added",
                "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.done",
                "response.reasoning_summary_part.done",
                "response.reasoning_summary_part.added",
                "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.delta",
                "response.reasoning_summary_text.done",
                "response.reasoning_summary_part.done",
                "response.reasoning_text.delta",
                "response.reasoning_text.delta",
                "response.reasoning_text.done",
                "response.output_item.done",
                "response.output_item.added",
                "response.content_part.added",
                "response.output_text.delta",
                "response.output_text.delta",
                "response.output_text.done",
                "response.content_part.done",
                "response.output_item.done",
                "response.completed",
            ],
            sse.Types);
        var summaryDeltas = sse.Of("response.reasoning_summary_text.delta").ToList();
        Assert.Equal("**Plan** the answer", string.Concat(summaryDeltas.Where(e => e.Int("summary_index") == 0).Select(e => e.Str("delta"))));
        Assert.Equal("Check it", string.Concat(summaryDeltas.Where(e => e.Int("summary_index") == 1).Select(e => e.Str("delta"))));
        Assert.Equal("raw chain", sse.Deltas("response.reasoning_text.delta"));
        Assert.Equal("raw chain", sse.Single("response.reasoning_text.done").Str("text"));
        Assert.Equal("Answer.", sse.Deltas());

        var reasoningDone = sse.Of("response.output_item.done").First().Data;
        Assert.Equal(0, reasoningDone.GetProperty("output_index").GetInt32());
        var item = reasoningDone.GetProperty("item");
        Assert.Equal("reasoning", item.GetProperty("type").GetString());
        Assert.Equal(["**Plan** the answer", "Check it"], item.GetProperty("summary").EnumerateArray().Select(p => p.GetProperty("text").GetString()));
        Assert.Equal("raw chain", item.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("encrypted_content").GetString()));
        Assert.Equal(1, sse.Of("response.output_item.done").Last().Int("output_index"));

        var output = sse.Response().GetProperty("output");
        Assert.Equal(["reasoning", "message"], output.EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        var usage = sse.Usage();
        Assert.Equal(6, usage.GetProperty("output_tokens_details").GetProperty("reasoning_tokens").GetInt32());
        Assert.Equal(8, usage.GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task Reasoning_Defaults_HaveTwoSummaryPartsAndNoRawText()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Reasoning());

        Assert.Equal(2, sse.Of("response.reasoning_summary_part.added").Count());
        Assert.Empty(sse.Of("response.reasoning_text.delta"));
        var item = sse.Of("response.output_item.done").First().Data.GetProperty("item");
        Assert.False(item.TryGetProperty("content", out _));
        Assert.Contains("offline demo model", sse.Deltas(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MultiMessage_EmitsOneMessageItemPerEntryInOrder()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.MultiMessage("first", "second", "third"));

        sse.AssertSequenceContiguous();
        var done = sse.Of("response.output_item.done").ToList();
        Assert.Equal([0, 1, 2], done.Select(e => e.Int("output_index")));
        Assert.Equal(["first", "second", "third"], done.Select(e => e.Data.GetProperty("item").GetProperty("content")[0].GetProperty("text").GetString()));
        Assert.Equal(3, done.Select(e => e.Data.GetProperty("item").GetProperty("id").GetString()).Distinct().Count());
        foreach (var index in new[] { 0, 1, 2 })
        {
            var deltas = sse.Of("response.output_text.delta").Where(e => e.Int("output_index") == index).Select(e => e.Str("delta"));
            Assert.Equal(new[] { "first", "second", "third" }[index], string.Concat(deltas));
        }

        Assert.Equal(3, sse.Response().GetProperty("output").GetArrayLength());
    }

    [Fact]
    public async Task Incomplete_StreamsTheTextThenResponseIncompleteWithMaxOutputTokens()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Incomplete("partial answ", deltas: 2));

        sse.AssertSequenceContiguous();
        Assert.Equal("response.incomplete", sse.Types[^1]);
        Assert.Empty(sse.Of("response.completed"));
        Assert.Equal("partial answ", sse.Deltas());
        var response = sse.Response("response.incomplete");
        Assert.Equal("incomplete", response.GetProperty("status").GetString());
        Assert.Equal("max_output_tokens", response.GetProperty("incomplete_details").GetProperty("reason").GetString());
        Assert.Equal(2, response.GetProperty("usage").GetProperty("output_tokens").GetInt32());
        Assert.Equal("partial answ", response.GetProperty("output")[0].GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Failed_EndsWithResponseFailedCarryingCodeAndMessage()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Failed("context_length_exceeded", "Your input exceeds the context window."));

        sse.AssertSequenceContiguous();
        Assert.Equal(["response.created", "response.in_progress", "response.failed"], sse.Types);
        var response = sse.Response("response.failed");
        Assert.Equal("failed", response.GetProperty("status").GetString());
        Assert.Equal("context_length_exceeded", response.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("Your input exceeds the context window.", response.GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Failed_Defaults_ToServerErrorAndMayFollowPartialText()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Failed(text: "so far"));

        Assert.Equal("so far", sse.Deltas());
        Assert.Empty(sse.Of("response.output_item.done"));
        var error = sse.Response("response.failed").GetProperty("error");
        Assert.Equal("server_error", error.GetProperty("code").GetString());
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
    }

    [Fact]
    public async Task ResponseIds_AreUniquePerRequest()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var first = (await client.StreamAsync("a")).Response();
        var second = (await client.StreamAsync("b")).Response();

        Assert.NotEqual(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.NotEqual(
            first.GetProperty("output")[0].GetProperty("id").GetString(),
            second.GetProperty("output")[0].GetProperty("id").GetString());
    }
}
