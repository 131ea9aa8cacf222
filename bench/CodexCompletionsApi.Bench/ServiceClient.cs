using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace CodexCompletionsApi.Bench;

/// <summary>
/// An HTTP client of the service: <c>POST /v1/chat/completions</c> (or <c>/v1/responses</c>)
/// non-streaming (whole body) and streaming (SSE read line by line with
/// <see cref="HttpCompletionOption.ResponseHeadersRead"/>), plus the probes the benchmark samples
/// (<c>/readyz</c>, <c>/healthz</c>, <c>/metrics</c>).
/// </summary>
internal sealed class ServiceClient : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    private readonly HttpClient _http;
    private readonly string _model;
    private readonly bool _responses;
    private readonly string _path;

    public ServiceClient(Uri baseAddress, string model, bool responses = false)
    {
        _model = model;
        _responses = responses;
        _path = responses ? "v1/responses" : "v1/chat/completions";
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = int.MaxValue,
        })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public void Dispose() => _http.Dispose();

    /// <summary>One chat completion with a single user message.</summary>
    public async Task<RequestResult> ChatAsync(string prompt, bool stream, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = new RequestResult { Started = Stopwatch.GetTimestamp() };
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var ct = deadline.Token;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _path) { Content = Body(prompt, stream) };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                result.Error = $"HTTP {(int)response.StatusCode}: {Truncate(body)}";
                return result;
            }

            if (stream)
            {
                await ReadStreamAsync(response, result, onDelta: null, _responses, ct);
            }
            else
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(ct);
                result.Finished = Stopwatch.GetTimestamp();
                using var document = JsonDocument.Parse(bytes);
                if (_responses)
                {
                    result.Reply = document.RootElement.GetProperty("output_text"u8).GetString() ?? string.Empty;
                }
                else
                {
                    var message = document.RootElement.GetProperty("choices"u8)[0].GetProperty("message"u8);
                    result.Reply = message.TryGetProperty("content"u8, out var content) ? content.GetString() ?? string.Empty : string.Empty;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.Error = $"timed out after {timeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            result.Error = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            if (result.Finished == 0)
            {
                result.Finished = Stopwatch.GetTimestamp();
            }
        }

        return result;
    }

    /// <summary>
    /// A streaming request held open until <paramref name="cancellationToken"/> or the end of the
    /// stream; <paramref name="onDelta"/> sees every content delta as it arrives.
    /// </summary>
    public async Task<RequestResult> HoldStreamAsync(string prompt, Action<RequestResult, long>? onDelta, CancellationToken cancellationToken)
    {
        var result = new RequestResult { Started = Stopwatch.GetTimestamp() };
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _path) { Content = Body(prompt, stream: true) };
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                result.Error = $"HTTP {(int)response.StatusCode}: {Truncate(body)}";
                return result;
            }

            await ReadStreamAsync(response, result, onDelta, _responses, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Held until the benchmark let go: not an error.
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            result.Error = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            if (result.Finished == 0)
            {
                result.Finished = Stopwatch.GetTimestamp();
            }
        }

        return result;
    }

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync("readyz", cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The service's <c>/healthz</c> worker block: pid, restarts, CLI version.</summary>
    public async Task<WorkerInfo?> WorkerAsync(CancellationToken cancellationToken, bool loadedThreads = false)
    {
        try
        {
            using var response = await _http.GetAsync(loadedThreads ? "healthz?loaded_threads=true" : "healthz", cancellationToken);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            using var document = JsonDocument.Parse(bytes);
            var worker = document.RootElement.GetProperty("worker"u8);
            int? pid = worker.TryGetProperty("pid"u8, out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : null;
            var restarts = worker.TryGetProperty("restarts"u8, out var r) && r.ValueKind == JsonValueKind.Number ? r.GetInt32() : 0;
            var version = worker.TryGetProperty("cli_version"u8, out var v) ? v.GetString() : null;
            var state = worker.TryGetProperty("state"u8, out var s) ? s.GetString() : null;
            int? loaded = worker.TryGetProperty("loaded_threads"u8, out var l) && l.ValueKind == JsonValueKind.Number && l.GetInt32() >= 0 ? l.GetInt32() : null;
            return new WorkerInfo(pid, restarts, version, state) { LoadedThreads = loaded };
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>/metrics</c> summed per metric name over all label sets (e.g. <c>codex_api_turns_total</c>
    /// over every status), for the names asked for.
    /// </summary>
    public async Task<Dictionary<string, double>> MetricsAsync(IReadOnlyCollection<string> names, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        try
        {
            var text = await _http.GetStringAsync("metrics", cancellationToken);
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var nameEnd = line.IndexOfAny(['{', ' ']);
                var valueStart = line.LastIndexOf(' ');
                if (nameEnd <= 0 || valueStart <= 0)
                {
                    continue;
                }

                var name = line[..nameEnd];
                if (names.Contains(name) && double.TryParse(line[(valueStart + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    values[name] = values.GetValueOrDefault(name) + value;
                }
            }
        }
        catch (HttpRequestException)
        {
            // reported as missing values
        }

        return values;
    }

    private HttpContent Body(string prompt, bool stream)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", _model);
            if (_responses)
            {
                w.WriteString("input", prompt);
                w.WriteBoolean("store", false); // the matrix measures the turn, not the database
            }
            else
            {
                w.WriteStartArray("messages");
                w.WriteStartObject();
                w.WriteString("role", "user");
                w.WriteString("content", prompt);
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WriteBoolean("stream", stream);
            w.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length);
        content.Headers.ContentType = Json;
        return content;
    }

    /// <summary>
    /// Reads SSE lines: content deltas until <c>data: [DONE]</c> (Responses: text deltas until the
    /// terminal event), then drains to the end.
    /// </summary>
    private static async Task ReadStreamAsync(HttpResponseMessage response, RequestResult result, Action<RequestResult, long>? onDelta, bool responses, CancellationToken ct)
    {
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(body, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096);
        var reply = new StringBuilder();
        long previous = 0;
        var done = false;
        try
        {
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (done || !line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                var at = Stopwatch.GetTimestamp();
                var data = line.AsMemory(6);
                if (data.Span.SequenceEqual("[DONE]"))
                {
                    result.Finished = at;
                    done = true;
                    continue; // read on to the end of the body so the connection is reused
                }

                using var document = JsonDocument.Parse(data);
                var root = document.RootElement;
                if (responses)
                {
                    switch (root.GetProperty("type"u8).GetString())
                    {
                        case "response.output_text.delta":
                            var fragment = root.GetProperty("delta"u8).GetString()!;
                            reply.Append(fragment);
                            result.AddDelta(fragment, at, ref previous);
                            onDelta?.Invoke(result, at);
                            break;
                        case "response.completed":
                            result.Finished = at;
                            done = true;
                            break;
                        case "response.failed" or "response.incomplete":
                            result.Error = $"stream ended {Truncate(root.GetRawText())}";
                            result.Finished = at;
                            return;
                    }

                    continue;
                }

                if (root.TryGetProperty("error"u8, out var error))
                {
                    result.Error = $"stream error: {Truncate(error.GetRawText())}";
                    result.Finished = at;
                    return;
                }

                if (root.TryGetProperty("choices"u8, out var choices) && choices.GetArrayLength() > 0
                    && choices[0].TryGetProperty("delta"u8, out var delta)
                    && delta.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.String)
                {
                    var text = content.GetString()!;
                    if (text.Length > 0)
                    {
                        reply.Append(text);
                        result.AddDelta(text, at, ref previous);
                        onDelta?.Invoke(result, at);
                    }
                }
            }
        }
        finally
        {
            result.Reply = reply.ToString();
        }

        if (!done)
        {
            result.Error ??= responses ? "the stream ended without response.completed" : "the stream ended without [DONE]";
        }
    }

    private static string Truncate(string text) => text.Length > 300 ? text[..300] + "…" : text;
}

/// <summary>The service's worker as <c>/healthz</c> reports it.</summary>
internal sealed record WorkerInfo(int? Pid, int Restarts, string? CliVersion, string? State)
{
    /// <summary>Threads the worker holds (<c>/healthz?loaded_threads=true</c>), when asked for.</summary>
    public int? LoadedThreads { get; init; }
}

/// <summary>The service path of the matrix, in one mode.</summary>
internal sealed class ServicePath(ServiceClient client, bool stream) : IBenchPath
{
    public string Path => "service";

    public string Mode => stream ? "stream" : "nonstream";

    public Task<RequestResult> SendAsync(string prompt, TimeSpan timeout, CancellationToken cancellationToken)
        => client.ChatAsync(prompt, stream, timeout, cancellationToken);
}
