using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ReasoningOutputsTests
{
    [Theory]
    [InlineData("drop", ReasoningOutput.Drop)]
    [InlineData("DROP", ReasoningOutput.Drop)]
    [InlineData("reasoning_content", ReasoningOutput.ReasoningContent)]
    [InlineData(" Reasoning_Content ", ReasoningOutput.ReasoningContent)]
    [InlineData("think-tags", ReasoningOutput.ThinkTags)]
    [InlineData("think_tags", ReasoningOutput.ThinkTags)]
    [InlineData("Think-Tags\t", ReasoningOutput.ThinkTags)]
    public void TryParse_KnownValue_ReturnsTrueAndMode(string value, ReasoningOutput expected)
    {
        // Arrange / Act
        var parsed = ReasoningOutputs.TryParse(value, out var mode);

        // Assert
        Assert.True(parsed);
        Assert.Equal(expected, mode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("think")]
    [InlineData("reasoning-content")]
    [InlineData("thinktags")]
    [InlineData("none")]
    public void TryParse_UnknownValue_ReturnsFalseAndDrop(string? value)
    {
        // Arrange
        var header = value;

        // Act
        var parsed = ReasoningOutputs.TryParse(header, out var mode);

        // Assert
        Assert.False(parsed);
        Assert.Equal(ReasoningOutput.Drop, mode);
    }

    [Theory]
    [InlineData("thought")]
    [InlineData("")]
    public void Compose_Drop_ReturnsContentWithoutReasoning(string reasoning)
    {
        // Arrange / Act
        var (content, reasoningContent) = ReasoningOutputs.Compose(ReasoningOutput.Drop, "answer", reasoning);

        // Assert
        Assert.Equal("answer", content);
        Assert.Null(reasoningContent);
    }

    [Fact]
    public void Compose_ReasoningContentWithReasoning_ReturnsReasoningSeparately()
    {
        // Arrange / Act
        var (content, reasoningContent) = ReasoningOutputs.Compose(ReasoningOutput.ReasoningContent, "answer", "thought");

        // Assert
        Assert.Equal("answer", content);
        Assert.Equal("thought", reasoningContent);
    }

    [Fact]
    public void Compose_ReasoningContentWithoutReasoning_ReturnsNullReasoning()
    {
        // Arrange / Act
        var (content, reasoningContent) = ReasoningOutputs.Compose(ReasoningOutput.ReasoningContent, "answer", string.Empty);

        // Assert
        Assert.Equal("answer", content);
        Assert.Null(reasoningContent);
    }

    [Fact]
    public void Compose_ThinkTagsWithReasoning_PrependsThinkBlockToContent()
    {
        // Arrange / Act
        var (content, reasoningContent) = ReasoningOutputs.Compose(ReasoningOutput.ThinkTags, "answer", "step 1\nstep 2");

        // Assert
        Assert.Equal("<think>step 1\nstep 2</think>answer", content);
        Assert.Null(reasoningContent);
    }

    [Fact]
    public void Compose_ThinkTagsWithoutReasoning_ReturnsContentUnchanged()
    {
        // Arrange / Act
        var (content, reasoningContent) = ReasoningOutputs.Compose(ReasoningOutput.ThinkTags, "answer", string.Empty);

        // Assert
        Assert.Equal("answer", content);
        Assert.Null(reasoningContent);
    }

    [Fact]
    public void Compose_ThinkTagsWithEmptyContent_ReturnsOnlyThinkBlock()
    {
        // Arrange / Act
        var (content, _) = ReasoningOutputs.Compose(ReasoningOutput.ThinkTags, string.Empty, "thought");

        // Assert
        Assert.Equal("<think>thought</think>", content);
    }

    [Fact]
    public void Constants_HeaderAndTags_HaveDocumentedValues()
    {
        // Arrange / Act
        string[] values = [ReasoningOutputs.Header, ReasoningOutputs.ThinkOpen, ReasoningOutputs.ThinkClose];

        // Assert
        Assert.Equal(["x-proxy-reasoning-output", "<think>", "</think>"], values);
    }
}
