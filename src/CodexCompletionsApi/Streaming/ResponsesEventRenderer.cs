using CodexCompletionsApi.Api;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Streaming;

/// <summary>
/// Responses API events (<c>event:</c> + <c>data:</c> frames with a rising <c>sequence_number</c>)
/// from choice events, through one <see cref="ResponseOutputBuilder"/>. The stream ends with exactly
/// one of <c>response.completed</c>, <c>response.incomplete</c> or <c>response.failed</c>, and no
/// <c>[DONE]</c>. <paramref name="onTerminal"/> runs before the terminal event is written (the store
/// saves the response there, so a client that continues at once finds it).
/// </summary>
internal sealed class ResponsesEventRenderer(ResponseOutputBuilder builder, ToolOutput tools, TimeProvider time, Func<ResponseObject, Task> onTerminal) : IChunkRenderer
{
    private bool _wroteText;

    /// <summary>The events a choice event causes (the non-streaming path uses only the builder's result).</summary>
    public IReadOnlyList<ResponseStreamEvent> Apply(ChoiceEvent choiceEvent)
    {
        switch (choiceEvent)
        {
            case ChoiceText text:
                _wroteText = true;
                return builder.Text(text.ItemId, text.Text);
            case ChoiceReasoning reasoning:
                return builder.Reasoning(reasoning.ItemId, reasoning.IsSummary, reasoning.Part, reasoning.Text);
            case ChoiceToolCall call:
                var events = new List<ResponseStreamEvent>();
                if (tools.Mode == ToolOutputMode.ObsidianXml && !call.BlockInContent)
                {
                    // obsidian-xml: the canonical block goes into the message text too, as in chat completions.
                    var block = ObsidianXml.ToBlock(call.Name, call.Arguments, tools.ParameterOrder(call.Name));
                    events.AddRange(builder.Text(null, (_wroteText ? ObsidianXml.BlockSeparator : string.Empty) + block));
                    _wroteText = true;
                }

                events.AddRange(builder.FunctionCall(call.Id, call.Name, call.Arguments));
                return events;
            case ChoiceFinished finished:
                return builder.Finish(finished.FinishReason, finished.Usage, time.GetUtcNow().ToUnixTimeSeconds());
            case ChoiceFailed failed:
                return builder.Fail(ErrorOf(failed.Error));
            default:
                return [];
        }
    }

    /// <summary>The <c>error</c> object of a failed response.</summary>
    public static ResponseError ErrorOf(BackendException error)
    {
        var body = OpenAIErrors.ToBody(error);
        return new ResponseError(body.Code ?? body.Type, body.Message);
    }

    public Task OpenAsync(SseWriter writer, CancellationToken cancellationToken) => WriteAsync(writer, builder.Start(), cancellationToken);

    public Task StartChoiceAsync(SseWriter writer, int index, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task TextAsync(SseWriter writer, ChoiceText text, CancellationToken cancellationToken) => WriteAsync(writer, Apply(text), cancellationToken);

    public Task ReasoningAsync(SseWriter writer, ChoiceReasoning reasoning, CancellationToken cancellationToken) => WriteAsync(writer, Apply(reasoning), cancellationToken);

    public Task ToolCallAsync(SseWriter writer, ChoiceToolCall call, CancellationToken cancellationToken) => WriteAsync(writer, Apply(call), cancellationToken);

    public Task FinishAsync(SseWriter writer, ChoiceFinished finished, CancellationToken cancellationToken) => WriteAsync(writer, Apply(finished), cancellationToken);

    public Task UsageAsync(SseWriter writer, TokenUsage usage, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The terminal event was written by <see cref="FinishAsync"/>: nothing follows it.</summary>
    public Task EndAsync(SseWriter writer, TokenUsage usage, bool includeUsage, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task FailAsync(SseWriter writer, BackendException error, CancellationToken cancellationToken)
        => WriteAsync(writer, builder.Fail(ErrorOf(error)), cancellationToken);

    private async Task WriteAsync(SseWriter writer, IReadOnlyList<ResponseStreamEvent> events, CancellationToken cancellationToken)
    {
        foreach (var streamEvent in events)
        {
            var written = streamEvent;
            if (streamEvent.Response is { Status: not "in_progress" } final)
            {
                try
                {
                    await onTerminal(final);
                }
                catch (BackendException ex)
                {
                    // Not stored as asked: the response fails, so no client builds on an id that does not exist.
                    written = streamEvent with { Type = "response.failed", Response = final with { Status = "failed", Error = ErrorOf(ex), CompletedAt = null } };
                }
            }

            await writer.WriteEventAsync(written.Type, written, OpenAIJsonContext.Web.ResponseStreamEvent, cancellationToken);
        }
    }
}
