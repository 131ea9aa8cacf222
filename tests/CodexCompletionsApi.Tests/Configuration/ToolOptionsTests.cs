using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Tests.Configuration;

public sealed class ToolOptionsTests
{
    [Fact]
    public void MaxCalls_Defaults_IsUnlimited()
    {
        // Arrange
        var options = new ToolOptions();

        // Act
        var max = options.MaxCalls(requestAllowsParallel: true);

        // Assert
        Assert.Equal(int.MaxValue, max);
    }

    [Fact]
    public void MaxCalls_RequestParallelFalse_IsOne()
    {
        // Arrange
        var options = new ToolOptions { ToolBlockMax = 5 };

        // Act
        var max = options.MaxCalls(requestAllowsParallel: false);

        // Assert
        Assert.Equal(1, max);
    }

    [Fact]
    public void MaxCalls_OptionParallelToolCallsFalse_IsOne()
    {
        // Arrange
        var options = new ToolOptions { ParallelToolCalls = false, ToolBlockMax = 5 };

        // Act
        var max = options.MaxCalls(requestAllowsParallel: true);

        // Assert
        Assert.Equal(1, max);
    }

    [Fact]
    public void MaxCalls_StopAfterToolsModeFirst_IsOne()
    {
        // Arrange
        var options = new ToolOptions { StopAfterToolsMode = "first" };

        // Act
        var max = options.MaxCalls(requestAllowsParallel: true);

        // Assert
        Assert.Equal(1, max);
    }

    [Fact]
    public void MaxCalls_ToolBlockMaxZero_IsIntMaxValue()
    {
        // Arrange
        var options = new ToolOptions { ToolBlockMax = 0, StopAfterToolsMode = "burst" };

        // Act
        var max = options.MaxCalls(requestAllowsParallel: true);

        // Assert
        Assert.Equal(int.MaxValue, max);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void MaxCalls_ToolBlockMaxSet_IsThatLimit(int limit)
    {
        // Arrange
        var options = new ToolOptions { ToolBlockMax = limit };

        // Act
        var max = options.MaxCalls(requestAllowsParallel: true);

        // Assert
        Assert.Equal(limit, max);
    }

    [Theory]
    [InlineData(false, true, "burst")]
    [InlineData(true, false, "burst")]
    [InlineData(true, true, "first")]
    public void MaxCalls_AnySingleCallSetting_OverridesToolBlockMax(bool requestParallel, bool optionParallel, string stopMode)
    {
        // Arrange
        var options = new ToolOptions { ParallelToolCalls = optionParallel, StopAfterToolsMode = stopMode, ToolBlockMax = 3 };

        // Act
        var max = options.MaxCalls(requestParallel);

        // Assert
        Assert.Equal(1, max);
    }

    [Fact]
    public void Defaults_MatchDocumentedValues()
    {
        // Arrange / Act
        var options = new ToolOptions();

        // Assert
        Assert.Equal("obsidian-xml", options.OutputMode);
        Assert.True(options.ParallelToolCalls);
        Assert.Equal(0, options.ToolBlockMax);
        Assert.Equal("burst", options.StopAfterToolsMode);
        Assert.True(options.SuppressTailAfterTools);
        Assert.Equal("Tools", ToolOptions.SectionName);
    }
}
