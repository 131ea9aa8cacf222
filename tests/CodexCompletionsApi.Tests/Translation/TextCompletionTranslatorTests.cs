using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class TextCompletionTranslatorTests
{
    private static readonly ModelCatalog Catalog = new(
        [
            new CatalogModel { Id = "public-model", UpstreamModel = "upstream-slug", DefaultReasoningEffort = "low", ReasoningEfforts = ["low", "high"] },
            new CatalogModel { Id = "other", UpstreamModel = "other-slug" },
        ],
        null);

    private static readonly RequestLimits Limits = new(MaxChoices: 4);

    private static CompletionPlan Plan(string json)
        => TextCompletionTranslator.ToPlan(JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.TextCompletionRequest)!, Catalog, Limits);

    private static InvalidRequestException Reject(string json)
        => Assert.Throws<InvalidRequestException>(() => Plan(json));

    /// <summary>A minimal valid request (model public-model, prompt "Once upon") plus <paramref name="fields"/>.</summary>
    private static string Completion(string fields = "")
        => fields.Length == 0
            ? """{"model":"public-model","prompt":"Once upon"}"""
            : $$"""{"model":"public-model","prompt":"Once upon",{{fields}} }""";

    // ---- prompt ----

    [Fact]
    public void ToPlan_PromptString_IsTheSingleTextInput()
    {
        // Arrange
        var json = Completion();

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal([new TurnInputPart("Once upon")], plan.Turn.Input);
        Assert.Empty(plan.Turn.History);
        Assert.Equal(string.Empty, plan.Turn.BaseInstructions);
        Assert.Null(plan.Turn.OutputSchema);
        Assert.Equal("upstream-slug", plan.Turn.Model);
        Assert.Equal("public-model", plan.ResponseModel);
        Assert.Null(plan.Turn.Effort);
        Assert.Equal(1, plan.Choices);
        Assert.False(plan.Stream);
        Assert.False(plan.IncludeUsage);
        Assert.Empty(plan.Stop);
        Assert.Null(plan.MaxTokens);
        Assert.Null(plan.EchoPrefix);
        Assert.Empty(plan.IgnoredParams);
    }

    [Theory]
    [InlineData("""["a","b","c"]""", "a\nb\nc")]
    [InlineData("""["only"]""", "only")]
    [InlineData("""["",""]""", "\n")]
    [InlineData("""["line1\n","line2"]""", "line1\n\nline2")]
    public void ToPlan_PromptArrayOfStrings_JoinsWithNewlines(string prompt, string expected)
    {
        // Arrange
        var json = $$"""{"model":"public-model","prompt":{{prompt}} }""";

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(expected, Assert.Single(plan.Turn.Input).Text);
    }

    [Fact]
    public void ToPlan_EmptyPromptString_IsAccepted()
    {
        // Arrange
        const string json = """{"model":"public-model","prompt":""}""";

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(string.Empty, Assert.Single(plan.Turn.Input).Text);
    }

    [Theory]
    [InlineData("[1,2,3]", "prompt[0]")]
    [InlineData("[[1,2],[3]]", "prompt[0]")]
    [InlineData("""["text",42]""", "prompt[1]")]
    [InlineData("""["a","b",null]""", "prompt[2]")]
    public void ToPlan_TokenIdPrompt_Rejects400NamingElement(string prompt, string param)
    {
        // Arrange
        var json = $$"""{"model":"public-model","prompt":{{prompt}} }""";

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal("invalid_type", error.Code);
    }

    [Theory]
    [InlineData("""{"model":"public-model"}""")]
    [InlineData("""{"model":"public-model","prompt":null}""")]
    public void ToPlan_MissingPrompt_Rejects400NamingPrompt(string json)
    {
        // Arrange / Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("prompt", error.Param);
        Assert.Equal("missing_required_parameter", error.Code);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("7")]
    [InlineData("""{"text":"x"}""")]
    public void ToPlan_PromptOfWrongType_Rejects400NamingPrompt(string prompt)
    {
        // Arrange
        var json = $$"""{"model":"public-model","prompt":{{prompt}} }""";

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("prompt", error.Param);
        Assert.Equal("invalid_type", error.Code);
    }

    // ---- echo / best_of / suffix / logprobs ----

    [Fact]
    public void ToPlan_EchoTrue_SetsEchoPrefixToPrompt()
    {
        // Arrange
        const string json = """{"model":"public-model","prompt":["Once","upon"],"echo":true}""";

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("Once\nupon", plan.EchoPrefix);
    }

    [Theory]
    [InlineData(""" "echo":false """)]
    [InlineData(""" "echo":null """)]
    public void ToPlan_EchoFalseOrNull_LeavesEchoPrefixNull(string fields)
    {
        // Arrange
        var json = Completion(fields);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Null(plan.EchoPrefix);
    }

    [Theory]
    [InlineData(""" "best_of":2 """, "best_of")]
    [InlineData(""" "suffix":"The end." """, "suffix")]
    [InlineData(""" "logprobs":1 """, "logprobs")]
    [InlineData(""" "logprobs":5 """, "logprobs")]
    public void ToPlan_UnsupportedFeature_Rejects400NamingIt(string fields, string param)
    {
        // Arrange
        var json = Completion(fields);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal("unsupported_value", error.Code);
    }

    [Theory]
    [InlineData(""" "best_of":1 """)]
    [InlineData(""" "best_of":null """)]
    [InlineData(""" "suffix":"" """)]
    [InlineData(""" "suffix":null """)]
    [InlineData(""" "logprobs":0 """)]
    [InlineData(""" "logprobs":null """)]
    public void ToPlan_NeutralValuesOfUnsupportedFeatures_AreAccepted(string fields)
    {
        // Arrange
        var json = Completion(fields);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("Once upon", Assert.Single(plan.Turn.Input).Text);
        Assert.Empty(plan.IgnoredParams);
    }

    // ---- model ----

    [Theory]
    [InlineData("""{"prompt":"x"}""")]
    [InlineData("""{"model":"","prompt":"x"}""")]
    public void ToPlan_MissingModel_Rejects400NamingModel(string json)
    {
        // Arrange / Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("model", error.Param);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("public-model-medium")]
    public void ToPlan_UnknownModel_Returns404(string model)
    {
        // Arrange
        var json = $$"""{"model":"{{model}}","prompt":"x"}""";

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(404, error.Status);
        Assert.Equal("model_not_found", error.Code);
    }

    [Fact]
    public void ToPlan_EffortSuffix_ResolvesBaseModelAndKeepsSuffix()
    {
        // Arrange
        const string json = """{"model":"public-model-high","prompt":"x"}""";

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("public-model", plan.Model.Id);
        Assert.Equal("upstream-slug", plan.Turn.Model);
        Assert.Equal("high", plan.Turn.Effort);
        Assert.Equal("public-model-high", plan.ResponseModel);
    }

    [Fact]
    public void ToPlan_ReasoningEffortField_Rejects400AsUnknown()
    {
        // Arrange
        var json = Completion(""" "reasoning_effort":"high" """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal("reasoning_effort", error.Param);
        Assert.Equal("unknown_parameter", error.Code);
    }

    // ---- shared rules ----

    [Theory]
    [InlineData(""" "stop":"\n" """, "\n")]
    [InlineData(""" "stop":["a","b","c","d"] """, "a|b|c|d")]
    [InlineData(""" "stop":null """, "")]
    public void ToPlan_Stop_FollowsChatRules(string fields, string expected)
    {
        // Arrange
        var json = Completion(fields);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(expected, string.Join('|', plan.Stop));
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("""["a","b","c","d","e"]""")]
    [InlineData("[1]")]
    public void ToPlan_InvalidStop_Rejects400NamingStop(string stop)
    {
        // Arrange
        var json = Completion($$""" "stop":{{stop}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal("stop", error.Param);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void ToPlan_NWithinLimit_SetsChoices(int n)
    {
        // Arrange
        var json = Completion($$""" "n":{{n}} """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(n, plan.Choices);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void ToPlan_NOutOfRange_Rejects400NamingN(int n)
    {
        // Arrange
        var json = Completion($$""" "n":{{n}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("n", error.Param);
    }

    [Fact]
    public void ToPlan_MaxTokens_SetsMaxTokens()
    {
        // Arrange
        var json = Completion(""" "max_tokens":16 """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(16, plan.MaxTokens);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-16)]
    public void ToPlan_NonPositiveMaxTokens_Rejects400NamingMaxTokens(int value)
    {
        // Arrange
        var json = Completion($$""" "max_tokens":{{value}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal("max_tokens", error.Param);
    }

    [Fact]
    public void ToPlan_MaxCompletionTokens_Rejects400AsUnknown()
    {
        // Arrange
        var json = Completion(""" "max_completion_tokens":16 """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal("max_completion_tokens", error.Param);
        Assert.Equal("unknown_parameter", error.Code);
    }

    [Fact]
    public void ToPlan_StreamWithIncludeUsage_SetsStreamAndIncludeUsage()
    {
        // Arrange
        var json = Completion(""" "stream":true,"stream_options":{"include_usage":true} """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.True(plan.Stream);
        Assert.True(plan.IncludeUsage);
    }

    [Theory]
    [InlineData(""" "stream_options":{"include_usage":true} """, "stream_options")]
    [InlineData(""" "stream":false,"stream_options":{"include_usage":true} """, "stream_options")]
    [InlineData(""" "stream":true,"stream_options":{"foo":1} """, "stream_options.foo")]
    public void ToPlan_InvalidStreamOptions_Rejects400NamingThem(string fields, string param)
    {
        // Arrange
        var json = Completion(fields);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public void ToPlan_IgnorableFields_AreListedInIgnoredParams()
    {
        // Arrange
        var json = Completion(""" "temperature":0,"top_p":0.9,"user":"u","seed":null,"frobnicate":null """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(["temperature", "top_p", "user"], plan.IgnoredParams.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("messages", """[{"role":"user","content":"x"}]""")]
    [InlineData("response_format", """{"type":"json_object"}""")]
    [InlineData("frobnicate", "1")]
    public void ToPlan_UnknownField_Rejects400NamingIt(string field, string value)
    {
        // Arrange
        var json = Completion($$""" "{{field}}":{{value}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(field, error.Param);
        Assert.Equal("unknown_parameter", error.Code);
    }
}
