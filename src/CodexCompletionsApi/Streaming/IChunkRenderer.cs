using CodexCompletionsApi.Api;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Contracts.OpenAI;

namespace CodexCompletionsApi.Streaming;

/// <summary>Turns choice events into one endpoint's stream events (chat, legacy completions or Responses).</summary>
internal interface IChunkRenderer
{
    /// <summary>The headers were sent (Responses: <c>response.created</c>, <c>response.in_progress</c>).</summary>
    Task OpenAsync(SseWriter writer, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A choice's turn started (chat: the role chunk).</summary>
    Task StartChoiceAsync(SseWriter writer, int index, CancellationToken cancellationToken);

    Task TextAsync(SseWriter writer, ChoiceText text, CancellationToken cancellationToken);

    Task ReasoningAsync(SseWriter writer, ChoiceReasoning reasoning, CancellationToken cancellationToken);

    /// <summary>A complete tool call of a choice (chat: <c>delta.tool_calls</c>, and the XML block in obsidian-xml mode).</summary>
    Task ToolCallAsync(SseWriter writer, ChoiceToolCall call, CancellationToken cancellationToken);

    Task FinishAsync(SseWriter writer, ChoiceFinished finished, CancellationToken cancellationToken);

    /// <summary>The final <c>choices: []</c> usage chunk (only with <c>include_usage</c>).</summary>
    Task UsageAsync(SseWriter writer, TokenUsage usage, CancellationToken cancellationToken);

    /// <summary>Every choice finished: the usage chunk when asked for, then <c>[DONE]</c>.</summary>
    async Task EndAsync(SseWriter writer, TokenUsage usage, bool includeUsage, CancellationToken cancellationToken)
    {
        if (includeUsage)
        {
            await UsageAsync(writer, usage, cancellationToken);
        }

        await writer.WriteDoneAsync(cancellationToken);
    }

    /// <summary>A failure after the headers: one <c>data: {"error":…}</c> event, and no <c>[DONE]</c>.</summary>
    Task FailAsync(SseWriter writer, BackendException error, CancellationToken cancellationToken)
        => writer.WriteDataAsync(new StreamErrorEvent(OpenAIErrors.ToBody(error)), OpenAIJsonContext.Web.StreamErrorEvent, cancellationToken);
}
