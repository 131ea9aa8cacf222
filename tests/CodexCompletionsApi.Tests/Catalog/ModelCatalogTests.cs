using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Tests.TestSupport;

namespace CodexCompletionsApi.Tests.Catalog;

public sealed class ModelCatalogTests
{
    private static CatalogModel Model(string id, string? upstream = null, string? defaultEffort = null, params string[] efforts)
        => new() { Id = id, UpstreamModel = upstream ?? id, DefaultReasoningEffort = defaultEffort, ReasoningEfforts = efforts };

    [Fact]
    public void Constructor_EmptyList_Throws()
    {
        // Arrange / Act
        var error = Record.Exception(() => new ModelCatalog([], null));

        // Assert
        Assert.IsType<InvalidDataException>(error);
    }

    [Fact]
    public void Constructor_DuplicateId_Throws()
    {
        // Arrange
        CatalogModel[] models = [Model("a"), Model("b"), Model("a", "other")];

        // Act
        var error = Record.Exception(() => new ModelCatalog(models, null));

        // Assert
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_DefaultEffortNotInEfforts_Throws()
    {
        // Arrange
        CatalogModel[] models = [Model("a", null, "max", "low", "medium")];

        // Act
        var error = Record.Exception(() => new ModelCatalog(models, null));

        // Assert
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("max", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_UnknownDefaultModel_Throws()
    {
        // Arrange
        CatalogModel[] models = [Model("a")];

        // Act
        var error = Record.Exception(() => new ModelCatalog(models, "missing"));

        // Assert
        Assert.IsType<InvalidDataException>(error);
    }

    [Theory]
    [InlineData("", "up")]
    [InlineData("id", " ")]
    public void Constructor_BlankIdOrUpstream_Throws(string id, string upstream)
    {
        // Arrange
        CatalogModel[] models = [new() { Id = id, UpstreamModel = upstream }];

        // Act
        var error = Record.Exception(() => new ModelCatalog(models, null));

        // Assert
        Assert.IsType<InvalidDataException>(error);
    }

    [Fact]
    public void Constructor_NoDefaultModel_UsesFirstModel()
    {
        // Arrange / Act
        var catalog = new ModelCatalog([Model("first"), Model("second")], null);

        // Assert
        Assert.Equal("first", catalog.DefaultModel.Id);
    }

    [Fact]
    public void Constructor_NamedDefaultModel_IsUsed()
    {
        // Arrange / Act
        var catalog = new ModelCatalog([Model("first"), Model("second", null, "low", "low")], "second");

        // Assert
        Assert.Equal("second", catalog.DefaultModel.Id);
    }

    [Fact]
    public void TryGet_KnownAndUnknownIds_FindsOnlyExactMatch()
    {
        // Arrange
        var catalog = new ModelCatalog([Model("gpt-a", "slug-a")], null);

        // Act
        var found = catalog.TryGet("gpt-a", out var model);
        var wrongCase = catalog.TryGet("GPT-A", out _);
        var missing = catalog.TryGet("gpt-b", out _);

        // Assert
        Assert.True(found);
        Assert.Equal("slug-a", model.UpstreamModel);
        Assert.False(wrongCase);
        Assert.False(missing);
    }

    [Fact]
    public void Load_RepositoryCatalog_LoadsEveryModelWithUpstreamSlug()
    {
        // Arrange
        var path = RepoPaths.ModelCatalog;

        // Act
        var catalog = ModelCatalog.Load(path);

        // Assert
        Assert.NotEmpty(catalog.Models);
        Assert.All(catalog.Models, model => Assert.False(string.IsNullOrWhiteSpace(model.UpstreamModel), model.Id));
        Assert.True(catalog.TryGet(catalog.DefaultModel.Id, out _));
        Assert.All(catalog.Models, model => Assert.Contains("text", model.InputModalities));
    }

    [Fact]
    public void Load_FileWithCommentsAndTrailingCommas_Loads()
    {
        // Arrange
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """
                {
                  // a comment
                  "defaultModel": "b",
                  "models": [
                    { "id": "a", "upstreamModel": "slug-a" },
                    { "id": "b", "upstreamModel": "slug-b", "defaultReasoningEffort": "low", "reasoningEfforts": ["low", "high"], },
                  ],
                }
                """);

            // Act
            var catalog = ModelCatalog.Load(path);

            // Assert
            Assert.Equal(2, catalog.Models.Count);
            Assert.Equal("b", catalog.DefaultModel.Id);
            Assert.Equal(["low", "high"], catalog.DefaultModel.ReasoningEfforts);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
