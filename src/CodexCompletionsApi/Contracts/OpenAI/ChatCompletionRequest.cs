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

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>One message of the conversation. <see cref="Content"/> is a string or an array of parts.</summary>
public sealed class ChatMessage
{
    public string? Role { get; set; }

    public JsonElement Content { get; set; }

    public string? Name { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}
