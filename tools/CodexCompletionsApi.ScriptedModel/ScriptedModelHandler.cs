using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>The whole HTTP surface: <c>POST /v1/responses</c>, the <c>/_scripted/*</c> control endpoints, 404 elsewhere.</summary>
internal sealed class ScriptedModelHandler(ScriptedModelOptions options, RequestRecorder recorder, CancellationToken stopping)
{
    private const string ResponsesPath = "/v1/responses";
    private const string ControlPrefix = "/_scripted/";

    private static readonly Dictionary<string, string> NoHeaders = [];

    private int _requestCount;

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.StartsWith(ControlPrefix, StringComparison.Ordinal))
        {
            await HandleControlAsync(context, path);
            return;
        }

        var number = Interlocked.Increment(ref _requestCount);
        var receivedAt = options.TimeProvider.GetUtcNow();
        using var requestCts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellationToken = requestCts.Token;
        RecordedRequest? record = null;
        try
        {
            byte[] body;
            try
            {
                body = await ReadBodyAsync(context.Request, cancellationToken);
            }
            catch (Exception)
            {
                record = Record(context, number, [], receivedAt);
                throw;
            }

            record = Record(context, number, body, receivedAt);
            var error = await DispatchAsync(context, path, record, body, number, cancellationToken);
            recorder.Finish(record, error is null ? RequestOutcome.Completed : RequestOutcome.Error, context.Response.StatusCode, error);
        }
        catch (Exception ex) when (stopping.IsCancellationRequested)
        {
            context.Abort();
            Finish(record, RequestOutcome.Error, context, "The scripted model was stopped while answering: " + ex.Message);
        }
        catch (Exception ex) when (ex is OperationCanceledException || context.RequestAborted.IsCancellationRequested)
        {
            Finish(record, RequestOutcome.ClientAborted, context, "The client went away: " + ex.Message);
        }
        catch (UnsupportedEncodingException ex)
        {
            await OpenAIErrors.WriteInvalidRequestAsync(context.Response, StatusCodes.Status415UnsupportedMediaType, ex.Message, "unsupported_content_encoding", null, cancellationToken);
            Finish(record, RequestOutcome.Error, context, ex.Message);
        }
        catch (Exception ex)
        {
            if (context.Response.HasStarted)
            {
                context.Abort();
            }
            else
            {
                try
                {
                    context.Response.Clear();
                    await OpenAIErrors.WriteAsync(
                        context.Response,
                        StatusCodes.Status500InternalServerError,
                        new ScriptedError("The scripted model failed: " + ex.Message, "server_error", "scripted_model_bug", null),
                        null,
                        cancellationToken);
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    context.Abort();
                }
            }

            Finish(record, RequestOutcome.Error, context, ex.ToString());
        }
    }

    private RecordedRequest Record(HttpContext context, int number, byte[] body, DateTimeOffset receivedAt)
    {
        var request = context.Request;
        var record = new RecordedRequest(number, request.Method, request.Path.Value + request.QueryString, HeadersOf(request), body, receivedAt);
        recorder.Add(record);
        return record;
    }

    private void Finish(RecordedRequest? record, RequestOutcome outcome, HttpContext context, string error)
    {
        if (record is not null)
        {
            recorder.Finish(record, outcome, context.Response.HasStarted ? context.Response.StatusCode : 0, error);
        }
    }

    /// <returns>An error description when the scripted model rejected the request, otherwise <see langword="null"/>.</returns>
    private async Task<string?> DispatchAsync(HttpContext context, string path, RecordedRequest record, byte[] body, int number, CancellationToken cancellationToken)
    {
        var response = context.Response;
        if (path != ResponsesPath)
        {
            var message = $"Invalid URL ({context.Request.Method} {path})";
            await OpenAIErrors.WriteInvalidRequestAsync(response, StatusCodes.Status404NotFound, message, null, null, cancellationToken);
            return message;
        }

        if (!HttpMethods.IsPost(context.Request.Method))
        {
            var message = $"Method {context.Request.Method} is not allowed on {ResponsesPath}; use POST.";
            response.Headers.Allow = "POST";
            await OpenAIErrors.WriteInvalidRequestAsync(response, StatusCodes.Status405MethodNotAllowed, message, null, null, cancellationToken);
            return message;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            var message = "The request body is not valid JSON: " + ex.Message;
            await OpenAIErrors.WriteInvalidRequestAsync(response, StatusCodes.Status400BadRequest, message, "invalid_json", null, cancellationToken);
            return message;
        }

        using (document)
        {
            var root = document.RootElement;
            var rejection = root.ValueKind != JsonValueKind.Object
                ? ("The request body must be a JSON object.", "invalid_json", (string?)null)
                : !root.TryGetProperty("stream", out var stream) || stream.ValueKind != JsonValueKind.True
                    ? ("The scripted model only streams: send \"stream\": true (as Codex always does).", "stream_required", "stream")
                    : default;
            if (rejection.Item1 is not null)
            {
                await OpenAIErrors.WriteInvalidRequestAsync(response, StatusCodes.Status400BadRequest, rejection.Item1, rejection.Item2, rejection.Item3, cancellationToken);
                return rejection.Item1;
            }

            var model = root.TryGetProperty("model", out var modelElement) && modelElement.ValueKind == JsonValueKind.String
                ? modelElement.GetString()!
                : "scripted-model";
            var input = InputView.Read(root);
            Directive directive;
            try
            {
                directive = input.FindDirective();
            }
            catch (DirectiveException ex)
            {
                await OpenAIErrors.WriteInvalidRequestAsync(response, StatusCodes.Status400BadRequest, ex.Message, "invalid_script_directive", "input", cancellationToken);
                return ex.Message;
            }

            record.SetScript(directive.Json, directive.Reply.ToWireName());
            await ReplyPlayer.PlayAsync(response, directive, input, model, number, options, cancellationToken);
            return null;
        }
    }

    private async Task HandleControlAsync(HttpContext context, string path)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        switch (path, context.Request.Method)
        {
            case ("/_scripted/health", "GET" or "HEAD"):
                response.ContentType = "application/json";
                await response.WriteAsync("""{"status":"ok"}""", cancellationToken);
                break;
            case ("/_scripted/requests", "GET"):
                await WriteRequestsAsync(response, recorder.Snapshot(), cancellationToken);
                break;
            case ("/_scripted/requests", "DELETE"):
                recorder.Clear();
                response.StatusCode = StatusCodes.Status204NoContent;
                break;
            default:
                await OpenAIErrors.WriteInvalidRequestAsync(
                    response,
                    StatusCodes.Status404NotFound,
                    $"Invalid URL ({context.Request.Method} {path}); the control endpoints are GET /_scripted/health, GET and DELETE /_scripted/requests.",
                    null,
                    null,
                    cancellationToken);
                break;
        }
    }

    private static async Task WriteRequestsAsync(HttpResponse response, IReadOnlyList<RecordedRequest> requests, CancellationToken cancellationToken)
    {
        response.ContentType = "application/json";
        var pipe = response.BodyWriter;
        using var json = new Utf8JsonWriter(pipe, OpenAIErrors.WriterOptions);
        json.WriteStartArray();
        for (var i = 0; i < requests.Count; i++)
        {
            WriteRequest(json, requests[i]);
            if (i % 64 == 63)
            {
                json.Flush();
                await pipe.FlushAsync(cancellationToken);
            }
        }

        json.WriteEndArray();
        json.Flush();
        await pipe.FlushAsync(cancellationToken);
    }

    private static void WriteRequest(Utf8JsonWriter json, RecordedRequest request)
    {
        json.WriteStartObject();
        json.WriteNumber("sequence", request.Sequence);
        json.WriteString("method", request.Method);
        json.WriteString("path", request.Path);
        json.WriteString("received_at", request.ReceivedAt);
        if (request.FinishedAt is { } finishedAt)
        {
            json.WriteString("finished_at", finishedAt);
        }
        else
        {
            json.WriteNull("finished_at");
        }

        json.WriteString("outcome", request.Outcome switch
        {
            RequestOutcome.Completed => "completed",
            RequestOutcome.ClientAborted => "client_aborted",
            RequestOutcome.Error => "error",
            _ => "pending",
        });
        json.WriteNumber("status_code", request.StatusCode);
        json.WriteString("error", request.Error);
        json.WriteString("reply", request.Reply);
        json.WritePropertyName("directive");
        if (request.Directive is null)
        {
            json.WriteNullValue();
        }
        else
        {
            json.WriteRawValue(request.Directive);
        }

        json.WriteStartObject("headers");
        foreach (var (name, value) in request.Headers)
        {
            json.WriteString(name, value);
        }

        json.WriteEndObject();
        json.WritePropertyName("body");
        if (request.Json is { } body)
        {
            body.WriteTo(json);
        }
        else
        {
            json.WriteNullValue();
            if (!request.BodyBytes.IsEmpty)
            {
                json.WriteString("body_text", request.Body);
            }
        }

        json.WriteEndObject();
    }

    private IReadOnlyDictionary<string, string> HeadersOf(HttpRequest request)
    {
        if (!recorder.Enabled)
        {
            return NoHeaders;
        }

        var headers = new Dictionary<string, string>(request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name.ToLowerInvariant()] = values.ToString();
        }

        return headers;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var encoding = request.Headers.ContentEncoding.ToString().Trim().ToLowerInvariant();
        if (encoding is "" or "identity")
        {
            if (request.ContentLength is { } length and <= int.MaxValue)
            {
                var exact = new byte[length];
                await request.Body.ReadExactlyAsync(exact, cancellationToken);
                return exact;
            }

            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            return buffer.ToArray();
        }

        await using Stream decoder = encoding switch
        {
            "gzip" => new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "deflate" => new ZLibStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            "br" => new BrotliStream(request.Body, CompressionMode.Decompress, leaveOpen: true),
            _ => throw new UnsupportedEncodingException(
                $"Content-Encoding '{encoding}' is not supported by the scripted model (use identity, gzip, deflate or br)."),
        };
        using var decoded = new MemoryStream();
        await decoder.CopyToAsync(decoded, cancellationToken);
        return decoded.ToArray();
    }

    private sealed class UnsupportedEncodingException(string message) : Exception(message);
}
