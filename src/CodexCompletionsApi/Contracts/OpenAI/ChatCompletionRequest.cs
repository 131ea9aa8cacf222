using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary>
/// <c>POST /v1/chat/completions</c>. Fields the service does not bind land in
/// <see cref="Extra"/>, so none is dropped silently: each is honoured, rejected or reported.
/// </summary>
public sealed record ChatCompletionRequest
{
    public string? Model { get; init; }

    public IReadOnlyList<ChatMessage>? Messages { get; init; }

    public bool? Stream { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}

/// <summary>One message of the conversation. <see cref="Content"/> is a string or an array of parts.</summary>
public sealed record ChatMessage
{
    public string? Role { get; init; }

    public JsonElement Content { get; init; }

    public string? Name { get; init; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; init; }
}
