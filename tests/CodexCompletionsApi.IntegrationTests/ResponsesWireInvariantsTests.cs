using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// The Responses API stream checker itself, on hand-written bodies: well-formed streams pass, and each broken rule
/// is reported. No service is started.
/// </summary>
public sealed class ResponsesWireInvariantsTests
{
    private const string ResponseId = "resp_1";
    private const long CreatedAt = 1700000000;
    private const string Model = "gpt-5.5";
    private const string Msg = "msg_1";
    private const string Fc = "fc_1";
    private const string Rs = "rs_1";

    // ---- building blocks -------------------------------------------------------------------------------------

    private static JsonObject Ev(string type, params (string Name, JsonNode? Value)[] members)
    {
        var e = new JsonObject { ["type"] = type };
        foreach (var (name, value) in members)
        {
            e[name] = value;
        }

        return e;
    }

    private static JsonObject Response(string status, JsonArray? output = null, string outputText = "")
        => new()
        {
            ["id"] = ResponseId,
            ["object"] = "response",
            ["created_at"] = CreatedAt,
            ["status"] = status,
            ["model"] = Model,
            ["output"] = output ?? [],
            ["output_text"] = outputText,
        };

    private static JsonObject Usage(long input = 7, long output = 2, long? total = null)
        => new()
        {
            ["input_tokens"] = input,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["output_tokens"] = output,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
            ["total_tokens"] = total ?? input + output,
        };

    private static JsonObject Created() => Ev("response.created", ("response", Response("in_progress")));

    private static JsonObject InProgress() => Ev("response.in_progress", ("response", Response("in_progress")));

    private static JsonObject Completed(JsonArray output, string outputText)
    {
        var response = Response("completed", output, outputText);
        response["completed_at"] = CreatedAt + 2;
        response["usage"] = Usage();
        return Ev("response.completed", ("response", response));
    }

    private static JsonObject Incomplete(JsonArray output, string outputText)
    {
        var response = Response("incomplete", output, outputText);
        response["completed_at"] = CreatedAt + 2;
        response["incomplete_details"] = new JsonObject { ["reason"] = "max_output_tokens" };
        response["usage"] = Usage();
        return Ev("response.incomplete", ("response", response));
    }

    private static JsonObject Failed(JsonArray output, string outputText)
    {
        var response = Response("failed", output, outputText);
        response["error"] = new JsonObject { ["code"] = "server_error", ["message"] = "The upstream turn failed." };
        return Ev("response.failed", ("response", response));
    }

    private static JsonObject MessageItem(string id, string status, string? text = null)
        => new()
        {
            ["type"] = "message",
            ["id"] = id,
            ["status"] = status,
            ["role"] = "assistant",
            ["content"] = text is null ? [] : new JsonArray(OutputText(text)),
        };

    private static JsonObject OutputText(string text) => new() { ["type"] = "output_text", ["text"] = text, ["annotations"] = new JsonArray(), ["logprobs"] = new JsonArray() };

    private static JsonObject FunctionItem(string id, string status, string arguments, string callId = "call_1", string name = "lookup")
        => new() { ["type"] = "function_call", ["id"] = id, ["status"] = status, ["call_id"] = callId, ["name"] = name, ["arguments"] = arguments };

    private static JsonObject ReasoningItem(string id, string[] summary, string? raw = null)
    {
        var item = new JsonObject
        {
            ["type"] = "reasoning",
            ["id"] = id,
            ["summary"] = new JsonArray([.. summary.Select(s => (JsonNode)new JsonObject { ["type"] = "summary_text", ["text"] = s })]),
        };
        if (raw is not null)
        {
            item["content"] = new JsonArray(new JsonObject { ["type"] = "reasoning_text", ["text"] = raw });
        }

        return item;
    }

    private static JsonObject Added(int index, JsonObject item) => Ev("response.output_item.added", ("output_index", index), ("item", item));

    private static JsonObject Done(int index, JsonObject item) => Ev("response.output_item.done", ("output_index", index), ("item", item));

    private static JsonObject PartAdded(string id, int index)
        => Ev("response.content_part.added", ("item_id", id), ("output_index", index), ("content_index", 0), ("part", OutputText(string.Empty)));

    private static JsonObject TextDelta(string id, int index, string delta)
        => Ev("response.output_text.delta", ("item_id", id), ("output_index", index), ("content_index", 0), ("delta", delta), ("logprobs", new JsonArray()));

    private static JsonObject TextDone(string id, int index, string text)
        => Ev("response.output_text.done", ("item_id", id), ("output_index", index), ("content_index", 0), ("text", text), ("logprobs", new JsonArray()));

    private static JsonObject PartDone(string id, int index, string text)
        => Ev("response.content_part.done", ("item_id", id), ("output_index", index), ("content_index", 0), ("part", OutputText(text)));

    private static JsonObject ArgsDelta(string id, int index, string delta)
        => Ev("response.function_call_arguments.delta", ("item_id", id), ("output_index", index), ("delta", delta));

    private static JsonObject ArgsDone(string id, int index, string arguments)
        => Ev("response.function_call_arguments.done", ("item_id", id), ("output_index", index), ("arguments", arguments));

    private static JsonObject SummaryPartAdded(string id, int index, int summary)
        => Ev("response.reasoning_summary_part.added", ("item_id", id), ("output_index", index), ("summary_index", summary), ("part", new JsonObject { ["type"] = "summary_text", ["text"] = string.Empty }));

    private static JsonObject SummaryDelta(string id, int index, int summary, string delta)
        => Ev("response.reasoning_summary_text.delta", ("item_id", id), ("output_index", index), ("summary_index", summary), ("delta", delta));

    private static JsonObject SummaryDone(string id, int index, int summary, string text)
        => Ev("response.reasoning_summary_text.done", ("item_id", id), ("output_index", index), ("summary_index", summary), ("text", text));

    private static JsonObject SummaryPartDone(string id, int index, int summary, string text)
        => Ev("response.reasoning_summary_part.done", ("item_id", id), ("output_index", index), ("summary_index", summary), ("part", new JsonObject { ["type"] = "summary_text", ["text"] = text }));

    private static JsonObject RawDelta(string id, int index, string delta)
        => Ev("response.reasoning_text.delta", ("item_id", id), ("output_index", index), ("content_index", 0), ("delta", delta));

    private static JsonObject RawDone(string id, int index, string text)
        => Ev("response.reasoning_text.done", ("item_id", id), ("output_index", index), ("content_index", 0), ("text", text));

    /// <summary>The SSE body: <c>event: type</c>, <c>data: json</c> (with sequence_number = position unless set).</summary>
    private static string Render(IEnumerable<JsonObject> events)
    {
        var body = new StringBuilder();
        var i = 0;
        foreach (var e in events)
        {
            var data = (JsonObject)e.DeepClone();
            if (!data.ContainsKey("sequence_number"))
            {
                data["sequence_number"] = i;
            }

            body.Append("event: ").Append((string?)data["type"]).Append('\n').Append("data: ").Append(data.ToJsonString()).Append("\n\n");
            i++;
        }

        return body.ToString();
    }

    // ---- well-formed streams ---------------------------------------------------------------------------------

    /// <summary>0 created, 1 in_progress, 2 added, 3 part added, 4–5 deltas, 6 text done, 7 part done, 8 item done, 9 completed.</summary>
    private static List<JsonObject> TextEvents() =>
    [
        Created(),
        InProgress(),
        Added(0, MessageItem(Msg, "in_progress")),
        PartAdded(Msg, 0),
        TextDelta(Msg, 0, "Hel"),
        TextDelta(Msg, 0, "lo"),
        TextDone(Msg, 0, "Hello"),
        PartDone(Msg, 0, "Hello"),
        Done(0, MessageItem(Msg, "completed", "Hello")),
        Completed([MessageItem(Msg, "completed", "Hello")], "Hello"),
    ];

    /// <summary>A message (2–7) then a function call (8 added, 9–10 deltas, 11 arguments done, 12 done), 13 completed.</summary>
    private static List<JsonObject> FunctionEvents() =>
    [
        Created(),
        InProgress(),
        Added(0, MessageItem(Msg, "in_progress")),
        PartAdded(Msg, 0),
        TextDelta(Msg, 0, "Let me look."),
        TextDone(Msg, 0, "Let me look."),
        PartDone(Msg, 0, "Let me look."),
        Done(0, MessageItem(Msg, "completed", "Let me look.")),
        Added(1, FunctionItem(Fc, "in_progress", string.Empty)),
        ArgsDelta(Fc, 1, "{\"q\":"),
        ArgsDelta(Fc, 1, "1}"),
        ArgsDone(Fc, 1, "{\"q\":1}"),
        Done(1, FunctionItem(Fc, "completed", "{\"q\":1}")),
        Completed([MessageItem(Msg, "completed", "Let me look."), FunctionItem(Fc, "completed", "{\"q\":1}")], "Let me look."),
    ];

    /// <summary>
    /// A reasoning item (2 added; summary part 0: 3–7; summary part 1: 8–11; raw text 12–13; 14 done) then a message
    /// (15–20), 21 completed.
    /// </summary>
    private static List<JsonObject> ReasoningEvents() =>
    [
        Created(),
        InProgress(),
        Added(0, new JsonObject { ["type"] = "reasoning", ["id"] = Rs, ["summary"] = new JsonArray() }),
        SummaryPartAdded(Rs, 0, 0),
        SummaryDelta(Rs, 0, 0, "Think"),
        SummaryDelta(Rs, 0, 0, "ing"),
        SummaryDone(Rs, 0, 0, "Thinking"),
        SummaryPartDone(Rs, 0, 0, "Thinking"),
        SummaryPartAdded(Rs, 0, 1),
        SummaryDelta(Rs, 0, 1, "More"),
        SummaryDone(Rs, 0, 1, "More"),
        SummaryPartDone(Rs, 0, 1, "More"),
        RawDelta(Rs, 0, "raw"),
        RawDone(Rs, 0, "raw"),
        Done(0, ReasoningItem(Rs, ["Thinking", "More"], "raw")),
        Added(1, MessageItem(Msg, "in_progress")),
        PartAdded(Msg, 1),
        TextDelta(Msg, 1, "Hi"),
        TextDone(Msg, 1, "Hi"),
        PartDone(Msg, 1, "Hi"),
        Done(1, MessageItem(Msg, "completed", "Hi")),
        Completed([ReasoningItem(Rs, ["Thinking", "More"], "raw"), MessageItem(Msg, "completed", "Hi")], "Hi"),
    ];

    /// <summary>A message cut short by a failure: 2–7 the message (done incomplete), 8 failed.</summary>
    private static List<JsonObject> FailedEvents() =>
    [
        Created(),
        InProgress(),
        Added(0, MessageItem(Msg, "in_progress")),
        PartAdded(Msg, 0),
        TextDelta(Msg, 0, "par"),
        TextDone(Msg, 0, "par"),
        PartDone(Msg, 0, "par"),
        Done(0, MessageItem(Msg, "incomplete", "par")),
        Failed([MessageItem(Msg, "incomplete", "par")], "par"),
    ];

    private static List<JsonObject> IncompleteEvents()
    {
        var events = TextEvents();
        events[8] = Done(0, MessageItem(Msg, "incomplete", "Hello"));
        events[9] = Incomplete([MessageItem(Msg, "incomplete", "Hello")], "Hello");
        return events;
    }

    [Fact]
    public void Check_TextStream_AssemblesTheMessage()
    {
        var stream = ResponsesWireInvariants.Check(": keepalive\n\n" + Render(TextEvents()));

        Assert.Equal(ResponseId, stream.Id);
        Assert.Equal(Model, stream.Model);
        Assert.Equal(CreatedAt, stream.CreatedAt);
        Assert.Equal("response.completed", stream.TerminalType);
        Assert.Equal("completed", stream.Status);
        Assert.Equal("Hello", stream.Text);
        Assert.Equal("Hello", stream.OutputText);
        Assert.Equal("Hello", Assert.Single(stream.Messages).Text);
        Assert.Equal("completed", stream[0].Status);
        Assert.Empty(stream.FunctionCalls);
        Assert.Equal(10, stream.Events.Count);
        Assert.Equal("response.created", stream.EventTypes[0]);
        Assert.Equal(9, stream.Usage!.Value.GetProperty("total_tokens").GetInt32());
        Assert.Equal(1, stream.Comments);
        Assert.Equal("completed", stream.Response.GetProperty("status").GetString());
    }

    [Fact]
    public void Check_FunctionCallStream_AssemblesTheCall()
    {
        var stream = ResponsesWireInvariants.Check(Render(FunctionEvents()));

        var call = Assert.Single(stream.FunctionCalls);
        Assert.Equal(new ResponsesFunctionCall("call_1", "lookup", "{\"q\":1}"), call);
        Assert.Equal("Let me look.", stream.OutputText);
        Assert.Equal(["message", "function_call"], stream.Items.Select(i => i.Type));
    }

    [Fact]
    public void Check_FunctionCallWithoutDeltas_Passes()
    {
        var events = FunctionEvents();
        events.RemoveRange(9, 2);
        events[9] = ArgsDone(Fc, 1, string.Empty);
        events[10] = Done(1, FunctionItem(Fc, "completed", string.Empty));
        events[11] = Completed([MessageItem(Msg, "completed", "Let me look."), FunctionItem(Fc, "completed", string.Empty)], "Let me look.");

        var stream = ResponsesWireInvariants.Check(Render(events));

        Assert.Equal(string.Empty, Assert.Single(stream.FunctionCalls).Arguments);
    }

    [Fact]
    public void Check_ReasoningThenMessage_AssemblesBoth()
    {
        var stream = ResponsesWireInvariants.Check(Render(ReasoningEvents()));

        var reasoning = Assert.Single(stream.Reasoning);
        Assert.Equal(["Thinking", "More"], reasoning.Summary);
        Assert.Equal("raw", reasoning.ReasoningText);
        Assert.Equal(["Thinking", "More"], stream.ReasoningSummaries);
        Assert.Equal("Hi", stream.Text);
        Assert.Equal("Hi", stream[1].Text);
    }

    [Fact]
    public void Check_FailedStream_Passes()
    {
        var stream = ResponsesWireInvariants.Check(Render(FailedEvents()));

        Assert.Equal("response.failed", stream.TerminalType);
        Assert.Equal("server_error", stream.Error!.Value.GetProperty("code").GetString());
        Assert.Equal("incomplete", stream[0].Status);
        Assert.Equal("par", stream.Text);
        Assert.Null(stream.Usage);
    }

    [Fact]
    public void Check_IncompleteStream_Passes()
    {
        var stream = ResponsesWireInvariants.Check(Render(IncompleteEvents()));

        Assert.Equal("response.incomplete", stream.TerminalType);
        Assert.Equal("max_output_tokens", stream.IncompleteReason);
    }

    // ---- broken rules ----------------------------------------------------------------------------------------

    private static string Text(Action<List<JsonObject>> change) => Mutate(TextEvents(), change);

    private static string Function(Action<List<JsonObject>> change) => Mutate(FunctionEvents(), change);

    private static string Reasoning(Action<List<JsonObject>> change) => Mutate(ReasoningEvents(), change);

    private static string Mutate(List<JsonObject> events, Action<List<JsonObject>> change)
    {
        change(events);
        return Render(events);
    }

    private static JsonObject R(JsonObject e) => e["response"]!.AsObject();

    public static TheoryData<string, string, string> Violations()
    {
        var valid = Render(TextEvents());
        return new TheoryData<string, string, string>
        {
            // 1. framing, names, sequence numbers, [DONE], comments
            { "sequence starts at 1", Text(e => e[0]["sequence_number"] = 1), "sequence_number is 1, expected 0" },
            { "sequence skips one", Text(e => { for (var i = 5; i < e.Count; i++) e[i]["sequence_number"] = i + 1; }), "sequence_number is 6, expected 5" },
            { "sequence repeats", Text(e => e[5]["sequence_number"] = 4), "sequence_number is 4, expected 5" },
            { "sequence missing", Text(e => e[3]["sequence_number"] = null), "has no integer 'sequence_number'" },
            { "[DONE] at the end", valid + "data: [DONE]\n\n", "never sends [DONE]" },
            { "event name ≠ type", valid.Replace("event: response.output_text.done\n", "event: response.output_text.delta\n", StringComparison.Ordinal), "the event name 'response.output_text.delta' ≠ the data's type 'response.output_text.done'" },
            { "no event line", valid.Replace("event: response.content_part.added\n", string.Empty, StringComparison.Ordinal), "has no 'event:' line" },
            { "data not JSON", valid.Replace("event: response.output_text.done\ndata: {", "event: response.output_text.done\ndata: {{", StringComparison.Ordinal), "data is not JSON" },
            { "data without type", Text(e => e[4].Remove("type")), "data has no string 'type'" },
            { "other comment", ": ping\n\n" + valid, "the only comment allowed is ': keepalive'" },
            { "unknown event type", Text(e => e[4]["type"] = "response.refusal.delta"), "'response.refusal.delta' is not an event type" },

            // 2. created, in_progress, one terminal event
            { "no terminal event", Text(e => e.RemoveAt(9)), "without a terminal event" },
            { "two terminal events", Text(e => e.Add(Completed([MessageItem(Msg, "completed", "Hello")], "Hello"))), "is a terminal event but not the last event" },
            { "terminal mid-stream", Text(e => e.Insert(5, Completed([], string.Empty))), "response.completed is a terminal event but not the last event" },
            { "created missing", Text(e => e.RemoveAt(0)), "the first event is not response.created" },
            { "in_progress missing", Text(e => e.RemoveAt(1)), "the second event is not response.in_progress" },
            { "created twice", Text(e => e.Insert(2, Created())), "response.created appears after the first event" },
            { "created not in_progress", Text(e => R(e[0])["status"] = "queued"), "response.status is \"queued\", not \"in_progress\"" },
            { "created with output", Text(e => R(e[0])["output"] = new JsonArray(MessageItem(Msg, "in_progress"))), "not []" },
            { "created object wrong", Text(e => R(e[0])["object"] = "chat.completion"), "response.object is \"chat.completion\", not \"response\"" },
            { "id without resp_", Text(e => { foreach (var i in new[] { 0, 1, 9 }) R(e[i])["id"] = "r_1"; }), "is not a string starting with 'resp_'" },
            { "in_progress id differs", Text(e => R(e[1])["id"] = "resp_2"), "response.id \"resp_2\" ≠ the created response's id 'resp_1'" },
            { "terminal id differs", Text(e => R(e[9])["id"] = "resp_2"), "response.id \"resp_2\" ≠ the created response's id 'resp_1'" },
            { "terminal model differs", Text(e => R(e[9])["model"] = "gpt-4"), "response.model \"gpt-4\" ≠ the created response's 'gpt-5.5'" },
            { "terminal created_at differs", Text(e => R(e[9])["created_at"] = CreatedAt + 1), "response.created_at 1700000001 ≠ the created response's 1700000000" },
            { "completed with another status", Text(e => R(e[9])["status"] = "incomplete"), "response.status is \"incomplete\", not \"completed\"" },
            { "incomplete without reason", Mutate(IncompleteEvents(), e => R(e[9]).Remove("incomplete_details")), "response.incomplete_details.reason is not a non-empty string" },
            { "failed without error code", Mutate(FailedEvents(), e => R(e[8])["error"]!.AsObject().Remove("code")), "response.error.code missing is not a string" },
            { "failed without error", Mutate(FailedEvents(), e => R(e[8]).Remove("error")), "response.error missing is not an object" },

            // 3. items: order, ids, shapes, no interleaving
            { "output_index not the count", Text(e => { e[2]["output_index"] = 1; }), "output_index is 1, expected 0 (the number of items added before)" },
            { "duplicate item id", Function(e => { foreach (var i in new[] { 8, 9, 10, 11, 12 }) Rename(e[i], Fc, Msg); Rename(e[13], Fc, Msg); }), "item.id 'msg_1' was already added" },
            { "interleaved items", Function(e => { var fc = e[8]; e.RemoveAt(8); e.Insert(5, fc); }), "item 1 is added while item 0 ('msg_1') is still open; items must not interleave" },
            { "item event while another is open", Function(e => { var fc = e[8]; e.RemoveAt(8); e.Insert(5, fc); }), "while item 1 is open; items must not interleave" },
            { "item never done", Text(e => e.RemoveAt(8)), "item 0 ('msg_1', message) was added but never got response.output_item.done" },
            { "item done twice", Text(e => e.Insert(8, Done(0, MessageItem(Msg, "completed", "Hello")))), "a second response.output_item.done for item 0" },
            { "done for an unknown item", Text(e => e.Insert(8, Done(0, MessageItem("msg_9", "completed", "Hello")))), "item.id \"msg_9\", which was never added" },
            { "done at another output_index", Text(e => e[8]["output_index"] = 3), "output_index is 3, but item 'msg_1' was added at output_index 0" },
            { "message added with content", Text(e => e[2]["item"]!["content"] = new JsonArray(OutputText(string.Empty))), "item.content is [{" },
            { "message added not in_progress", Text(e => e[2]["item"]!["status"] = "completed"), "item.status is \"completed\", not \"in_progress\"" },
            { "message added with another role", Text(e => e[2]["item"]!["role"] = "user"), "item.role is \"user\", not \"assistant\"" },
            { "message id prefix", valid.Replace(Msg, "item_1", StringComparison.Ordinal), "message item.id 'item_1' does not start with 'msg_'" },
            { "call added with arguments", Function(e => e[8]["item"]!["arguments"] = "{}"), "item.arguments is \"{}\", not \"\"" },
            { "call added without call_id", Function(e => e[8]["item"]!.AsObject().Remove("call_id")), "item.call_id missing is not a non-empty string" },
            { "call added with empty name", Function(e => e[8]["item"]!["name"] = string.Empty), "item.name \"\" is not a non-empty string" },
            { "call id prefix", Render(FunctionEvents()).Replace(Fc, "call_x", StringComparison.Ordinal), "function_call item.id 'call_x' does not start with 'fc_'" },
            { "reasoning added with summary", Reasoning(e => e[2]["item"]!["summary"] = new JsonArray(new JsonObject { ["type"] = "summary_text", ["text"] = "x" })), "item.summary is [{" },
            { "reasoning id prefix", Render(ReasoningEvents()).Replace(Rs, "rsn_1", StringComparison.Ordinal), "reasoning item.id 'rsn_1' does not start with 'rs_'" },
            { "unknown item type", Text(e => e[2]["item"]!["type"] = "web_search_call"), "item.type \"web_search_call\" is not message, function_call or reasoning" },

            // 4. message content
            { "text done ≠ deltas", Text(e => e[6]["text"] = "Hellp"), "response.output_text.done text \"Hellp\" ≠ the concatenated deltas \"Hello\"" },
            { "part done text ≠ text", Text(e => e[7]["part"]!["text"] = "Hell"), "response.content_part.done part.text \"Hell\" ≠ the output text \"Hello\"" },
            { "item done text ≠ text", Text(e => { e[8] = Done(0, MessageItem(Msg, "completed", "Hola")); e[9] = Completed([MessageItem(Msg, "completed", "Hola")], "Hola"); }), "item.content[0].text \"Hola\" ≠ the concatenated output_text deltas \"Hello\"" },
            { "delta before part added", Text(e => (e[3], e[4]) = (e[4], e[3])), "comes before response.content_part.added of message item 0" },
            { "delta after text done", Text(e => (e[5], e[6]) = (e[6], e[5])), "comes after response.output_text.done of message item 0" },
            { "part done before text done", Text(e => (e[6], e[7]) = (e[7], e[6])), "comes before response.output_text.done of message item 0" },
            { "item done before part done", Text(e => e.RemoveAt(7)), "message item 0 is done before its response.content_part.done" },
            { "message without a part", Text(e => e.RemoveRange(3, 5)), "message item 0 is done without response.content_part.added" },
            { "two parts", Text(e => e.Insert(4, PartAdded(Msg, 0))), "a second response.content_part.added for message item 0" },
            { "part added not empty", Text(e => e[3]["part"]!["text"] = "x"), "part is not {type:\"output_text\", text:\"\", annotations:[]}" },
            { "content_index not 0", Text(e => e[4]["content_index"] = 1), "content_index is 1, not 0" },
            { "delta not a string", Text(e => e[4]["delta"] = 5), "delta 5 is not a string" },
            { "message done in_progress", Text(e => { e[8] = Done(0, MessageItem(Msg, "in_progress", "Hello")); e[9] = Completed([MessageItem(Msg, "in_progress", "Hello")], "Hello"); }), "item.status is \"in_progress\", not \"completed\" or \"incomplete\"" },
            { "incomplete message in a completed response", Text(e => { e[8] = Done(0, MessageItem(Msg, "incomplete", "Hello")); e[9] = Completed([MessageItem(Msg, "incomplete", "Hello")], "Hello"); }), "is done with status \"incomplete\" but the response ended with response.completed" },

            // 5. function calls
            { "arguments done ≠ deltas", Function(e => e[11]["arguments"] = "{\"q\":2}"), "response.function_call_arguments.done arguments \"{\"q\":2}\" ≠ the concatenated deltas \"{\"q\":1}\"" },
            { "item done arguments ≠ streamed", Function(e => { e[12] = Done(1, FunctionItem(Fc, "completed", "{}")); e[13] = Completed([MessageItem(Msg, "completed", "Let me look."), FunctionItem(Fc, "completed", "{}")], "Let me look."); }), "item.arguments \"{}\" ≠ the streamed arguments" },
            { "no arguments done", Function(e => e.RemoveAt(11)), "function_call item 1 is done without response.function_call_arguments.done" },
            { "two arguments done", Function(e => e.Insert(11, ArgsDone(Fc, 1, "{\"q\":1}"))), "a second response.function_call_arguments.done" },
            { "arguments delta after done", Function(e => (e[10], e[11]) = (e[11], e[10])), "comes after response.function_call_arguments.done of function_call item 1" },
            { "name changes at done", Function(e => e[12]["item"]!["name"] = "other"), "item.name \"other\" ≠ the added item's 'lookup'" },
            { "call_id changes at done", Function(e => e[12]["item"]!["call_id"] = "call_2"), "item.call_id \"call_2\" ≠ the added item's 'call_1'" },
            { "incomplete call in a completed response", Function(e => { e[12]["item"]!["status"] = "incomplete"; R(e[13])["output"]![1]!["status"] = "incomplete"; }), "only a failed response leaves a call incomplete" },

            // 6. reasoning
            { "summary done ≠ deltas", Reasoning(e => e[6]["text"] = "Thunk"), "response.reasoning_summary_text.done text \"Thunk\" ≠ the concatenated summary deltas \"Thinking\"" },
            { "summary part done ≠ text", Reasoning(e => e[7]["part"]!["text"] = "Think"), "response.reasoning_summary_part.done part.text \"Think\" ≠ the summary text \"Thinking\"" },
            { "summary index skips", Reasoning(e => { foreach (var i in new[] { 8, 9, 10, 11 }) e[i]["summary_index"] = 2; }), "summary_index is 2, expected 1" },
            { "summary delta for no part", Reasoning(e => e[9]["summary_index"] = 5), "summary_index 5 names no added summary part" },
            { "summary delta for a done part", Reasoning(e => e[9]["summary_index"] = 0), "comes after response.reasoning_summary_part.done of summary part 0" },
            { "summary part added while one is open", Reasoning(e => e.RemoveAt(7)), "summary part 1 is added while summary part 0 is still open" },
            { "summary part type", Reasoning(e => e[3]["part"]!["type"] = "output_text"), "part.type is \"output_text\", not \"summary_text\"" },
            { "item done summary ≠ streamed", Reasoning(e => { e[14] = Done(0, ReasoningItem(Rs, ["Thinking", "Less"], "raw")); R(e[21])["output"]![0] = ReasoningItem(Rs, ["Thinking", "Less"], "raw"); }), "item.summary[1].text \"Less\" ≠ the streamed summary text \"More\"" },
            { "item done summary count", Reasoning(e => { e[14] = Done(0, ReasoningItem(Rs, ["Thinking"], "raw")); R(e[21])["output"]![0] = ReasoningItem(Rs, ["Thinking"], "raw"); }), "item.summary has 1 parts, but 2 summary parts were streamed" },
            { "reasoning text done ≠ deltas", Reasoning(e => e[13]["text"] = "ra"), "response.reasoning_text.done text \"ra\" ≠ the concatenated reasoning deltas \"raw\"" },
            { "reasoning text never done", Reasoning(e => e.RemoveAt(13)), "reasoning item 0 is done without response.reasoning_text.done" },

            // 7. the terminal response: output, output_text, usage, completed_at
            { "output ≠ done items", Text(e => R(e[9])["output"]![0]!["content"]![0]!["text"] = "Goodbye"), "response.output[0]" },
            { "output misses an item", Text(e => R(e[9])["output"] = new JsonArray()), "response.output has 0 items, but 1 items got response.output_item.done" },
            { "output has an extra item", Text(e => R(e[9])["output"]!.AsArray().Add(FunctionItem(Fc, "completed", "{}"))), "response.output has 2 items, but 1 items got response.output_item.done" },
            { "output_text ≠ message text", Text(e => R(e[9])["output_text"] = "Hell"), "response.output_text \"Hell\" ≠ the concatenated output_text parts of the message items \"Hello\"" },
            { "usage missing", Text(e => R(e[9]).Remove("usage")), "response.usage missing is not an object" },
            { "usage total wrong", Text(e => R(e[9])["usage"] = Usage(total: 10)), "total_tokens 10 ≠ input_tokens 7 + output_tokens 2" },
            { "usage details missing", Text(e => R(e[9])["usage"]!.AsObject().Remove("input_tokens_details")), "response.usage.input_tokens_details.cached_tokens missing is not a non-negative integer" },
            { "reasoning tokens missing", Text(e => R(e[9])["usage"]!["output_tokens_details"] = new JsonObject()), "output_tokens_details.reasoning_tokens missing" },
            { "completed_at before created_at", Text(e => R(e[9])["completed_at"] = CreatedAt - 1), "response.completed_at 1699999999 is before created_at 1700000000" },
            { "completed_at missing", Text(e => R(e[9]).Remove("completed_at")), "response.completed_at missing is not an integer" },

            // 8. item-level events name the response's items only
            { "item_id of no item", Text(e => e[4]["item_id"] = "msg_9"), "item_id 'msg_9' is not an item of this response" },
            { "item_id missing", Text(e => e[4].Remove("item_id")), "item_id missing is not a string" },
            { "event after its item's done", Text(e => e.Insert(9, TextDelta(Msg, 0, "!"))), "comes after item 0's response.output_item.done" },
            { "output_index ≠ item's", Text(e => e[5]["output_index"] = 1), "output_index is 1, but item 'msg_1' is at output_index 0" },
            { "event for another item type", Function(e => e[9]["item_id"] = Msg), "is a function_call event for message item 0" },
        };
    }

    private static void Rename(JsonObject e, string from, string to)
    {
        var text = e.ToJsonString().Replace(from, to, StringComparison.Ordinal);
        var renamed = JsonNode.Parse(text)!.AsObject();
        e.Clear();
        foreach (var (name, value) in renamed.ToList())
        {
            renamed.Remove(name);
            e[name] = value;
        }
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public void Check_BrokenRule_IsReported(string rule, string body, string expected)
    {
        var error = Assert.Throws<WireInvariantException>(() => ResponsesWireInvariants.Check(body));

        Assert.True(error.Message.Contains(expected, StringComparison.Ordinal), $"{rule}: expected '{expected}' in:\n{error.Message}");
        Assert.Contains("in a Responses API stream", error.Message, StringComparison.Ordinal);
        Assert.Contains("--- stream ---", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SeveralBrokenRules_AreAllReported()
    {
        var body = Text(e =>
        {
            e[6]["text"] = "Hellp";
            R(e[9])["id"] = "resp_2";
        }) + "data: [DONE]\n\n";

        var error = Assert.Throws<WireInvariantException>(() => ResponsesWireInvariants.Check(body));

        Assert.Contains("≠ the concatenated deltas", error.Message, StringComparison.Ordinal);
        Assert.Contains("≠ the created response's id", error.Message, StringComparison.Ordinal);
        Assert.Contains("never sends [DONE]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_EmptyBody_IsReported()
    {
        var error = Assert.Throws<WireInvariantException>(() => ResponsesWireInvariants.Check(string.Empty));

        Assert.Contains("the stream has no events", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BrokenFraming_IsReported()
    {
        var error = Assert.Throws<WireInvariantException>(() => ResponsesWireInvariants.Check(Render(TextEvents()).TrimEnd('\n') + "\n"));

        Assert.Contains("not well-formed SSE", error.Message, StringComparison.Ordinal);
    }

    // ---- the handler ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Handler_ResponsesStream_IsCheckedAndReadable()
    {
        var body = Render(FunctionEvents());
        using var client = HandlerClient(body);

        var response = await client.PostAsync("http://localhost/v1/responses", Json.Raw("{\"stream\":true}"), TestContext.Current.CancellationToken);
        var stream = await response.ReadResponsesStreamAsync(TestContext.Current.CancellationToken);

        Assert.Equal(body, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("lookup", Assert.Single(stream.FunctionCalls).Name);
    }

    [Fact]
    public async Task Handler_BrokenResponsesStream_ThrowsFromTheRequest()
    {
        using var client = HandlerClient(Text(e => e.RemoveAt(9)));

        var error = await Assert.ThrowsAsync<WireInvariantException>(() => client.PostAsync("http://localhost/v1/responses", Json.Raw("{\"stream\":true}"), TestContext.Current.CancellationToken));

        Assert.Contains("in a Responses API stream", error.Message, StringComparison.Ordinal);
        Assert.Contains("without a terminal event", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_OtherResponsesPath_IsNotCheckedAsACreatedResponse()
    {
        using var client = HandlerClient(Text(e => e.RemoveAt(9)));

        var response = await client.PostAsync("http://localhost/v1/responses/resp_1/cancel", Json.Raw("{}"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static HttpClient HandlerClient(string body)
        => new(new WireInvariantHandler { InnerHandler = new FixedResponse(body) });

    private sealed class FixedResponse(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "text/event-stream"), RequestMessage = request };
            response.Headers.CacheControl = new System.Net.Http.Headers.CacheControlHeaderValue { NoCache = true };
            return Task.FromResult(response);
        }
    }
}
