using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Tests.Configuration;

public sealed class ProxyOptionsTests
{
    [Theory]
    [InlineData(null, new string[0])]
    [InlineData("", new string[0])]
    [InlineData(" , ,", new string[0])]
    [InlineData("one", new[] { "one" })]
    [InlineData(" one , two,,three ", new[] { "one", "two", "three" })]
    public void ParsedApiKeys_CommaSeparated_TrimsAndSplits(string? apiKeys, string[] expected)
    {
        // Arrange
        var options = new ProxyOptions { ApiKeys = apiKeys };

        // Act
        var keys = options.ParsedApiKeys();

        // Assert
        Assert.Equal(expected, keys);
    }
}
