using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary>One streamed <c>chat.completion.chunk</c>.</summary>
public sealed record ChatCompletionChunk(
    [property: JsonPropertyOrder(-2)] string Id,
    long Created,
    string Model,
    IReadOnlyList<ChunkChoice> Choices)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "chat.completion.chunk";

    public string? SystemFingerprint { get; init; }

    /// <summary>Written only when the request asked for <c>stream_options.include_usage</c> (null on all but the last chunk).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public UsageSlot Usage { get; init; }
}

public sealed record ChunkChoice(int Index, ChunkDelta Delta, string? FinishReason)
{
    public object? Logprobs { get; init; }
}

/// <summary>A delta; absent fields are omitted, as OpenAI does.</summary>
public sealed record ChunkDelta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReasoningContent { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ToolCallDelta>? ToolCalls { get; init; }

    /// <summary>Legacy <c>functions</c> requests.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public FunctionDelta? FunctionCall { get; init; }

    public static ChunkDelta Empty { get; } = new();
}

/// <summary>
/// One tool-call fragment: the first for an index carries <c>id</c>, <c>type</c> and the whole
/// <c>name</c>; later ones only <c>arguments</c> fragments, which concatenate to the full arguments.
/// </summary>
public sealed record ToolCallDelta(int Index)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; init; }

    public required FunctionDelta Function { get; init; }
}

public sealed record FunctionDelta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arguments { get; init; }
}

/// <summary>
/// The <c>usage</c> member of a chunk: absent (default), <c>null</c>, or a value. A struct so that
/// "absent" and "null" can be told apart by the serializer.
/// </summary>
[JsonConverter(typeof(UsageSlotConverter))]
public readonly record struct UsageSlot(bool Present, ChatUsage? Value)
{
    public static UsageSlot Null => new(true, null);

    public static UsageSlot Of(ChatUsage usage) => new(true, usage);
}
