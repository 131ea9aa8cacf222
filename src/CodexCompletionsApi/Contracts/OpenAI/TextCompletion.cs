using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary><c>POST /v1/completions</c> (legacy). Unbound fields land in <see cref="Extra"/>.</summary>
public sealed class TextCompletionRequest
{
    public string? Model { get; set; }

    /// <summary>A string or an array of strings.</summary>
    public JsonElement Prompt { get; set; }

    public bool? Stream { get; set; }

    public StreamOptions? StreamOptions { get; set; }

    public int? N { get; set; }

    public JsonElement Stop { get; set; }

    public int? MaxTokens { get; set; }

    public bool? Echo { get; set; }

    public string? Suffix { get; set; }

    public int? BestOf { get; set; }

    public int? Logprobs { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? Extra { get; set; }
}

/// <summary>A <c>text_completion</c> object, streamed or not.</summary>
public sealed record TextCompletion(
    [property: JsonPropertyOrder(-2)] string Id,
    long Created,
    string Model,
    IReadOnlyList<TextChoice> Choices)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "text_completion";

    public string? SystemFingerprint { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public UsageSlot Usage { get; init; }
}

public sealed record TextChoice(string Text, int Index, string? FinishReason)
{
    public object? Logprobs { get; init; }
}
