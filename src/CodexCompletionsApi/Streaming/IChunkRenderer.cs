using CodexCompletionsApi.Backend;

namespace CodexCompletionsApi.Streaming;

/// <summary>Turns choice events into one endpoint's stream chunks (chat or legacy completions).</summary>
internal interface IChunkRenderer
{
    /// <summary>A choice's turn started (chat: the role chunk).</summary>
    Task StartChoiceAsync(SseWriter writer, int index, CancellationToken cancellationToken);

    Task TextAsync(SseWriter writer, int index, string text, CancellationToken cancellationToken);

    Task ReasoningAsync(SseWriter writer, int index, string text, CancellationToken cancellationToken);

    /// <summary>A complete tool call of a choice (chat: <c>delta.tool_calls</c>, and the XML block in obsidian-xml mode).</summary>
    Task ToolCallAsync(SseWriter writer, int index, int callIndex, string id, string name, string arguments, bool blockInContent, CancellationToken cancellationToken);

    Task FinishAsync(SseWriter writer, int index, string finishReason, CancellationToken cancellationToken);

    /// <summary>The final <c>choices: []</c> usage chunk (only with <c>include_usage</c>).</summary>
    Task UsageAsync(SseWriter writer, TokenUsage usage, CancellationToken cancellationToken);
}
