using System.Text.Json;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Tests.TestSupport;

namespace CodexCompletionsApi.Tests.Catalog;

public sealed class CodexCatalogWriterTests
{
    private static List<JsonElement> Entries(ModelCatalog catalog)
    {
        using var document = JsonDocument.Parse(CodexCatalogWriter.Write(catalog));
        return [.. document.RootElement.GetProperty("models").EnumerateArray().Select(e => e.Clone())];
    }

    private static ModelCatalog Sample() => new(
        [
            new CatalogModel { Id = "reasoner", UpstreamModel = "slug-r", DefaultReasoningEffort = "medium", ReasoningEfforts = ["low", "medium", "high"], InputModalities = ["text", "image"] },
            new CatalogModel { Id = "reasoner-alias", UpstreamModel = "slug-r", DefaultReasoningEffort = "low", ReasoningEfforts = ["low"] },
            new CatalogModel { Id = "plain", UpstreamModel = "slug-p", DisplayName = "Plain Model" },
        ],
        null);

    [Fact]
    public void Write_SharedUpstreamSlug_WritesOneEntryPerSlug()
    {
        // Arrange / Act
        var entries = Entries(Sample());

        // Assert
        Assert.Equal(["slug-r", "slug-p"], entries.Select(e => e.GetProperty("slug").GetString()));
        Assert.Equal([1, 2], entries.Select(e => e.GetProperty("priority").GetInt32()));
    }

    [Fact]
    public void Write_AnyModel_DisablesCompactionPromptAndVerbosity()
    {
        // Arrange / Act
        var entries = Entries(Sample());

        // Assert
        Assert.All(entries, entry =>
        {
            Assert.Equal(10_000_000, entry.GetProperty("context_window").GetInt64());
            Assert.Equal(10_000_000, entry.GetProperty("max_context_window").GetInt64());
            Assert.Equal(string.Empty, entry.GetProperty("base_instructions").GetString());
            Assert.False(entry.GetProperty("support_verbosity").GetBoolean());
            Assert.False(entry.GetProperty("supports_search_tool").GetBoolean());
        });
    }

    [Fact]
    public void Write_ReasoningModel_WritesLevelsDefaultAndAutoSummary()
    {
        // Arrange / Act
        var entry = Entries(Sample())[0];

        // Assert
        Assert.Equal(["low", "medium", "high"], entry.GetProperty("supported_reasoning_levels").EnumerateArray().Select(l => l.GetProperty("effort").GetString()));
        Assert.Equal("medium", entry.GetProperty("default_reasoning_level").GetString());
        Assert.Equal("auto", entry.GetProperty("default_reasoning_summary").GetString());
        Assert.Equal(["text", "image"], entry.GetProperty("input_modalities").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("reasoner", entry.GetProperty("display_name").GetString());
    }

    [Fact]
    public void Write_NonReasoningModel_WritesNoneSummaryAndNullDefault()
    {
        // Arrange / Act
        var entry = Entries(Sample())[1];

        // Assert
        Assert.Equal("none", entry.GetProperty("default_reasoning_summary").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("default_reasoning_level").ValueKind);
        Assert.Empty(entry.GetProperty("supported_reasoning_levels").EnumerateArray());
        Assert.Equal("Plain Model", entry.GetProperty("display_name").GetString());
    }

    [Fact]
    public void Write_RepositoryCatalog_MatchesCatalogModels()
    {
        // Arrange
        var catalog = ModelCatalog.Load(RepoPaths.ModelCatalog);

        // Act
        var entries = Entries(catalog);

        // Assert
        var firstBySlug = catalog.Models.DistinctBy(m => m.UpstreamModel).ToList();
        Assert.Equal(firstBySlug.Select(m => m.UpstreamModel), entries.Select(e => e.GetProperty("slug").GetString()));
        foreach (var (model, entry) in firstBySlug.Zip(entries))
        {
            Assert.Equal(model.ReasoningEfforts, entry.GetProperty("supported_reasoning_levels").EnumerateArray().Select(l => l.GetProperty("effort").GetString()));
            Assert.Equal(model.ReasoningEfforts.Count > 0 ? "auto" : "none", entry.GetProperty("default_reasoning_summary").GetString());
            Assert.Equal(10_000_000, entry.GetProperty("context_window").GetInt64());
            Assert.Equal(string.Empty, entry.GetProperty("base_instructions").GetString());
        }
    }
}
