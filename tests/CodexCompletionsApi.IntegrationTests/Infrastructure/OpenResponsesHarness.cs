using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

/// <summary>One event as the compliance suite's SSE parser sees it: its name, its data, and its union issues.</summary>
public sealed record HarnessEvent(string Event, JsonElement Data, IReadOnlyList<string> Issues);

/// <summary>
/// What the compliance suite's <c>parseSSEStream</c> returns: the events, the error strings (one per event that
/// fails the streaming union or is not JSON), and the <c>response</c> of the last terminal event.
/// </summary>
public sealed record HarnessStream(IReadOnlyList<HarnessEvent> Events, IReadOnlyList<string> Errors, JsonElement? FinalResponse);

/// <summary>
/// One request/response of a compliance template, with what the suite's <c>parseResponse</c> concluded: the
/// parsed response (null when the request failed or the final response did not pass the schema) and the errors.
/// </summary>
public sealed record HarnessExchange(JsonObject Request, int Status, string Body, JsonElement? Response, HarnessStream? Stream, IReadOnlyList<string> Errors);

/// <summary>
/// The Open Responses compliance suite (openresponses/openresponses <c>src/lib/compliance-tests.ts</c> and
/// <c>sse-parser.ts</c>) re-implemented for the service: how it sends a request, how it reads the reply (JSON, or
/// SSE with its own line parser), the schema check (<see cref="ResponseResourceSchema"/>,
/// <see cref="StreamingEventSchema"/>), and its semantic validators with their exact messages.
/// </summary>
public static class OpenResponsesHarness
{
    /// <summary>
    /// <c>makeRequest</c> + <c>parseResponse</c>: POSTs <c>{...body, stream}</c> (the suite always sends
    /// <c>stream</c>, also <c>false</c>) to <c>/v1/responses</c>; a non-2xx status is the error
    /// <c>HTTP {status}: {body}</c>; the JSON body, or the final response of the stream, must pass the schema.
    /// </summary>
    public static async Task<HarnessExchange> PostAsync(HttpClient client, JsonObject body, bool streaming, CancellationToken cancellationToken)
    {
        var request = (JsonObject)body.DeepClone();
        request["stream"] = streaming;
        using var response = await client.PostJsonAsync("/v1/responses", request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = (int)response.StatusCode;
        if (status is < 200 or > 299)
        {
            return new HarnessExchange(request, status, text, null, null, [$"HTTP {status}: {text}"]);
        }

        JsonElement? raw;
        HarnessStream? stream = null;
        if (streaming)
        {
            stream = ParseSse(text);
            raw = stream.FinalResponse;
        }
        else
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                raw = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                return new HarnessExchange(request, status, text, null, null, [ex.Message]);
            }
        }

        if (raw is not { } final)
        {
            // safeParse(null): the whole object fails.
            return new HarnessExchange(request, status, text, null, stream, [": Expected object, received null (no response.completed / response.failed / response.incomplete event)"]);
        }

        var issues = ResponseResourceSchema.Validate(final);
        return issues.Count > 0
            ? new HarnessExchange(request, status, text, null, stream, issues)
            : new HarnessExchange(request, status, text, final, stream, []);
    }

    /// <summary>
    /// <c>parseSSEStream</c> on a complete body: lines split on LF; <c>event:</c> and <c>data:</c> (value
    /// trimmed; a later <c>data:</c> line replaces an earlier one) fill the current event, an empty line
    /// dispatches it when it has data; <c>[DONE]</c> is skipped. Each event is validated against the streaming
    /// union; the last <c>response.completed</c>/<c>failed</c>/<c>incomplete</c> gives the final response.
    /// (The suite also resets its buffers per network read; the service writes each event in one flushed write,
    /// which the <see cref="WireInvariantHandler"/> framing checks cover, so that is not modelled here.)
    /// </summary>
    public static HarnessStream ParseSse(string body)
    {
        var events = new List<HarnessEvent>();
        var errors = new List<string>();
        JsonElement? final = null;
        var currentEvent = string.Empty;
        var currentData = string.Empty;
        var lines = body.Split('\n');

        // The suite keeps the text after the last LF in its buffer and never parses it.
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                currentEvent = line[6..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                currentData = line[5..].Trim();
            }
            else if (line.Length == 0 && currentData.Length > 0)
            {
                if (currentData != "[DONE]")
                {
                    try
                    {
                        using var document = JsonDocument.Parse(currentData);
                        var data = document.RootElement.Clone();
                        var type = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                        var issues = StreamingEventSchema.Validate(data);
                        events.Add(new HarnessEvent(currentEvent.Length > 0 ? currentEvent : type ?? "unknown", data, issues));
                        if (issues.Count > 0)
                        {
                            errors.Add($"Event validation failed for {type ?? "unknown"}: {string.Join("; ", issues)}");
                        }

                        if (type is "response.completed" or "response.failed" or "response.incomplete" && data.TryGetProperty("response", out var response))
                        {
                            final = response.Clone();
                        }
                    }
                    catch (JsonException)
                    {
                        errors.Add($"Failed to parse event data: {currentData}");
                    }
                }

                currentEvent = string.Empty;
                currentData = string.Empty;
            }
        }

        return new HarnessStream(events, errors, final);
    }

    // ---- the suite's validators (exact messages) ----------------------------------------------------------------

    public static IEnumerable<string> HasOutput(JsonElement response)
        => !response.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.Array || output.GetArrayLength() == 0
            ? ["Response has no output items"]
            : [];

    public static IEnumerable<string> HasOutputType(JsonElement response, string type)
        => response.TryGetProperty("output", out var output) && output.ValueKind == JsonValueKind.Array
           && output.EnumerateArray().Any(i => i.ValueKind == JsonValueKind.Object && i.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type)
            ? []
            : [$"Expected output item of type \"{type}\" but none found"];

    public static IEnumerable<string> CompletedStatus(JsonElement response)
    {
        var status = response.TryGetProperty("status", out var s) ? s.ToString() : "undefined";
        return status == "completed" ? [] : [$"Expected status \"completed\" but got \"{status}\""];
    }

    public static IEnumerable<string> StreamingEvents(HarnessStream? stream)
        => stream is null || stream.Events.Count == 0 ? ["No streaming events received"] : [];

    public static IEnumerable<string> StreamingSchema(HarnessStream? stream) => stream?.Errors ?? [];

    /// <summary>The <c>tool-calling-streaming</c> template's own validator (compliance-tests.ts at 0cb939cc).</summary>
    public static IEnumerable<string> FunctionCallStreamingEvents(HarnessStream? stream)
    {
        if (stream is null)
        {
            yield break;
        }

        string? TypeOf(JsonElement data) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty("type", out var t) ? t.ToString() : null;
        string? ItemTypeOf(JsonElement data) => data.ValueKind == JsonValueKind.Object && data.TryGetProperty("item", out var item) && item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type", out var t) ? t.ToString() : null;
        var types = stream.Events.Select(e => TypeOf(e.Data)).ToList();
        if (!stream.Events.Any(e => TypeOf(e.Data) == "response.output_item.added" && ItemTypeOf(e.Data) == "function_call"))
        {
            yield return "Missing response.output_item.added event with function_call item";
        }

        if (!types.Contains("response.function_call_arguments.delta"))
        {
            yield return "Missing response.function_call_arguments.delta event";
        }

        if (!types.Contains("response.function_call_arguments.done"))
        {
            yield return "Missing response.function_call_arguments.done event";
        }

        if (!stream.Events.Any(e => TypeOf(e.Data) == "response.output_item.done" && ItemTypeOf(e.Data) == "function_call"))
        {
            yield return "Missing response.output_item.done event with function_call item";
        }
    }

    /// <summary>A readable report of a failed template: its errors, then each request and the start of its reply.</summary>
    public static string Describe(string template, IReadOnlyList<string> errors, IEnumerable<HarnessExchange> exchanges)
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Open Responses compliance test '{template}' failed:\n");
        foreach (var error in errors)
        {
            text.Append("  - ").Append(error).Append('\n');
        }

        foreach (var exchange in exchanges)
        {
            text.Append("request: ").Append(exchange.Request.ToJsonString()).Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"reply ({exchange.Status}): ");
            text.Append(exchange.Body.Length > 4000 ? exchange.Body[..4000] + "…" : exchange.Body).Append('\n');
        }

        return text.ToString();
    }
}
