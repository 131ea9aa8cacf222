using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ChatCompletionTranslatorTests
{
    private static readonly ModelCatalog Catalog = new(
        [
            new CatalogModel { Id = "public-model", UpstreamModel = "upstream-slug", DefaultReasoningEffort = "low", ReasoningEfforts = ["low", "high"] },
            new CatalogModel { Id = "other", UpstreamModel = "other-slug" },
        ],
        null);

    private static ChatCompletionRequest Parse(string json)
        => JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.ChatCompletionRequest)!;

    private static ChatCompletionTranslator.Translated Translate(string json)
        => ChatCompletionTranslator.ToTurnRequest(Parse(json), Catalog);

    private static InvalidRequestException Reject(string json)
        => Assert.Throws<InvalidRequestException>(() => Translate(json));

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"  ","messages":[{"role":"user","content":"hi"}]}""")]
    public void ToTurnRequest_MissingModel_RejectsModelParam(string json)
    {
        // Arrange / Act
        var error = Reject(json);

        // Assert
        Assert.Equal("model", error.Param);
        Assert.Equal(400, error.Status);
    }

    [Fact]
    public void ToTurnRequest_UnknownModel_Returns404ModelNotFound()
    {
        // Arrange / Act
        var error = Reject("""{"model":"gpt-nope","messages":[{"role":"user","content":"hi"}]}""");

        // Assert
        Assert.Equal(404, error.Status);
        Assert.Equal("model_not_found", error.Code);
        Assert.Equal("model", error.Param);
        Assert.Contains("gpt-nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToTurnRequest_StreamTrue_RejectsStreamParam()
    {
        // Arrange / Act
        var error = Reject("""{"model":"public-model","stream":true,"messages":[{"role":"user","content":"hi"}]}""");

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("stream", error.Param);
    }

    [Fact]
    public void ToTurnRequest_StreamFalse_IsAccepted()
    {
        // Arrange / Act
        var translated = Translate("""{"model":"public-model","stream":false,"messages":[{"role":"user","content":"hi"}]}""");

        // Assert
        Assert.Equal("hi", Assert.Single(translated.Turn.Input).Text);
    }

    [Fact]
    public void ToTurnRequest_IgnoredFields_AreListedInIgnoredParams()
    {
        // Arrange
        const string json = """
            {"model":"public-model","temperature":0.2,"top_p":1,"user":"u-1","seed":7,"metadata":{"a":"b"},
             "presence_penalty":0,"tools":null,"messages":[{"role":"user","content":"hi"}]}
            """;

        // Act
        var translated = Translate(json);

        // Assert
        Assert.Equal(["metadata", "presence_penalty", "seed", "temperature", "tools", "top_p", "user"], translated.IgnoredParams.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("tools", "[{\"type\":\"function\"}]")]
    [InlineData("response_format", "{\"type\":\"json_object\"}")]
    [InlineData("n", "2")]
    [InlineData("frobnicate", "true")]
    public void ToTurnRequest_UnknownTopLevelField_RejectsNamingIt(string field, string value)
    {
        // Arrange
        var json = $$"""{"model":"public-model","{{field}}":{{value}},"messages":[{"role":"user","content":"hi"}]}""";

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(field, error.Param);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"public-model","messages":[]}""")]
    [InlineData("""{"model":"public-model"}""")]
    public void ToTurnRequest_NoMessages_RejectsMessagesParam(string json)
    {
        // Arrange / Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("messages", error.Param);
    }

    [Fact]
    public void ToTurnRequest_FirstSystemMessage_BecomesBaseInstructions()
    {
        // Arrange / Act
        var translated = Translate("""{"model":"public-model","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":"hi"}]}""");

        // Assert
        Assert.Equal("Be terse.", translated.Turn.BaseInstructions);
        Assert.Empty(translated.Turn.History);
    }

    [Fact]
    public void ToTurnRequest_NoSystemMessage_BaseInstructionsEmpty()
    {
        // Arrange / Act
        var translated = Translate("""{"model":"public-model","messages":[{"role":"user","content":"hi"}]}""");

        // Assert
        Assert.Equal(string.Empty, translated.Turn.BaseInstructions);
        Assert.Empty(translated.Turn.History);
        Assert.Empty(translated.IgnoredParams);
    }

    [Fact]
    public void ToTurnRequest_EarlierMessages_BecomeResponsesHistoryItems()
    {
        // Arrange
        const string json = """
            {"model":"public-model","messages":[
              {"role":"system","content":"sys"},
              {"role":"user","content":"first question"},
              {"role":"assistant","content":"first answer"},
              {"role":"developer","content":"dev note"},
              {"role":"system","content":"late system"},
              {"role":"user","content":"second question"}]}
            """;

        // Act
        var translated = Translate(json);

        // Assert
        Assert.Equal(
            [
                """{"type":"message","role":"user","content":[{"type":"input_text","text":"first question"}]}""",
                """{"type":"message","role":"assistant","content":[{"type":"output_text","text":"first answer"}]}""",
                """{"type":"message","role":"developer","content":[{"type":"input_text","text":"dev note"}]}""",
                """{"type":"message","role":"developer","content":[{"type":"input_text","text":"late system"}]}""",
            ],
            translated.Turn.History.Select(item => item.GetRawText()));
        Assert.Equal("second question", Assert.Single(translated.Turn.Input).Text);
        Assert.Equal("sys", translated.Turn.BaseInstructions);
    }

    [Theory]
    [InlineData("assistant", 1)]
    [InlineData("system", 0)]
    [InlineData("tool", 1)]
    public void ToTurnRequest_LastMessageNotUser_RejectsItsRole(string role, int index)
    {
        // Arrange
        var messages = index == 0
            ? $$"""[{"role":"{{role}}","content":"x"}]"""
            : $$"""[{"role":"user","content":"q"},{"role":"{{role}}","content":"x"}]""";

        // Act
        var error = Reject($$"""{"model":"public-model","messages":{{messages}}}""");

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal($"messages[{index}].role", error.Param);
    }

    [Fact]
    public void ToTurnRequest_UnsupportedRoleInHistory_RejectsItsRole()
    {
        // Arrange / Act
        var error = Reject("""{"model":"public-model","messages":[{"role":"user","content":"q"},{"role":"tool","content":"r"},{"role":"user","content":"q2"}]}""");

        // Assert
        Assert.Equal("messages[1].role", error.Param);
    }

    [Fact]
    public void ToTurnRequest_ArrayOfTextParts_Concatenates()
    {
        // Arrange / Act
        var translated = Translate("""{"model":"public-model","messages":[{"role":"user","content":[{"type":"text","text":"Hello, "},{"type":"text","text":"world"}]}]}""");

        // Assert
        Assert.Equal("Hello, world", Assert.Single(translated.Turn.Input).Text);
    }

    [Theory]
    [InlineData("""[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}]""", 1)]
    [InlineData("""["plain string"]""", 0)]
    [InlineData("""[{"type":"text"}]""", 0)]
    public void ToTurnRequest_NonTextPart_RejectsThatPart(string content, int part)
    {
        // Arrange
        var json = $$"""{"model":"public-model","messages":[{"role":"user","content":"q"},{"role":"user","content":{{content}}}]}""";

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal($"messages[1].content[{part}]", error.Param);
    }

    [Fact]
    public void ToTurnRequest_ContentOfWrongType_RejectsContent()
    {
        // Arrange / Act
        var error = Reject("""{"model":"public-model","messages":[{"role":"user","content":42}]}""");

        // Assert
        Assert.Equal("messages[0].content", error.Param);
    }

    [Fact]
    public void ToTurnRequest_UnknownMessageField_RejectsNamingIt()
    {
        // Arrange / Act
        var error = Reject("""{"model":"public-model","messages":[{"role":"user","content":"q","tool_calls":[]}]}""");

        // Assert
        Assert.Equal("messages[0].tool_calls", error.Param);
    }

    [Fact]
    public void ToTurnRequest_UnknownFieldOnLeadingSystemMessage_RejectsNamingIt()
    {
        // Arrange / Act
        var error = Reject("""{"model":"public-model","messages":[{"role":"system","content":"s","cache_control":{"type":"ephemeral"}},{"role":"user","content":"q"}]}""");

        // Assert
        Assert.Equal("messages[0].cache_control", error.Param);
    }

    [Fact]
    public void ToTurnRequest_KnownModel_UsesUpstreamSlug()
    {
        // Arrange / Act
        var translated = Translate("""{"model":"public-model","messages":[{"role":"user","content":"hi"}]}""");

        // Assert
        Assert.Equal("upstream-slug", translated.Turn.Model);
        Assert.Equal("public-model", translated.Model.Id);
    }

    [Fact]
    public void ToChatCompletion_Messages_BuildsChatCompletion()
    {
        // Arrange
        var usage = new TokenUsage(InputTokens: 100, CachedInputTokens: 40, OutputTokens: 25, ReasoningOutputTokens: 10, TotalTokens: 125);

        // Act
        var completion = ChatCompletionTranslator.ToChatCompletion("chatcmpl-1", 1_767_225_600, "public-model", ["first", "second"], usage);

        // Assert
        Assert.Equal("chat.completion", completion.Object);
        Assert.Equal("chatcmpl-1", completion.Id);
        Assert.Equal(1_767_225_600, completion.Created);
        Assert.Equal("public-model", completion.Model);
        var choice = Assert.Single(completion.Choices);
        Assert.Equal(0, choice.Index);
        Assert.Equal("assistant", choice.Message.Role);
        Assert.Equal("first\n\nsecond", choice.Message.Content);
        Assert.Equal("stop", choice.FinishReason);
        Assert.NotNull(completion.Usage);
        Assert.Equal(100, completion.Usage.PromptTokens);
        Assert.Equal(25, completion.Usage.CompletionTokens);
        Assert.Equal(125, completion.Usage.TotalTokens);
        Assert.Equal(40, completion.Usage.PromptTokensDetails.CachedTokens);
        Assert.Equal(10, completion.Usage.CompletionTokensDetails.ReasoningTokens);
    }

    [Fact]
    public void ToChatCompletion_NoUsage_LeavesUsageNull()
    {
        // Arrange / Act
        var completion = ChatCompletionTranslator.ToChatCompletion("chatcmpl-2", 1, "m", [], null);

        // Assert
        Assert.Null(completion.Usage);
        Assert.Equal(string.Empty, Assert.Single(completion.Choices).Message.Content);
    }

    [Fact]
    public void ToChatCompletion_Serialized_UsesOpenAIFieldNames()
    {
        // Arrange
        var completion = ChatCompletionTranslator.ToChatCompletion("chatcmpl-3", 5, "m", ["hi"], new TokenUsage(1, 0, 2, 0, 3));

        // Act
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(completion, OpenAIJsonContext.Default.ChatCompletion));

        // Assert
        var root = document.RootElement;
        Assert.Equal("chat.completion", root.GetProperty("object").GetString());
        Assert.Equal("stop", root.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(1, root.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(0, root.GetProperty("usage").GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt32());
    }
}
