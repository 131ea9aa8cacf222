using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary>
/// <c>POST /v1/chat/completions</c>. Fields the service does not bind land in
/// <see cref="Extra"/>, so none is dropped silently: each is honoured, rejected or reported.
/// </summary>
public sealed class ChatCompletionRequest
{
    public string? Model { get; set; }

    public IReadOnlyList<ChatMessage>? Messages { get; set; }

    public bool? Stream { get; set; }

    public StreamOptions? StreamOptions { get; set; }

    public int? N { get; set; }

    /// <summary>A string, an array of up to four strings, or null.</summary>
    public JsonElement Stop { get; set; }

    public int? MaxTokens { get; set; }

    public int? MaxCompletionTokens { get; set; }

    public JsonElement ResponseFormat { get; set; }

    public string? ReasoningEffort { get; set; }

    public bool? Logprobs { get; set; }

    public int? TopLogprobs { get; set; }

    /// <summary><c>[{type:"function", function:{name, description, parameters, strict}}]</c>.</summary>
    public JsonElement Tools { get; set; }

    /// <summary><c>"none" | "auto" | "required" | {type:"function", function:{name}}</c>.</summary>
    public JsonElement ToolChoice { get; set; }

    /// <summary>Legacy <c>[{name, description, parameters}]</c>.</summary>
    public JsonElement Functions { get; set; }

    /// <summary>Legacy <c>"none" | "auto" | {name}</c>.</summary>
    public JsonElement FunctionCall { get; set; }

    public bool? ParallelToolCalls { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

public sealed class StreamOptions
{
    public bool? IncludeUsage { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>One message of the conversation. <see cref="Content"/> is a string, an array of parts, or null.</summary>
public sealed class ChatMessage
{
    public string? Role { get; set; }

    public JsonElement Content { get; set; }

    public string? Name { get; set; }

    /// <summary>Assistant tool calls: <c>[{id, type:"function", function:{name, arguments}}]</c>.</summary>
    public JsonElement ToolCalls { get; set; }

    /// <summary>For <c>role:"tool"</c>: the call this message answers.</summary>
    public string? ToolCallId { get; set; }

    /// <summary>Legacy assistant <c>function_call</c>: <c>{name, arguments}</c>.</summary>
    public JsonElement FunctionCall { get; set; }

    public string? Refusal { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
