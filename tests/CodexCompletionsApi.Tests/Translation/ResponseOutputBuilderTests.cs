using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ResponseOutputBuilderTests
{
    private const long CompletedAt = 1_767_225_700;

    private static readonly TokenUsage Usage = new(InputTokens: 10, CachedInputTokens: 4, OutputTokens: 20, ReasoningOutputTokens: 5, TotalTokens: 30);

    private static readonly ResponseObject Template = new()
    {
        Id = "resp_1",
        CreatedAt = 1_767_225_600,
        Status = "in_progress",
        Model = "gpt-5.5",
        ToolChoice = Json("\"auto\""),
        Tools = Json("[]"),
    };

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>A builder whose ids count up across all prefixes: <c>msg_1</c>, <c>rs_2</c>, <c>fc_3</c>, ...</summary>
    private static ResponseOutputBuilder Builder(ResponseObject? template = null)
    {
        var counter = 0;
        return new ResponseOutputBuilder(template ?? Template, prefix => $"{prefix}{++counter}");
    }

    private static string Serialize(ResponseObject response) => JsonSerializer.Serialize(response, OpenAIJsonContext.Web.ResponseObject);

    private static string Serialize(ResponseStreamEvent streamEvent) => JsonSerializer.Serialize(streamEvent, OpenAIJsonContext.Web.ResponseStreamEvent);

    private static string Serialize(ResponseItem item) => JsonSerializer.Serialize(item, OpenAIJsonContext.Web.ResponseItem);

    private static void AssertContiguous(IEnumerable<ResponseStreamEvent> events, long first = 0)
    {
        var numbers = events.Select(e => e.SequenceNumber).ToList();
        Assert.Equal(Enumerable.Range((int)first, numbers.Count).Select(i => (long)i), numbers);
    }

    // ---- start ----

    [Fact]
    public void Start_EmitsCreatedThenInProgressWithSequence0And1()
    {
        // Arrange
        var builder = Builder();

        // Act
        var events = builder.Start();

        // Assert
        Assert.Equal(["response.created", "response.in_progress"], events.Select(e => e.Type));
        Assert.Equal([0L, 1L], events.Select(e => e.SequenceNumber));
        Assert.All(events, e =>
        {
            Assert.Equal("in_progress", e.Response!.Status);
            Assert.Empty(e.Response.Output);
            Assert.Equal(string.Empty, e.Response.OutputText);
            Assert.Null(e.Response.Usage);
            Assert.Equal("resp_1", e.Response.Id);
        });
        Assert.False(builder.IsTerminal);
    }

    // ---- text ----

    [Fact]
    public void Text_TwoDeltasThenFinish_EmitsTheCanonicalEventSequence()
    {
        // Arrange
        var builder = Builder();
        var events = builder.Start().ToList();

        // Act
        events.AddRange(builder.Text("item_a", "Hel"));
        events.AddRange(builder.Text("item_a", "lo"));
        events.AddRange(builder.Finish("stop", Usage, CompletedAt));

        // Assert
        Assert.Equal(
            [
                "response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added",
                "response.output_text.delta", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed",
            ],
            events.Select(e => e.Type));
        AssertContiguous(events);
        Assert.All(events.Skip(2).SkipLast(1), e => Assert.Equal(0, e.OutputIndex));
        Assert.Equal(["Hel", "lo"], events.Where(e => e.Type == "response.output_text.delta").Select(e => e.Delta));
        Assert.Equal("Hello", events.Single(e => e.Type == "response.output_text.done").Text);
        Assert.Equal("Hello", events.Single(e => e.Type == "response.content_part.done").Part!.Text);
    }

    [Fact]
    public void Text_FirstDelta_AddsAnInProgressMessageAndAnEmptyPart()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        var events = builder.Text("item_a", "Hi");

        // Assert
        Assert.Equal(
            [
                """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_1","status":"in_progress","role":"assistant","content":[]}}""",
                """{"type":"response.content_part.added","sequence_number":3,"output_index":0,"item_id":"msg_1","content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}""",
                """{"type":"response.output_text.delta","sequence_number":4,"output_index":0,"item_id":"msg_1","content_index":0,"delta":"Hi","logprobs":[]}""",
            ],
            events.Select(Serialize));
    }

    [Fact]
    public void Finish_AfterText_ClosesTheMessageWithItsText()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Text("item_a", "Hel");
        builder.Text("item_a", "lo");

        // Act
        var events = builder.Finish("stop", Usage, CompletedAt);

        // Assert
        Assert.Equal(
            [
                """{"type":"response.output_text.done","sequence_number":6,"output_index":0,"item_id":"msg_1","content_index":0,"text":"Hello","logprobs":[]}""",
                """{"type":"response.content_part.done","sequence_number":7,"output_index":0,"item_id":"msg_1","content_index":0,"part":{"type":"output_text","text":"Hello","annotations":[],"logprobs":[]}}""",
                """{"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hello","annotations":[],"logprobs":[]}]}}""",
            ],
            events.Take(3).Select(Serialize));
        Assert.Equal("response.completed", events[3].Type);
        Assert.Equal(9, events[3].SequenceNumber);
        Assert.Same(builder.Current, events[3].Response);
    }

    [Fact]
    public void Finish_Stop_CompletesTheResponseWithOutputUsageAndTime()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Text("item_a", "Hel");
        builder.Text("item_a", "lo");

        // Act
        builder.Finish("stop", Usage, CompletedAt);

        // Assert
        var response = builder.Current;
        Assert.Equal("completed", response.Status);
        Assert.True(builder.IsTerminal);
        var message = Assert.Single(response.Output);
        Assert.Equal("message", message.Type);
        Assert.Equal("msg_1", message.Id);
        Assert.Equal("completed", message.Status);
        Assert.Equal("assistant", message.Role);
        Assert.Equal("Hello", Assert.Single(message.Content!).Text);
        Assert.Equal("Hello", response.OutputText);
        Assert.Equal(
            new ResponseUsage(10, new ResponseInputTokensDetails(4), 20, new ResponseOutputTokensDetails(5), 30),
            response.Usage);
        Assert.Equal(CompletedAt, response.CompletedAt);
        Assert.Null(response.IncompleteDetails);
        Assert.Null(response.Error);
        Assert.Equal("resp_1", response.Id);
        Assert.Equal("gpt-5.5", response.Model);
    }

    [Fact]
    public void Text_TwoCodexItems_BecomeTwoMessages()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        var first = builder.Text("item_a", "One.");
        var second = builder.Text("item_b", "Two.");
        builder.Finish("stop", Usage, CompletedAt);

        // Assert
        Assert.Equal(["response.output_item.added", "response.content_part.added", "response.output_text.delta"], first.Select(e => e.Type));
        Assert.Equal(
            [
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
            ],
            second.Select(e => e.Type));
        Assert.Equal([0, 0, 0, 1, 1, 1], second.Select(e => e.OutputIndex ?? -1));
        Assert.Equal("msg_2", second[4].ItemId);
        Assert.Equal(["msg_1", "msg_2"], builder.Current.Output.Select(i => i.Id));
        Assert.Equal(["One.", "Two."], builder.Current.Output.Select(i => Assert.Single(i.Content!).Text));
        Assert.Equal("One.Two.", builder.Current.OutputText);
    }

    [Fact]
    public void Text_NullItemId_ContinuesTheOpenMessage()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Text("item_a", "Call: ");

        // Act
        var events = builder.Text(null, "<tool/>");
        builder.Finish("stop", Usage, CompletedAt);

        // Assert
        var delta = Assert.Single(events);
        Assert.Equal("response.output_text.delta", delta.Type);
        Assert.Equal("msg_1", delta.ItemId);
        Assert.Equal("Call: <tool/>", Assert.Single(builder.Current.Output).Content![0].Text);
    }

    [Fact]
    public void Text_NullItemIdWithNothingOpen_OpensAMessage()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        var events = builder.Text(null, "x");

        // Assert
        Assert.Equal(["response.output_item.added", "response.content_part.added", "response.output_text.delta"], events.Select(e => e.Type));
        Assert.Equal("msg_1", events[2].ItemId);
    }

    // ---- reasoning ----

    [Fact]
    public void Reasoning_SummaryPartsRawTextThenMessage_EmitsReasoningEventsInOrder()
    {
        // Arrange
        var builder = Builder();
        var events = builder.Start().ToList();

        // Act
        events.AddRange(builder.Reasoning("r1", isSummary: true, part: 0, "Think "));
        events.AddRange(builder.Reasoning("r1", isSummary: true, part: 0, "more"));
        events.AddRange(builder.Reasoning("r1", isSummary: true, part: 1, "Second"));
        events.AddRange(builder.Reasoning("r1", isSummary: false, part: 0, "raw"));
        events.AddRange(builder.Text("m1", "Answer"));
        events.AddRange(builder.Finish("stop", Usage, CompletedAt));

        // Assert
        Assert.Equal(
            [
                ("response.created", null, null),
                ("response.in_progress", null, null),
                ("response.output_item.added", (int?)0, (int?)null),
                ("response.reasoning_summary_part.added", 0, 0),
                ("response.reasoning_summary_text.delta", 0, 0),
                ("response.reasoning_summary_text.delta", 0, 0),
                ("response.reasoning_summary_text.done", 0, 0),
                ("response.reasoning_summary_part.done", 0, 0),
                ("response.reasoning_summary_part.added", 0, 1),
                ("response.reasoning_summary_text.delta", 0, 1),
                ("response.reasoning_summary_text.done", 0, 1),
                ("response.reasoning_summary_part.done", 0, 1),
                ("response.output_item.done", 0, null),
                ("response.output_item.added", 1, null),
                ("response.content_part.added", 1, null),
                ("response.output_text.delta", 1, null),
                ("response.output_text.done", 1, null),
                ("response.content_part.done", 1, null),
                ("response.output_item.done", 1, null),
                ("response.completed", null, null),
            ],
            events.Select(e => (e.Type, e.OutputIndex, e.SummaryIndex)));
        AssertContiguous(events);
        Assert.Equal(["Think ", "more", "Second"], events.Where(e => e.Type == "response.reasoning_summary_text.delta").Select(e => e.Delta));
        Assert.Equal(["Think more", "Second"], events.Where(e => e.Type == "response.reasoning_summary_text.done").Select(e => e.Text));
        Assert.Equal(["Think more", "Second"], events.Where(e => e.Type == "response.reasoning_summary_part.done").Select(e => e.Part!.Text));
        // Raw reasoning text has no events of its own (not in the Open Responses set): it is in the item's content.
        Assert.DoesNotContain(events, e => e.Type.StartsWith("response.reasoning_text", StringComparison.Ordinal));
        Assert.Equal("raw", Assert.Single(events.Single(e => e.Type == "response.output_item.done" && e.OutputIndex == 0).Item!.Content!).Text);
        Assert.All(events.Where(e => e.Type.StartsWith("response.reasoning", StringComparison.Ordinal)), e => Assert.Equal("rs_1", e.ItemId));
    }

    [Fact]
    public void Reasoning_FirstSummaryDelta_AddsAnEmptyReasoningItemAndPart()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        var events = builder.Reasoning("r1", isSummary: true, part: 0, "Hmm");

        // Assert
        Assert.Equal(
            [
                """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"reasoning","id":"rs_1","summary":[]}}""",
                """{"type":"response.reasoning_summary_part.added","sequence_number":3,"output_index":0,"item_id":"rs_1","summary_index":0,"part":{"type":"summary_text","text":""}}""",
                """{"type":"response.reasoning_summary_text.delta","sequence_number":4,"output_index":0,"item_id":"rs_1","summary_index":0,"delta":"Hmm"}""",
            ],
            events.Select(Serialize));
    }

    [Fact]
    public void Reasoning_FinalItem_HoldsSummaryTextsAndReasoningText()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Reasoning("r1", isSummary: true, part: 0, "Think ");
        builder.Reasoning("r1", isSummary: true, part: 0, "more");
        builder.Reasoning("r1", isSummary: true, part: 1, "Second");
        builder.Reasoning("r1", isSummary: false, part: 0, "raw");
        builder.Text("m1", "Answer");

        // Act
        builder.Finish("stop", Usage, CompletedAt);

        // Assert
        var output = builder.Current.Output;
        Assert.Equal(["reasoning", "message"], output.Select(i => i.Type));
        Assert.Equal(
            """{"type":"reasoning","id":"rs_1","content":[{"type":"reasoning_text","text":"raw"}],"summary":[{"type":"summary_text","text":"Think more"},{"type":"summary_text","text":"Second"}]}""",
            Serialize(output[0]));
        Assert.Equal("msg_2", output[1].Id);
        Assert.Equal("Answer", builder.Current.OutputText);
    }

    [Fact]
    public void Reasoning_SummaryOnly_ItemHasNoContentAndNoReasoningTextDone()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Reasoning("r1", isSummary: true, part: 0, "Brief");

        // Act
        var events = builder.Text("m1", "Answer");

        // Assert
        Assert.DoesNotContain(events, e => e.Type == "response.reasoning_text.done");
        var done = events.Single(e => e.Type == "response.output_item.done");
        Assert.Equal("""{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Brief"}]}""", Serialize(done.Item!));
    }

    [Fact]
    public void Reasoning_TwoCodexItems_BecomeTwoReasoningItems()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Reasoning("r1", isSummary: true, part: 0, "A");

        // Act
        var events = builder.Reasoning("r2", isSummary: true, part: 0, "B");

        // Assert
        Assert.Equal(
            [
                "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
                "response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
            ],
            events.Select(e => e.Type));
        Assert.Equal("rs_2", events[^1].ItemId);
        Assert.Equal(1, events[^1].OutputIndex);
    }

    // ---- function calls ----

    [Fact]
    public void FunctionCall_EmitsAddedOneDeltaDoneAndItemDone()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        var events = builder.FunctionCall("call_1", "get_weather", """{"city":"Paris"}""");

        // Assert
        Assert.Equal(
            [
                """{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"function_call","id":"fc_1","status":"in_progress","call_id":"call_1","name":"get_weather","arguments":""}}""",
                """{"type":"response.function_call_arguments.delta","sequence_number":3,"output_index":0,"item_id":"fc_1","delta":"{\"city\":\"Paris\"}"}""",
                """{"type":"response.function_call_arguments.done","sequence_number":4,"output_index":0,"item_id":"fc_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}""",
                """{"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"type":"function_call","id":"fc_1","status":"completed","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}""",
            ],
            events.Select(Serialize));
    }

    [Fact]
    public void FunctionCall_EmptyArguments_EmitsAnEmptyDeltaAndADone()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        var events = builder.FunctionCall("call_1", "get_time", string.Empty);

        // Assert
        Assert.Equal(
            ["response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done"],
            events.Select(e => e.Type));
        Assert.Equal(string.Empty, events[1].Delta); // strict clients expect at least one delta
        Assert.Equal(string.Empty, events[2].Arguments);
        Assert.Equal(string.Empty, events[3].Item!.Arguments);
        AssertContiguous(events, first: 2);
    }

    [Fact]
    public void FunctionCall_AfterText_ClosesTheMessageFirst()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Text("m1", "Let me check.");

        // Act
        var events = builder.FunctionCall("call_1", "get_weather", "{}");
        var finish = builder.Finish("tool_calls", Usage, CompletedAt);

        // Assert
        Assert.Equal(
            [
                ("response.output_text.done", 0), ("response.content_part.done", 0), ("response.output_item.done", 0),
                ("response.output_item.added", 1), ("response.function_call_arguments.delta", 1),
                ("response.function_call_arguments.done", 1), ("response.output_item.done", 1),
            ],
            events.Select(e => (e.Type, e.OutputIndex ?? -1)));
        Assert.Equal("completed", events[2].Item!.Status);
        Assert.Equal("response.completed", Assert.Single(finish).Type);
        Assert.Equal("completed", builder.Current.Status);
        Assert.Equal(["message", "function_call"], builder.Current.Output.Select(i => i.Type));
        Assert.Equal(["msg_1", "fc_2"], builder.Current.Output.Select(i => i.Id));
        Assert.Equal("Let me check.", builder.Current.OutputText);
    }

    [Fact]
    public void FunctionCall_Two_AreSeparateItemsAndTextAfterwardsOpensANewMessage()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        builder.FunctionCall("call_1", "a", "{}");
        builder.FunctionCall("call_2", "b", "{}");
        var text = builder.Text("m1", "Done");
        builder.Finish("stop", Usage, CompletedAt);

        // Assert
        Assert.Equal("response.output_item.added", text[0].Type);
        Assert.Equal(2, text[0].OutputIndex);
        Assert.Equal(
            [("function_call", "call_1"), ("function_call", "call_2"), ("message", null)],
            builder.Current.Output.Select(i => (i.Type, i.CallId)));
    }

    // ---- finish and fail ----

    [Theory]
    [InlineData("length", "max_output_tokens")]
    [InlineData("content_filter", "content_filter")]
    public void Finish_Incomplete_EmitsResponseIncompleteAndLeavesTheMessageIncomplete(string finishReason, string reason)
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Text("m1", "Partial");

        // Act
        var events = builder.Finish(finishReason, Usage, CompletedAt);

        // Assert
        Assert.Equal(
            ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.incomplete"],
            events.Select(e => e.Type));
        Assert.Equal("incomplete", events[2].Item!.Status);
        var response = builder.Current;
        Assert.Same(response, events[3].Response);
        Assert.Equal("incomplete", response.Status);
        Assert.Equal(new IncompleteDetails(reason), response.IncompleteDetails);
        Assert.Null(response.CompletedAt); // OpenAI: completed_at only when the status is completed
        Assert.Equal("incomplete", Assert.Single(response.Output).Status);
        Assert.Equal("Partial", response.OutputText);
        Assert.NotNull(response.Usage);
        Assert.Null(response.Error);
        Assert.True(builder.IsTerminal);
    }

    [Fact]
    public void Finish_ToolCalls_CompletesTheResponse()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.FunctionCall("call_1", "f", "{}");

        // Act
        var events = builder.Finish("tool_calls", Usage, CompletedAt);

        // Assert
        Assert.Equal("response.completed", Assert.Single(events).Type);
        Assert.Equal("completed", builder.Current.Status);
        Assert.Null(builder.Current.IncompleteDetails);
        Assert.Equal(string.Empty, builder.Current.OutputText);
    }

    [Fact]
    public void Finish_NoOutput_CompletesWithEmptyOutput()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        var events = builder.Finish("stop", Usage, CompletedAt);

        // Assert
        var completed = Assert.Single(events);
        Assert.Equal("response.completed", completed.Type);
        Assert.Equal(2, completed.SequenceNumber);
        Assert.Empty(builder.Current.Output);
        Assert.Equal(string.Empty, builder.Current.OutputText);
    }

    [Fact]
    public void Fail_WithOpenMessage_LeavesItIncompleteAndFailsTheResponse()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Text("m1", "Partial");
        var error = new ResponseError("server_error", "The model failed.");

        // Act
        var events = builder.Fail(error);

        // Assert
        Assert.Equal(
            ["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.failed"],
            events.Select(e => e.Type));
        AssertContiguous(events, first: 5);
        Assert.Equal("incomplete", events[2].Item!.Status);
        var response = builder.Current;
        Assert.Same(response, events[3].Response);
        Assert.Equal("failed", response.Status);
        Assert.Equal(error, response.Error);
        Assert.Null(response.Usage);
        Assert.Null(response.IncompleteDetails);
        Assert.Null(response.CompletedAt);
        Assert.Equal("incomplete", Assert.Single(response.Output).Status);
        Assert.Equal("Partial", response.OutputText);
        Assert.True(builder.IsTerminal);
    }

    [Fact]
    public void Fail_WithNothingOpen_EmitsOnlyResponseFailed()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        var events = builder.Fail(new ResponseError("server_error", "boom"));

        // Assert
        Assert.Equal("response.failed", Assert.Single(events).Type);
        Assert.Equal("failed", builder.Current.Status);
        Assert.True(builder.IsTerminal);
    }

    [Fact]
    public void Current_BeforeFinish_IsInProgressAndNotTerminal()
    {
        // Arrange
        var builder = Builder();
        builder.Start();

        // Act
        builder.Text("m1", "x");

        // Assert
        Assert.Equal("in_progress", builder.Current.Status);
        Assert.False(builder.IsTerminal);
    }

    [Fact]
    public void Builder_TemplateWithCompletedStatus_StartsInProgressAndEmpty()
    {
        // Arrange
        var template = Template with
        {
            Status = "completed",
            Output = [new ResponseItem { Type = "message", Id = "stale" }],
            OutputText = "stale",
            Usage = new ResponseUsage(1, new ResponseInputTokensDetails(0), 1, new ResponseOutputTokensDetails(0), 2),
            CompletedAt = 5,
        };

        // Act
        var builder = Builder(template);

        // Assert
        Assert.Equal("in_progress", builder.Current.Status);
        Assert.Empty(builder.Current.Output);
        Assert.Equal(string.Empty, builder.Current.OutputText);
        Assert.Null(builder.Current.Usage);
        Assert.Null(builder.Current.CompletedAt);
    }

    [Fact]
    public void ToUsage_MapsEveryCount()
    {
        // Arrange / Act
        var usage = ResponseOutputBuilder.ToUsage(Usage);

        // Assert
        Assert.Equal(
            """{"input_tokens":10,"input_tokens_details":{"cached_tokens":4},"output_tokens":20,"output_tokens_details":{"reasoning_tokens":5},"total_tokens":30}""",
            JsonSerializer.Serialize(usage, OpenAIJsonContext.Web.ResponseUsage));
    }

    // ---- serialization ----

    [Fact]
    public void Serialize_CompletedResponse_WritesNullFieldsAsNull()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Text("m1", "Hello");
        builder.Finish("stop", Usage, CompletedAt);

        // Act
        var json = Serialize(builder.Current);

        // Assert
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        foreach (var name in new[] { "error", "incomplete_details", "previous_response_id", "instructions", "user", "max_output_tokens", "max_tool_calls", "prompt_cache_key", "safety_identifier" })
        {
            Assert.Equal(JsonValueKind.Null, root.GetProperty(name).ValueKind);
        }

        Assert.Equal("response", root.GetProperty("object").GetString());
        Assert.Equal("completed", root.GetProperty("status").GetString());
        Assert.Equal(CompletedAt, root.GetProperty("completed_at").GetInt64());
        Assert.Equal("Hello", root.GetProperty("output_text").GetString());
        Assert.Equal("{}", root.GetProperty("metadata").GetRawText());
    }

    [Fact]
    public void Serialize_OutputItems_WriteOnlyTheFieldsOfTheirType()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Reasoning("r1", isSummary: true, part: 0, "S");
        builder.Text("m1", "Hello");
        builder.FunctionCall("call_1", "f", "{}");
        builder.Finish("tool_calls", Usage, CompletedAt);

        // Act
        using var document = JsonDocument.Parse(Serialize(builder.Current));

        // Assert
        var output = document.RootElement.GetProperty("output").EnumerateArray().ToList();
        Assert.Equal(["type", "id", "summary"], output[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["type", "id", "status", "role", "content"], output[1].EnumerateObject().Select(p => p.Name));
        Assert.False(output[1].TryGetProperty("call_id", out _));
        Assert.Equal(["type", "id", "status", "call_id", "name", "arguments"], output[2].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Serialize_RoundTripOfMessageReasoningAndFunctionCall_IsIdentical()
    {
        // Arrange
        var builder = Builder();
        builder.Start();
        builder.Reasoning("r1", isSummary: true, part: 0, "Plan: <check> & \"go\"");
        builder.Reasoning("r1", isSummary: false, part: 0, "raw");
        builder.Text("m1", "Checking ünïcödé.");
        builder.FunctionCall("call_1", "get_weather", """{"city":"Paris"}""");
        builder.Finish("tool_calls", Usage, CompletedAt);
        var first = Serialize(builder.Current);

        // Act
        var restored = JsonSerializer.Deserialize(first, OpenAIJsonContext.Web.ResponseObject)!;
        var second = Serialize(restored);

        // Assert
        Assert.Equal(first, second);
        Assert.Equal(["reasoning", "message", "function_call"], restored.Output.Select(i => i.Type));
        Assert.Contains("<check> & \\\"go\\\"", first, StringComparison.Ordinal);
    }
}
