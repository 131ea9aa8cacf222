namespace CodexCompletionsApi.Api;

internal static class RequestBody
{
    /// <summary>JSON bodies only; a missing Content-Type is accepted, as OpenAI's API does.</summary>
    public static bool IsJson(HttpRequest request)
        => string.IsNullOrEmpty(request.ContentType)
           || request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
           || request.ContentType.Contains("+json", StringComparison.OrdinalIgnoreCase);
}
