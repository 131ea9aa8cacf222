namespace CodexCompletionsApi.Catalog;

/// <summary>One entry of the model catalog (catalog/models.json).</summary>
public sealed record CatalogModel
{
    /// <summary>The public id clients send as <c>model</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The slug Codex sends upstream.</summary>
    public required string UpstreamModel { get; init; }

    public string? DisplayName { get; init; }

    public string? Description { get; init; }

    public string OwnedBy { get; init; } = "openai";

    /// <summary>Unix seconds reported as <c>created</c> by <c>/v1/models</c>.</summary>
    public long Created { get; init; }

    /// <summary>Effort used when the request names none; <see langword="null"/> for non-reasoning models.</summary>
    public string? DefaultReasoningEffort { get; init; }

    public IReadOnlyList<string> ReasoningEfforts { get; init; } = [];

    public IReadOnlyList<string> InputModalities { get; init; } = ["text"];
}
