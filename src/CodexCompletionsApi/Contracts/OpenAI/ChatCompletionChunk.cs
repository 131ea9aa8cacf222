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

    public static ChunkDelta Empty { get; } = new();
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
