using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

/// <summary>Request bodies and small bounded waits shared by the streaming, error and admission tests.</summary>
internal static class Requests
{
    public const string Model = "gpt-5.5";

    /// <summary>A unique text to find a test's upstream requests by.</summary>
    public static string Marker() => "m" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A chat body with one user message.</summary>
    public static JsonObject Chat(string userMessage, bool stream = false, bool includeUsage = false)
    {
        var body = new JsonObject
        {
            ["model"] = Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = userMessage }),
        };
        if (stream)
        {
            body["stream"] = true;
        }

        if (includeUsage)
        {
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    /// <summary>A legacy completions body.</summary>
    public static JsonObject Completion(JsonNode prompt, bool stream = false)
    {
        var body = new JsonObject { ["model"] = Model, ["prompt"] = prompt };
        if (stream)
        {
            body["stream"] = true;
        }

        return body;
    }

    /// <summary>A Responses API body with a string <c>input</c>.</summary>
    public static JsonObject Responses(string input, bool stream = false)
    {
        var body = new JsonObject { ["model"] = Model, ["input"] = input };
        if (stream)
        {
            body["stream"] = true;
        }

        return body;
    }

    public static Task<HttpResponseMessage> PostResponsesAsync(this HttpClient client, JsonObject body, CancellationToken cancellationToken, params (string Name, string Value)[] headers)
        => client.PostJsonAsync("/v1/responses", body, cancellationToken, HttpCompletionOption.ResponseContentRead, headers);

    public static Task<HttpResponseMessage> PostChatAsync(this HttpClient client, JsonObject body, CancellationToken cancellationToken, params (string Name, string Value)[] headers)
        => client.PostJsonAsync("/v1/chat/completions", body, cancellationToken, HttpCompletionOption.ResponseContentRead, headers);

    public static async Task<HttpResponseMessage> PostJsonAsync(
        this HttpClient client,
        string path,
        JsonNode body,
        CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead,
        params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json.Raw(body.ToJsonString()) };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await client.SendAsync(request, completion, cancellationToken);
    }

    /// <summary>A 200 event stream, read and checked as a chat stream.</summary>
    public static async Task<CheckedStream> ReadChatStreamAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
        => WireInvariants.CheckChat(await ReadEventStreamBodyAsync(response, cancellationToken));

    /// <summary>A 200 event stream, read and checked as a text_completion stream.</summary>
    public static async Task<CheckedStream> ReadTextStreamAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
        => WireInvariants.CheckText(await ReadEventStreamBodyAsync(response, cancellationToken));

    /// <summary>
    /// A 200 event stream of <c>POST /v1/responses</c>, read and checked as a Responses API stream
    /// (<see cref="ResponsesWireInvariants"/>; the <see cref="WireInvariantHandler"/> already checked it once).
    /// </summary>
    public static async Task<CheckedResponseStream> ReadResponsesStreamAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
        => ResponsesWireInvariants.Check(await ReadEventStreamBodyAsync(response, cancellationToken));

    /// <summary>The body of a response that must be a 200 event stream.</summary>
    private static async Task<string> ReadEventStreamBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return body;
    }

    /// <summary>A 200 JSON body.</summary>
    public static async Task<JsonElement> ReadOkJsonAsync(this HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>The prompt tokens the scripted model reports for a request: ceil(UTF-8 bytes of <c>input</c> / 4).</summary>
    public static long ScriptedPromptTokens(ScriptedModel.RecordedRequest request)
        => (System.Text.Encoding.UTF8.GetByteCount(request.Json!.Value.GetProperty("input").GetRawText()) + 3) / 4;

    /// <summary>
    /// Polls <paramref name="condition"/> every 20 ms (after <paramref name="refresh"/>, when given); fails the test
    /// with <paramref name="what"/> after <paramref name="timeout"/>.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken, Func<Task>? refresh = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (refresh is not null)
            {
                await refresh();
            }

            if (condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting until {what}.");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>The sum of a Prometheus counter's samples whose labels include all of <paramref name="labels"/>.</summary>
    public static async Task<double> ScrapeCounterAsync(HttpClient client, string name, CancellationToken cancellationToken, params string[] labels)
    {
        var text = await client.GetStringAsync("/metrics", cancellationToken);
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal)))
            {
                continue;
            }

            var space = line.LastIndexOf(' ');
            var series = line[..space];
            if (labels.All(label => series.Contains(label, StringComparison.Ordinal)))
            {
                sum += double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return sum;
    }
}
