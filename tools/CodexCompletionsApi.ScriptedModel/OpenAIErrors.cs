using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>OpenAI error bodies: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal static class OpenAIErrors
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body OpenAI sends for <paramref name="status"/> (and <paramref name="code"/>, when it changes the wording).</summary>
    public static ScriptedError ForStatus(int status, string? code, string model, int? retryAfter) => (status, code) switch
    {
        (400, "context_length_exceeded") => new(
            "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. "
            + "Please reduce the length of the messages.",
            "invalid_request_error",
            "context_length_exceeded",
            "input"),
        (400, _) => new("Invalid request (scripted http_error 400).", "invalid_request_error", code, null),
        (401, _) => new(
            "Incorrect API key provided: sk-scrip*****. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            code ?? "invalid_api_key",
            null),
        (403, _) => new("Country, region, or territory not supported", "request_forbidden", code ?? "unsupported_country_region_territory", null),
        (404, _) => new(
            $"The model `{model}` does not exist or you do not have access to it.",
            "invalid_request_error",
            code ?? "model_not_found",
            null),
        (429, "insufficient_quota") => new(
            "You exceeded your current quota, please check your plan and billing details.",
            "insufficient_quota",
            "insufficient_quota",
            null),
        (429, _) => new(
            $"Rate limit reached for requests. Please try again in {(retryAfter ?? 1).ToString(CultureInfo.InvariantCulture)}s.",
            "requests",
            code ?? "rate_limit_exceeded",
            null),
        (500, _) => new("The server had an error while processing your request. Sorry about that!", "server_error", code, null),
        (503, _) => new("The engine is currently overloaded, please try again later.", "server_error", code, null),
        _ when status >= 500 => new($"Scripted upstream error {status.ToString(CultureInfo.InvariantCulture)}.", "server_error", code, null),
        _ => new($"Scripted request error {status.ToString(CultureInfo.InvariantCulture)}.", "invalid_request_error", code, null),
    };

    public static async Task WriteAsync(HttpResponse response, int status, ScriptedError error, int? retryAfter, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject("error");
            json.WriteString("message", error.Message);
            json.WriteString("type", error.Type);
            json.WriteString("param", error.Param);
            json.WriteString("code", error.Code);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    /// <summary>An error of the scripted model itself (not a scripted one): type <c>invalid_request_error</c>.</summary>
    public static Task WriteInvalidRequestAsync(HttpResponse response, int status, string message, string? code, string? param, CancellationToken cancellationToken) =>
        WriteAsync(response, status, new ScriptedError(message, "invalid_request_error", code, param), null, cancellationToken);
}

internal sealed record ScriptedError(string Message, string Type, string? Code, string? Param);
