using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

/// <summary>Which OpenAI stream a body is.</summary>
public enum StreamKind
{
    /// <summary><c>/v1/chat/completions</c>: <c>chat.completion.chunk</c> objects.</summary>
    ChatCompletion,

    /// <summary><c>/v1/completions</c>: <c>text_completion</c> objects.</summary>
    TextCompletion,
}

/// <summary>What the request asked for, when known: more invariants can then be checked.</summary>
/// <param name="Choices">The request's <c>n</c> (default 1).</param>
/// <param name="IncludeUsage">The request's <c>stream_options.include_usage</c> (false when absent).</param>
public sealed record StreamExpectations(int? Choices = null, bool? IncludeUsage = null);

/// <summary>A streamed response broke the wire contract; the message lists every violation.</summary>
public sealed class WireInvariantException(string message) : Exception(message);

/// <summary>One tool call of one choice, assembled from its deltas.</summary>
public sealed class StreamToolCall
{
    private readonly StringBuilder _arguments = new();

    internal StreamToolCall(int index, string? id, string? name)
    {
        Index = index;
        Id = id;
        Name = name;
    }

    public int Index { get; }

    public string? Id { get; }

    public string? Name { get; }

    public string Arguments => _arguments.ToString();

    internal void Append(string fragment) => _arguments.Append(fragment);
}

/// <summary>One choice of a checked stream, assembled from its chunks.</summary>
public sealed class StreamChoice
{
    private readonly StringBuilder _content = new();
    private readonly StringBuilder _reasoning = new();
    private readonly SortedDictionary<int, StreamToolCall> _toolCalls = [];

    internal StreamChoice(int index) => Index = index;

    public int Index { get; }

    /// <summary>The concatenated <c>delta.content</c> (chat) or <c>text</c> (completions).</summary>
    public string Content => _content.ToString();

    /// <summary>The concatenated <c>delta.reasoning_content</c>.</summary>
    public string ReasoningContent => _reasoning.ToString();

    /// <summary>The one non-null <c>finish_reason</c>, or null when the stream ended without one.</summary>
    public string? FinishReason { get; internal set; }

    /// <summary>Whether the first chunk of this index carried <c>delta.role:"assistant"</c>.</summary>
    public bool HasRole { get; internal set; }

    /// <summary>Chunks that carried this index.</summary>
    public int Chunks { get; internal set; }

    /// <summary>Chunks that carried non-empty content for this index.</summary>
    public int ContentChunks { get; internal set; }

    /// <summary>The non-empty content fragments, in order.</summary>
    public List<string> ContentFragments { get; } = [];

    public IReadOnlyList<StreamToolCall> ToolCalls => [.. _toolCalls.Values];

    internal SortedDictionary<int, StreamToolCall> ToolCallsByIndex => _toolCalls;

    internal void AppendContent(string text)
    {
        _content.Append(text);
        if (text.Length > 0)
        {
            ContentChunks++;
            ContentFragments.Add(text);
        }
    }

    internal void AppendReasoning(string text) => _reasoning.Append(text);
}

/// <summary>A stream that passed <see cref="WireInvariants"/>, with its choices assembled.</summary>
public sealed class CheckedStream
{
    internal CheckedStream(StreamKind kind, SseStream sse) => (Kind, Sse) = (kind, sse);

    public StreamKind Kind { get; }

    public SseStream Sse { get; }

    public string? Id { get; internal set; }

    public long? Created { get; internal set; }

    public string? Model { get; internal set; }

    /// <summary>Every choice seen, by index.</summary>
    public SortedDictionary<int, StreamChoice> Choices { get; } = [];

    /// <summary>The usage of the final <c>choices:[]</c> chunk, when there was one.</summary>
    public JsonElement? Usage { get; internal set; }

    /// <summary>The <c>error</c> object of an in-band error event, when the stream ended with one.</summary>
    public JsonElement? Error { get; internal set; }

    /// <summary>The stream ended with <c>data: [DONE]</c>.</summary>
    public bool Done { get; internal set; }

    /// <summary>Every JSON chunk (not the error event), in order.</summary>
    public List<JsonElement> Chunks { get; } = [];

    public int Comments => Sse.Comments.Count;

    public StreamChoice this[int index] => Choices.TryGetValue(index, out var choice)
        ? choice
        : throw new KeyNotFoundException($"The stream has no choice {index}; it has [{string.Join(", ", Choices.Keys)}].");
}

/// <summary>
/// The wire contract of the service's OpenAI streams (openai-contract.md §3), checked on a whole body. Every
/// violation is collected and reported at once, with the event it was found in and the stream itself.
/// </summary>
/// <remarks>
/// Checked for both kinds: every event is one <c>data:</c> line without an <c>event:</c> name; every data is JSON
/// except one final <c>[DONE]</c>; nothing (not even a comment) follows <c>[DONE]</c>; an in-band error
/// (<c>{"error":{message,type,param,code}}</c>) is the last event and no <c>[DONE]</c> follows it; a stream ends
/// with one of the two; every chunk has the right <c>object</c> and the same <c>id</c>, <c>created</c> and
/// <c>model</c>; per choice index exactly one chunk has a non-null <c>finish_reason</c> from the allowed set and
/// nothing for that index follows it; when any chunk has a <c>usage</c> member all do, all but the last are null
/// and the last (after a normal end) is a <c>choices:[]</c> chunk with full, consistent usage. Chat only: the
/// first chunk of each index has <c>delta.role:"assistant"</c> and no other chunk has a role; tool-call deltas
/// (the first per tool index has <c>id</c>, <c>type:"function"</c> and the whole <c>function.name</c>; later
/// ones only <c>function.arguments</c>; <c>function</c> never has <c>id</c>; a choice that called tools finishes
/// with <c>tool_calls</c> or <c>length</c>).
/// </remarks>
public static class WireInvariants
{
    private static readonly HashSet<string> ChatFinishReasons = ["stop", "length", "tool_calls", "content_filter", "function_call"];
    private static readonly HashSet<string> TextFinishReasons = ["stop", "length", "content_filter"];

    public static CheckedStream CheckChat(string body, StreamExpectations? expect = null) => Check(StreamKind.ChatCompletion, ParseOrThrow(body), expect);

    public static CheckedStream CheckText(string body, StreamExpectations? expect = null) => Check(StreamKind.TextCompletion, ParseOrThrow(body), expect);

    /// <summary>Checks a parsed stream; throws <see cref="WireInvariantException"/> listing every violation.</summary>
    public static CheckedStream Check(StreamKind kind, SseStream sse, StreamExpectations? expect = null)
    {
        ArgumentNullException.ThrowIfNull(sse);
        var problems = new List<string>();
        var result = new CheckedStream(kind, sse);
        var chat = kind == StreamKind.ChatCompletion;
        var objectName = chat ? "chat.completion.chunk" : "text_completion";
        var idPrefix = chat ? "chatcmpl-" : "cmpl-";
        var usageMembers = new List<(int Event, JsonElement Chunk, bool Present)>();
        int? doneAt = null;
        int? errorAt = null;

        for (var i = 0; i < sse.Events.Count; i++)
        {
            var e = sse.Events[i];
            void Fail(string message) => problems.Add($"event {i} (line {e.Line}): {message} — data {Sse.Excerpt(e.Data)}");

            if (e.Name is not null)
            {
                Fail($"has an 'event: {e.Name}' field; chat and completions streams use unnamed events");
            }

            if (e.DataLines != 1)
            {
                Fail($"has {e.DataLines} data lines; every event must be exactly one 'data:' line");
            }

            if (doneAt is not null)
            {
                Fail("follows data: [DONE]");
                continue;
            }

            if (errorAt is not null)
            {
                Fail("follows the in-band error event; the error must be the last event");
            }

            if (e.Data == "[DONE]")
            {
                doneAt = i;
                if (errorAt is not null)
                {
                    Fail("[DONE] after an in-band error");
                }

                continue;
            }

            JsonElement root;
            try
            {
                using var document = JsonDocument.Parse(e.Data);
                root = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                Fail($"data is neither JSON nor [DONE] ({ex.Message})");
                continue;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                Fail($"data is JSON {root.ValueKind}, not an object");
                continue;
            }

            if (root.TryGetProperty("error", out var error))
            {
                errorAt ??= i;
                result.Error = error;
                CheckError(error, root, Fail);
                continue;
            }

            result.Chunks.Add(root);
            CheckChunkHeader(root, result, objectName, idPrefix, Fail);
            var hasUsage = root.TryGetProperty("usage", out _);
            usageMembers.Add((i, root, hasUsage));

            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                Fail("has no 'choices' array");
                continue;
            }

            if (choices.GetArrayLength() == 0 && !(root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object))
            {
                Fail("has empty 'choices' but is not the usage chunk (no usage object)");
            }

            var indexesInChunk = new HashSet<int>();
            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.ValueKind != JsonValueKind.Object || !choice.TryGetProperty("index", out var indexElement) || !indexElement.TryGetInt32(out var index) || index < 0)
                {
                    Fail("a choice has no non-negative integer 'index'");
                    continue;
                }

                if (!indexesInChunk.Add(index))
                {
                    Fail($"choice index {index} appears twice in one chunk");
                }

                if (expect?.Choices is { } n && index >= n)
                {
                    Fail($"choice index {index} is out of range for n={n}");
                }

                var isFirst = !result.Choices.TryGetValue(index, out var state);
                if (isFirst)
                {
                    state = new StreamChoice(index);
                    result.Choices[index] = state;
                }

                if (state!.FinishReason is not null)
                {
                    Fail($"choice {index} has a chunk after its finish_reason '{state.FinishReason}'");
                }

                state.Chunks++;
                if (chat)
                {
                    CheckChatChoice(choice, state, isFirst, Fail);
                }
                else
                {
                    CheckTextChoice(choice, state, Fail);
                }

                if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind != JsonValueKind.Null)
                {
                    var reason = finish.ValueKind == JsonValueKind.String ? finish.GetString()! : finish.GetRawText();
                    if (!(chat ? ChatFinishReasons : TextFinishReasons).Contains(reason))
                    {
                        Fail($"choice {index} has finish_reason '{reason}', which is not one of {string.Join("|", chat ? ChatFinishReasons : TextFinishReasons)}");
                    }

                    state.FinishReason ??= reason;
                }
                else if (!choice.TryGetProperty("finish_reason", out _))
                {
                    Fail($"choice {index} has no 'finish_reason' member (it must be null until the last chunk)");
                }
            }
        }

        foreach (var comment in sse.Comments)
        {
            if (doneAt is { } done && comment.EventsBefore > done)
            {
                problems.Add($"comment on line {comment.Line} follows data: [DONE]");
            }
        }

        result.Done = doneAt is not null;
        if (doneAt is null && errorAt is null)
        {
            problems.Add($"the stream ended after {sse.Events.Count} events without data: [DONE] or an in-band error (truncated)");
        }

        if (result.Done)
        {
            var expected = expect?.Choices is { } n ? Enumerable.Range(0, n) : result.Choices.Keys;
            foreach (var index in expected)
            {
                if (!result.Choices.TryGetValue(index, out var state))
                {
                    problems.Add($"choice {index} never appeared in a stream that ended normally");
                    continue;
                }

                if (state.FinishReason is null)
                {
                    problems.Add($"choice {index} has no chunk with a finish_reason in a stream that ended normally");
                }
            }
        }

        CheckUsage(usageMembers, result, expect, problems);
        foreach (var state in result.Choices.Values)
        {
            if (state.ToolCallsByIndex.Count > 0 && state.FinishReason is { } reason && reason is not ("tool_calls" or "length"))
            {
                problems.Add($"choice {state.Index} streamed tool calls but finished with '{reason}' (expected tool_calls)");
            }
        }

        if (problems.Count > 0)
        {
            throw new WireInvariantException(Describe(kind, problems, sse.Raw));
        }

        return result;
    }

    internal static SseStream ParseOrThrow(string body)
    {
        try
        {
            return Sse.Parse(body);
        }
        catch (SseFormatException ex)
        {
            throw new WireInvariantException($"The body is not well-formed SSE: {ex.Message}\n--- stream ---\n{Truncate(body)}");
        }
    }

    internal static string Describe(StreamKind kind, IReadOnlyList<string> problems, string raw)
        => Describe(kind == StreamKind.ChatCompletion ? "chat.completion.chunk" : "text_completion", problems, raw);

    /// <summary>The report of a broken stream named <paramref name="streamName"/>: every violation, then the stream (truncated).</summary>
    internal static string Describe(string streamName, IReadOnlyList<string> problems, string raw)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{problems.Count} wire-invariant violation(s) in a {streamName} stream:\n");
        foreach (var problem in problems)
        {
            text.Append("  - ").Append(problem).Append('\n');
        }

        text.Append("--- stream ---\n").Append(Truncate(raw));
        return text.ToString();
    }

    private static string Truncate(string raw) => raw.Length > 8000 ? raw[..8000] + "\n… (" + raw.Length + " chars)" : raw;

    private static void CheckError(JsonElement error, JsonElement root, Action<string> fail)
    {
        if (error.ValueKind != JsonValueKind.Object)
        {
            fail("'error' is not an object");
            return;
        }

        if (!error.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String || message.GetString()!.Length == 0)
        {
            fail("the in-band error has no non-empty string 'message'");
        }

        if (!error.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString()!.Length == 0)
        {
            fail("the in-band error has no non-empty string 'type'");
        }

        foreach (var member in new[] { "param", "code" })
        {
            if (!error.TryGetProperty(member, out var value) || value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                fail($"the in-band error has no '{member}' member (string or null)");
            }
        }

        if (root.TryGetProperty("object", out _) || root.TryGetProperty("choices", out _))
        {
            fail("the in-band error event is mixed with chunk members");
        }
    }

    private static void CheckChunkHeader(JsonElement root, CheckedStream result, string objectName, string idPrefix, Action<string> fail)
    {
        if (!root.TryGetProperty("object", out var obj) || obj.ValueKind != JsonValueKind.String || obj.GetString() != objectName)
        {
            fail($"'object' is not \"{objectName}\"");
        }

        if (root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString()!.StartsWith(idPrefix, StringComparison.Ordinal))
        {
            result.Id ??= id.GetString();
            if (result.Id != id.GetString())
            {
                fail($"'id' changed from '{result.Id}' to '{id.GetString()}'");
            }
        }
        else
        {
            fail($"'id' is not a string starting with '{idPrefix}'");
        }

        if (root.TryGetProperty("created", out var created) && created.ValueKind == JsonValueKind.Number && created.TryGetInt64(out var seconds) && seconds > 1_600_000_000)
        {
            result.Created ??= seconds;
            if (result.Created != seconds)
            {
                fail($"'created' changed from {result.Created} to {seconds}");
            }
        }
        else
        {
            fail("'created' is not a plausible integer Unix time");
        }

        if (root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String && model.GetString()!.Length > 0)
        {
            result.Model ??= model.GetString();
            if (result.Model != model.GetString())
            {
                fail($"'model' changed from '{result.Model}' to '{model.GetString()}'");
            }
        }
        else
        {
            fail("'model' is not a non-empty string");
        }
    }

    private static void CheckChatChoice(JsonElement choice, StreamChoice state, bool isFirst, Action<string> fail)
    {
        var index = state.Index;
        if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
        {
            fail($"choice {index} has no 'delta' object");
            return;
        }

        var hasRole = delta.TryGetProperty("role", out var role) && role.ValueKind != JsonValueKind.Null;
        if (isFirst)
        {
            if (!hasRole || role.ValueKind != JsonValueKind.String || role.GetString() != "assistant")
            {
                fail($"the first chunk of choice {index} has no delta.role \"assistant\" (content must come only after the role chunk)");
            }

            state.HasRole = hasRole;
        }
        else if (hasRole)
        {
            fail($"choice {index} sends delta.role again (it must appear exactly once, in the first chunk)");
        }

        foreach (var name in new[] { "content", "reasoning_content", "refusal" })
        {
            if (delta.TryGetProperty(name, out var value) && value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                fail($"choice {index} delta.{name} is {value.ValueKind}, not a string or null");
            }
        }

        if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
        {
            state.AppendContent(content.GetString()!);
        }

        if (delta.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind == JsonValueKind.String)
        {
            state.AppendReasoning(reasoning.GetString()!);
        }

        if (delta.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind != JsonValueKind.Null)
        {
            CheckToolCalls(toolCalls, state, fail);
        }
    }

    private static void CheckToolCalls(JsonElement toolCalls, StreamChoice state, Action<string> fail)
    {
        var index = state.Index;
        if (toolCalls.ValueKind != JsonValueKind.Array)
        {
            fail($"choice {index} delta.tool_calls is not an array");
            return;
        }

        foreach (var call in toolCalls.EnumerateArray())
        {
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("index", out var ti) || !ti.TryGetInt32(out var toolIndex) || toolIndex < 0)
            {
                fail($"choice {index}: a tool-call delta has no non-negative integer 'index'");
                continue;
            }

            var where = $"choice {index} tool call {toolIndex}";
            var function = call.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object ? f : (JsonElement?)null;
            if (call.TryGetProperty("function", out var anyFunction) && anyFunction.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                fail($"{where}: 'function' is not an object");
            }

            if (function is { } fn && fn.TryGetProperty("id", out _))
            {
                fail($"{where}: 'function' contains 'id' (the id belongs to the tool call)");
            }

            string? arguments = null;
            if (function is { } fa && fa.TryGetProperty("arguments", out var args) && args.ValueKind != JsonValueKind.Null)
            {
                if (args.ValueKind == JsonValueKind.String)
                {
                    arguments = args.GetString();
                }
                else
                {
                    fail($"{where}: function.arguments is {args.ValueKind}, not a string fragment");
                }
            }

            var id = call.TryGetProperty("id", out var idElement) && idElement.ValueKind != JsonValueKind.Null ? idElement : (JsonElement?)null;
            var type = call.TryGetProperty("type", out var typeElement) && typeElement.ValueKind != JsonValueKind.Null ? typeElement : (JsonElement?)null;
            var name = function is { } fnn && fnn.TryGetProperty("name", out var n) && n.ValueKind != JsonValueKind.Null ? n : (JsonElement?)null;
            if (!state.ToolCallsByIndex.TryGetValue(toolIndex, out var existing))
            {
                if (id is not { ValueKind: JsonValueKind.String } idValue || idValue.GetString()!.Length == 0)
                {
                    fail($"{where}: the first delta has no non-empty 'id'");
                }

                if (type is not { ValueKind: JsonValueKind.String } typeValue || typeValue.GetString() != "function")
                {
                    fail($"{where}: the first delta has no type \"function\"");
                }

                if (name is not { ValueKind: JsonValueKind.String } nameValue || nameValue.GetString()!.Length == 0)
                {
                    fail($"{where}: the first delta has no whole function.name");
                }

                existing = new StreamToolCall(toolIndex, id?.ToString(), name?.ToString());
                state.ToolCallsByIndex[toolIndex] = existing;
            }
            else
            {
                if (id is not null)
                {
                    fail($"{where}: a later delta repeats 'id' (only function.arguments may follow the first delta)");
                }

                if (type is not null)
                {
                    fail($"{where}: a later delta repeats 'type'");
                }

                if (name is not null)
                {
                    fail($"{where}: a later delta carries function.name (the name is streamed whole, once)");
                }
            }

            if (arguments is not null)
            {
                existing.Append(arguments);
            }
        }
    }

    private static void CheckTextChoice(JsonElement choice, StreamChoice state, Action<string> fail)
    {
        if (!choice.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
        {
            fail($"choice {state.Index} has no string 'text'");
            return;
        }

        state.AppendContent(text.GetString()!);
        if (choice.TryGetProperty("delta", out _))
        {
            fail($"choice {state.Index} has a chat 'delta' in a text_completion stream");
        }
    }

    private static void CheckUsage(List<(int Event, JsonElement Chunk, bool Present)> chunks, CheckedStream result, StreamExpectations? expect, List<string> problems)
    {
        var any = chunks.Any(c => c.Present);
        if (expect?.IncludeUsage == false && any)
        {
            problems.Add("chunks carry a 'usage' member although the request did not ask for stream_options.include_usage");
            return;
        }

        if (!any)
        {
            if (expect?.IncludeUsage == true && result.Done)
            {
                problems.Add("the request asked for include_usage but no chunk carries 'usage' (the final usage chunk is missing)");
            }

            return;
        }

        for (var k = 0; k < chunks.Count; k++)
        {
            var (eventIndex, chunk, present) = chunks[k];
            var last = k == chunks.Count - 1;
            if (!present)
            {
                problems.Add($"event {eventIndex}: no 'usage' member while other chunks have one (all must carry usage:null until the last)");
                continue;
            }

            var usage = chunk.GetProperty("usage");
            if (!last)
            {
                if (usage.ValueKind != JsonValueKind.Null)
                {
                    problems.Add($"event {eventIndex}: usage is not null, but only the last chunk may carry usage");
                }

                continue;
            }

            if (usage.ValueKind == JsonValueKind.Null)
            {
                if (result.Done)
                {
                    problems.Add($"event {eventIndex}: the last chunk before [DONE] has usage:null; it must be the usage chunk");
                }

                continue;
            }

            if (chunk.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() != 0)
            {
                problems.Add($"event {eventIndex}: the usage chunk must have choices:[]");
            }

            CheckUsageObject(usage, eventIndex, problems);
            result.Usage = usage;
        }
    }

    private static void CheckUsageObject(JsonElement usage, int eventIndex, List<string> problems)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"event {eventIndex}: usage is {usage.ValueKind}, not an object");
            return;
        }

        long? Read(JsonElement parent, string name, string path)
        {
            if (parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0)
            {
                return number;
            }

            problems.Add($"event {eventIndex}: usage.{path} is missing or not a non-negative integer");
            return null;
        }

        var prompt = Read(usage, "prompt_tokens", "prompt_tokens");
        var completion = Read(usage, "completion_tokens", "completion_tokens");
        var total = Read(usage, "total_tokens", "total_tokens");
        if (prompt is { } p && completion is { } c && total is { } t && t != p + c)
        {
            problems.Add($"event {eventIndex}: usage.total_tokens {t} != prompt_tokens {p} + completion_tokens {c}");
        }

        if (usage.TryGetProperty("prompt_tokens_details", out var promptDetails) && promptDetails.ValueKind == JsonValueKind.Object)
        {
            if (Read(promptDetails, "cached_tokens", "prompt_tokens_details.cached_tokens") is { } cached && prompt is { } pt && cached > pt)
            {
                problems.Add($"event {eventIndex}: cached_tokens {cached} > prompt_tokens {pt}");
            }
        }
        else
        {
            problems.Add($"event {eventIndex}: usage.prompt_tokens_details is missing");
        }

        if (usage.TryGetProperty("completion_tokens_details", out var completionDetails) && completionDetails.ValueKind == JsonValueKind.Object)
        {
            if (Read(completionDetails, "reasoning_tokens", "completion_tokens_details.reasoning_tokens") is { } reasoning && completion is { } ct && reasoning > ct)
            {
                problems.Add($"event {eventIndex}: reasoning_tokens {reasoning} > completion_tokens {ct}");
            }
        }
        else
        {
            problems.Add($"event {eventIndex}: usage.completion_tokens_details is missing");
        }
    }
}
