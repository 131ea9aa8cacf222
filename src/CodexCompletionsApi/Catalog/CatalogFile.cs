using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Catalog;

/// <summary>The on-disk shape of catalog/models.json.</summary>
internal sealed record CatalogFile
{
    public string? DefaultModel { get; init; }

    public IReadOnlyList<CatalogModel> Models { get; init; } = [];
}

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(CatalogFile))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
