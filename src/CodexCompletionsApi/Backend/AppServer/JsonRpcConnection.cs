using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using CodexCompletionsApi.Backend.AppServer.Protocol;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// JSON-RPC 2.0 over newline-delimited JSON with one app-server process: one writer (under a lock),
/// one read loop, a pending-call map, and per-thread routing of notifications and server requests.
/// </summary>
/// <remarks>
/// The app-server omits <c>"jsonrpc":"2.0"</c> on its output; it is not required here.
/// Lines have no length limit (a single line can exceed 200 KB); they are read on a dedicated thread. A malformed line is logged and
/// skipped. When the stream ends, every pending call and every thread subscription fails at once
/// with <see cref="BackendErrorKind.Unavailable"/>.
/// </remarks>
internal sealed partial class JsonRpcConnection : IAsyncDisposable
{
    private static readonly byte[] JsonRpcVersion = "2.0"u8.ToArray();

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly Func<IncomingMessage, ServerRequestAnswer> _answerUnroutedRequest;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, PendingCall> _pending = new();
    private readonly ConcurrentDictionary<string, Channel<IncomingMessage>> _threads = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ArrayBufferWriter<byte> _writeBuffer = new(4096);
    private readonly Utf8JsonWriter _jsonWriter;
    private long _nextId;
    private long _malformedLines;
    private Task? _readLoop;
    private volatile BackendException? _terminalError;

    public JsonRpcConnection(
        Stream input,
        Stream output,
        ILogger logger,
        TimeProvider timeProvider,
        Func<IncomingMessage, ServerRequestAnswer> answerUnroutedRequest)
    {
        _input = input;
        _output = output;
        _logger = logger;
        _timeProvider = timeProvider;
        _answerUnroutedRequest = answerUnroutedRequest;
        _jsonWriter = new Utf8JsonWriter(_writeBuffer);
    }

    /// <summary>Raised (on the read loop) for notifications no thread subscribed to.</summary>
    public event Action<IncomingMessage>? UnroutedNotification;

    /// <summary>Completes when the read loop ends: the process closed stdout or the stream failed.</summary>
    public Task Completion => _completion.Task;

    public long MalformedLines => Interlocked.Read(ref _malformedLines);

    public int PendingCalls => _pending.Count;

    public int SubscribedThreads => _threads.Count;

    /// <summary>A description of why the connection ended, used as the error for later calls.</summary>
    public string? TerminationDetail { get; set; }

    /// <summary>
    /// Starts the read loop on its own thread (blocking reads, not thread-pool hops per line; see
    /// docs/adr/0007-event-path-on-the-reader-thread.md).
    /// </summary>
    public void Start() => _readLoop ??= Task.Factory.StartNew(ReadLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Sends a request and waits for its result.</summary>
    /// <exception cref="BackendException">The connection ended, or <paramref name="timeout"/> expired.</exception>
    /// <exception cref="JsonRpcRemoteException">The app-server answered with an error.</exception>
    public async Task<TResult> CallAsync<TParams, TResult>(
        string method,
        TParams parameters,
        JsonTypeInfo<TParams> paramsType,
        JsonTypeInfo<TResult> resultType,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var result = await CallRawAsync(method, parameters, paramsType, timeout, cancellationToken);
        return result.Deserialize(resultType)
            ?? throw new BackendException(BackendErrorKind.InvalidRequest, $"{method} returned an empty result.");
    }

    /// <summary>Sends a request and returns its raw <c>result</c>.</summary>
    public async Task<JsonElement> CallRawAsync<TParams>(
        string method,
        TParams parameters,
        JsonTypeInfo<TParams> paramsType,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        ThrowIfTerminated();
        var id = Interlocked.Increment(ref _nextId);
        var call = new PendingCall(method);
        _pending[id] = call;
        using var timeoutCts = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            await WriteMessageAsync(id, method, parameters, paramsType, linked.Token);
            if (_terminalError is { } error)
            {
                // The read loop may have ended between the check above and the registration.
                call.Completion.TrySetException(error);
            }

            return await call.Completion.Task.WaitAsync(linked.Token);
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.CallTimedOut(_logger, method, id, timeout);
            throw new BackendException(BackendErrorKind.Timeout, $"The app-server did not answer {method} within {timeout.TotalSeconds:0.###} s.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Sends a notification (no response expected).</summary>
    public Task NotifyAsync(string method, CancellationToken cancellationToken)
    {
        ThrowIfTerminated();
        return WriteMessageAsync<EmptyResult>(null, method, null, null, cancellationToken);
    }

    /// <summary>Answers a server→client request with a result.</summary>
    public Task RespondAsync<TResult>(JsonElement requestId, TResult result, JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken)
        => WriteResponseAsync(requestId, writer => JsonSerializer.Serialize(writer, result, resultType), null, null, cancellationToken);

    /// <summary>Answers a server→client request with a JSON-RPC error.</summary>
    public Task RespondErrorAsync(JsonElement requestId, int code, string message, CancellationToken cancellationToken)
        => WriteResponseAsync(requestId, null, code, message, cancellationToken);

    /// <summary>
    /// Routes every notification and server request whose <c>params.threadId</c> is
    /// <paramref name="threadId"/> to the returned reader until the subscription is disposed.
    /// The reader's continuations run synchronously on the read loop's thread, so a subscriber must
    /// never block synchronously (everything downstream of it is async, down to the HTTP response).
    /// </summary>
    public ThreadSubscription Subscribe(string threadId)
    {
        ThrowIfTerminated();
        var channel = Channel.CreateUnbounded<IncomingMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = true });
        if (!_threads.TryAdd(threadId, channel))
        {
            throw new InvalidOperationException($"Thread {threadId} already has a subscriber.");
        }

        if (_terminalError is { } error)
        {
            channel.Writer.TryComplete(error);
        }

        return new ThreadSubscription(this, threadId, channel.Reader);
    }

    internal void Unsubscribe(string threadId)
    {
        if (_threads.TryRemove(threadId, out var channel))
        {
            channel.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new BackendException(BackendErrorKind.Unavailable, "The app-server connection was closed."));
        if (_readLoop is not null)
        {
            try
            {
                await _readLoop.WaitAsync(TimeSpan.FromSeconds(5), _timeProvider);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException or IOException or ObjectDisposedException)
            {
                // The stream owner (the process) closes the pipes; the loop ends with them.
            }
        }

        _jsonWriter.Dispose();
        _writeLock.Dispose();
    }

    private void ThrowIfTerminated()
    {
        if (_terminalError is { } error)
        {
            throw new BackendException(error.Kind, error.Message, error);
        }
    }

    private async Task WriteMessageAsync<TParams>(long? id, string method, TParams? parameters, JsonTypeInfo<TParams>? paramsType, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            StartEnvelope();
            if (id is { } value)
            {
                _jsonWriter.WriteNumber("id"u8, value);
            }

            _jsonWriter.WriteString("method"u8, method);
            if (paramsType is not null)
            {
                _jsonWriter.WritePropertyName("params"u8);
                JsonSerializer.Serialize(_jsonWriter, parameters!, paramsType);
            }

            _jsonWriter.WriteEndObject();
            await FlushLineAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task WriteResponseAsync(JsonElement requestId, Action<Utf8JsonWriter>? writeResult, int? errorCode, string? errorMessage, CancellationToken cancellationToken)
    {
        if (_terminalError is not null)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            StartEnvelope();
            _jsonWriter.WritePropertyName("id"u8);
            requestId.WriteTo(_jsonWriter);
            if (writeResult is not null)
            {
                _jsonWriter.WritePropertyName("result"u8);
                writeResult(_jsonWriter);
            }
            else
            {
                _jsonWriter.WriteStartObject("error"u8);
                _jsonWriter.WriteNumber("code"u8, errorCode ?? -32603);
                _jsonWriter.WriteString("message"u8, errorMessage ?? "error");
                _jsonWriter.WriteEndObject();
            }

            _jsonWriter.WriteEndObject();
            await FlushLineAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Starts a message in the reused buffer: <c>{"jsonrpc":"2.0"</c>. Call under the write lock.</summary>
    private void StartEnvelope()
    {
        _writeBuffer.ResetWrittenCount();
        _jsonWriter.Reset(_writeBuffer);
        _jsonWriter.WriteStartObject();
        _jsonWriter.WriteString("jsonrpc"u8, JsonRpcVersion);
    }

    private async Task FlushLineAsync(CancellationToken cancellationToken)
    {
        _jsonWriter.Flush();
        _writeBuffer.Write("\n"u8);
        try
        {
            await _output.WriteAsync(_writeBuffer.WrittenMemory, cancellationToken);
            await _output.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            var error = new BackendException(BackendErrorKind.Unavailable, "The app-server is not accepting input (stdin closed).", ex);
            Fail(error);
            throw error;
        }
    }

    /// <summary>
    /// Reads stdout with blocking reads into one buffer (grown for long lines) and handles each line
    /// as it completes. Runs on a dedicated thread: a thread's events are handed to its subscriber
    /// synchronously (<see cref="Subscribe"/>), so a delta goes from this read to the HTTP response
    /// without waking another thread.
    /// </summary>
    private void ReadLoop()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        int start = 0, end = 0, scanned = 0;
        Exception? failure = null;
        try
        {
            while (true)
            {
                if (end == buffer.Length)
                {
                    if (start > 0)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        (scanned, end, start) = (scanned - start, end - start, 0);
                    }
                    else
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        Buffer.BlockCopy(buffer, 0, larger, 0, end);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                }

                var read = _input.Read(buffer, end, buffer.Length - end);
                if (read == 0)
                {
                    if (end > start)
                    {
                        ProcessLine(new ReadOnlySequence<byte>(buffer, start, end - start));
                    }

                    break;
                }

                end += read;
                while (true)
                {
                    var newline = buffer.AsSpan(scanned, end - scanned).IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        scanned = end;
                        break;
                    }

                    var lineEnd = scanned + newline;
                    ProcessLine(new ReadOnlySequence<byte>(buffer, start, lineEnd - start));
                    start = scanned = lineEnd + 1;
                }

                if (start == end)
                {
                    start = end = scanned = 0;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            failure = ex;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            var detail = TerminationDetail ?? "The app-server closed its output (the process exited).";
            Fail(new BackendException(BackendErrorKind.Unavailable, detail, failure));
            _completion.TrySetResult();
        }
    }

    private void ProcessLine(ReadOnlySequence<byte> line)
    {
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == (byte)'\r')
        {
            line = line.Slice(0, line.Length - 1);
        }

        if (IsBlank(line))
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            Interlocked.Increment(ref _malformedLines);
            Log.MalformedLine(_logger, line.Length, ex.Message);
            return;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Interlocked.Increment(ref _malformedLines);
                Log.MalformedLine(_logger, line.Length, "not a JSON object");
                return;
            }

            var hasMethod = root.TryGetProperty("method"u8, out var methodElement) && methodElement.ValueKind == JsonValueKind.String;
            var hasId = root.TryGetProperty("id"u8, out var idElement) && idElement.ValueKind is JsonValueKind.Number or JsonValueKind.String;
            if (!hasMethod)
            {
                if (hasId)
                {
                    CompleteCall(root, idElement);
                }
                else
                {
                    Interlocked.Increment(ref _malformedLines);
                    Log.MalformedLine(_logger, line.Length, "neither a response nor a notification");
                }

                return;
            }

            var parameters = root.TryGetProperty("params"u8, out var p) ? p.Clone() : default;
            var message = new IncomingMessage(methodElement.GetString()!, parameters, hasId ? idElement.Clone() : null);
            Route(message);
        }
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private void CompleteCall(JsonElement root, JsonElement idElement)
    {
        if (idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var id) || !_pending.TryGetValue(id, out var call))
        {
            Log.UnknownResponse(_logger, idElement.GetRawText());
            return;
        }

        if (root.TryGetProperty("error"u8, out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = error.TryGetProperty("code"u8, out var c) && c.TryGetInt32(out var ci) ? ci : 0;
            var text = error.TryGetProperty("message"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "unknown error";
            JsonElement? data = error.TryGetProperty("data"u8, out var d) ? d.Clone() : null;
            call.Completion.TrySetException(new JsonRpcRemoteException(call.Method, code, text, data));
            return;
        }

        var result = root.TryGetProperty("result"u8, out var r) ? r.Clone() : default;
        call.Completion.TrySetResult(result);
    }

    private void Route(IncomingMessage message)
    {
        var threadId = ThreadIdOf(message.Params);
        if (threadId is not null && _threads.TryGetValue(threadId, out var channel) && channel.Writer.TryWrite(message))
        {
            return;
        }

        if (message.IsRequest)
        {
            var answer = _answerUnroutedRequest(message);
            Log.AnsweredServerRequest(_logger, message.Method, answer.IsError);
            _ = AnswerAsync(message.RequestId!.Value, answer);
            return;
        }

        UnroutedNotification?.Invoke(message);
    }

    /// <summary>Answers a server→client request; a dead connection is ignored (nobody waits for the answer).</summary>
    public async Task AnswerAsync(JsonElement requestId, ServerRequestAnswer answer)
    {
        try
        {
            if (answer.IsError)
            {
                await RespondErrorAsync(requestId, answer.ErrorCode, answer.ErrorMessage!, CancellationToken.None);
            }
            else
            {
                await WriteResponseAsync(requestId, answer.WriteResult, null, null, CancellationToken.None);
            }
        }
        catch (BackendException)
        {
            // The process is gone; nothing is waiting for the answer any more.
        }
    }

    private static string? ThreadIdOf(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (parameters.TryGetProperty("threadId"u8, out var id) && id.ValueKind == JsonValueKind.String)
        {
            return id.GetString();
        }

        return parameters.TryGetProperty("thread"u8, out var thread) && thread.ValueKind == JsonValueKind.Object
            && thread.TryGetProperty("id"u8, out var nested) && nested.ValueKind == JsonValueKind.String
            ? nested.GetString()
            : null;
    }

    private void Fail(BackendException error)
    {
        _terminalError ??= error;
        foreach (var (id, call) in _pending)
        {
            call.Completion.TrySetException(_terminalError);
            _pending.TryRemove(id, out _);
        }

        foreach (var (threadId, channel) in _threads)
        {
            channel.Writer.TryComplete(_terminalError);
            _threads.TryRemove(threadId, out _);
        }
    }

    private sealed class PendingCall(string method)
    {
        public string Method { get; } = method;

        public TaskCompletionSource<JsonElement> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static partial class Log
    {
        [LoggerMessage(410, LogLevel.Warning, "Skipped a malformed line from the app-server ({Length} bytes): {Reason}", EventName = "MalformedLine")]
        public static partial void MalformedLine(ILogger logger, long length, string reason);

        [LoggerMessage(411, LogLevel.Debug, "Response with unknown id {Id} ignored", EventName = "UnknownResponse")]
        public static partial void UnknownResponse(ILogger logger, string id);

        [LoggerMessage(412, LogLevel.Warning, "The app-server did not answer {Method} (id {Id}) within {Timeout}", EventName = "CallTimedOut")]
        public static partial void CallTimedOut(ILogger logger, string method, long id, TimeSpan timeout);

        [LoggerMessage(413, LogLevel.Debug, "Answered server request {Method} (error: {IsError})", EventName = "AnsweredServerRequest")]
        public static partial void AnsweredServerRequest(ILogger logger, string method, bool isError);
    }
}
