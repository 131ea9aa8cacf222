using System.Text.Json.Nodes;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>A function call for <see cref="ScriptDirective.ToolCalls(ScriptedToolCall[])"/>.</summary>
/// <param name="Name">Tool name.</param>
/// <param name="Arguments">
/// Arguments: a JSON object (sent as its compact JSON text), or a <see cref="JsonValue"/> string sent verbatim
/// (use <see cref="WithRawArguments"/>); <see langword="null"/> sends <c>{}</c>.
/// </param>
/// <param name="CallId">The <c>call_id</c>; <see langword="null"/> gives <c>call_&lt;request&gt;_&lt;index&gt;</c>.</param>
/// <param name="Namespace">Optional tool namespace (Codex's namespaced dynamic tools).</param>
public sealed record ScriptedToolCall(string Name, JsonNode? Arguments = null, string? CallId = null, string? Namespace = null)
{
    /// <summary>A call whose <c>arguments</c> string is exactly <paramref name="arguments"/> (not necessarily valid JSON).</summary>
    public static ScriptedToolCall WithRawArguments(string name, string arguments, string? callId = null) =>
        new(name, JsonValue.Create(arguments), callId);
}
