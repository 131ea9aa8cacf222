using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Streaming;

/// <summary>Streamed <c>text_completion</c> objects for the legacy <c>/v1/completions</c>.</summary>
internal sealed class TextChunkRenderer(string id, long created, string model, bool includeUsage, string? echoPrefix) : IChunkRenderer
{
    public Task StartChoiceAsync(SseWriter writer, int index, CancellationToken cancellationToken)
        => echoPrefix is { Length: > 0 } ? WriteAsync(writer, index, echoPrefix, null, cancellationToken) : Task.CompletedTask;

    public Task TextAsync(SseWriter writer, int index, string text, CancellationToken cancellationToken)
        => WriteAsync(writer, index, text, null, cancellationToken);

    public Task ReasoningAsync(SseWriter writer, int index, string text, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task ToolCallAsync(SseWriter writer, int index, int callIndex, string id, string name, string arguments, bool blockInContent, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task FinishAsync(SseWriter writer, int index, string finishReason, CancellationToken cancellationToken)
        => WriteAsync(writer, index, string.Empty, finishReason, cancellationToken);

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
