using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexCompletionsApi.ScriptedModel.Tests;

/// <summary>Builds Responses API request bodies the way Codex sends them.</summary>
internal static class Body
{
    public static JsonObject Request(params JsonNode[] input) => new()
    {
        ["model"] = "test-model",
        ["stream"] = true,
        ["input"] = new JsonArray(input),
        ["tools"] = new JsonArray(),
    };

    public static JsonObject User(string text) => Message("user", text);

    public static JsonObject Developer(string text) => Message("developer", text);

    public static JsonObject System(string text) => Message("system", text);

    public static JsonObject Assistant(string text) => new()
    {
        ["type"] = "message",
        ["role"] = "assistant",
        ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = text }),
    };

    public static JsonObject FunctionCall(string callId, string name, string arguments) => new()
    {
        ["type"] = "function_call",
        ["id"] = "fc_" + callId,
        ["call_id"] = callId,
        ["name"] = name,
        ["arguments"] = arguments,
        ["status"] = "completed",
    };

    public static JsonObject FunctionCallOutput(string callId, string output) => new()
    {
        ["type"] = "function_call_output",
        ["call_id"] = callId,
        ["output"] = output,
    };

    private static JsonObject Message(string role, string text) => new()
    {
        ["type"] = "message",
        ["role"] = role,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "input_text", ["text"] = text }),
    };
}

internal sealed record SseEvent(string Name, JsonElement Data)
{
    public string Type => Data.GetProperty("type").GetString()!;

    public int Sequence => Data.GetProperty("sequence_number").GetInt32();

    public string Str(string name) => Data.GetProperty(name).GetString()!;

    public int Int(string name) => Data.GetProperty(name).GetInt32();
}

/// <summary>A parsed SSE stream; <see cref="Error"/> is set when the connection broke before the end.</summary>
internal sealed record SseResult(IReadOnlyList<SseEvent> Events, Exception? Error)
{
    public IReadOnlyList<string> Types => [.. Events.Select(e => e.Type)];

    public IEnumerable<SseEvent> Of(string type) => Events.Where(e => e.Type == type);

    public SseEvent Single(string type) => Assert.Single(Events, e => e.Type == type);

    public string Deltas(string type = "response.output_text.delta") => string.Concat(Of(type).Select(e => e.Str("delta")));

    public JsonElement Response(string terminal = "response.completed") => Single(terminal).Data.GetProperty("response");

    public JsonElement Usage(string terminal = "response.completed") => Response(terminal).GetProperty("usage");

    public void AssertSequenceContiguous()
    {
        for (var i = 0; i < Events.Count; i++)
        {
            Assert.Equal(i, Events[i].Sequence);
        }
    }
}

internal sealed class TestClient(ScriptedModelServer server) : IDisposable
{
    // No draining: disposing a half-read response must drop the connection, as a client that gives up does.
    public HttpClient Http { get; } = new(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { Timeout = TimeSpan.FromSeconds(20) };

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public Task<HttpResponseMessage> PostAsync(JsonNode body, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string>>? headers = null) =>
        PostRawAsync(body.ToJsonString(), cancellationToken, headers);

    public Task<HttpResponseMessage> PostRawAsync(string body, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, server.ResponsesUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    /// <summary>Posts a request with one user message and reads the whole SSE stream (asserting 200 and the content type).</summary>
    public Task<SseResult> StreamAsync(string userText) => StreamAsync(Body.Request(Body.User(userText)));

    public async Task<SseResult> StreamAsync(JsonNode body)
    {
        using var response = await PostAsync(body, Ct);
        var text = response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"status {(int)response.StatusCode}: {text}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return await ReadEventsAsync(response, Ct);
    }

    /// <summary>Parses strictly: every event is exactly <c>event: T</c>, <c>data: {json with type T}</c>, blank line.</summary>
    public static async Task<SseResult> ReadEventsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var events = new List<SseEvent>();
        Exception? error = null;
        string? name = null;
        string? data = null;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (name is null)
                {
                    Assert.StartsWith("event: ", line, StringComparison.Ordinal);
                    name = line["event: ".Length..];
                }
                else if (data is null)
                {
                    Assert.StartsWith("data: ", line, StringComparison.Ordinal);
                    data = line["data: ".Length..];
                }
                else
                {
                    Assert.Equal("", line);
                    var parsed = new SseEvent(name, JsonDocument.Parse(data).RootElement);
                    Assert.Equal(name, parsed.Type);
                    events.Add(parsed);
                    name = null;
                    data = null;
                }
            }
        }
        catch (IOException ex)
        {
            error = ex;
        }

        Assert.Null(name);
        return new SseResult(events, error);
    }

    public static async Task<JsonElement> ErrorBodyAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out _));
        return error;
    }

    public void Dispose() => Http.Dispose();
}

internal static class HeaderNames
{
    public static string? RetryAfter(HttpResponseHeaders headers) => headers.TryGetValues("retry-after", out var values) ? values.Single() : null;
}
