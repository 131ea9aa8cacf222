using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary><c>GET /v1/models</c>.</summary>
public sealed record ModelList(IReadOnlyList<ModelObject> Data)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "list";
}

/// <summary>One model, as OpenAI lists it.</summary>
public sealed record ModelObject([property: JsonPropertyOrder(-2)] string Id, long Created, string OwnedBy)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "model";
}
