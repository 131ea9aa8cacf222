namespace CodexCompletionsApi.Configuration;

/// <summary>The model catalog.</summary>
public sealed class ModelsOptions
{
    public const string SectionName = "Models";

    /// <summary>
    /// The catalog file (<c>PROXY_MODEL_CATALOG</c>): public model ids, upstream slugs, reasoning
    /// efforts and input modalities. See docs/models.md.
    /// </summary>
    /// <value>The default value is <c>catalog/models.json</c> beside the application.</value>
    public string? CatalogPath { get; set; }

    /// <summary>Resolves the catalog path.</summary>
    public string ResolvedCatalogPath()
        => string.IsNullOrWhiteSpace(CatalogPath)
            ? Path.Combine(AppContext.BaseDirectory, "catalog", "models.json")
            : Path.GetFullPath(CatalogPath);
}
