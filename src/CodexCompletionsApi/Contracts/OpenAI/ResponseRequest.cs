using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary>
/// <c>POST /v1/responses</c>. Fields the service does not bind land in <see cref="Extra"/>, so none is
/// dropped silently: each is honoured, rejected or reported (docs/responses.md).
/// </summary>
public sealed class ResponseCreateRequest
{
    public string? Model { get; set; }

    /// <summary>A string (one user message) or an array of input items.</summary>
    public JsonElement Input { get; set; }

    /// <summary>The system prompt (Codex's base instructions). Not carried over by <see cref="PreviousResponseId"/>.</summary>
    public string? Instructions { get; set; }

    /// <summary><c>[{type:"function", name, description, parameters, strict}]</c>.</summary>
    public JsonElement Tools { get; set; }

    /// <summary><c>"none" | "auto" | "required" | {type:"function", name}</c>.</summary>
    public JsonElement ToolChoice { get; set; }

    public bool? ParallelToolCalls { get; set; }

    public ResponseTextConfig? Text { get; set; }

    public ResponseReasoningConfig? Reasoning { get; set; }

    public int? MaxOutputTokens { get; set; }

    /// <summary>Up to 16 string pairs, echoed on the response and stored with it.</summary>
    public JsonElement Metadata { get; set; }

    public string? PreviousResponseId { get; set; }

    public bool? Store { get; set; }

    public bool? Stream { get; set; }

    public JsonElement StreamOptions { get; set; }

    public bool? Background { get; set; }

    public JsonElement Include { get; set; }

    public string? Truncation { get; set; }

    public double? Temperature { get; set; }

    public double? TopP { get; set; }

    public int? TopLogprobs { get; set; }

    public int? MaxToolCalls { get; set; }

    public string? User { get; set; }

    public string? ServiceTier { get; set; }

    public string? PromptCacheKey { get; set; }

    public string? SafetyIdentifier { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>text</c>: the output format and verbosity.</summary>
public sealed class ResponseTextConfig
{
    /// <summary><c>{type:"text"} | {type:"json_object"} | {type:"json_schema", name, schema, strict, description}</c>.</summary>
    public JsonElement Format { get; set; }

    public string? Verbosity { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary><c>reasoning</c>: effort and summary.</summary>
public sealed class ResponseReasoningConfig
{
    public string? Effort { get; set; }

    /// <summary><c>auto | concise | detailed | none</c>.</summary>
    public string? Summary { get; set; }

    /// <summary>The deprecated spelling of <see cref="Summary"/>.</summary>
    public string? GenerateSummary { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
