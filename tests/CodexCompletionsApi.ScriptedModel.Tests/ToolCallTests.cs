using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class ToolCallTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SingleCall_WithArgumentDeltas_StreamsAFunctionCallItem()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var directive = ScriptDirective.ToolCalls(
            [new ScriptedToolCall("lookup", new JsonObject { ["query"] = "weather in Paris" })],
            argumentsDeltas: 4);

        var sse = await client.StreamAsync(directive);

        sse.AssertSequenceContiguous();
        Assert.Equal(
            [
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.function_call_arguments.delta",
                "response.function_call_arguments.delta",
                "response.function_call_arguments.delta",
                "response.function_call_arguments.delta",
                "response.function_call_arguments.done",
                "response.output_item.done",
                "response.completed",
            ],
            sse.Types);
        const string Arguments = """{"query":"weather in Paris"}""";
        Assert.Equal(Arguments, sse.Deltas("response.function_call_arguments.delta"));
        Assert.Equal(Arguments, sse.Single("response.function_call_arguments.done").Str("arguments"));
        var added = sse.Single("response.output_item.added").Data.GetProperty("item");
        Assert.Equal("in_progress", added.GetProperty("status").GetString());
        Assert.Equal("", added.GetProperty("arguments").GetString());
        var item = sse.Single("response.output_item.done").Data.GetProperty("item");
        Assert.Equal("function_call", item.GetProperty("type").GetString());
        Assert.Equal("lookup", item.GetProperty("name").GetString());
        Assert.Equal(Arguments, item.GetProperty("arguments").GetString());
        Assert.Equal("completed", item.GetProperty("status").GetString());
        Assert.StartsWith("fc_", item.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("call_", item.GetProperty("call_id").GetString(), StringComparison.Ordinal);
        Assert.All(sse.Of("response.function_call_arguments.delta"), e => Assert.Equal(item.GetProperty("id").GetString(), e.Str("item_id")));
        Assert.Equal(item.GetRawText(), Assert.Single(sse.Response().GetProperty("output").EnumerateArray().ToList()).GetRawText());
        Assert.Equal(4, sse.Usage().GetProperty("output_tokens").GetInt32());
    }

    [Fact]
    public async Task ThreeParallelCalls_AreThreeItemsInOneResponse()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var directive = ScriptDirective.ToolCalls(
            [
                new ScriptedToolCall("lookup", new JsonObject { ["query"] = "a" }),
                new ScriptedToolCall("lookup", new JsonObject { ["query"] = "bb" }),
                new ScriptedToolCall("find_customer", new JsonObject { ["id"] = 42, ["tags"] = new JsonArray("x", "y") }),
            ],
            argumentsDeltas: 3);

        var sse = await client.StreamAsync(directive);

        sse.AssertSequenceContiguous();
        var items = sse.Of("response.output_item.done").Select(e => e.Data.GetProperty("item")).ToList();
        Assert.Equal(["lookup", "lookup", "find_customer"], items.Select(i => i.GetProperty("name").GetString()));
        Assert.Equal([0, 1, 2], sse.Of("response.output_item.done").Select(e => e.Int("output_index")));
        Assert.Equal(3, items.Select(i => i.GetProperty("call_id").GetString()).Distinct().Count());
        Assert.Equal(3, items.Select(i => i.GetProperty("id").GetString()).Distinct().Count());
        var expected = new[] { """{"query":"a"}""", """{"query":"bb"}""", """{"id":42,"tags":["x","y"]}""" };
        for (var i = 0; i < 3; i++)
        {
            var deltas = sse.Of("response.function_call_arguments.delta").Where(e => e.Int("output_index") == i).ToList();
            Assert.Equal(3, deltas.Count);
            Assert.Equal(expected[i], string.Concat(deltas.Select(d => d.Str("delta"))));
            Assert.Equal(expected[i], items[i].GetProperty("arguments").GetString());
        }

        Assert.Equal(3, sse.Response().GetProperty("output").GetArrayLength());
        Assert.Single(sse.Of("response.completed"));
    }

    [Fact]
    public async Task Call_WithExplicitCallIdAndStringArguments_UsesThemVerbatim()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.ToolCalls(ScriptedToolCall.WithRawArguments("lookup", "{\"q\": 1 }", "call_explicit_1")));

        var item = sse.Single("response.output_item.done").Data.GetProperty("item");
        Assert.Equal("call_explicit_1", item.GetProperty("call_id").GetString());
        Assert.Equal("{\"q\": 1 }", item.GetProperty("arguments").GetString());
    }

    [Fact]
    public async Task Calls_WithText_StreamTheMessageFirst()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.ToolCalls([new ScriptedToolCall("lookup")], text: "Let me check."));

        var output = sse.Response().GetProperty("output");
        Assert.Equal(["message", "function_call"], output.EnumerateArray().Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("Let me check.", sse.Deltas());
        Assert.Equal("{}", output[1].GetProperty("arguments").GetString());
        Assert.Equal(1, sse.Of("response.output_item.added").Last().Int("output_index"));
    }

    [Fact]
    public async Task DefaultCall_IsLookupWithAQuery()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Create(new JsonObject { ["reply"] = "tool_calls" }));

        var item = sse.Single("response.output_item.done").Data.GetProperty("item");
        Assert.Equal("lookup", item.GetProperty("name").GetString());
        Assert.Equal("weather in Paris", JsonDocument.Parse(item.GetProperty("arguments").GetString()!).RootElement.GetProperty("query").GetString());
    }

    [Fact]
    public async Task FunctionCallOutputsAfterTheLastUserMessage_ReplyWithToolResultsInsteadOfCallingAgain()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var directive = ScriptDirective.ToolCalls(new ScriptedToolCall("lookup"), new ScriptedToolCall("lookup"));
        var body = Body.Request(
            Body.User(directive),
            Body.FunctionCall("call_1", "lookup", "{}"),
            Body.FunctionCall("call_2", "lookup", "{}"),
            Body.FunctionCallOutput("call_1", "Paris: 21C"),
            Body.FunctionCallOutput("call_2", "Rome: 25C"));

        var sse = await client.StreamAsync(body);

        Assert.Empty(sse.Of("response.function_call_arguments.delta"));
        Assert.Equal("Tool results: Paris: 21C; Rome: 25C", sse.Deltas());
        Assert.Equal(["message"], sse.Response().GetProperty("output").EnumerateArray().Select(i => i.GetProperty("type").GetString()));
    }

    [Fact]
    public async Task FunctionCallOutput_WithAfterToolText_RepliesWithThatText()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var body = Body.Request(
            Body.User(ScriptDirective.ToolCalls([new ScriptedToolCall("lookup")], afterToolText: "It is sunny.")),
            Body.FunctionCall("call_1", "lookup", "{}"),
            Body.FunctionCallOutput("call_1", "sunny"));

        Assert.Equal("It is sunny.", (await client.StreamAsync(body)).Deltas());
    }

    [Fact]
    public async Task FunctionCallOutputBeforeTheLastUserMessage_CallsTheToolsAgain()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var directive = ScriptDirective.ToolCalls(new ScriptedToolCall("lookup"));
        var body = Body.Request(
            Body.User(directive),
            Body.FunctionCall("call_1", "lookup", "{}"),
            Body.FunctionCallOutput("call_1", "old result"),
            Body.Assistant("Tool results: old result"),
            Body.User(directive));

        var sse = await client.StreamAsync(body);

        Assert.Equal("function_call", sse.Single("response.output_item.done").Data.GetProperty("item").GetProperty("type").GetString());
    }
}
