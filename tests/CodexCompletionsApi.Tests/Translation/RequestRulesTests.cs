using System.Text.Json;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class RequestRulesTests
{
    private static readonly ModelCatalog Catalog = new(
        [
            new CatalogModel { Id = "gpt-5.5", UpstreamModel = "gpt-5.5-up", DefaultReasoningEffort = "medium", ReasoningEfforts = ["low", "medium", "high"] },
            new CatalogModel { Id = "gpt-5.5-codex", UpstreamModel = "codex-up", ReasoningEfforts = ["low", "xhigh"] },
            new CatalogModel { Id = "plain", UpstreamModel = "plain-up" },
            new CatalogModel { Id = "edge", UpstreamModel = "edge-up", ReasoningEfforts = ["low"] },
            new CatalogModel { Id = "edge-low", UpstreamModel = "edge-low-up" },
        ],
        null);

    private static readonly RequestLimits Limits = new(MaxChoices: 3);

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    // ---- RequireModel ----

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void RequireModel_MissingOrBlank_Rejects400(string? model)
    {
        // Arrange / Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.RequireModel(model));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("model", error.Param);
        Assert.Equal("missing_required_parameter", error.Code);
    }

    [Fact]
    public void RequireModel_Present_ReturnsItUnchanged()
    {
        // Arrange / Act
        var model = RequestRules.RequireModel(" gpt-5.5 ");

        // Assert
        Assert.Equal(" gpt-5.5 ", model);
    }

    // ---- ResolveModel ----

    [Fact]
    public void ResolveModel_ExactId_ReturnsModelWithoutEffort()
    {
        // Arrange / Act
        var (model, effort) = RequestRules.ResolveModel(Catalog, "gpt-5.5", null, "reasoning_effort");

        // Assert
        Assert.Equal("gpt-5.5", model.Id);
        Assert.Null(effort);
    }

    [Theory]
    [InlineData("gpt-5.5-high", "gpt-5.5", "high")]
    [InlineData("gpt-5.5-low", "gpt-5.5", "low")]
    [InlineData("gpt-5.5-codex-xhigh", "gpt-5.5-codex", "xhigh")]
    public void ResolveModel_EffortSuffix_ReturnsBaseModelAndEffort(string requested, string expectedModel, string expectedEffort)
    {
        // Arrange / Act
        var (model, effort) = RequestRules.ResolveModel(Catalog, requested, null, "reasoning_effort");

        // Assert
        Assert.Equal(expectedModel, model.Id);
        Assert.Equal(expectedEffort, effort);
    }

    [Fact]
    public void ResolveModel_ExactIdThatLooksLikeSuffix_PrefersExactModel()
    {
        // Arrange / Act
        var (model, effort) = RequestRules.ResolveModel(Catalog, "edge-low", null, "reasoning_effort");

        // Assert
        Assert.Equal("edge-low", model.Id);
        Assert.Null(effort);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("gpt-5.5-xhigh")]
    [InlineData("gpt-5.5-")]
    [InlineData("gpt-5.5-codex-medium")]
    [InlineData("plain-low")]
    [InlineData("-high")]
    [InlineData("GPT-5.5")]
    public void ResolveModel_UnknownModelOrSuffix_Returns404(string requested)
    {
        // Arrange / Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.ResolveModel(Catalog, requested, null, "reasoning_effort"));

        // Assert
        Assert.Equal(404, error.Status);
        Assert.Equal("model_not_found", error.Code);
        Assert.Equal("model", error.Param);
        Assert.Contains($"'{requested}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveModel_UnknownModelWithReasoningEffort_Returns404BeforeCheckingEffort()
    {
        // Arrange / Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.ResolveModel(Catalog, "nope", "bogus", "reasoning_effort"));

        // Assert
        Assert.Equal(404, error.Status);
        Assert.Equal("model", error.Param);
    }

    [Theory]
    [InlineData("gpt-5.5", "low", "low")]
    [InlineData("gpt-5.5-high", "low", "low")]
    [InlineData("gpt-5.5-low", "high", "high")]
    public void ResolveModel_ReasoningEffort_WinsOverSuffix(string requested, string reasoningEffort, string expected)
    {
        // Arrange / Act
        var (model, effort) = RequestRules.ResolveModel(Catalog, requested, reasoningEffort, "reasoning_effort");

        // Assert
        Assert.Equal("gpt-5.5", model.Id);
        Assert.Equal(expected, effort);
    }

    [Theory]
    [InlineData("gpt-5.5", "xhigh", "reasoning_effort")]
    [InlineData("gpt-5.5-high", "HIGH", "reasoning.effort")]
    [InlineData("gpt-5.5", "", "reasoning_effort")]
    public void ResolveModel_EffortNotAmongModelEfforts_Rejects400NamingGivenParam(string requested, string reasoningEffort, string param)
    {
        // Arrange / Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.ResolveModel(Catalog, requested, reasoningEffort, param));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal("unsupported_value", error.Code);
        Assert.Contains("low, medium, high", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveModel_EffortForNonReasoningModel_Rejects400SayingSo()
    {
        // Arrange / Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.ResolveModel(Catalog, "plain", "low", "reasoning_effort"));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("reasoning_effort", error.Param);
        Assert.Contains("not a reasoning model", error.Message, StringComparison.Ordinal);
    }

    // ---- Choices ----

    [Theory]
    [InlineData(null, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 3)]
    public void Choices_WithinLimit_ReturnsCount(int? n, int expected)
    {
        // Arrange / Act
        var choices = RequestRules.Choices(n, Limits);

        // Assert
        Assert.Equal(expected, choices);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Choices_OutOfRange_Rejects400NamingN(int n)
    {
        // Arrange / Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.Choices(n, Limits));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("n", error.Param);
        Assert.Equal("invalid_value", error.Code);
    }

    [Fact]
    public void Choices_LimitOfOne_RejectsTwo()
    {
        // Arrange
        var limits = new RequestLimits(MaxChoices: 1);

        // Act
        var error = Record.Exception(() => RequestRules.Choices(2, limits));

        // Assert
        var invalid = Assert.IsType<InvalidRequestException>(error);
        Assert.Contains("between 1 and 1", invalid.Message, StringComparison.Ordinal);
    }

    // ---- Stop ----

    [Fact]
    public void Stop_Undefined_ReturnsEmpty()
    {
        // Arrange
        var stop = default(JsonElement);

        // Act
        var list = RequestRules.Stop(stop);

        // Assert
        Assert.Empty(list);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    public void Stop_NullOrEmptyArray_ReturnsEmpty(string json)
    {
        // Arrange
        var stop = Json(json);

        // Act
        var list = RequestRules.Stop(stop);

        // Assert
        Assert.Empty(list);
    }

    [Fact]
    public void Stop_String_ReturnsSingleSequence()
    {
        // Arrange
        var stop = Json("\" \"");

        // Act
        var list = RequestRules.Stop(stop);

        // Assert
        Assert.Equal([" "], list);
    }

    [Fact]
    public void Stop_ArrayOfFour_ReturnsAllInOrder()
    {
        // Arrange
        var stop = Json("""["d","c","b","a"]""");

        // Act
        var list = RequestRules.Stop(stop);

        // Assert
        Assert.Equal(["d", "c", "b", "a"], list);
    }

    [Fact]
    public void Stop_DuplicateSequences_AreKept()
    {
        // Arrange
        var stop = Json("""["x","x"]""");

        // Act
        var list = RequestRules.Stop(stop);

        // Assert
        Assert.Equal(["x", "x"], list);
    }

    [Theory]
    [InlineData("\"\"", "invalid_value")]
    [InlineData("""["a","b","c","d","e"]""", "invalid_value")]
    [InlineData("""[""]""", "invalid_type")]
    [InlineData("""["a",2]""", "invalid_type")]
    [InlineData("""[["a"]]""", "invalid_type")]
    [InlineData("""[null]""", "invalid_type")]
    [InlineData("7", "invalid_type")]
    [InlineData("false", "invalid_type")]
    [InlineData("""{"a":1}""", "invalid_type")]
    public void Stop_Invalid_Rejects400NamingStop(string json, string code)
    {
        // Arrange
        var stop = Json(json);

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.Stop(stop));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("stop", error.Param);
        Assert.Equal(code, error.Code);
    }

    // ---- MaxTokens ----

    [Theory]
    [InlineData(null)]
    [InlineData(1)]
    [InlineData(int.MaxValue)]
    public void MaxTokens_NullOrPositive_ReturnsValue(int? value)
    {
        // Arrange / Act
        var max = RequestRules.MaxTokens(value, "max_tokens");

        // Assert
        Assert.Equal(value, max);
    }

    [Theory]
    [InlineData(0, "max_tokens")]
    [InlineData(-1, "max_completion_tokens")]
    [InlineData(int.MinValue, "max_output_tokens")]
    public void MaxTokens_NotPositive_Rejects400NamingGivenParam(int value, string param)
    {
        // Arrange / Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.MaxTokens(value, param));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal("invalid_value", error.Code);
        Assert.Contains($"'{param}'", error.Message, StringComparison.Ordinal);
    }

    // ---- IncludeUsage ----

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void IncludeUsage_NoOptions_ReturnsFalse(bool stream)
    {
        // Arrange / Act
        var include = RequestRules.IncludeUsage(stream, null);

        // Assert
        Assert.False(include);
    }

    [Fact]
    public void IncludeUsage_OptionsWithoutStream_Rejects400NamingStreamOptions()
    {
        // Arrange
        var options = new StreamOptions { IncludeUsage = false };

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.IncludeUsage(false, options));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("stream_options", error.Param);
        Assert.Equal("invalid_value", error.Code);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(null, false)]
    public void IncludeUsage_OptionsWithStream_ReturnsIncludeUsage(bool? includeUsage, bool expected)
    {
        // Arrange
        var options = new StreamOptions { IncludeUsage = includeUsage };

        // Act
        var include = RequestRules.IncludeUsage(true, options);

        // Assert
        Assert.Equal(expected, include);
    }

    [Fact]
    public void IncludeUsage_IncludeObfuscation_IsAccepted()
    {
        // Arrange
        var options = new StreamOptions { IncludeUsage = true, Extra = new() { ["include_obfuscation"] = Json("false") } };

        // Act
        var include = RequestRules.IncludeUsage(true, options);

        // Assert
        Assert.True(include);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"x\"")]
    public void IncludeUsage_UnknownOptionsField_Rejects400NamingIt(string value)
    {
        // Arrange
        var options = new StreamOptions { IncludeUsage = true, Extra = new() { ["continuous_usage_stats"] = Json(value) } };

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.IncludeUsage(true, options));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("stream_options.continuous_usage_stats", error.Param);
        Assert.Equal("unknown_parameter", error.Code);
    }

    // ---- CheckExtras ----

    [Fact]
    public void CheckExtras_NullExtra_AddsNothing()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        RequestRules.CheckExtras(null, new HashSet<string>(), ignored);

        // Assert
        Assert.Empty(ignored);
    }

    [Fact]
    public void CheckExtras_GloballyAndLocallyIgnorableFields_AreAppendedInOrder()
    {
        // Arrange
        var extra = new Dictionary<string, JsonElement>
        {
            ["temperature"] = Json("0.5"),
            ["truncation"] = Json("\"auto\""),
            ["web_search_options"] = Json("{}"),
        };
        var ignored = new List<string> { "messages[0].name" };

        // Act
        RequestRules.CheckExtras(extra, new HashSet<string> { "truncation" }, ignored);

        // Assert
        Assert.Equal(["messages[0].name", "temperature", "truncation", "web_search_options"], ignored);
    }

    [Fact]
    public void CheckExtras_IgnorableFieldWithNull_IsNotListed()
    {
        // Arrange
        var extra = new Dictionary<string, JsonElement> { ["seed"] = Json("null"), ["truncation"] = Json("null") };
        var ignored = new List<string>();

        // Act
        RequestRules.CheckExtras(extra, new HashSet<string> { "truncation" }, ignored);

        // Assert
        Assert.Empty(ignored);
    }

    [Fact]
    public void CheckExtras_UnknownFieldWithNull_IsAcceptedSilently()
    {
        // Arrange
        var extra = new Dictionary<string, JsonElement> { ["tools"] = Json("null") };
        var ignored = new List<string>();

        // Act
        var error = Record.Exception(() => RequestRules.CheckExtras(extra, new HashSet<string>(), ignored));

        // Assert
        Assert.Null(error);
        Assert.Empty(ignored);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("\"\"")]
    public void CheckExtras_UnknownFieldWithValue_Rejects400NamingIt(string value)
    {
        // Arrange
        var extra = new Dictionary<string, JsonElement> { ["tools"] = Json(value) };

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.CheckExtras(extra, new HashSet<string>(), []));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("tools", error.Param);
        Assert.Equal("unknown_parameter", error.Code);
        Assert.Equal("Unrecognized request argument supplied: tools", error.Message);
    }

    [Fact]
    public void CheckExtras_UnknownFieldWithHint_AppendsHintToMessage()
    {
        // Arrange
        var extra = new Dictionary<string, JsonElement> { ["tools"] = Json("[]") };

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => RequestRules.CheckExtras(extra, new HashSet<string>(), [], "Tools are not supported."));

        // Assert
        Assert.Equal("Unrecognized request argument supplied: tools. Tools are not supported.", error.Message);
    }

    [Theory]
    [InlineData("temperature")]
    [InlineData("top_p")]
    [InlineData("frequency_penalty")]
    [InlineData("presence_penalty")]
    [InlineData("seed")]
    [InlineData("logit_bias")]
    [InlineData("user")]
    [InlineData("metadata")]
    [InlineData("store")]
    [InlineData("service_tier")]
    [InlineData("prompt_cache_key")]
    [InlineData("safety_identifier")]
    [InlineData("verbosity")]
    [InlineData("modalities")]
    [InlineData("prediction")]
    [InlineData("web_search_options")]
    [InlineData("audio")]
    public void IgnoredFields_SamplingAndBookkeepingFields_AreIgnorable(string field)
    {
        // Arrange
        var extra = new Dictionary<string, JsonElement> { [field] = Json("1") };
        var ignored = new List<string>();

        // Act
        RequestRules.CheckExtras(extra, new HashSet<string>(), ignored);

        // Assert
        Assert.Contains(field, RequestRules.IgnoredFields);
        Assert.Equal([field], ignored);
    }
}
