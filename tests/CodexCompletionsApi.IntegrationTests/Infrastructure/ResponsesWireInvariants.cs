using System.Text;
using System.Text.Json;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

/// <summary>One event of a Responses stream: its <c>type</c> and its whole data object.</summary>
/// <param name="Type">The data's <c>type</c> (the <c>event:</c> name when the data has none).</param>
/// <param name="Data">The data object.</param>
public sealed record ResponsesEvent(string Type, JsonElement Data);

/// <summary>One function call of a checked Responses stream, as its <c>output_item.done</c> settled it.</summary>
public sealed record ResponsesFunctionCall(string CallId, string Name, string Arguments);

/// <summary>One output item of a checked Responses stream, assembled from its events.</summary>
public sealed class ResponsesStreamItem
{
    private readonly StringBuilder _text = new();
    private readonly StringBuilder _arguments = new();
    private readonly StringBuilder _reasoningText = new();

    internal ResponsesStreamItem(int index, string id, string type, JsonElement added)
    {
        Index = index;
        Id = id;
        Type = type;
        Added = added;
    }

    /// <summary>The item's <c>output_index</c>.</summary>
    public int Index { get; }

    public string Id { get; }

    /// <summary><c>message</c>, <c>function_call</c> or <c>reasoning</c>.</summary>
    public string Type { get; }

    /// <summary>The <c>item</c> of <c>response.output_item.added</c>.</summary>
    public JsonElement Added { get; }

    /// <summary>The <c>item</c> of <c>response.output_item.done</c>.</summary>
    public JsonElement? Done { get; internal set; }

    /// <summary>The done item's <c>status</c> (reasoning items have none).</summary>
    public string? Status { get; internal set; }

    /// <summary>A message's concatenated <c>response.output_text.delta</c>s.</summary>
    public string Text => _text.ToString();

    /// <summary>A function call's concatenated <c>response.function_call_arguments.delta</c>s.</summary>
    public string Arguments => _arguments.ToString();

    public string? CallId { get; internal set; }

    public string? Name { get; internal set; }

    /// <summary>A reasoning item's summary parts, each the concatenation of its deltas.</summary>
    public IReadOnlyList<string> Summary => [.. Parts.Select(p => p.Text.ToString())];

    /// <summary>A reasoning item's concatenated <c>response.reasoning_text.delta</c>s.</summary>
    public string ReasoningText => _reasoningText.ToString();

    internal bool PartAdded { get; set; }

    internal bool TextDone { get; set; }

    internal bool PartDone { get; set; }

    internal bool ArgumentsDone { get; set; }

    internal bool HasReasoningText { get; set; }

    internal bool ReasoningTextDone { get; set; }

    internal List<SummaryPart> Parts { get; } = [];

    internal void AppendText(string text) => _text.Append(text);

    internal void AppendArguments(string text) => _arguments.Append(text);

    internal void AppendReasoningText(string text)
    {
        HasReasoningText = true;
        _reasoningText.Append(text);
    }

    /// <summary>One reasoning summary part under construction.</summary>
    internal sealed class SummaryPart
    {
        public StringBuilder Text { get; } = new();

        public bool TextDone { get; set; }

        public bool PartDone { get; set; }
    }
}

/// <summary>A Responses stream that passed <see cref="ResponsesWireInvariants"/>, with its items assembled.</summary>
public sealed class CheckedResponseStream
{
    internal CheckedResponseStream(SseStream sse) => Sse = sse;

    public SseStream Sse { get; }

    /// <summary>The <c>response.id</c> of <c>response.created</c> (the terminal event has the same).</summary>
    public string? Id { get; internal set; }

    public string? Model { get; internal set; }

    public long? CreatedAt { get; internal set; }

    /// <summary><c>response.completed</c>, <c>response.incomplete</c> or <c>response.failed</c>.</summary>
    public string? TerminalType { get; internal set; }

    /// <summary>The final <c>response.status</c>: <c>completed</c>, <c>incomplete</c> or <c>failed</c>.</summary>
    public string? Status { get; internal set; }

    /// <summary>The <c>response</c> of <c>response.created</c>.</summary>
    public JsonElement Created { get; internal set; }

    /// <summary>The <c>response</c> of the terminal event.</summary>
    public JsonElement Response { get; internal set; }

    /// <summary>The terminal response's <c>usage</c> (completed and incomplete responses).</summary>
    public JsonElement? Usage { get; internal set; }

    /// <summary>The terminal response's <c>error</c> (failed responses).</summary>
    public JsonElement? Error { get; internal set; }

    /// <summary>The terminal response's <c>incomplete_details.reason</c>.</summary>
    public string? IncompleteReason { get; internal set; }

    /// <summary>Every event, in order.</summary>
    public List<ResponsesEvent> Events { get; } = [];

    public IReadOnlyList<string> EventTypes => [.. Events.Select(e => e.Type)];

    /// <summary>The output items, by <c>output_index</c>.</summary>
    public List<ResponsesStreamItem> Items { get; } = [];

    /// <summary>Every <c>response.output_text.delta</c>, concatenated.</summary>
    public string Text { get; internal set; } = string.Empty;

    /// <summary>The terminal response's <c>output_text</c> (or, when it has none, its message items' text).</summary>
    public string OutputText { get; internal set; } = string.Empty;

    public IReadOnlyList<ResponsesFunctionCall> FunctionCalls
        => [.. Items.Where(i => i.Type == "function_call").Select(i => new ResponsesFunctionCall(i.CallId ?? string.Empty, i.Name ?? string.Empty, i.Arguments))];

    public IReadOnlyList<ResponsesStreamItem> Messages => [.. Items.Where(i => i.Type == "message")];

    public IReadOnlyList<ResponsesStreamItem> Reasoning => [.. Items.Where(i => i.Type == "reasoning")];

    /// <summary>Every reasoning summary part of every reasoning item, in order.</summary>
    public IReadOnlyList<string> ReasoningSummaries => [.. Reasoning.SelectMany(i => i.Summary)];

    public int Comments => Sse.Comments.Count;

    public ResponsesStreamItem this[int outputIndex] => outputIndex >= 0 && outputIndex < Items.Count
        ? Items[outputIndex]
        : throw new KeyNotFoundException($"The stream has no item {outputIndex}; it has {Items.Count}.");
}

/// <summary>
/// The wire contract of <c>POST /v1/responses</c> streams (OpenAI's Responses API), checked on a whole body.
/// Every violation is collected and reported at once, with the event it was found in and the stream itself.
/// </summary>
/// <remarks>
/// Events are named (<c>event:</c> equal to the data's <c>type</c>), one JSON object each, with a
/// <c>sequence_number</c> 0, 1, 2, …; no <c>[DONE]</c>; only <c>: keepalive</c> comments. The stream opens with
/// <c>response.created</c> and <c>response.in_progress</c> and ends with exactly one terminal event
/// (<c>response.completed</c>, <c>response.incomplete</c> or <c>response.failed</c>) for the same response.
/// Output items are added at <c>output_index</c> 0, 1, … one at a time (no interleaving); each item's events
/// (content part, text, arguments, reasoning summary) come between its <c>output_item.added</c> and its one
/// <c>output_item.done</c>, every <c>.done</c> text equals its concatenated deltas, and the terminal response's
/// <c>output</c> equals the done items.
/// </remarks>
public static class ResponsesWireInvariants
{
    /// <summary>How a violation report names the stream.</summary>
    public const string StreamName = "Responses API";

    private const string Created = "response.created";
    private const string InProgress = "response.in_progress";
    private static readonly HashSet<string> Terminals = ["response.completed", "response.incomplete", "response.failed"];

    /// <summary>Parses and checks a whole body.</summary>
    public static CheckedResponseStream Check(string body) => Check(WireInvariants.ParseOrThrow(body));

    /// <summary>Checks a parsed stream; throws <see cref="WireInvariantException"/> listing every violation.</summary>
    public static CheckedResponseStream Check(SseStream sse)
    {
        ArgumentNullException.ThrowIfNull(sse);
        var checker = new Checker(sse);
        checker.Run();
        if (checker.Problems.Count > 0)
        {
            throw new WireInvariantException(WireInvariants.Describe(StreamName, checker.Problems, sse.Raw));
        }

        return checker.Result;
    }

    private static JsonElement? Prop(JsonElement parent, string name)
        => parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) ? value : null;

    private static string? Str(JsonElement parent, string name)
        => Prop(parent, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    private static long? Int(JsonElement parent, string name)
        => Prop(parent, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt64(out var number) ? number : null;

    private static JsonElement? Obj(JsonElement parent, string name)
        => Prop(parent, name) is { ValueKind: JsonValueKind.Object } value ? value : null;

    private static bool IsEmptyArray(JsonElement parent, string name)
        => Prop(parent, name) is { ValueKind: JsonValueKind.Array } value && value.GetArrayLength() == 0;

    /// <summary>A member's JSON text for a message, or <c>missing</c>.</summary>
    private static string Raw(JsonElement parent, string name)
    {
        if (Prop(parent, name) is not { } value)
        {
            return "missing";
        }

        var text = value.GetRawText().Replace("\n", "\\n", StringComparison.Ordinal);
        return text.Length > 120 ? text[..120] + "…" : text;
    }

    private static string Quote(string? text) => text is null ? "missing" : Sse.Excerpt(text, 120);

    private sealed class Checker(SseStream sse)
    {
        private readonly List<ResponsesStreamItem> _items = [];
        private readonly Dictionary<string, ResponsesStreamItem> _byId = new(StringComparer.Ordinal);
        private readonly StringBuilder _text = new();
        private ResponsesStreamItem? _open;
        private SseEvent _current = null!;
        private int _index;
        private string _type = string.Empty;
        private bool _started;
        private string? _id;
        private long? _createdAt;
        private string? _model;
        private string? _terminal;
        private int? _terminalAt;

        public List<string> Problems { get; } = [];

        public CheckedResponseStream Result { get; } = new(sse);

        public void Run()
        {
            long expectedSequence = 0;
            for (var i = 0; i < sse.Events.Count; i++)
            {
                _index = i;
                _current = sse.Events[i];
                _type = _current.Name ?? "unnamed";
                if (_current.Name is null)
                {
                    Fail("has no 'event:' line; every Responses event is named after its type");
                }

                if (_current.DataLines != 1)
                {
                    Fail($"has {_current.DataLines} data lines; every event must be exactly one 'data:' line");
                }

                if (_current.Data == "[DONE]")
                {
                    Fail("is data: [DONE]; a Responses stream ends with its terminal event and never sends [DONE]");
                    continue;
                }

                JsonElement root;
                try
                {
                    using var document = JsonDocument.Parse(_current.Data);
                    root = document.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    Fail($"data is not JSON ({ex.Message})");
                    continue;
                }

                if (root.ValueKind != JsonValueKind.Object)
                {
                    Fail($"data is JSON {root.ValueKind}, not an object");
                    continue;
                }

                var type = Str(root, "type");
                if (type is null)
                {
                    Fail("data has no string 'type'");
                }
                else if (_current.Name is not null && _current.Name != type)
                {
                    Fail($"the event name '{_current.Name}' ≠ the data's type '{type}'");
                }

                _type = type ?? _current.Name ?? "unnamed";
                Result.Events.Add(new ResponsesEvent(_type, root));

                if (Int(root, "sequence_number") is { } sequence)
                {
                    if (sequence != expectedSequence)
                    {
                        Fail($"sequence_number is {sequence}, expected {expectedSequence} (they start at 0 and rise by exactly 1 per event)");
                    }

                    expectedSequence = sequence + 1;
                }
                else
                {
                    Fail($"has no integer 'sequence_number' (found {Raw(root, "sequence_number")})");
                    expectedSequence++;
                }

                if (i == 0 && _type != Created)
                {
                    Fail("the first event is not response.created");
                }

                if (i == 1 && _type != InProgress)
                {
                    Fail("the second event is not response.in_progress");
                }

                Dispatch(root);
            }

            Finish();
        }

        private void Fail(string message)
            => Problems.Add($"event {_index} ({_type}, line {_current.Line}): {message} — data {Sse.Excerpt(_current.Data)}");

        private void Dispatch(JsonElement root)
        {
            switch (_type)
            {
                case Created or InProgress:
                    Start(root);
                    break;
                case var t when Terminals.Contains(t):
                    Terminal(root);
                    break;
                case "response.output_item.added":
                    ItemAdded(root);
                    break;
                case "response.output_item.done":
                    ItemDone(root);
                    break;
                case "response.content_part.added":
                    ContentPartAdded(root);
                    break;
                case "response.output_text.delta":
                    OutputTextDelta(root);
                    break;
                case "response.output_text.done":
                    OutputTextDone(root);
                    break;
                case "response.content_part.done":
                    ContentPartDone(root);
                    break;
                case "response.function_call_arguments.delta":
                    ArgumentsDelta(root);
                    break;
                case "response.function_call_arguments.done":
                    ArgumentsDone(root);
                    break;
                case "response.reasoning_summary_part.added":
                    SummaryPartAdded(root);
                    break;
                case "response.reasoning_summary_text.delta":
                    SummaryTextDelta(root);
                    break;
                case "response.reasoning_summary_text.done":
                    SummaryTextDone(root);
                    break;
                case "response.reasoning_summary_part.done":
                    SummaryPartDone(root);
                    break;
                case "response.reasoning_text.delta":
                    ReasoningTextDelta(root);
                    break;
                case "response.reasoning_text.done":
                    ReasoningTextDone(root);
                    break;
                default:
                    Fail($"'{_type}' is not an event type of this service's Responses streams");
                    break;
            }
        }

        private void Finish()
        {
            var count = sse.Events.Count;
            if (count == 0)
            {
                Problems.Add("the stream has no events (it must open with response.created and end with a terminal event)");
            }
            else if (_terminalAt != count - 1)
            {
                Problems.Add($"the stream ended after {count} events without a terminal event (response.completed, response.incomplete or response.failed) as its last event: truncated");
            }

            foreach (var item in _items)
            {
                if (item.Done is null)
                {
                    Problems.Add($"item {item.Index} ('{item.Id}', {item.Type}) was added but never got response.output_item.done");
                }
                else if (item.Status == "incomplete")
                {
                    if (item.Type == "message" && _terminal is not ("response.incomplete" or "response.failed"))
                    {
                        Problems.Add($"message item {item.Index} ('{item.Id}') is done with status \"incomplete\" but the response ended with {_terminal ?? "no terminal event"} (incomplete items only in incomplete or failed responses)");
                    }
                    else if (item.Type == "function_call" && _terminal != "response.failed")
                    {
                        Problems.Add($"function_call item {item.Index} ('{item.Id}') is done with status \"incomplete\" but the response ended with {_terminal ?? "no terminal event"} (only a failed response leaves a call incomplete)");
                    }
                }
            }

            foreach (var comment in sse.Comments)
            {
                if (comment.Text != "keepalive")
                {
                    Problems.Add($"comment on line {comment.Line} is {Quote(":" + (comment.Text.Length > 0 ? " " : string.Empty) + comment.Text)}; the only comment allowed is ': keepalive'");
                }
            }

            Result.Items.AddRange(_items);
            Result.Text = _text.ToString();
            Result.Id = _id;
            Result.CreatedAt = _createdAt;
            Result.Model = _model;
        }

        private JsonElement? ResponseOf(JsonElement root)
        {
            if (Obj(root, "response") is { } response)
            {
                return response;
            }

            Fail("has no 'response' object");
            return null;
        }

        /// <summary><c>response.created</c> and <c>response.in_progress</c>.</summary>
        private void Start(JsonElement root)
        {
            if (_type == Created && _index != 0)
            {
                Fail("response.created appears after the first event (it opens the stream, once)");
            }

            if (_type == InProgress && _index != 1)
            {
                Fail("response.in_progress appears other than as the second event");
            }

            if (ResponseOf(root) is not { } response)
            {
                return;
            }

            if (Str(response, "object") != "response")
            {
                Fail($"response.object is {Raw(response, "object")}, not \"response\"");
            }

            if (Str(response, "status") != "in_progress")
            {
                Fail($"response.status is {Raw(response, "status")}, not \"in_progress\"");
            }

            if (!IsEmptyArray(response, "output"))
            {
                Fail($"response.output is {Raw(response, "output")}, not []");
            }

            var id = Str(response, "id");
            if (id is null || !id.StartsWith("resp_", StringComparison.Ordinal))
            {
                Fail($"response.id {Raw(response, "id")} is not a string starting with 'resp_'");
            }

            var createdAt = Int(response, "created_at");
            if (createdAt is null)
            {
                Fail($"response.created_at {Raw(response, "created_at")} is not an integer");
            }

            var model = Str(response, "model");
            if (string.IsNullOrEmpty(model))
            {
                Fail($"response.model {Raw(response, "model")} is not a non-empty string");
            }

            if (!_started)
            {
                _started = true;
                (_id, _createdAt, _model) = (id, createdAt, model);
                if (_type == Created)
                {
                    Result.Created = response;
                }

                return;
            }

            SameResponse(response);
        }

        /// <summary>The response has the id, created_at and model of the created one.</summary>
        private void SameResponse(JsonElement response)
        {
            if (!_started)
            {
                return;
            }

            if (_id is not null && Str(response, "id") != _id)
            {
                Fail($"response.id {Raw(response, "id")} ≠ the created response's id '{_id}'");
            }

            if (_createdAt is { } createdAt && Int(response, "created_at") != createdAt)
            {
                Fail($"response.created_at {Raw(response, "created_at")} ≠ the created response's {createdAt}");
            }

            if (_model is not null && Str(response, "model") != _model)
            {
                Fail($"response.model {Raw(response, "model")} ≠ the created response's '{_model}'");
            }
        }

        private void Terminal(JsonElement root)
        {
            _terminal = _type;
            _terminalAt = _index;
            if (_index != sse.Events.Count - 1)
            {
                Fail($"{_type} is a terminal event but not the last event; exactly one terminal event ends the stream");
            }

            if (ResponseOf(root) is not { } response)
            {
                return;
            }

            var status = _type["response.".Length..];
            if (Str(response, "object") != "response")
            {
                Fail($"response.object is {Raw(response, "object")}, not \"response\"");
            }

            if (Str(response, "status") != status)
            {
                Fail($"response.status is {Raw(response, "status")}, not \"{status}\"");
            }

            SameResponse(response);
            CheckOutput(response);

            Result.TerminalType = _type;
            Result.Status = Str(response, "status");
            Result.Response = response;
            switch (_type)
            {
                case "response.completed" or "response.incomplete":
                    CheckUsage(response);
                    if (Int(response, "completed_at") is not { } completedAt)
                    {
                        Fail($"response.completed_at {Raw(response, "completed_at")} is not an integer");
                    }
                    else if (_createdAt is { } createdAt && completedAt < createdAt)
                    {
                        Fail($"response.completed_at {completedAt} is before created_at {createdAt}");
                    }

                    if (_type == "response.incomplete")
                    {
                        var reason = Obj(response, "incomplete_details") is { } details ? Str(details, "reason") : null;
                        if (string.IsNullOrEmpty(reason))
                        {
                            Fail($"response.incomplete_details.reason is not a non-empty string (incomplete_details {Raw(response, "incomplete_details")})");
                        }

                        Result.IncompleteReason = reason;
                    }

                    break;
                case "response.failed":
                    if (Obj(response, "error") is not { } error)
                    {
                        Fail($"response.error {Raw(response, "error")} is not an object");
                        break;
                    }

                    Result.Error = error;
                    foreach (var member in new[] { "code", "message" })
                    {
                        if (Str(error, member) is null)
                        {
                            Fail($"response.error.{member} {Raw(error, member)} is not a string");
                        }
                    }

                    break;
            }
        }

        /// <summary>The terminal <c>output</c> is the done items; <c>output_text</c> their message text.</summary>
        private void CheckOutput(JsonElement response)
        {
            var done = _items.Where(i => i.Done is not null).OrderBy(i => i.Index).ToList();
            var messageText = string.Concat(done.Where(i => i.Type == "message").SelectMany(i => OutputTextParts(i.Done!.Value)));
            if (Prop(response, "output") is not { ValueKind: JsonValueKind.Array } output)
            {
                Fail($"response.output {Raw(response, "output")} is not an array");
            }
            else
            {
                var length = output.GetArrayLength();
                if (length != done.Count)
                {
                    Fail($"response.output has {length} items, but {done.Count} items got response.output_item.done (output must equal the done items)");
                }

                for (var k = 0; k < Math.Min(length, done.Count); k++)
                {
                    if (!JsonElement.DeepEquals(output[k], done[k].Done!.Value))
                    {
                        Fail($"response.output[{k}] {Sse.Excerpt(output[k].GetRawText(), 160)} ≠ the item of response.output_item.done for output_index {done[k].Index} {Sse.Excerpt(done[k].Done!.Value.GetRawText(), 160)}");
                    }
                }
            }

            if (Prop(response, "output_text") is { } outputText && outputText.ValueKind != JsonValueKind.Null)
            {
                if (outputText.ValueKind != JsonValueKind.String)
                {
                    Fail($"response.output_text is {outputText.ValueKind}, not a string");
                }
                else if (outputText.GetString() != messageText)
                {
                    Fail($"response.output_text {Quote(outputText.GetString())} ≠ the concatenated output_text parts of the message items {Quote(messageText)}");
                }
                else
                {
                    Result.OutputText = messageText;
                }
            }
            else
            {
                Result.OutputText = messageText;
            }
        }

        private static IEnumerable<string> OutputTextParts(JsonElement item)
            => Prop(item, "content") is { ValueKind: JsonValueKind.Array } content
                ? content.EnumerateArray().Where(p => Str(p, "type") == "output_text").Select(p => Str(p, "text") ?? string.Empty)
                : [];

        private void CheckUsage(JsonElement response)
        {
            if (Obj(response, "usage") is not { } usage)
            {
                Fail($"response.usage {Raw(response, "usage")} is not an object");
                return;
            }

            Result.Usage = usage;
            long? Read(JsonElement parent, string name, string path)
            {
                if (Int(parent, name) is { } number && number >= 0)
                {
                    return number;
                }

                Fail($"response.usage.{path} {Raw(parent, name)} is not a non-negative integer");
                return null;
            }

            var input = Read(usage, "input_tokens", "input_tokens");
            var output = Read(usage, "output_tokens", "output_tokens");
            var total = Read(usage, "total_tokens", "total_tokens");
            if (input is { } i && output is { } o && total is { } t && t != i + o)
            {
                Fail($"response.usage.total_tokens {t} ≠ input_tokens {i} + output_tokens {o}");
            }

            if (Read(Obj(usage, "input_tokens_details") ?? default, "cached_tokens", "input_tokens_details.cached_tokens") is { } cached && input is { } it && cached > it)
            {
                Fail($"response.usage cached_tokens {cached} > input_tokens {it}");
            }

            if (Read(Obj(usage, "output_tokens_details") ?? default, "reasoning_tokens", "output_tokens_details.reasoning_tokens") is { } reasoning && output is { } ot && reasoning > ot)
            {
                Fail($"response.usage reasoning_tokens {reasoning} > output_tokens {ot}");
            }
        }

        private void ItemAdded(JsonElement root)
        {
            var index = _items.Count;
            if (Int(root, "output_index") != index)
            {
                Fail($"output_index is {Raw(root, "output_index")}, expected {index} (the number of items added before)");
            }

            if (Obj(root, "item") is not { } item)
            {
                Fail("has no 'item' object");
                return;
            }

            var id = Str(item, "id");
            if (string.IsNullOrEmpty(id))
            {
                Fail($"item.id {Raw(item, "id")} is not a non-empty string");
            }
            else if (_byId.ContainsKey(id))
            {
                Fail($"item.id '{id}' was already added (item ids are unique)");
            }

            if (_open is { } open)
            {
                Fail($"item {index} is added while item {open.Index} ('{open.Id}') is still open; items must not interleave (the next item is added only after the previous one is done)");
            }

            var type = Str(item, "type");
            void Prefix(string prefix)
            {
                if (id is not null && !id.StartsWith(prefix, StringComparison.Ordinal))
                {
                    Fail($"{type} item.id '{id}' does not start with '{prefix}'");
                }
            }

            void Status()
            {
                if (Str(item, "status") != "in_progress")
                {
                    Fail($"item.status is {Raw(item, "status")}, not \"in_progress\"");
                }
            }

            switch (type)
            {
                case "message":
                    Prefix("msg_");
                    Status();
                    if (Str(item, "role") != "assistant")
                    {
                        Fail($"item.role is {Raw(item, "role")}, not \"assistant\"");
                    }

                    if (!IsEmptyArray(item, "content"))
                    {
                        Fail($"item.content is {Raw(item, "content")}, not [] (parts are added by response.content_part.added)");
                    }

                    break;
                case "function_call":
                    Prefix("fc_");
                    Status();
                    if (string.IsNullOrEmpty(Str(item, "call_id")))
                    {
                        Fail($"item.call_id {Raw(item, "call_id")} is not a non-empty string");
                    }

                    if (string.IsNullOrEmpty(Str(item, "name")))
                    {
                        Fail($"item.name {Raw(item, "name")} is not a non-empty string");
                    }

                    if (Str(item, "arguments") != string.Empty)
                    {
                        Fail($"item.arguments is {Raw(item, "arguments")}, not \"\" (arguments are streamed as deltas)");
                    }

                    break;
                case "reasoning":
                    Prefix("rs_");
                    if (!IsEmptyArray(item, "summary"))
                    {
                        Fail($"item.summary is {Raw(item, "summary")}, not []");
                    }

                    break;
                default:
                    Fail($"item.type {Raw(item, "type")} is not message, function_call or reasoning");
                    break;
            }

            var entry = new ResponsesStreamItem(index, id ?? $"(item {index})", type ?? "unknown", item)
            {
                CallId = Str(item, "call_id"),
                Name = Str(item, "name"),
            };
            _items.Add(entry);
            _byId.TryAdd(entry.Id, entry);
            _open = entry;
        }

        private void ItemDone(JsonElement root)
        {
            if (Obj(root, "item") is not { } item)
            {
                Fail("has no 'item' object");
                return;
            }

            var id = Str(item, "id");
            if (id is null || !_byId.TryGetValue(id, out var entry))
            {
                Fail($"response.output_item.done for item.id {Raw(item, "id")}, which was never added");
                return;
            }

            if (Int(root, "output_index") != entry.Index)
            {
                Fail($"output_index is {Raw(root, "output_index")}, but item '{id}' was added at output_index {entry.Index}");
            }

            if (entry.Done is not null)
            {
                Fail($"a second response.output_item.done for item {entry.Index} ('{id}')");
                return;
            }

            if (Str(item, "type") != entry.Type)
            {
                Fail($"item.type {Raw(item, "type")} ≠ the added item's type '{entry.Type}'");
            }

            entry.Done = item;
            entry.Status = Str(item, "status");
            if (_open == entry)
            {
                _open = null;
            }

            switch (entry.Type)
            {
                case "message":
                    MessageDone(entry, item);
                    break;
                case "function_call":
                    FunctionCallDone(entry, item);
                    break;
                case "reasoning":
                    ReasoningDone(entry, item);
                    break;
            }
        }

        private void MessageDone(ResponsesStreamItem entry, JsonElement item)
        {
            if (!entry.PartAdded)
            {
                Fail($"message item {entry.Index} is done without response.content_part.added (a message has one output_text part)");
            }
            else if (!entry.PartDone)
            {
                Fail($"message item {entry.Index} is done before its response.content_part.done");
            }

            if (entry.Status is not ("completed" or "incomplete"))
            {
                Fail($"item.status is {Raw(item, "status")}, not \"completed\" or \"incomplete\"");
            }

            if (Str(item, "role") != "assistant")
            {
                Fail($"item.role is {Raw(item, "role")}, not \"assistant\"");
            }

            if (Prop(item, "content") is not { ValueKind: JsonValueKind.Array } content || content.GetArrayLength() != 1)
            {
                Fail($"item.content {Raw(item, "content")} is not one output_text part");
                return;
            }

            if (Str(content[0], "type") != "output_text")
            {
                Fail($"item.content[0].type is {Raw(content[0], "type")}, not \"output_text\"");
            }

            if (Str(content[0], "text") != entry.Text)
            {
                Fail($"item.content[0].text {Raw(content[0], "text")} ≠ the concatenated output_text deltas {Quote(entry.Text)}");
            }
        }

        private void FunctionCallDone(ResponsesStreamItem entry, JsonElement item)
        {
            if (!entry.ArgumentsDone)
            {
                Fail($"function_call item {entry.Index} is done without response.function_call_arguments.done");
            }

            if (entry.Status is not ("completed" or "incomplete"))
            {
                Fail($"item.status is {Raw(item, "status")}, not \"completed\"");
            }

            if (Str(item, "arguments") != entry.Arguments)
            {
                Fail($"item.arguments {Raw(item, "arguments")} ≠ the streamed arguments {Quote(entry.Arguments)}");
            }

            if (Str(item, "call_id") != entry.CallId)
            {
                Fail($"item.call_id {Raw(item, "call_id")} ≠ the added item's '{entry.CallId}'");
            }

            if (Str(item, "name") != entry.Name)
            {
                Fail($"item.name {Raw(item, "name")} ≠ the added item's '{entry.Name}'");
            }
        }

        private void ReasoningDone(ResponsesStreamItem entry, JsonElement item)
        {
            for (var s = 0; s < entry.Parts.Count; s++)
            {
                if (!entry.Parts[s].PartDone)
                {
                    Fail($"reasoning item {entry.Index} is done while summary part {s} is still open (no response.reasoning_summary_part.done)");
                }
            }

            if (Prop(item, "summary") is not { ValueKind: JsonValueKind.Array } summary)
            {
                Fail($"item.summary {Raw(item, "summary")} is not an array");
            }
            else if (summary.GetArrayLength() != entry.Parts.Count)
            {
                Fail($"item.summary has {summary.GetArrayLength()} parts, but {entry.Parts.Count} summary parts were streamed");
            }
            else
            {
                for (var s = 0; s < entry.Parts.Count; s++)
                {
                    var text = entry.Parts[s].Text.ToString();
                    if (Str(summary[s], "type") != "summary_text")
                    {
                        Fail($"item.summary[{s}].type is {Raw(summary[s], "type")}, not \"summary_text\"");
                    }

                    if (Str(summary[s], "text") != text)
                    {
                        Fail($"item.summary[{s}].text {Raw(summary[s], "text")} ≠ the streamed summary text {Quote(text)}");
                    }
                }
            }

            if (!entry.HasReasoningText)
            {
                return;
            }

            if (!entry.ReasoningTextDone)
            {
                Fail($"reasoning item {entry.Index} is done without response.reasoning_text.done");
            }

            if (Prop(item, "content") is not { ValueKind: JsonValueKind.Array } content || content.GetArrayLength() != 1
                || Str(content[0], "type") != "reasoning_text" || Str(content[0], "text") != entry.ReasoningText)
            {
                Fail($"item.content {Raw(item, "content")} is not one reasoning_text part with the streamed reasoning text {Quote(entry.ReasoningText)}");
            }
        }

        /// <summary>The item an item-level event names, checked: added, open, of the right type.</summary>
        private ResponsesStreamItem? ItemOf(JsonElement root, string expectedType)
        {
            var id = Str(root, "item_id");
            if (id is null)
            {
                Fail($"item_id {Raw(root, "item_id")} is not a string");
                return null;
            }

            if (!_byId.TryGetValue(id, out var entry))
            {
                Fail($"item_id '{id}' is not an item of this response (no response.output_item.added for it)");
                return null;
            }

            if (Int(root, "output_index") != entry.Index)
            {
                Fail($"output_index is {Raw(root, "output_index")}, but item '{id}' is at output_index {entry.Index}");
            }

            if (entry.Done is not null)
            {
                Fail($"comes after item {entry.Index}'s response.output_item.done (all of an item's events precede its done)");
            }
            else if (_open != entry)
            {
                Fail($"is for item {entry.Index} ('{id}') while item {_open?.Index} is open; items must not interleave");
            }

            if (entry.Type != expectedType)
            {
                Fail($"is a {expectedType} event for {entry.Type} item {entry.Index}");
                return null;
            }

            return entry;
        }

        private void ContentIndexZero(JsonElement root)
        {
            if (Int(root, "content_index") != 0)
            {
                Fail($"content_index is {Raw(root, "content_index")}, not 0");
            }
        }

        private string? StringMember(JsonElement root, string name)
        {
            var value = Str(root, name);
            if (value is null)
            {
                Fail($"{name} {Raw(root, name)} is not a string");
            }

            return value;
        }

        private void ContentPartAdded(JsonElement root)
        {
            if (ItemOf(root, "message") is not { } message)
            {
                return;
            }

            ContentIndexZero(root);
            if (message.PartAdded)
            {
                Fail($"a second response.content_part.added for message item {message.Index} (it has one output_text part)");
                return;
            }

            message.PartAdded = true;
            if (Obj(root, "part") is not { } part)
            {
                Fail("has no 'part' object");
                return;
            }

            if (Str(part, "type") != "output_text" || Str(part, "text") != string.Empty || !IsEmptyArray(part, "annotations"))
            {
                Fail($"part is not {{type:\"output_text\", text:\"\", annotations:[]}} (type {Raw(part, "type")}, text {Raw(part, "text")}, annotations {Raw(part, "annotations")})");
            }
        }

        private void OutputTextDelta(JsonElement root)
        {
            if (ItemOf(root, "message") is not { } message)
            {
                return;
            }

            ContentIndexZero(root);
            if (!message.PartAdded)
            {
                Fail($"comes before response.content_part.added of message item {message.Index}");
            }

            if (message.TextDone)
            {
                Fail($"comes after response.output_text.done of message item {message.Index}");
            }

            if (StringMember(root, "delta") is { } delta)
            {
                message.AppendText(delta);
                _text.Append(delta);
            }
        }

        private void OutputTextDone(JsonElement root)
        {
            if (ItemOf(root, "message") is not { } message)
            {
                return;
            }

            ContentIndexZero(root);
            if (!message.PartAdded)
            {
                Fail($"comes before response.content_part.added of message item {message.Index}");
            }

            if (message.TextDone)
            {
                Fail($"a second response.output_text.done for message item {message.Index}");
                return;
            }

            message.TextDone = true;
            if (StringMember(root, "text") is { } text && text != message.Text)
            {
                Fail($"response.output_text.done text {Quote(text)} ≠ the concatenated deltas {Quote(message.Text)}");
            }
        }

        private void ContentPartDone(JsonElement root)
        {
            if (ItemOf(root, "message") is not { } message)
            {
                return;
            }

            ContentIndexZero(root);
            if (!message.TextDone)
            {
                Fail($"comes before response.output_text.done of message item {message.Index}");
            }

            if (message.PartDone)
            {
                Fail($"a second response.content_part.done for message item {message.Index}");
                return;
            }

            message.PartDone = true;
            if (Obj(root, "part") is not { } part)
            {
                Fail("has no 'part' object");
                return;
            }

            if (Str(part, "type") != "output_text")
            {
                Fail($"part.type is {Raw(part, "type")}, not \"output_text\"");
            }

            if (Str(part, "text") != message.Text)
            {
                Fail($"response.content_part.done part.text {Raw(part, "text")} ≠ the output text {Quote(message.Text)}");
            }
        }

        private void ArgumentsDelta(JsonElement root)
        {
            if (ItemOf(root, "function_call") is not { } call)
            {
                return;
            }

            if (call.ArgumentsDone)
            {
                Fail($"comes after response.function_call_arguments.done of function_call item {call.Index}");
            }

            if (StringMember(root, "delta") is { } delta)
            {
                call.AppendArguments(delta);
            }
        }

        private void ArgumentsDone(JsonElement root)
        {
            if (ItemOf(root, "function_call") is not { } call)
            {
                return;
            }

            if (call.ArgumentsDone)
            {
                Fail($"a second response.function_call_arguments.done for function_call item {call.Index}");
                return;
            }

            call.ArgumentsDone = true;
            if (StringMember(root, "arguments") is { } arguments && arguments != call.Arguments)
            {
                Fail($"response.function_call_arguments.done arguments {Quote(arguments)} ≠ the concatenated deltas {Quote(call.Arguments)}");
            }
        }

        private void SummaryPartAdded(JsonElement root)
        {
            if (ItemOf(root, "reasoning") is not { } reasoning)
            {
                return;
            }

            var next = reasoning.Parts.Count;
            if (Int(root, "summary_index") != next)
            {
                Fail($"summary_index is {Raw(root, "summary_index")}, expected {next} (summary parts are numbered 0, 1, … in order)");
            }

            if (next > 0 && !reasoning.Parts[^1].PartDone)
            {
                Fail($"summary part {next} is added while summary part {next - 1} is still open");
            }

            reasoning.Parts.Add(new ResponsesStreamItem.SummaryPart());
            if (Obj(root, "part") is not { } part)
            {
                Fail("has no 'part' object");
                return;
            }

            if (Str(part, "type") != "summary_text")
            {
                Fail($"part.type is {Raw(part, "type")}, not \"summary_text\"");
            }

            if (Prop(part, "text") is { } text && !(text.ValueKind == JsonValueKind.String && text.GetString()!.Length == 0))
            {
                Fail($"part.text is {Raw(part, "text")}, not \"\"");
            }
        }

        /// <summary>The summary part a summary event names: added and not yet done.</summary>
        private ResponsesStreamItem.SummaryPart? SummaryPartOf(JsonElement root, out ResponsesStreamItem? reasoning)
        {
            reasoning = ItemOf(root, "reasoning");
            if (reasoning is null)
            {
                return null;
            }

            if (Int(root, "summary_index") is not { } index || index < 0 || index >= reasoning.Parts.Count)
            {
                Fail($"summary_index {Raw(root, "summary_index")} names no added summary part (reasoning item {reasoning.Index} has {reasoning.Parts.Count})");
                return null;
            }

            var part = reasoning.Parts[(int)index];
            if (part.PartDone)
            {
                Fail($"comes after response.reasoning_summary_part.done of summary part {index}");
                return null;
            }

            return part;
        }

        private void SummaryTextDelta(JsonElement root)
        {
            if (SummaryPartOf(root, out _) is not { } part)
            {
                return;
            }

            if (part.TextDone)
            {
                Fail("comes after response.reasoning_summary_text.done of its summary part");
            }

            if (StringMember(root, "delta") is { } delta)
            {
                part.Text.Append(delta);
            }
        }

        private void SummaryTextDone(JsonElement root)
        {
            if (SummaryPartOf(root, out _) is not { } part)
            {
                return;
            }

            if (part.TextDone)
            {
                Fail("a second response.reasoning_summary_text.done for one summary part");
                return;
            }

            part.TextDone = true;
            if (StringMember(root, "text") is { } text && text != part.Text.ToString())
            {
                Fail($"response.reasoning_summary_text.done text {Quote(text)} ≠ the concatenated summary deltas {Quote(part.Text.ToString())}");
            }
        }

        private void SummaryPartDone(JsonElement root)
        {
            if (SummaryPartOf(root, out _) is not { } part)
            {
                return;
            }

            if (!part.TextDone)
            {
                Fail("comes before response.reasoning_summary_text.done of its summary part");
            }

            part.PartDone = true;
            if (Obj(root, "part") is not { } donePart)
            {
                Fail("has no 'part' object");
                return;
            }

            if (Str(donePart, "type") != "summary_text")
            {
                Fail($"part.type is {Raw(donePart, "type")}, not \"summary_text\"");
            }

            if (Str(donePart, "text") != part.Text.ToString())
            {
                Fail($"response.reasoning_summary_part.done part.text {Raw(donePart, "text")} ≠ the summary text {Quote(part.Text.ToString())}");
            }
        }

        private void ReasoningTextDelta(JsonElement root)
        {
            if (ItemOf(root, "reasoning") is not { } reasoning)
            {
                return;
            }

            ContentIndexZero(root);
            if (reasoning.ReasoningTextDone)
            {
                Fail($"comes after response.reasoning_text.done of reasoning item {reasoning.Index}");
            }

            if (StringMember(root, "delta") is { } delta)
            {
                reasoning.AppendReasoningText(delta);
            }
        }

        private void ReasoningTextDone(JsonElement root)
        {
            if (ItemOf(root, "reasoning") is not { } reasoning)
            {
                return;
            }

            ContentIndexZero(root);
            if (reasoning.ReasoningTextDone)
            {
                Fail($"a second response.reasoning_text.done for reasoning item {reasoning.Index}");
                return;
            }

            reasoning.ReasoningTextDone = true;
            reasoning.AppendReasoningText(string.Empty);
            if (StringMember(root, "text") is { } text && text != reasoning.ReasoningText)
            {
                Fail($"response.reasoning_text.done text {Quote(text)} ≠ the concatenated reasoning deltas {Quote(reasoning.ReasoningText)}");
            }
        }
    }
}
