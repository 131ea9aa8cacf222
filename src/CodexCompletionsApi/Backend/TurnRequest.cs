using System.Text.Json;

namespace CodexCompletionsApi.Backend;

/// <summary>What one turn needs: the model, the instructions, the replayed history and the new input.</summary>
public sealed record TurnRequest
{
    /// <summary>The upstream slug Codex sends as <c>model</c>.</summary>
    public required string Model { get; init; }

    /// <summary>
    /// The system prompt; <c>""</c> (the default) removes Codex's own coding prompt so the model sees
    /// only what the client sent.
    /// </summary>
    public string BaseInstructions { get; init; } = string.Empty;

    /// <summary>Prior conversation as verbatim Responses API items, injected before the turn.</summary>
    public IReadOnlyList<JsonElement> History { get; init; } = [];

    /// <summary>The new user input; empty when the history ends with tool results.</summary>
    public IReadOnlyList<TurnInputPart> Input { get; init; } = [];

    /// <summary>Reasoning effort, or <see langword="null"/> for the catalog default.</summary>
    public string? Effort { get; init; }

    /// <summary>
    /// Reasoning summary (<c>auto | concise | detailed</c>, or <c>none</c> for no summary), or
    /// <see langword="null"/> for the catalog default.
    /// </summary>
    public string? Summary { get; init; }

    /// <summary>
    /// Client tools, as Codex dynamic tool specs (<c>{"type":"function","name","description","inputSchema"}</c>).
    /// When any is registered, a call the model makes ends the turn: it goes to the client.
    /// </summary>
    public IReadOnlyList<JsonElement> DynamicTools { get; init; } = [];

    /// <summary>A strict JSON schema the final answer must follow (Codex sends it as <c>text.format</c>).</summary>
    public JsonElement? OutputSchema { get; init; }
}

/// <summary>One part of the turn's user input: text or an inline (data URL) image.</summary>
public sealed record TurnInputPart(string? Text, string? ImageDataUrl = null, string? ImageDetail = null)
{
    public static TurnInputPart FromText(string text) => new(text);
}
