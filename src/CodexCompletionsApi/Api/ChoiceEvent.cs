using CodexCompletionsApi.Backend;

namespace CodexCompletionsApi.Api;

/// <summary>What the runner reports about one choice of a request, after the service's own limits.</summary>
internal abstract record ChoiceEvent(int Index);

/// <summary>Codex accepted the choice's turn.</summary>
internal sealed record ChoiceStarted(int Index) : ChoiceEvent(Index);

/// <summary>
/// Answer text that may be sent to the client now. <paramref name="ItemId"/> is Codex's message item
/// (null for text the service adds itself), so the Responses API can keep the model's messages apart.
/// </summary>
internal sealed record ChoiceText(int Index, string Text, string? ItemId = null) : ChoiceEvent(Index);

/// <summary>
/// The model called a client tool (the <paramref name="CallIndex"/>-th call of this choice).
/// <paramref name="BlockInContent"/>: a textual call whose canonical block was already sent as content, in place.
/// </summary>
internal sealed record ChoiceToolCall(int Index, int CallIndex, string Id, string Name, string Arguments, bool BlockInContent = false) : ChoiceEvent(Index);

/// <summary>
/// Reasoning summary (<paramref name="IsSummary"/>) or raw reasoning text, of Codex's reasoning item
/// <paramref name="ItemId"/>, summary part or content index <paramref name="Part"/>.
/// </summary>
internal sealed record ChoiceReasoning(int Index, string Text, string? ItemId = null, bool IsSummary = true, int Part = 0) : ChoiceEvent(Index);

/// <summary>The choice ended: <c>stop</c> or <c>length</c>, with its token usage.</summary>
internal sealed record ChoiceFinished(int Index, string FinishReason, TokenUsage Usage) : ChoiceEvent(Index);

/// <summary>The choice failed.</summary>
internal sealed record ChoiceFailed(int Index, BackendException Error) : ChoiceEvent(Index);
