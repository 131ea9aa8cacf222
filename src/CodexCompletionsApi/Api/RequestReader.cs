using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CodexCompletionsApi.Configuration;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Api;

/// <summary>
/// Reads a JSON request body explicitly (not through model binding) so every failure gets the
/// OpenAI error envelope: 415 for a non-JSON content type, 413 above the size limit, 400 for
/// malformed JSON or wrong field types (naming the field).
/// </summary>
internal static class RequestReader
{
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
        where T : class
    {
        var request = context.Request;
        if (!IsJson(request))
        {
            return (null, OpenAIErrors.Error(415, "Content-Type must be application/json.", "invalid_request_error", null, "unsupported_media_type"));
        }

        var limit = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.MaxBodyBytes;
        if (request.ContentLength > limit)
        {
            return (null, TooLarge(limit));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync(request.Body, type, context.RequestAborted);
            return value is null
                ? (null, OpenAIErrors.Error(400, "The request body must be a JSON object.", "invalid_request_error", null, "invalid_json"))
                : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, OpenAIErrors.FromJsonException(ex));
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge(limit));
        }
    }

    /// <summary>JSON bodies only; a missing Content-Type is accepted, as OpenAI's API does.</summary>
    public static bool IsJson(HttpRequest request)
        => string.IsNullOrEmpty(request.ContentType)
           || request.ContentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
           || request.ContentType.Contains("+json", StringComparison.OrdinalIgnoreCase);

    private static IResult TooLarge(long limit)
        => OpenAIErrors.Error(413, $"The request body is larger than this server accepts ({limit} bytes).", "invalid_request_error", null, "request_too_large");
}
