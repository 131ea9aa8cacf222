using System.Net;
using System.Text;
using System.Text.Json;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

/// <summary>
/// Checks every <c>text/event-stream</c> response that passes through it: reads the whole body, parses it
/// strictly (<see cref="Sse"/>), runs <see cref="WireInvariants"/> for the endpoint (with the request's
/// <c>n</c> and <c>include_usage</c>) or, for <c>POST /v1/responses</c>, <see cref="ResponsesWireInvariants"/>,
/// checks the SSE headers, and hands the test an equivalent buffered
/// response. A violation throws <see cref="WireInvariantException"/> out of the request, so every streamed
/// response in the suite is checked without the test asking. Tests that must read a stream incrementally use a
/// client without this handler (<see cref="ServiceFixture.CreateClient"/>).
/// </summary>
public sealed class WireInvariantHandler : DelegatingHandler
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var expect = await ExpectationsAsync(request, cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            return response;
        }

        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        var problems = new List<string>();
        CheckHeaders(response, problems);
        string body;
        try
        {
            body = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new WireInvariantException($"The SSE body of {request.RequestUri} is not valid UTF-8: {ex.Message}");
        }

        var kind = KindOf(request.RequestUri);
        var responses = IsResponses(request);
        if (problems.Count > 0)
        {
            throw new WireInvariantException(responses
                ? WireInvariants.Describe(ResponsesWireInvariants.StreamName, problems, body)
                : WireInvariants.Describe(kind ?? StreamKind.ChatCompletion, problems, body));
        }

        var sse = WireInvariants.ParseOrThrow(body);
        if (responses)
        {
            ResponsesWireInvariants.Check(sse);
        }
        else if (kind is { } k)
        {
            WireInvariants.Check(k, sse, expect);
        }

        var buffered = new ByteArrayContent(bytes);
        foreach (var header in response.Content.Headers)
        {
            buffered.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content.Dispose();
        response.Content = buffered;
        return response;
    }

    private static StreamKind? KindOf(Uri? uri)
    {
        var path = uri?.AbsolutePath ?? string.Empty;
        return path.EndsWith("/v1/chat/completions", StringComparison.Ordinal) ? StreamKind.ChatCompletion
            : path.EndsWith("/v1/completions", StringComparison.Ordinal) ? StreamKind.TextCompletion
            : null;
    }

    /// <summary><c>POST …/v1/responses</c> (creating a response): its event stream is a Responses API stream.</summary>
    private static bool IsResponses(HttpRequestMessage request)
        => request.Method == HttpMethod.Post && (request.RequestUri?.AbsolutePath ?? string.Empty).EndsWith("/v1/responses", StringComparison.Ordinal);

    private static void CheckHeaders(HttpResponseMessage response, List<string> problems)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            problems.Add($"an event stream is sent with status {(int)response.StatusCode}; SSE is only for 200 responses");
        }

        var charset = response.Content.Headers.ContentType?.CharSet;
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"the event stream declares charset '{charset}', not utf-8");
        }

        if (response.Headers.CacheControl is not { NoCache: true })
        {
            problems.Add("the event stream has no 'Cache-Control: no-cache'");
        }
    }

    /// <summary>The request's <c>n</c> and <c>stream_options.include_usage</c>, when its body is readable JSON.</summary>
    private static async Task<StreamExpectations?> ExpectationsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Only bodies already in memory are read: buffering a streamed body would give it a Content-Length and
        // change what is sent.
        if (request.Content is not (ByteArrayContent or ReadOnlyMemoryContent) || request.Content.Headers.ContentType is { MediaType: not "application/json" })
        {
            return null;
        }

        try
        {
            var text = await request.Content.ReadAsStringAsync(cancellationToken);
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            int? n = !root.TryGetProperty("n", out var nValue) || nValue.ValueKind == JsonValueKind.Null ? 1
                : nValue.ValueKind == JsonValueKind.Number && nValue.TryGetInt32(out var parsed) ? parsed
                : null;

            var includeUsage = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
                && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;
            return new StreamExpectations(n, includeUsage);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
