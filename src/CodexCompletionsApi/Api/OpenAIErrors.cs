using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Api;

/// <summary>
/// The one place where failures become HTTP: <see cref="BackendErrorKind"/> and invalid requests map
/// to a status, an OpenAI error <c>type</c> and <c>code</c>, and the OpenAI error envelope.
/// </summary>
public static class OpenAIErrors
{
    /// <summary>Status, type and code for a backend failure (docs/runbook.md has the same table).</summary>
    public static (int Status, string Type, string? Code) Map(BackendErrorKind kind) => kind switch
    {
        BackendErrorKind.Unavailable => (503, "server_error", "worker_unavailable"),
        BackendErrorKind.ShuttingDown => (503, "server_error", "shutting_down"),
        BackendErrorKind.StoreUnavailable => (503, "server_error", "store_unavailable"),
        BackendErrorKind.Overloaded => (503, "server_error", "overloaded"),
        BackendErrorKind.QueueTimeout => (429, "rate_limit_error", "server_busy"),
        BackendErrorKind.RateLimited => (429, "rate_limit_error", "rate_limit_exceeded"),
        BackendErrorKind.QuotaExceeded => (429, "insufficient_quota", "insufficient_quota"),
        BackendErrorKind.Timeout => (504, "timeout_error", "timeout"),
        BackendErrorKind.ContextLengthExceeded => (400, "invalid_request_error", "context_length_exceeded"),
        BackendErrorKind.ModelNotFound => (404, "invalid_request_error", "model_not_found"),
        BackendErrorKind.UpstreamAuthentication => (502, "upstream_error", "upstream_authentication_failed"),
        BackendErrorKind.UpstreamError => (502, "upstream_error", "upstream_error"),
        BackendErrorKind.InvalidRequest => (400, "invalid_request_error", "invalid_request"),
        BackendErrorKind.TurnFailed => (502, "upstream_error", "turn_failed"),
        _ => (500, "server_error", null),
    };

    public static IResult ToResult(BackendException error, HttpContext context)
    {
        var (status, type, code) = Map(error.Kind);
        if (error.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status is 429 or 503 && error.Kind != BackendErrorKind.QuotaExceeded)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        return Error(status, error.Message, type, null, code);
    }

    /// <summary>The error body of a failure, for an in-band stream error event.</summary>
    public static ErrorBody ToBody(BackendException error)
    {
        var (_, type, code) = Map(error.Kind);
        return new ErrorBody(error.Message, type, null, code);
    }

    public static IResult ToResult(InvalidRequestException error)
        => Error(error.Status, error.Message, "invalid_request_error", error.Param, error.Code);

    public static IResult Error(int status, string message, string type, string? param = null, string? code = null)
        => TypedResults.Json(new ErrorResponse(new ErrorBody(message, type, param, code)), OpenAIJsonContext.Web.ErrorResponse, statusCode: status);

    /// <summary>A body that is not valid JSON for the endpoint.</summary>
    public static IResult FromJsonException(JsonException error)
    {
        var where = error.Path is { Length: > 1 } path ? $" at {path}" : string.Empty;
        var param = error.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : null;
        return Error(400, $"We could not parse the JSON body of your request{where}. (HINT: send valid JSON with the documented field types.)", "invalid_request_error", param, "invalid_json");
    }
}
