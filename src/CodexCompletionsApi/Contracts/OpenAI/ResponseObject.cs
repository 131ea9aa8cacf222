using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary>
/// The Responses API <c>response</c> resource: every field of OpenAI's object, present even when
/// null, so strict clients and the Open Responses schema accept it.
/// </summary>
public sealed record ResponseObject
{
    public required string Id { get; init; }

    public string Object { get; init; } = "response";

    public required long CreatedAt { get; init; }

    /// <summary><c>in_progress | completed | incomplete | failed</c>.</summary>
    public required string Status { get; init; }

    public bool Background { get; init; }

    public long? CompletedAt { get; init; }

    public ResponseError? Error { get; init; }

    public IncompleteDetails? IncompleteDetails { get; init; }

    public string? Instructions { get; init; }

    public int? MaxOutputTokens { get; init; }

    public int? MaxToolCalls { get; init; }

    public required string Model { get; init; }

    public IReadOnlyList<ResponseItem> Output { get; init; } = [];

    /// <summary>The text of every <c>output_text</c> part, concatenated (the SDKs' convenience property).</summary>
    public string OutputText { get; init; } = string.Empty;

    public bool ParallelToolCalls { get; init; } = true;

    public double PresencePenalty { get; init; }

    public double FrequencyPenalty { get; init; }

    public string? PreviousResponseId { get; init; }

    public ResponseReasoningEcho Reasoning { get; init; } = new(null, null);

    public string ServiceTier { get; init; } = "default";

    public bool Store { get; init; } = true;

    public double Temperature { get; init; } = 1.0;

    public ResponseTextEcho Text { get; init; } = ResponseTextEcho.Default;

    /// <summary><c>"auto"</c>, <c>"none"</c>, <c>"required"</c> or the named tool object, as requested.</summary>
    public JsonElement ToolChoice { get; init; } = AutoToolChoice;

    /// <summary>The function tools, each with <c>type</c>, <c>name</c>, <c>description</c>, <c>parameters</c> and <c>strict</c>.</summary>
    public JsonElement Tools { get; init; } = NoTools;

    public int TopLogprobs { get; init; }

    public double TopP { get; init; } = 1.0;

    public string Truncation { get; init; } = "disabled";

    public ResponseUsage? Usage { get; init; }

    public string? User { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    public string? PromptCacheKey { get; init; }

    public string? SafetyIdentifier { get; init; }

    /// <summary><c>"auto"</c>, the default <c>tool_choice</c> (parsed once, not per response).</summary>
    internal static JsonElement AutoToolChoice { get; } = JsonElement.Parse("\"auto\"");

    /// <summary><c>[]</c>, the default <c>tools</c>.</summary>
    internal static JsonElement NoTools { get; } = JsonElement.Parse("[]");
}

/// <summary>
/// One item of a response's <c>output</c> or of its stored input: a <c>message</c>, <c>reasoning</c>,
/// <c>function_call</c> or <c>function_call_output</c>. Fields that do not belong to the type are null
/// and not written.
/// </summary>
public sealed record ResponseItem
{
    public required string Type { get; init; }

    public required string Id { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Status { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ResponseContentPart>? Content { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ResponseContentPart>? Summary { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? CallId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arguments { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Output { get; init; }
}

/// <summary>
/// A content part: <c>input_text</c>, <c>input_image</c>, <c>output_text</c> (with
/// <c>annotations</c> and <c>logprobs</c>, always empty here), <c>refusal</c>, <c>summary_text</c> or
/// <c>reasoning_text</c>.
/// </summary>
public sealed record ResponseContentPart
{
    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<JsonElement>? Annotations { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<JsonElement>? Logprobs { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Refusal { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ImageUrl { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Detail { get; init; }

    public static ResponseContentPart OutputText(string text) => new() { Type = "output_text", Text = text, Annotations = [], Logprobs = [] };
}

public sealed record ResponseError(string Code, string Message);

public sealed record IncompleteDetails(string Reason);

public sealed record ResponseReasoningEcho(string? Effort, string? Summary);

public sealed record ResponseTextEcho(JsonElement Format, string Verbosity)
{
    public static ResponseTextEcho Default { get; } = new(JsonDocument.Parse("""{"type":"text"}""").RootElement.Clone(), "medium");
}

public sealed record ResponseUsage(long InputTokens, ResponseInputTokensDetails InputTokensDetails, long OutputTokens, ResponseOutputTokensDetails OutputTokensDetails, long TotalTokens);

public sealed record ResponseInputTokensDetails(long CachedTokens);

public sealed record ResponseOutputTokensDetails(long ReasoningTokens);

/// <summary>
/// One Responses streaming event: <c>type</c>, <c>sequence_number</c> and the fields of that type
/// (the others are null and not written).
/// </summary>
public sealed record ResponseStreamEvent
{
    public required string Type { get; init; }

    public long SequenceNumber { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseObject? Response { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? OutputIndex { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ItemId { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ContentIndex { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SummaryIndex { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseItem? Item { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ResponseContentPart? Part { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Delta { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Text { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Arguments { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<JsonElement>? Logprobs { get; init; }
}

/// <summary><c>DELETE /v1/responses/{id}</c>.</summary>
public sealed record ResponseDeleted(string Id, string Object = "response", bool Deleted = true);

/// <summary><c>GET /v1/responses/{id}/input_items</c>.</summary>
public sealed record ResponseItemList(string Object, IReadOnlyList<ResponseItem> Data, string? FirstId, string? LastId, bool HasMore);
