using CodexCompletionsApi.Api;
using CodexCompletionsApi.Backend;

namespace CodexCompletionsApi.Tests.Api;

public sealed class OpenAIErrorsTests
{
    public static TheoryData<BackendErrorKind> AllKinds => [.. Enum.GetValues<BackendErrorKind>()];

    [Theory]
    [MemberData(nameof(AllKinds))]
    public void Map_EveryKnownKind_IsSpecificClientOrServerError(BackendErrorKind kind)
    {
        // Arrange / Act
        var (status, type, code) = OpenAIErrors.Map(kind);

        // Assert
        Assert.InRange(status, 400, 599);
        Assert.NotEqual(500, status);
        Assert.False(string.IsNullOrEmpty(type));
        Assert.False(string.IsNullOrEmpty(code));
    }

    [Theory]
    [InlineData(BackendErrorKind.Unavailable, 503, "server_error", "worker_unavailable")]
    [InlineData(BackendErrorKind.ShuttingDown, 503, "server_error", "shutting_down")]
    [InlineData(BackendErrorKind.Overloaded, 503, "server_error", "overloaded")]
    [InlineData(BackendErrorKind.RateLimited, 429, "rate_limit_error", "rate_limit_exceeded")]
    [InlineData(BackendErrorKind.QuotaExceeded, 429, "insufficient_quota", "insufficient_quota")]
    [InlineData(BackendErrorKind.ContextLengthExceeded, 400, "invalid_request_error", "context_length_exceeded")]
    [InlineData(BackendErrorKind.UpstreamAuthentication, 502, "upstream_error", "upstream_authentication_failed")]
    [InlineData(BackendErrorKind.UpstreamError, 502, "upstream_error", "upstream_error")]
    [InlineData(BackendErrorKind.Timeout, 504, "timeout_error", "timeout")]
    [InlineData(BackendErrorKind.ModelNotFound, 404, "invalid_request_error", "model_not_found")]
    [InlineData(BackendErrorKind.InvalidRequest, 400, "invalid_request_error", "invalid_request")]
    [InlineData(BackendErrorKind.TurnFailed, 502, "upstream_error", "turn_failed")]
    public void Map_Kind_ReturnsDocumentedStatusTypeAndCode(BackendErrorKind kind, int status, string type, string code)
    {
        // Arrange / Act
        var mapped = OpenAIErrors.Map(kind);

        // Assert
        Assert.Equal((status, type, code), mapped);
    }

    [Fact]
    public void Map_UndefinedKind_FallsBackTo500()
    {
        // Arrange / Act
        var (status, _, code) = OpenAIErrors.Map((BackendErrorKind)999);

        // Assert
        Assert.Equal(500, status);
        Assert.Null(code);
    }
}
