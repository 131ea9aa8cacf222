using System.Text.Json;
using CodexCompletionsApi.Api;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Api;

public sealed class ToolCallsTests
{
    private const string WeatherBlock = "<use_tool>\n<name>get_weather</name>\n<city>Paris</city>\n<unit>c</unit>\n</use_tool>";

    private const string TimeBlock = "<use_tool>\n<name>get_time</name>\n</use_tool>";

    private static readonly ToolDefinition[] Definitions = [new("get_weather", ["city", "unit"]), new("get_time", [])];

    private static readonly ChoiceToolCall Weather = new(0, 0, "call_w", "get_weather", """{"unit":"c","city":"Paris"}""");

    private static readonly ChoiceToolCall Time = new(0, 1, "call_t", "get_time", "{}");

    private static ToolOutput Output(ToolOutputMode mode, bool legacy = false) => new(mode, legacy, Definitions);

    private static ChoiceResult Choice(string? content = null) => new(0, content, null, "tool_calls");

    private static JsonElement Serialized(ChoiceResult choice, out string text)
    {
        var completion = ChatCompletionTranslator.ToChatCompletion("chatcmpl-1", 7, "m", [choice], null);
        text = JsonSerializer.Serialize(completion, OpenAIJsonContext.Web.ChatCompletion);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.GetProperty("choices")[0].GetProperty("message").Clone();
    }

    // ---- Apply ----

    [Theory]
    [InlineData(ToolOutputMode.OpenAIJson, false)]
    [InlineData(ToolOutputMode.ObsidianXml, false)]
    [InlineData(ToolOutputMode.ObsidianXml, true)]
    public void Apply_NoCalls_ReturnsChoiceUnchanged(ToolOutputMode mode, bool legacy)
    {
        // Arrange
        var choice = Choice("just text");

        // Act
        var applied = ToolCalls.Apply(choice, [], Output(mode, legacy));

        // Assert
        Assert.Same(choice, applied);
        Assert.Null(applied.ToolCalls);
        Assert.Null(applied.FunctionCall);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Apply_OpenAIJsonWithoutText_ContentNullAndToolCallsInOrder(string? content)
    {
        // Arrange
        var choice = Choice(content);

        // Act
        var applied = ToolCalls.Apply(choice, [Weather, Time], Output(ToolOutputMode.OpenAIJson));

        // Assert
        Assert.Null(applied.Content);
        Assert.Null(applied.FunctionCall);
        Assert.NotNull(applied.ToolCalls);
        Assert.Equal(["call_w", "call_t"], applied.ToolCalls.Select(c => c.Id));
        Assert.Equal(["get_weather", "get_time"], applied.ToolCalls.Select(c => c.Function.Name));
        Assert.Equal(["""{"unit":"c","city":"Paris"}""", "{}"], applied.ToolCalls.Select(c => c.Function.Arguments));
        Assert.All(applied.ToolCalls, c => Assert.Equal("function", c.Type));
    }

    [Fact]
    public void Apply_OpenAIJsonWithPreamble_KeepsPreambleAsContent()
    {
        // Arrange
        var choice = Choice("Let me check.");

        // Act
        var applied = ToolCalls.Apply(choice, [Weather], Output(ToolOutputMode.OpenAIJson));

        // Assert
        Assert.Equal("Let me check.", applied.Content);
        Assert.Equal("call_w", Assert.Single(applied.ToolCalls!).Id);
    }

    [Fact]
    public void Apply_ArgumentsThatAreNotJson_AreReturnedVerbatim()
    {
        // Arrange
        var call = new ChoiceToolCall(0, 0, "call_x", "get_time", "not json {");

        // Act
        var applied = ToolCalls.Apply(Choice(), [call], Output(ToolOutputMode.OpenAIJson));

        // Assert
        Assert.Equal("not json {", Assert.Single(applied.ToolCalls!).Function.Arguments);
    }

    [Fact]
    public void Apply_KeepsIndexReasoningAndFinishReason()
    {
        // Arrange
        var choice = new ChoiceResult(3, "pre", "thinking", "tool_calls");

        // Act
        var applied = ToolCalls.Apply(choice, [Weather], Output(ToolOutputMode.ObsidianXml));

        // Assert
        Assert.Equal(3, applied.Index);
        Assert.Equal("thinking", applied.ReasoningContent);
        Assert.Equal("tool_calls", applied.FinishReason);
    }

    [Fact]
    public void Apply_ObsidianXmlWithoutText_ContentIsBlocksSeparatedByBlankLine()
    {
        // Arrange
        var choice = Choice();

        // Act
        var applied = ToolCalls.Apply(choice, [Weather, Time], Output(ToolOutputMode.ObsidianXml));

        // Assert
        Assert.Equal(WeatherBlock + "\n\n" + TimeBlock, applied.Content);
        Assert.Equal(["call_w", "call_t"], applied.ToolCalls!.Select(c => c.Id));
        Assert.Null(applied.FunctionCall);
    }

    [Fact]
    public void Apply_ObsidianXmlWithPreamble_ContentIsPreambleThenBlocks()
    {
        // Arrange
        var choice = Choice("Checking both.");

        // Act
        var applied = ToolCalls.Apply(choice, [Weather, Time], Output(ToolOutputMode.ObsidianXml));

        // Assert: a blank line between the preamble and the first block, as between blocks
        Assert.Equal("Checking both.\n\n" + WeatherBlock + "\n\n" + TimeBlock, applied.Content);
        Assert.Equal(2, applied.ToolCalls!.Count);
    }

    [Fact]
    public void Apply_ObsidianXml_UsesEachToolsParameterOrder()
    {
        // Arrange
        var call = new ChoiceToolCall(0, 0, "call_w", "get_weather", """{"extra":true,"unit":"f","city":"Oslo"}""");

        // Act
        var applied = ToolCalls.Apply(Choice(), [call], Output(ToolOutputMode.ObsidianXml));

        // Assert
        Assert.Equal("<use_tool>\n<name>get_weather</name>\n<city>Oslo</city>\n<unit>f</unit>\n<extra>true</extra>\n</use_tool>", applied.Content);
    }

    [Fact]
    public void Apply_ObsidianXmlUnknownTool_KeepsModelOrder()
    {
        // Arrange
        var call = new ChoiceToolCall(0, 0, "call_u", "unlisted", """{"b":1,"a":2}""");

        // Act
        var applied = ToolCalls.Apply(Choice(), [call], Output(ToolOutputMode.ObsidianXml));

        // Assert
        Assert.Equal("<use_tool>\n<name>unlisted</name>\n<b>1</b>\n<a>2</a>\n</use_tool>", applied.Content);
    }

    [Fact]
    public void Apply_LegacyOpenAIJson_FunctionCallOfFirstCallAndNoToolCalls()
    {
        // Arrange
        var choice = Choice();

        // Act
        var applied = ToolCalls.Apply(choice, [Weather, Time], Output(ToolOutputMode.OpenAIJson, legacy: true));

        // Assert
        Assert.Equal(new FunctionCall("get_weather", """{"unit":"c","city":"Paris"}"""), applied.FunctionCall);
        Assert.Null(applied.ToolCalls);
        Assert.Null(applied.Content);
    }

    [Fact]
    public void Apply_LegacyOpenAIJsonWithPreamble_KeepsPreamble()
    {
        // Arrange
        var choice = Choice("One moment.");

        // Act
        var applied = ToolCalls.Apply(choice, [Time], Output(ToolOutputMode.OpenAIJson, legacy: true));

        // Assert
        Assert.Equal("One moment.", applied.Content);
        Assert.Equal(new FunctionCall("get_time", "{}"), applied.FunctionCall);
    }

    [Fact]
    public void Apply_LegacyObsidianXml_ContentHasBlockAndFunctionCall()
    {
        // Arrange
        var choice = Choice();

        // Act
        var applied = ToolCalls.Apply(choice, [Time], Output(ToolOutputMode.ObsidianXml, legacy: true));

        // Assert
        Assert.Equal(TimeBlock, applied.Content);
        Assert.Equal(new FunctionCall("get_time", "{}"), applied.FunctionCall);
        Assert.Null(applied.ToolCalls);
    }

    [Fact]
    public void Apply_LegacyObsidianXmlWithTwoCalls_ContentMatchesTheSingleFunctionCall()
    {
        // Arrange
        var choice = Choice();

        // Act
        var applied = ToolCalls.Apply(choice, [Weather, Time], Output(ToolOutputMode.ObsidianXml, legacy: true));

        // Assert
        Assert.Equal("get_weather", applied.FunctionCall!.Name);
        Assert.Equal(WeatherBlock, applied.Content);
    }

    // ---- serialized through ChatCompletionTranslator.ToChatCompletion ----

    [Fact]
    public void ToChatCompletion_WithToolCalls_SerializesOpenAIToolCallShape()
    {
        // Arrange
        var choice = ToolCalls.Apply(Choice(), [Weather, Time], Output(ToolOutputMode.OpenAIJson));

        // Act
        var message = Serialized(choice, out var text);

        // Assert
        const string expected = """
            "tool_calls":[{"id":"call_w","type":"function","function":{"name":"get_weather","arguments":"{\"unit\":\"c\",\"city\":\"Paris\"}"}},{"id":"call_t","type":"function","function":{"name":"get_time","arguments":"{}"}}]
            """;
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
        Assert.False(message.TryGetProperty("function_call", out _));
    }

    [Fact]
    public void ToChatCompletion_ToolCall_PropertyOrderIsIdTypeFunction()
    {
        // Arrange
        var choice = ToolCalls.Apply(Choice(), [Weather], Output(ToolOutputMode.OpenAIJson));

        // Act
        var message = Serialized(choice, out _);

        // Assert
        var call = Assert.Single(message.GetProperty("tool_calls").EnumerateArray());
        Assert.Equal(["id", "type", "function"], call.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "arguments"], call.GetProperty("function").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void ToChatCompletion_ArgumentsWithMarkup_AreNotHtmlEscaped()
    {
        // Arrange
        var call = new ChoiceToolCall(0, 0, "call_m", "get_time", """{"q":"<a> & 'b'"}""");
        var choice = ToolCalls.Apply(Choice(), [call], Output(ToolOutputMode.OpenAIJson));

        // Act
        var message = Serialized(choice, out var text);

        // Assert
        const string expected = """
            "arguments":"{\"q\":\"<a> & 'b'\"}"
            """;
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Equal("""{"q":"<a> & 'b'"}""", message.GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString());
    }

    [Fact]
    public void ToChatCompletion_LegacyFunctionCall_SerializesFunctionCallWithoutToolCalls()
    {
        // Arrange
        var choice = ToolCalls.Apply(Choice(), [Time], Output(ToolOutputMode.OpenAIJson, legacy: true));

        // Act
        var message = Serialized(choice, out var text);

        // Assert
        const string expected = """
            "function_call":{"name":"get_time","arguments":"{}"}
            """;
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.False(message.TryGetProperty("tool_calls", out _));
        Assert.Equal(JsonValueKind.Null, message.GetProperty("content").ValueKind);
    }

    [Fact]
    public void ToChatCompletion_NoToolCalls_OmitsToolCallsAndFunctionCall()
    {
        // Arrange
        var choice = new ChoiceResult(0, "hello", null, "stop");

        // Act
        var message = Serialized(choice, out var text);

        // Assert
        Assert.False(message.TryGetProperty("tool_calls", out _));
        Assert.False(message.TryGetProperty("function_call", out _));
        Assert.DoesNotContain("tool_calls", text, StringComparison.Ordinal);
        Assert.DoesNotContain("function_call", text, StringComparison.Ordinal);
        Assert.Equal("hello", message.GetProperty("content").GetString());
    }

    [Fact]
    public void ToChatCompletion_ObsidianXml_SerializesBlocksInContentAndToolCalls()
    {
        // Arrange
        var choice = ToolCalls.Apply(Choice(), [Time], Output(ToolOutputMode.ObsidianXml));

        // Act
        var message = Serialized(choice, out _);

        // Assert
        Assert.Equal(TimeBlock, message.GetProperty("content").GetString());
        Assert.Equal("call_t", message.GetProperty("tool_calls")[0].GetProperty("id").GetString());
    }

    // ---- ToolOutput ----

    [Theory]
    [InlineData("obsidian-xml", ToolOutputMode.ObsidianXml)]
    [InlineData(" OpenAI-JSON ", ToolOutputMode.OpenAIJson)]
    [InlineData("openai-json", ToolOutputMode.OpenAIJson)]
    public void ParseMode_KnownValue_ReturnsMode(string value, ToolOutputMode expected)
    {
        // Arrange / Act
        var mode = ToolOutput.ParseMode(value, expected == ToolOutputMode.ObsidianXml ? ToolOutputMode.OpenAIJson : ToolOutputMode.ObsidianXml);

        // Assert
        Assert.Equal(expected, mode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("xml")]
    public void ParseMode_UnknownValue_ReturnsFallback(string? value)
    {
        // Arrange / Act
        var mode = ToolOutput.ParseMode(value, ToolOutputMode.OpenAIJson);

        // Assert
        Assert.Equal(ToolOutputMode.OpenAIJson, mode);
    }

    [Fact]
    public void ParameterOrder_UnknownTool_IsEmpty()
    {
        // Arrange
        var output = Output(ToolOutputMode.ObsidianXml);

        // Act
        var order = output.ParameterOrder("missing");

        // Assert
        Assert.Empty(order);
        Assert.Equal(["city", "unit"], output.ParameterOrder("get_weather"));
    }
}
