namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Parse_AllOptions_SetsThem()
    {
        var (options, error) = CommandLine.Parse(["--port", "11436", "--deltas", "8", "--delay-ms=20", "--no-record", "--host", "0.0.0.0", "--max-recorded", "5"]);

        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal(11436, options.Port);
        Assert.Equal(8, options.DefaultDeltas);
        Assert.Equal(20, options.DefaultDelayMs);
        Assert.False(options.RecordRequests);
        Assert.Equal("0.0.0.0", options.Host);
        Assert.Equal(5, options.MaxRecorded);
    }

    [Fact]
    public void Parse_NoArguments_GivesTheDefaults()
    {
        var (options, error) = CommandLine.Parse([]);

        Assert.Null(error);
        Assert.Equal(new ScriptedModelOptions(), options);
    }

    [Theory]
    [InlineData("--port", "70000")]
    [InlineData("--deltas", "0")]
    [InlineData("--delay-ms", "-1")]
    [InlineData("--port")]
    [InlineData("--bogus")]
    public void Parse_BadArguments_ReturnsAnError(params string[] args)
    {
        var (options, error) = CommandLine.Parse(args);

        Assert.Null(options);
        Assert.NotNull(error);
        Assert.Contains(args[0], error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Help_ReturnsNeitherOptionsNorError()
    {
        var (options, error) = CommandLine.Parse(["--help"]);

        Assert.Null(options);
        Assert.Null(error);
    }
}
