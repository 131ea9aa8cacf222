using System.Text.Json.Nodes;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>
/// Builds <c>SCRIPT:{…}</c> directives to put in a user (or developer/system) message. Every method returns the
/// whole directive text, e.g. <c>SCRIPT:{"reply":"text","text":"hi","deltas":3}</c>. See README.md for the grammar.
/// </summary>
public static class ScriptDirective
{
    public const string Marker = DirectiveParser.Marker;

    /// <summary>Any directive, for fields the helpers below do not cover.</summary>
    public static string Create(JsonObject directive)
    {
        ArgumentNullException.ThrowIfNull(directive);
        return Marker + directive.ToJsonString();
    }

    /// <summary>A text reply; <paramref name="text"/> <see langword="null"/> gives the demo reply.</summary>
    public static string Text(string? text = null, int? deltas = null, int? delayMs = null, int? firstDelayMs = null) =>
        Build("text", new() { ["text"] = text, ["deltas"] = deltas, ["delay_ms"] = delayMs, ["first_delay_ms"] = firstDelayMs });

    /// <summary>Replies <c>echo:&lt;token&gt;</c>.</summary>
    public static string Echo(string token, int? deltas = null, int? delayMs = null) =>
        Build("echo", new() { ["token"] = token, ["deltas"] = deltas, ["delay_ms"] = delayMs });

    /// <summary>A reasoning item (summary parts, optional raw reasoning text), then a text message.</summary>
    public static string Reasoning(IEnumerable<string>? summary = null, string? text = null, string? reasoningText = null, int? deltas = null) =>
        Build("reasoning", new()
        {
            ["summary"] = summary is null ? null : new JsonArray([.. summary.Select(s => JsonValue.Create(s))]),
            ["text"] = text,
            ["reasoning_text"] = reasoningText,
            ["deltas"] = deltas,
        });

    /// <summary>Function calls, all in one response (several = parallel calls).</summary>
    public static string ToolCalls(params ScriptedToolCall[] calls) => ToolCalls(calls, text: null);

    /// <summary>
    /// Function calls in one response, optionally after a <paramref name="text"/> message. Once the request carries a
    /// <c>function_call_output</c> after the last user message, the reply is <paramref name="afterToolText"/> instead
    /// (default <c>Tool results: &lt;output1&gt;; &lt;output2&gt;</c>).
    /// </summary>
    public static string ToolCalls(IReadOnlyList<ScriptedToolCall> calls, string? text = null, string? afterToolText = null, int? argumentsDeltas = null)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var array = new JsonArray();
        foreach (var call in calls)
        {
            array.Add(Drop(new JsonObject
            {
                ["name"] = call.Name,
                ["arguments"] = call.Arguments?.DeepClone(),
                ["call_id"] = call.CallId,
                ["namespace"] = call.Namespace,
            }));
        }

        return Build("tool_calls", new()
        {
            ["calls"] = array,
            ["text"] = text,
            ["after_tool_text"] = afterToolText,
            ["arguments_deltas"] = argumentsDeltas,
        });
    }

    /// <summary>Several assistant messages, one output item each.</summary>
    public static string MultiMessage(params string[] messages) =>
        Build("multi_message", new() { ["messages"] = new JsonArray([.. messages.Select(m => JsonValue.Create(m))]) });

    /// <summary>Text, then <c>response.incomplete</c> (reason <c>max_output_tokens</c>).</summary>
    public static string Incomplete(string? text = null, int? deltas = null) =>
        Build("incomplete", new() { ["text"] = text, ["deltas"] = deltas });

    /// <summary><c>response.failed</c>, optionally after partial <paramref name="text"/>.</summary>
    public static string Failed(string? code = null, string? message = null, string? text = null) =>
        Build("failed", new() { ["code"] = code, ["message"] = message, ["text"] = text });

    /// <summary>An HTTP error with an OpenAI error body; <paramref name="retryAfter"/> (seconds) adds <c>retry-after</c>.</summary>
    public static string HttpError(int status, string? code = null, string? message = null, int? retryAfter = null, string? type = null, string? param = null) =>
        Build("http_error", new()
        {
            ["status"] = status,
            ["code"] = code,
            ["message"] = message,
            ["retry_after"] = retryAfter,
            ["type"] = type,
            ["param"] = param,
        });

    /// <summary>Starts a message, sends <paramref name="deltas"/> deltas, then drops the connection.</summary>
    public static string Cut(string? text = null, int? deltas = null) =>
        Build("cut", new() { ["text"] = text, ["deltas"] = deltas });

    /// <summary>Sends <c>response.created</c> (and <paramref name="afterDeltas"/> deltas), then nothing until the client leaves.</summary>
    public static string Stall(int? afterDeltas = null, string? text = null) =>
        Build("stall", new() { ["after_deltas"] = afterDeltas, ["text"] = text });

    private static string Build(string reply, JsonObject fields)
    {
        var directive = new JsonObject { ["reply"] = reply };
        foreach (var (name, value) in Drop(fields).ToList())
        {
            fields.Remove(name);
            directive[name] = value;
        }

        return Create(directive);
    }

    private static JsonObject Drop(JsonObject fields)
    {
        foreach (var name in fields.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            fields.Remove(name);
        }

        return fields;
    }
}
