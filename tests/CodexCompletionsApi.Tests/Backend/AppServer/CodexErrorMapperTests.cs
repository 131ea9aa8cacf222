using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Backend.AppServer.Protocol;

namespace CodexCompletionsApi.Tests.Backend.AppServer;

public sealed class CodexErrorMapperTests
{
    private static BackendException Map(string? codexErrorInfoJson, string message = "upstream said no")
    {
        JsonElement? info = null;
        if (codexErrorInfoJson is not null)
        {
            using var document = JsonDocument.Parse(codexErrorInfoJson);
            info = document.RootElement.Clone();
        }

        return CodexErrorMapper.FromTurnError(new TurnError(message, info, null));
    }

    [Theory]
    [InlineData("\"usageLimitExceeded\"", BackendErrorKind.QuotaExceeded)]
    [InlineData("\"sessionBudgetExceeded\"", BackendErrorKind.QuotaExceeded)]
    [InlineData("\"contextWindowExceeded\"", BackendErrorKind.ContextLengthExceeded)]
    [InlineData("\"rateLimitExceeded\"", BackendErrorKind.RateLimited)]
    [InlineData("\"serverOverloaded\"", BackendErrorKind.Overloaded)]
    [InlineData("\"modelNotFound\"", BackendErrorKind.ModelNotFound)]
    [InlineData("\"unauthorized\"", BackendErrorKind.UpstreamAuthentication)]
    [InlineData("\"internalServerError\"", BackendErrorKind.UpstreamError)]
    [InlineData("\"badRequest\"", BackendErrorKind.InvalidRequest)]
    [InlineData("\"other\"", BackendErrorKind.TurnFailed)]
    [InlineData("\"somethingNew\"", BackendErrorKind.TurnFailed)]
    public void FromTurnError_StringInfo_MapsToKind(string info, BackendErrorKind expected)
    {
        // Arrange / Act
        var error = Map(info);

        // Assert
        Assert.Equal(expected, error.Kind);
        Assert.Null(error.UpstreamStatus);
        Assert.Equal("upstream said no", error.Message);
    }

    [Theory]
    [InlineData("stream disconnected before completion: stream closed before response.completed")]
    [InlineData("stream disconnected before completion: idle timeout waiting for SSE")]
    public void FromTurnError_OtherWithStreamFailureMessage_MapsToUpstreamError(string message)
    {
        // Arrange / Act
        var error = Map("\"other\"", message);

        // Assert
        Assert.Equal(BackendErrorKind.UpstreamError, error.Kind);
    }

    [Theory]
    [InlineData("Incomplete response returned, reason: max_output_tokens", "max_output_tokens")]
    [InlineData("Incomplete response returned, reason: content_filter.", "content_filter")]
    [InlineData("stream disconnected before completion: stream closed before response.completed", null)]
    [InlineData(null, null)]
    public void IncompleteReason_CodexIncompleteMessage_ExtractsReason(string? message, string? expected)
    {
        // Arrange
        var error = message is null ? null : new TurnError(message, null, null);

        // Act
        var reason = CodexErrorMapper.IncompleteReason(error);

        // Assert
        Assert.Equal(expected, reason);
    }

    [Theory]
    [InlineData("""{"httpConnectionFailed":{"httpStatusCode":401}}""", BackendErrorKind.UpstreamAuthentication, 401)]
    [InlineData("""{"httpConnectionFailed":{"httpStatusCode":403}}""", BackendErrorKind.UpstreamAuthentication, 403)]
    [InlineData("""{"httpConnectionFailed":{"httpStatusCode":503}}""", BackendErrorKind.Overloaded, 503)]
    [InlineData("""{"httpConnectionFailed":{"httpStatusCode":500}}""", BackendErrorKind.UpstreamError, 500)]
    [InlineData("""{"httpConnectionFailed":{"httpStatusCode":404}}""", BackendErrorKind.ModelNotFound, 404)]
    [InlineData("""{"httpConnectionFailed":{"httpStatusCode":400}}""", BackendErrorKind.InvalidRequest, 400)]
    [InlineData("""{"responseTooManyFailedAttempts":{"httpStatusCode":429}}""", BackendErrorKind.RateLimited, 429)]
    [InlineData("""{"responseStreamDisconnected":{"httpStatusCode":502}}""", BackendErrorKind.UpstreamError, 502)]
    public void FromTurnError_ObjectInfoWithStatus_MapsKindAndSetsUpstreamStatus(string info, BackendErrorKind expected, int status)
    {
        // Arrange / Act
        var error = Map(info);

        // Assert
        Assert.Equal(expected, error.Kind);
        Assert.Equal(status, error.UpstreamStatus);
    }

    [Theory]
    [InlineData("""{"responseStreamDisconnected":{"httpStatusCode":null}}""")]
    [InlineData("""{"httpConnectionFailed":{"httpStatusCode":null}}""")]
    [InlineData("""{"responseStreamConnectionFailed":{"httpStatusCode":null}}""")]
    public void FromTurnError_ObjectInfoWithNullStatus_MapsToUpstreamErrorWithoutStatus(string info)
    {
        // Arrange / Act
        var error = Map(info);

        // Assert
        Assert.Equal(BackendErrorKind.UpstreamError, error.Kind);
        Assert.Null(error.UpstreamStatus);
    }

    [Fact]
    public void FromTurnError_ObjectInfoWithoutStatusMember_MapsToUpstreamErrorWithoutStatus()
    {
        // Arrange / Act
        var error = Map("""{"responseStreamDisconnected":{}}""");

        // Assert
        Assert.Equal(BackendErrorKind.UpstreamError, error.Kind);
        Assert.Null(error.UpstreamStatus);
    }

    [Fact]
    public void FromTurnError_NullInfo_MapsToTurnFailed()
    {
        // Arrange / Act
        var error = Map(null);

        // Assert
        Assert.Equal(BackendErrorKind.TurnFailed, error.Kind);
        Assert.Null(error.UpstreamStatus);
    }

    [Fact]
    public void FromTurnError_NullError_MapsToTurnFailedWithDefaultMessage()
    {
        // Arrange / Act
        var error = CodexErrorMapper.FromTurnError(null);

        // Assert
        Assert.Equal(BackendErrorKind.TurnFailed, error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData(-32001, BackendErrorKind.Overloaded)]
    [InlineData(-32600, BackendErrorKind.InvalidRequest)]
    [InlineData(-32603, BackendErrorKind.InvalidRequest)]
    public void FromRemote_ErrorCode_MapsToKind(int code, BackendErrorKind expected)
    {
        // Arrange
        var remote = new JsonRpcRemoteException("turn/start", code, "server busy", null);

        // Act
        var error = CodexErrorMapper.FromRemote(remote);

        // Assert
        Assert.Equal(expected, error.Kind);
        Assert.Equal("server busy", error.Message);
        Assert.Same(remote, error.InnerException);
    }
}
