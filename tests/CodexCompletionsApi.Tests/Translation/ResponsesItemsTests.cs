using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ResponsesItemsTests
{
    private const string DataUrl = "data:image/png;base64,iVBORw0KGgo=";

    [Theory]
    [InlineData("assistant", "output_text", "Hello.")]
    [InlineData("developer", "input_text", "Be terse.")]
    public void Message_RoleAndPartType_WritesExactItem(string role, string partType, string text)
    {
        // Arrange
        var expected = $$"""{"type":"message","role":"{{role}}","content":[{"type":"{{partType}}","text":"{{text}}"}]}""";

        // Act
        var item = ResponsesItems.Message(role, partType, text);

        // Assert
        Assert.Equal(expected, item.GetRawText());
    }

    [Fact]
    public void Message_TextWithQuotesMarkupAndUnicode_RoundTrips()
    {
        // Arrange
        const string text = "say \"hi\" <b>&</b> é 🙂\n";

        // Act
        var item = ResponsesItems.Message("assistant", "output_text", text);

        // Assert
        Assert.Equal(text, item.GetProperty("content")[0].GetProperty("text").GetString());
    }

    [Fact]
    public void Message_EmptyText_WritesEmptyTextPart()
    {
        // Arrange / Act
        var item = ResponsesItems.Message("assistant", "output_text", string.Empty);

        // Assert
        Assert.Equal("""{"type":"message","role":"assistant","content":[{"type":"output_text","text":""}]}""", item.GetRawText());
    }

    [Fact]
    public void UserMessage_TextAndImages_WritesInputTextAndInputImageParts()
    {
        // Arrange
        TurnInputPart[] parts =
        [
            TurnInputPart.FromText("What is this?"),
            new(null, DataUrl),
            new(null, DataUrl, "low"),
        ];

        // Act
        var item = ResponsesItems.UserMessage(parts);

        // Assert
        Assert.Equal(
            $$"""{"type":"message","role":"user","content":[{"type":"input_text","text":"What is this?"},{"type":"input_image","image_url":"{{DataUrl}}","detail":"auto"},{"type":"input_image","image_url":"{{DataUrl}}","detail":"low"}]}""",
            item.GetRawText());
    }

    [Fact]
    public void UserMessage_PartWithoutTextOrImage_WritesEmptyInputText()
    {
        // Arrange
        TurnInputPart[] parts = [new(null)];

        // Act
        var item = ResponsesItems.UserMessage(parts);

        // Assert
        Assert.Equal("""{"type":"message","role":"user","content":[{"type":"input_text","text":""}]}""", item.GetRawText());
    }

    [Fact]
    public void UserMessage_NoParts_WritesEmptyContent()
    {
        // Arrange / Act
        var item = ResponsesItems.UserMessage([]);

        // Assert
        Assert.Equal("""{"type":"message","role":"user","content":[]}""", item.GetRawText());
    }

    [Fact]
    public void FunctionCall_Values_WritesExactItem()
    {
        // Arrange / Act
        var item = ResponsesItems.FunctionCall("call_1", "get_weather", "{}");

        // Assert
        Assert.Equal("""{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"}""", item.GetRawText());
    }

    [Fact]
    public void FunctionCall_JsonArguments_AreKeptAsAString()
    {
        // Arrange
        const string arguments = """{"city":"Paris","days":[1,2]}""";

        // Act
        var item = ResponsesItems.FunctionCall("call_1", "get_weather", arguments);

        // Assert
        var value = item.GetProperty("arguments");
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        Assert.Equal(arguments, value.GetString());
    }

    [Fact]
    public void FunctionCallOutput_Values_WritesExactItem()
    {
        // Arrange / Act
        var item = ResponsesItems.FunctionCallOutput("call_1", "sunny, 21 C");

        // Assert
        Assert.Equal("""{"type":"function_call_output","call_id":"call_1","output":"sunny, 21 C"}""", item.GetRawText());
    }

    [Fact]
    public void FunctionCallOutput_MultilineOutput_RoundTrips()
    {
        // Arrange
        const string output = "line 1\nline \"2\"\ttab";

        // Act
        var item = ResponsesItems.FunctionCallOutput("c", output);

        // Assert
        Assert.Equal(output, item.GetProperty("output").GetString());
        Assert.Equal("c", item.GetProperty("call_id").GetString());
    }
}
