using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Tests.Configuration;

public sealed class ProxyOptionsValidatorTests
{
    private readonly ProxyOptionsValidator _validator = new();

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.5")]
    [InlineData("example.com")]
    [InlineData("::")]
    [InlineData("localhost.example.com")]
    public void Validate_NoKeyOnNonLoopbackHost_Fails(string host)
    {
        // Arrange
        var options = new ProxyOptions { Host = host, ApiKeys = " , " };

        // Act
        var result = _validator.Validate(null, options);

        // Assert
        Assert.True(result.Failed);
        Assert.Contains("PROXY_API_KEY", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.2")]
    [InlineData("::1")]
    [InlineData("[::1]")]
    [InlineData("localhost")]
    [InlineData("LOCALHOST")]
    public void Validate_NoKeyOnLoopbackHost_Succeeds(string host)
    {
        // Arrange
        var options = new ProxyOptions { Host = host };

        // Act
        var result = _validator.Validate(null, options);

        // Assert
        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("192.168.1.5")]
    [InlineData("example.com")]
    public void Validate_KeyOnAnyHost_Succeeds(string host)
    {
        // Arrange
        var options = new ProxyOptions { Host = host, ApiKeys = "sk-1" };

        // Act
        var result = _validator.Validate(null, options);

        // Assert
        Assert.True(result.Succeeded);
    }
}

public sealed class UpstreamOptionsValidatorTests
{
    private readonly UpstreamOptionsValidator _validator = new();

    [Theory]
    [InlineData("ftp://api.example.com/v1")]
    [InlineData("file:///etc/passwd")]
    [InlineData("api.example.com/v1")]
    [InlineData("not a url")]
    public void Validate_NonHttpBaseUrl_Fails(string baseUrl)
    {
        // Arrange
        var options = new UpstreamOptions { BaseUrl = baseUrl };

        // Act
        var result = _validator.Validate(null, options);

        // Assert
        Assert.True(result.Failed);
        Assert.Contains("PROXY_UPSTREAM_BASE_URL", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("http://localhost:8080/v1")]
    [InlineData("https://api.example.com/v1")]
    public void Validate_HttpOrMissingBaseUrl_Succeeds(string? baseUrl)
    {
        // Arrange
        var options = new UpstreamOptions { BaseUrl = baseUrl };

        // Act
        var result = _validator.Validate(null, options);

        // Assert
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Validate_NonPositiveIdleTimeout_Fails()
    {
        // Arrange
        var options = new UpstreamOptions { StreamIdleTimeout = TimeSpan.Zero };

        // Act
        var result = _validator.Validate(null, options);

        // Assert
        Assert.True(result.Failed);
    }
}
