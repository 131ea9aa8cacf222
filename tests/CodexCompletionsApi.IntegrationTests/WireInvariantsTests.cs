using System.Net;
using System.Text;
using CodexCompletionsApi.IntegrationTests.Infrastructure;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// The checker itself, on hand-written bodies: a well-formed stream passes, and each broken rule is reported. No
/// service is started.
/// </summary>
public sealed class WireInvariantsTests
{
    private const string Header = "\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-5.5\"";
    private const string Usage = "{\"prompt_tokens\":7,\"completion_tokens\":2,\"total_tokens\":9,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}";

    private static string Chunk(string delta, string? finish = null, int index = 0, string? usage = null, string header = Header)
        => "{" + header + ",\"choices\":[{\"index\":" + index + ",\"delta\":" + delta + ",\"finish_reason\":" + (finish is null ? "null" : "\"" + finish + "\"") + "}]"
           + (usage is null ? string.Empty : ",\"usage\":" + usage) + "}";

    private static string Role(int index = 0, string? usage = null) => Chunk("{\"role\":\"assistant\",\"content\":\"\"}", index: index, usage: usage);

    private static string Content(string text, int index = 0, string? usage = null) => Chunk("{\"content\":\"" + text + "\"}", index: index, usage: usage);

    private static string Finish(string reason = "stop", int index = 0, string? usage = null, string header = Header) => Chunk("{}", reason, index, usage, header);

    private static string UsageChunk(string usage = Usage) => "{" + Header + ",\"choices\":[],\"usage\":" + usage + "}";

    private static string Error(string body = "{\"message\":\"boom\",\"type\":\"upstream_error\",\"param\":null,\"code\":\"upstream_error\"}") => "{\"error\":" + body + "}";

    private static string Body(params string[] data) => string.Concat(data.Select(d => "data: " + d + "\n\n"));

    private static string Valid => Body(Role(), Content("Hel"), Content("lo"), Finish(), "[DONE]");

    [Fact]
    public void CheckChat_WellFormedStream_AssemblesChoice()
    {
        var checkedStream = WireInvariants.CheckChat(": keepalive\n\n" + Valid, new StreamExpectations(1, false));

        Assert.True(checkedStream.Done);
        Assert.Equal("Hello", checkedStream[0].Content);
        Assert.Equal("stop", checkedStream[0].FinishReason);
        Assert.Equal(2, checkedStream[0].ContentChunks);
        Assert.Equal(1, checkedStream.Comments);
        Assert.Equal("chatcmpl-1", checkedStream.Id);
    }

    [Fact]
    public void CheckChat_UsageAndTwoChoices_Passes()
    {
        var u = "null";
        var body = Body(Role(0, u), Role(1, u), Content("a", 0, u), Content("b", 1, u), Finish("stop", 1, u), Finish("length", 0, u), UsageChunk(), "[DONE]");

        var checkedStream = WireInvariants.CheckChat(body, new StreamExpectations(2, true));

        Assert.Equal(9, checkedStream.Usage!.Value.GetProperty("total_tokens").GetInt32());
        Assert.Equal("length", checkedStream[0].FinishReason);
        Assert.Equal("b", checkedStream[1].Content);
    }

    [Fact]
    public void CheckChat_InBandErrorLast_Passes()
    {
        var checkedStream = WireInvariants.CheckChat(Body(Role(), Content("par"), Error()));

        Assert.False(checkedStream.Done);
        Assert.Equal("upstream_error", checkedStream.Error!.Value.GetProperty("code").GetString());
    }

    [Fact]
    public void CheckChat_ToolCallDeltas_AssembleArguments()
    {
        var first = "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"\"}}]}";
        var later = "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"q\\\":1}\"}}]}";

        var checkedStream = WireInvariants.CheckChat(Body(Role(), Chunk(first), Chunk(later), Finish("tool_calls"), "[DONE]"));

        var call = Assert.Single(checkedStream[0].ToolCalls);
        Assert.Equal("lookup", call.Name);
        Assert.Equal("call_1", call.Id);
        Assert.Equal("{\"q\":1}", call.Arguments);
    }

    public static TheoryData<string, string, string> ChatViolations()
    {
        var u = "null";
        var toolFirst = "{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"\"}}]}";
        return new TheoryData<string, string, string>
        {
            { "no [DONE]", Body(Role(), Content("x"), Finish()), "without data: [DONE]" },
            { "event after [DONE]", Body(Role(), Finish(), "[DONE]", Content("x")), "follows data: [DONE]" },
            { "comment after [DONE]", Body(Role(), Finish(), "[DONE]") + ": late\n\n", "comment on line 7 follows data: [DONE]" },
            { "two [DONE]", Body(Role(), Finish(), "[DONE]", "[DONE]"), "follows data: [DONE]" },
            { "not JSON", Body(Role(), "hello", Finish(), "[DONE]"), "neither JSON nor [DONE]" },
            { "id changes", Body(Role(), Finish(header: Header.Replace("chatcmpl-1", "chatcmpl-2", StringComparison.Ordinal)), "[DONE]"), "'id' changed" },
            { "created changes", Body(Role(), Finish(header: Header.Replace("1700000000", "1700000001", StringComparison.Ordinal)), "[DONE]"), "'created' changed" },
            { "model changes", Body(Role(), Finish(header: Header.Replace("gpt-5.5", "gpt-4", StringComparison.Ordinal)), "[DONE]"), "'model' changed" },
            { "wrong object", Body(Role(), Finish(header: Header.Replace("chat.completion.chunk", "chat.completion", StringComparison.Ordinal)), "[DONE]"), "'object' is not" },
            { "wrong id prefix", Body(Chunk("{\"role\":\"assistant\"}", header: Header.Replace("chatcmpl-1", "x-1", StringComparison.Ordinal)), "[DONE]"), "starting with 'chatcmpl-'" },
            { "content before role", Body(Content("x"), Finish(), "[DONE]"), "has no delta.role" },
            { "role twice", Body(Role(), Role(), Finish(), "[DONE]"), "sends delta.role again" },
            { "two finishes", Body(Role(), Finish(), Finish(), "[DONE]"), "after its finish_reason" },
            { "content after finish", Body(Role(), Finish(), Content("late"), "[DONE]"), "after its finish_reason" },
            { "unknown finish reason", Body(Role(), Finish("done"), "[DONE]"), "finish_reason 'done'" },
            { "no finish", Body(Role(), Content("x"), "[DONE]"), "has no chunk with a finish_reason" },
            { "missing finish_reason member", Body(Role(), "{" + Header + ",\"choices\":[{\"index\":0,\"delta\":{}}]}", Finish(), "[DONE]"), "no 'finish_reason' member" },
            { "content not a string", Body(Role(), Chunk("{\"content\":5}"), Finish(), "[DONE]"), "delta.content is Number" },
            { "usage mid-stream", Body(Role(usage: u), Content("x", usage: Usage), Finish(usage: u), UsageChunk(), "[DONE]"), "only the last chunk may carry usage" },
            { "usage total wrong", Body(Role(usage: u), Finish(usage: u), UsageChunk(Usage.Replace("\"total_tokens\":9", "\"total_tokens\":10", StringComparison.Ordinal)), "[DONE]"), "total_tokens 10 != prompt_tokens 7 + completion_tokens 2" },
            { "usage details missing", Body(Role(usage: u), Finish(usage: u), UsageChunk("{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}"), "[DONE]"), "prompt_tokens_details is missing" },
            { "usage chunk with choices", Body(Role(usage: u), Finish(usage: Usage), "[DONE]"), "must have choices:[]" },
            { "usage member missing on a chunk", Body(Role(usage: u), Content("x"), Finish(usage: u), UsageChunk(), "[DONE]"), "no 'usage' member while other chunks have one" },
            { "last chunk usage null", Body(Role(usage: u), Finish(usage: u), "[DONE]"), "has usage:null; it must be the usage chunk" },
            { "empty choices without usage", Body(Role(), "{" + Header + ",\"choices\":[]}", Finish(), "[DONE]"), "empty 'choices' but is not the usage chunk" },
            { "[DONE] after error", Body(Role(), Error(), "[DONE]"), "[DONE] after an in-band error" },
            { "chunk after error", Body(Role(), Error(), Content("x")), "follows the in-band error event" },
            { "error without message", Body(Role(), Error("{\"type\":\"x\",\"param\":null,\"code\":null}")), "no non-empty string 'message'" },
            { "error without code member", Body(Role(), Error("{\"message\":\"m\",\"type\":\"x\",\"param\":null}")), "no 'code' member" },
            { "named event", "event: chunk\n" + Body(Role(), Finish(), "[DONE]"), "has an 'event: chunk' field" },
            { "two data lines", "data: {\ndata: }\n\n" + Body(Finish(), "[DONE]"), "has 2 data lines" },
            { "duplicate index in chunk", Body("{" + Header + ",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null},{\"index\":0,\"delta\":{},\"finish_reason\":null}]}", Finish(), "[DONE]"), "appears twice in one chunk" },
            { "tool call without id", Body(Role(), Chunk(toolFirst.Replace("\"id\":\"call_1\",", string.Empty, StringComparison.Ordinal)), Finish("tool_calls"), "[DONE]"), "first delta has no non-empty 'id'" },
            { "tool call without type", Body(Role(), Chunk(toolFirst.Replace("\"type\":\"function\",", string.Empty, StringComparison.Ordinal)), Finish("tool_calls"), "[DONE]"), "no type \"function\"" },
            { "tool call without name", Body(Role(), Chunk(toolFirst.Replace("\"name\":\"lookup\",", string.Empty, StringComparison.Ordinal)), Finish("tool_calls"), "[DONE]"), "no whole function.name" },
            { "tool call name repeated", Body(Role(), Chunk(toolFirst), Chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"lookup\"}}]}"), Finish("tool_calls"), "[DONE]"), "carries function.name" },
            { "tool call id repeated", Body(Role(), Chunk(toolFirst), Chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\",\"function\":{\"arguments\":\"{}\"}}]}"), Finish("tool_calls"), "[DONE]"), "repeats 'id'" },
            { "function with id", Body(Role(), Chunk(toolFirst.Replace("\"name\":", "\"id\":\"x\",\"name\":", StringComparison.Ordinal)), Finish("tool_calls"), "[DONE]"), "'function' contains 'id'" },
            { "arguments not a string", Body(Role(), Chunk(toolFirst.Replace("\"arguments\":\"\"", "\"arguments\":{}", StringComparison.Ordinal)), Finish("tool_calls"), "[DONE]"), "function.arguments is Object" },
            { "tool calls finished with stop", Body(Role(), Chunk(toolFirst), Finish("stop"), "[DONE]"), "expected tool_calls" },
        };
    }

    [Theory]
    [MemberData(nameof(ChatViolations))]
    public void CheckChat_BrokenRule_IsReported(string rule, string body, string expected)
    {
        var error = Assert.Throws<WireInvariantException>(() => WireInvariants.CheckChat(body));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{rule}: expected '{expected}' in:\n{error.Message}");
        Assert.Contains("--- stream ---", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckChat_IncludeUsageRequestedButMissing_IsReported()
    {
        var error = Assert.Throws<WireInvariantException>(() => WireInvariants.CheckChat(Valid, new StreamExpectations(1, true)));

        Assert.Contains("asked for include_usage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckChat_UsageSentThoughNotRequested_IsReported()
    {
        var u = "null";
        var error = Assert.Throws<WireInvariantException>(() => WireInvariants.CheckChat(Body(Role(usage: u), Finish(usage: u), UsageChunk(), "[DONE]"), new StreamExpectations(1, false)));

        Assert.Contains("did not ask for stream_options.include_usage", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckChat_ChoiceMissingForN_IsReported()
    {
        var error = Assert.Throws<WireInvariantException>(() => WireInvariants.CheckChat(Body(Role(), Finish(), Content("x", index: 2), "[DONE]"), new StreamExpectations(2, false)));

        Assert.Contains("choice 1 never appeared", error.Message, StringComparison.Ordinal);
        Assert.Contains("choice index 2 is out of range for n=2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_WellFormedStream_AssemblesText()
    {
        var header = "\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"gpt-5.5\"";
        var body = Body(
            "{" + header + ",\"choices\":[{\"text\":\"Hel\",\"index\":0,\"finish_reason\":null}]}",
            "{" + header + ",\"choices\":[{\"text\":\"lo\",\"index\":0,\"finish_reason\":null}]}",
            "{" + header + ",\"choices\":[{\"text\":\"\",\"index\":0,\"finish_reason\":\"length\"}]}",
            "[DONE]");

        var checkedStream = WireInvariants.CheckText(body);

        Assert.Equal("Hello", checkedStream[0].Content);
        Assert.Equal("length", checkedStream[0].FinishReason);
    }

    [Theory]
    [InlineData("{\"text\":\"x\",\"index\":0,\"finish_reason\":\"tool_calls\"}", "finish_reason 'tool_calls'")]
    [InlineData("{\"index\":0,\"finish_reason\":\"stop\"}", "no string 'text'")]
    [InlineData("{\"text\":\"x\",\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}", "chat 'delta' in a text_completion stream")]
    public void CheckText_BrokenRule_IsReported(string choice, string expected)
    {
        var header = "\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":1700000000,\"model\":\"gpt-5.5\"";

        var error = Assert.Throws<WireInvariantException>(() => WireInvariants.CheckText(Body("{" + header + ",\"choices\":[" + choice + "]}", "[DONE]")));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_ChatChunks_AreReported()
    {
        var error = Assert.Throws<WireInvariantException>(() => WireInvariants.CheckText(Valid));

        Assert.Contains("'object' is not \"text_completion\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data: x\r\n\r\n", "contains CR")]
    [InlineData("\ndata: x\n\n", "stray blank line")]
    [InlineData("data: x\n\n\n", "stray blank line")]
    [InlineData("data: x\n", "never terminated by a blank line")]
    [InlineData("data: x", "does not end with a line feed")]
    [InlineData("id: 1\ndata: x\n\n", "unexpected SSE field 'id'")]
    [InlineData("event: e\n\n", "has no 'data:' line")]
    [InlineData("event: a\nevent: b\ndata: x\n\n", "a second 'event:' field")]
    [InlineData(": c\n", "without the blank line")]
    public void Parse_BrokenFraming_Throws(string body, string expected)
    {
        var error = Assert.Throws<SseFormatException>(() => Sse.Parse(body));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CommentsAndMultiLineData_AreSeparated()
    {
        var stream = Sse.Parse(": keepalive\n\nevent: e\ndata: a\ndata:b\n\n:x\n\ndata: [DONE]\n\n");

        Assert.Equal(2, stream.Events.Count);
        Assert.Equal(new SseEvent("e", "a\nb", 2, 3), stream.Events[0]);
        Assert.Equal(["keepalive", "x"], stream.Comments.Select(c => c.Text));
        Assert.Equal([0, 1], stream.Comments.Select(c => c.EventsBefore));
    }

    [Fact]
    public async Task Handler_ValidStream_ReturnsEquivalentBufferedResponse()
    {
        using var client = HandlerClient(Valid, HttpStatusCode.OK);

        var response = await client.PostAsync("http://localhost/v1/chat/completions", Json.Raw("{\"n\":1}"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Valid, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Handler_BrokenStream_ThrowsFromTheRequest()
    {
        using var client = HandlerClient(Body(Role(), Content("x")), HttpStatusCode.OK);

        var error = await Assert.ThrowsAsync<WireInvariantException>(() => client.PostAsync("http://localhost/v1/chat/completions", Json.Raw("{}"), TestContext.Current.CancellationToken));

        Assert.Contains("without data: [DONE]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_RequestAskedForTwoChoices_ChecksBoth()
    {
        using var client = HandlerClient(Valid, HttpStatusCode.OK);

        var error = await Assert.ThrowsAsync<WireInvariantException>(() => client.PostAsync("http://localhost/v1/chat/completions", Json.Raw("{\"n\":2,\"stream\":true}"), TestContext.Current.CancellationToken));

        Assert.Contains("choice 1 never appeared", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_EventStreamWithErrorStatus_IsReported()
    {
        using var client = HandlerClient(Valid, HttpStatusCode.InternalServerError);

        var error = await Assert.ThrowsAsync<WireInvariantException>(() => client.PostAsync("http://localhost/v1/completions", Json.Raw("{}"), TestContext.Current.CancellationToken));

        Assert.Contains("status 500", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_JsonResponse_PassesThroughUnchecked()
    {
        using var client = HandlerClient("not an event stream", HttpStatusCode.BadRequest, "application/json");

        var response = await client.PostAsync("http://localhost/v1/chat/completions", Json.Raw("{}"), TestContext.Current.CancellationToken);

        Assert.Equal("not an event stream", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static HttpClient HandlerClient(string body, HttpStatusCode status, string mediaType = "text/event-stream")
        => new(new WireInvariantHandler { InnerHandler = new FixedResponse(body, status, mediaType) });

    private sealed class FixedResponse(string body, HttpStatusCode status, string mediaType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType), RequestMessage = request };
            response.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
            return Task.FromResult(response);
        }
    }
}
