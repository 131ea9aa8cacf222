using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// A validated request, ready to run: the Codex turn plus what the service itself enforces
/// (choices, stop sequences, token limit) and how the response is shaped.
/// </summary>
public sealed record CompletionPlan
{
    public required TurnRequest Turn { get; init; }

    public required CatalogModel Model { get; init; }

    /// <summary>The model id echoed in responses: what the client asked for (suffix included).</summary>
    public required string ResponseModel { get; init; }

    public int Choices { get; init; } = 1;

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public int? MaxTokens { get; init; }

    /// <summary>Request fields that could not reach the model (the <c>x-proxy-ignored-params</c> header).</summary>
    public IReadOnlyList<string> IgnoredParams { get; init; } = [];

    /// <summary>Text to put before the model's output (legacy completions <c>echo</c>).</summary>
    public string? EchoPrefix { get; init; }
}

/// <summary>Service-wide bounds the translators check requests against.</summary>
public sealed record RequestLimits(int MaxChoices);
