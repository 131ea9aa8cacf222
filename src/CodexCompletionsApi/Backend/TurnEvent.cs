namespace CodexCompletionsApi.Backend;

/// <summary>An event of a running turn, in the order Codex emitted it.</summary>
public abstract record TurnEvent;

/// <summary>The turn was accepted by Codex.</summary>
public sealed record TurnStartedEvent(string ThreadId, string TurnId) : TurnEvent;

/// <summary>A fragment of an assistant message (<c>item/agentMessage/delta</c>).</summary>
public sealed record TextDeltaEvent(string ItemId, string Delta) : TurnEvent;

/// <summary>An assistant message is complete (<c>item/completed</c> of type <c>agentMessage</c>).</summary>
public sealed record MessageCompletedEvent(string ItemId, string Text) : TurnEvent;

/// <summary>A fragment of reasoning: a summary part, or raw reasoning text.</summary>
public sealed record ReasoningDeltaEvent(string ItemId, string Delta, bool IsSummary, int Index) : TurnEvent;

/// <summary>
/// The model called a client tool: the raw <c>function_call</c> item, with the arguments string exactly
/// as the model produced it. <see cref="CallId"/> is the model's own call id.
/// </summary>
public sealed record ToolCallEvent(string CallId, string Name, string Arguments, string? Namespace) : TurnEvent;

/// <summary>One upstream model response finished (all of its output items are known), with its usage.</summary>
public sealed record ResponseCompletedEvent(TokenUsage? Usage) : TurnEvent;

/// <summary>Token usage of the whole thread so far (the thread is fresh per request).</summary>
public sealed record UsageEvent(TokenUsage Usage) : TurnEvent;

/// <summary>
/// The turn ended. <see cref="Error"/> is set when <see cref="Status"/> is <see cref="TurnStatus.Failed"/>;
/// <see cref="IncompleteReason"/> when the model stopped early (<c>max_output_tokens</c>, <c>content_filter</c>),
/// which Codex reports as a failure although the partial answer is complete and usable.
/// </summary>
public sealed record TurnCompletedEvent(TurnStatus Status, BackendException? Error, string? IncompleteReason = null) : TurnEvent;

public enum TurnStatus
{
    Completed,
    Interrupted,
    Failed,
}

/// <summary>Exact token counts reported by Codex.</summary>
public sealed record TokenUsage(long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningOutputTokens, long TotalTokens);
