using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary>A non-streaming <c>chat.completion</c>.</summary>
public sealed record ChatCompletion(
    [property: JsonPropertyOrder(-2)] string Id,
    long Created,
    string Model,
    IReadOnlyList<ChatChoice> Choices,
    ChatUsage? Usage)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "chat.completion";

    public string? SystemFingerprint { get; init; }
}

public sealed record ChatChoice(int Index, ChatResponseMessage Message, string FinishReason)
{
    // Always serialized as null: token log probabilities cannot be obtained through Codex.
    public object? Logprobs { get; init; }
}

public sealed record ChatResponseMessage(string Role, string? Content)
{
    public string? Refusal { get; init; }

    /// <summary>Reasoning summary text, only with <c>PROXY_REASONING_OUTPUT=reasoning_content</c>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReasoningContent { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    /// <summary>Legacy <c>functions</c> requests.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FunctionCall? FunctionCall { get; init; }
}

public sealed record ToolCall([property: JsonPropertyOrder(-2)] string Id, FunctionCall Function)
{
    [JsonPropertyOrder(-1)]
    public string Type { get; init; } = "function";
}

public sealed record FunctionCall(string Name, string Arguments);

public sealed record ChatUsage(
    long PromptTokens,
    long CompletionTokens,
    long TotalTokens,
    PromptTokensDetails PromptTokensDetails,
    CompletionTokensDetails CompletionTokensDetails);

public sealed record PromptTokensDetails(long CachedTokens);

public sealed record CompletionTokensDetails(long ReasoningTokens);
