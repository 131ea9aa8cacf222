using CodexCompletionsApi.Api;
using CodexCompletionsApi.Configuration;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Tests.Api;

public sealed class ApiKeyValidatorTests
{
    private static ApiKeyValidator Create(string? keys) => new(Options.Create(new ProxyOptions { ApiKeys = keys }));

    [Theory]
    [InlineData("sk-one")]
    [InlineData("sk-two")]
    [InlineData("sk-three-is-much-longer-than-the-others")]
    public void IsValid_ConfiguredKey_ReturnsTrue(string presented)
    {
        // Arrange
        var validator = Create("sk-one, sk-two ,sk-three-is-much-longer-than-the-others");

        // Act
        var valid = validator.IsValid(presented);

        // Assert
        Assert.True(valid);
        Assert.False(validator.Disabled);
    }

    [Theory]
    [InlineData("sk-wrong")]
    [InlineData("SK-ONE")]
    [InlineData("sk-on")]
    [InlineData("sk-one ")]
    [InlineData("sk-one,sk-two")]
    [InlineData("")]
    [InlineData(null)]
    public void IsValid_OtherValue_ReturnsFalse(string? presented)
    {
        // Arrange
        var validator = Create("sk-one,sk-two");

        // Act
        var valid = validator.IsValid(presented);

        // Assert
        Assert.False(valid);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" , ")]
    public void Disabled_NoKeysConfigured_IsTrueAndNothingValidates(string? keys)
    {
        // Arrange
        var validator = Create(keys);

        // Act
        var disabled = validator.Disabled;

        // Assert
        Assert.True(disabled);
        Assert.False(validator.IsValid("anything"));
        Assert.False(validator.IsValid(string.Empty));
    }
}
