using CodexCompletionsApi.Api;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Streaming;

/// <summary>
/// <c>chat.completion.chunk</c>s: a role chunk per choice, content deltas, one finish chunk per
/// choice, and the usage chunk. Every chunk has the same <c>id</c>, <c>created</c> and <c>model</c>;
/// with <c>include_usage</c> every chunk carries <c>usage: null</c> except the last.
/// </summary>
internal sealed class ChatChunkRenderer(string id, long created, string model, bool includeUsage, ReasoningOutput reasoning, ToolOutput? tools = null) : IChunkRenderer
{
    private readonly HashSet<int> _thinking = [];
    private readonly HashSet<int> _wroteContent = [];

    public Task StartChoiceAsync(SseWriter writer, int index, CancellationToken cancellationToken)
        => WriteAsync(writer, index, new ChunkDelta { Role = "assistant", Content = string.Empty }, null, cancellationToken);

    public Task TextAsync(SseWriter writer, ChoiceText text, CancellationToken cancellationToken)
        => TextAsync(writer, text.Index, text.Text, cancellationToken);

    private async Task TextAsync(SseWriter writer, int index, string text, CancellationToken cancellationToken)
    {
        if (_thinking.Remove(index))
        {
            text = ReasoningOutputs.ThinkClose + text;
        }

        _wroteContent.Add(index);
        await WriteAsync(writer, index, new ChunkDelta { Content = text }, null, cancellationToken);
    }

    public Task ReasoningAsync(SseWriter writer, ChoiceReasoning choiceReasoning, CancellationToken cancellationToken)
    {
        var (index, text) = (choiceReasoning.Index, choiceReasoning.Text);
        switch (reasoning)
        {
            case ReasoningOutput.ReasoningContent:
                return WriteAsync(writer, index, new ChunkDelta { ReasoningContent = text }, null, cancellationToken);
            case ReasoningOutput.ThinkTags:
                var open = _thinking.Add(index) ? ReasoningOutputs.ThinkOpen : string.Empty;
                return WriteAsync(writer, index, new ChunkDelta { Content = open + text }, null, cancellationToken);
            default:
                return Task.CompletedTask;
        }
    }

    public async Task ToolCallAsync(SseWriter writer, ChoiceToolCall call, CancellationToken cancellationToken)
    {
        var (index, callIndex, callId, name, arguments, blockInContent) = (call.Index, call.CallIndex, call.Id, call.Name, call.Arguments, call.BlockInContent);
        if (tools is null)
        {
            return;
        }

        if (tools.Mode == ToolOutputMode.ObsidianXml && !blockInContent)
        {
            var block = ObsidianXml.ToBlock(name, arguments, tools.ParameterOrder(name));
            await TextAsync(writer, index, (_wroteContent.Contains(index) ? ObsidianXml.BlockSeparator : string.Empty) + block, cancellationToken);
        }

        if (tools.Legacy)
        {
            await WriteAsync(writer, index, new ChunkDelta { FunctionCall = new FunctionDelta { Name = name, Arguments = string.Empty } }, null, cancellationToken);
            await WriteAsync(writer, index, new ChunkDelta { FunctionCall = new FunctionDelta { Arguments = arguments } }, null, cancellationToken);
            return;
        }

        // First delta: id, type and the whole name; then the arguments (they concatenate to the full string).
        await WriteAsync(writer, index, new ChunkDelta { ToolCalls = [new ToolCallDelta(callIndex) { Id = callId, Type = "function", Function = new FunctionDelta { Name = name, Arguments = string.Empty } }] }, null, cancellationToken);
        await WriteAsync(writer, index, new ChunkDelta { ToolCalls = [new ToolCallDelta(callIndex) { Function = new FunctionDelta { Arguments = arguments } }] }, null, cancellationToken);
    }

    public async Task FinishAsync(SseWriter writer, ChoiceFinished finished, CancellationToken cancellationToken)
    {
        var (index, finishReason) = (finished.Index, finished.FinishReason);
        if (_thinking.Remove(index))
        {
            await WriteAsync(writer, index, new ChunkDelta { Content = ReasoningOutputs.ThinkClose }, null, cancellationToken);
        }

        await WriteAsync(writer, index, ChunkDelta.Empty, finishReason, cancellationToken);
    }

    public Task UsageAsync(SseWriter writer, TokenUsage usage, CancellationToken cancellationToken)
        => writer.WriteDataAsync(
            new ChatCompletionChunk(id, created, model, []) { Usage = UsageSlot.Of(ChatCompletionTranslator.ToUsage(usage)) },
            OpenAIJsonContext.Web.ChatCompletionChunk,
            cancellationToken);

    private Task WriteAsync(SseWriter writer, int index, ChunkDelta delta, string? finishReason, CancellationToken cancellationToken)
        => writer.WriteDataAsync(
            new ChatCompletionChunk(id, created, model, [new ChunkChoice(index, delta, finishReason)]) { Usage = includeUsage ? UsageSlot.Null : default },
            OpenAIJsonContext.Web.ChatCompletionChunk,
            cancellationToken);
}
