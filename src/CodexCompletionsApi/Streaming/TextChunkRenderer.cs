using CodexCompletionsApi.Api;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Streaming;

/// <summary>Streamed <c>text_completion</c> objects for the legacy <c>/v1/completions</c>.</summary>
internal sealed class TextChunkRenderer(string id, long created, string model, bool includeUsage, string? echoPrefix) : IChunkRenderer
{
    public Task StartChoiceAsync(SseWriter writer, int index, CancellationToken cancellationToken)
        => echoPrefix is { Length: > 0 } ? WriteAsync(writer, index, echoPrefix, null, cancellationToken) : Task.CompletedTask;

    public Task TextAsync(SseWriter writer, ChoiceText text, CancellationToken cancellationToken)
        => WriteAsync(writer, text.Index, text.Text, null, cancellationToken);

    public Task ReasoningAsync(SseWriter writer, ChoiceReasoning reasoning, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ToolCallAsync(SseWriter writer, ChoiceToolCall call, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task FinishAsync(SseWriter writer, ChoiceFinished finished, CancellationToken cancellationToken)
        => WriteAsync(writer, finished.Index, string.Empty, finished.FinishReason, cancellationToken);

    public Task UsageAsync(SseWriter writer, TokenUsage usage, CancellationToken cancellationToken)
        => writer.WriteDataAsync(
            new TextCompletion(id, created, model, []) { Usage = UsageSlot.Of(ChatCompletionTranslator.ToUsage(usage)) },
            OpenAIJsonContext.Web.TextCompletion,
            cancellationToken);

    private Task WriteAsync(SseWriter writer, int index, string text, string? finishReason, CancellationToken cancellationToken)
        => writer.WriteDataAsync(
            new TextCompletion(id, created, model, [new TextChoice(text, index, finishReason)]) { Usage = includeUsage ? UsageSlot.Null : default },
            OpenAIJsonContext.Web.TextCompletion,
            cancellationToken);
}
