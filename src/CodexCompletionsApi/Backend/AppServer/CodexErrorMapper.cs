using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer.Protocol;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// Classifies Codex failures (<c>codexErrorInfo</c> of a failed turn, JSON-RPC errors) into the
/// service's <see cref="BackendErrorKind"/>, following docs/app-server-protocol.md §6.
/// </summary>
internal static partial class CodexErrorMapper
{
    /// <summary>JSON-RPC error code the app-server uses when it is overloaded.</summary>
    public const int ServerOverloadedCode = -32001;

    public static BackendException FromTurnError(TurnError? error)
    {
        var message = UpstreamUrl().Replace(error?.Message ?? "The turn failed without an error message.", string.Empty);
        var (kind, status) = Classify(error?.CodexErrorInfo, message);
        return new BackendException(kind, message) { UpstreamStatus = status, RetryAfterSeconds = RetryAfterHint(message + " " + error?.AdditionalDetails) };
    }

    /// <summary>
    /// Seconds from an upstream hint such as "Please try again in 1.5s" or "in 750ms" (rounded up),
    /// since Codex does not pass the upstream's <c>Retry-After</c> header on.
    /// </summary>
    internal static int? RetryAfterHint(string text)
    {
        var match = RetryHint().Match(text);
        if (!match.Success || !double.TryParse(match.Groups["n"].Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }

        var seconds = match.Groups["unit"].Value == "ms" ? value / 1000 : value;
        return (int)Math.Clamp(Math.Ceiling(seconds), 1, 3600);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"try again in (?<n>\d+(?:\.\d+)?)\s*(?<unit>ms|s)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex RetryHint();

    /// <summary>Codex appends the upstream URL to HTTP failures; clients must not learn it.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@",?\s*url: \S+")]
    private static partial System.Text.RegularExpressions.Regex UpstreamUrl();

    /// <summary>
    /// The reason of an upstream <c>response.incomplete</c> (Codex fails the turn with
    /// "Incomplete response returned, reason: max_output_tokens" but keeps the partial message), or null.
    /// </summary>
    public static string? IncompleteReason(TurnError? error)
    {
        const string marker = "Incomplete response returned, reason: ";
        var message = error?.Message;
        var at = message?.IndexOf(marker, StringComparison.Ordinal) ?? -1;
        return at < 0 ? null : message![(at + marker.Length)..].Trim().TrimEnd('.');
    }

    public static BackendException FromRemote(JsonRpcRemoteException error)
    {
        var kind = error.Code == ServerOverloadedCode ? BackendErrorKind.Overloaded : BackendErrorKind.InvalidRequest;
        return new BackendException(kind, error.RemoteMessage, error);
    }

    internal static (BackendErrorKind Kind, int? Status) Classify(JsonElement? info, string message)
    {
        if (info is not { } value)
        {
            return (BackendErrorKind.TurnFailed, null);
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return (value.GetString() switch
            {
                "contextWindowExceeded" => BackendErrorKind.ContextLengthExceeded,
                "usageLimitExceeded" or "sessionBudgetExceeded" => BackendErrorKind.QuotaExceeded,
                "rateLimitExceeded" => BackendErrorKind.RateLimited,
                "serverOverloaded" or "flexUnavailable" or "policyCapacityUnavailable" => BackendErrorKind.Overloaded,
                "modelNotFound" => BackendErrorKind.ModelNotFound,
                "unauthorized" => BackendErrorKind.UpstreamAuthentication,
                "internalServerError" => BackendErrorKind.UpstreamError,
                "badRequest" => BackendErrorKind.InvalidRequest,
                "other" when message.Contains("stream disconnected", StringComparison.OrdinalIgnoreCase) => BackendErrorKind.UpstreamError,
                _ => BackendErrorKind.TurnFailed,
            }, null);
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                int? status = property.Value.ValueKind == JsonValueKind.Object
                    && property.Value.TryGetProperty("httpStatusCode"u8, out var s) && s.ValueKind == JsonValueKind.Number && s.TryGetInt32(out var code) ? code : null;
                var kind = status switch
                {
                    429 => BackendErrorKind.RateLimited,
                    401 or 403 => BackendErrorKind.UpstreamAuthentication,
                    404 => BackendErrorKind.ModelNotFound,
                    503 => BackendErrorKind.Overloaded,
                    >= 400 and < 500 => BackendErrorKind.InvalidRequest,
                    _ => BackendErrorKind.UpstreamError,
                };
                return (kind, status);
            }
        }

        return (BackendErrorKind.TurnFailed, null);
    }
}
