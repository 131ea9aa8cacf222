using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace CodexCompletionsApi.Streaming;

/// <summary>
/// Writes Server-Sent Events straight to the response's <see cref="HttpResponse.BodyWriter"/>:
/// <c>data: </c>, the JSON of a source-generated type, a blank line, then one flush per event so
/// no delta is held back. Writes are serialized, so a keep-alive timer can share the writer.
/// </summary>
internal sealed class SseWriter : IAsyncDisposable
{
    private readonly HttpResponse _response;
    private readonly Utf8JsonWriter _json;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly TimeProvider _timeProvider;
    private readonly CancellationTokenSource _keepAliveStop = new();
    private Task? _keepAlive;
    private long _lastWrite;

    private SseWriter(HttpResponse response, TimeProvider timeProvider)
    {
        _response = response;
        _timeProvider = timeProvider;
        _json = new Utf8JsonWriter(response.BodyWriter, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        _lastWrite = timeProvider.GetTimestamp();
    }

    /// <summary>Sets the SSE headers (as <c>TypedResults.ServerSentEvents</c> does) and starts the response.</summary>
    public static async Task<SseWriter> StartAsync(HttpContext context, TimeSpan keepAlive, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        await response.StartAsync(cancellationToken);
        var writer = new SseWriter(response, timeProvider);
        if (keepAlive > TimeSpan.Zero)
        {
            writer._keepAlive = writer.KeepAliveAsync(keepAlive, cancellationToken);
        }

        return writer;
    }

    /// <summary><c>data: {json}\n\n</c>, flushed.</summary>
    public Task WriteDataAsync<T>(T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        => WriteAsync(null, value, type, cancellationToken);

    /// <summary><c>event: name\ndata: {json}\n\n</c>, flushed.</summary>
    public Task WriteEventAsync<T>(string eventName, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        => WriteAsync(eventName, value, type, cancellationToken);

    /// <summary><c>data: [DONE]\n\n</c>, the end of a chat or completions stream.</summary>
    public async Task WriteDoneAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            _response.BodyWriter.Write("data: [DONE]\n\n"u8);
            await FlushAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _keepAliveStop.CancelAsync();
        if (_keepAlive is not null)
        {
            await _keepAlive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _keepAliveStop.Dispose();
        await _json.DisposeAsync();
        _lock.Dispose();
    }

    private async Task WriteAsync<T>(string? eventName, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var body = _response.BodyWriter;
            if (eventName is not null)
            {
                body.Write("event: "u8);
                System.Text.EncodingExtensions.GetBytes(System.Text.Encoding.UTF8, eventName.AsSpan(), body);
                body.Write("\n"u8);
            }

            body.Write("data: "u8);
            _json.Reset(body);
            JsonSerializer.Serialize(_json, value, type);
            _json.Flush();
            body.Write("\n\n"u8);
            await FlushAsync(cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var result = await _response.BodyWriter.FlushAsync(cancellationToken);
        _lastWrite = _timeProvider.GetTimestamp();
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client closed the stream.");
        }
    }

    private async Task KeepAliveAsync(TimeSpan interval, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _keepAliveStop.Token);
        using var timer = new PeriodicTimer(interval, _timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(linked.Token))
            {
                if (_timeProvider.GetElapsedTime(Volatile.Read(ref _lastWrite)) < interval)
                {
                    continue;
                }

                await _lock.WaitAsync(linked.Token);
                try
                {
                    _response.BodyWriter.Write(": keepalive\n\n"u8);
                    await FlushAsync(linked.Token);
                }
                finally
                {
                    _lock.Release();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stream finished or client gone.
        }
    }
}
