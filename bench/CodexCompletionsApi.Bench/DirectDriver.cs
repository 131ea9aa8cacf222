using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace CodexCompletionsApi.Bench;

/// <summary>
/// The baseline: a minimal JSON-RPC 2.0 client of its own <c>codex app-server</c> (newline-delimited
/// JSON over stdio; one writer under a lock, one read loop, a pending-call map, notifications routed
/// by <c>threadId</c>). Per request it does what the service does: <c>thread/start</c>
/// <c>{ephemeral, model, baseInstructions:""}</c>, <c>turn/start {input:[text]}</c>,
/// <c>item/agentMessage/delta</c> until <c>turn/completed</c>, then <c>thread/unsubscribe</c>.
/// </summary>
internal sealed class DirectDriver : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly ConcurrentDictionary<string, Channel<DirectEvent>> _threads = new(StringComparer.Ordinal);
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Queue<string> _stderrTail = new();
    private readonly Task _readLoop;
    private readonly Task _stderrLoop;
    private long _nextId;
    private long _unroutedNotifications;
    private int _inFlight;
    private volatile string? _terminalError;

    private DirectDriver(Process process)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _readLoop = Task.Run(ReadLoopAsync);
        _stderrLoop = Task.Run(StderrLoopAsync);
    }

    public int Pid => _process.Id;

    /// <summary>The <c>initialize</c> result's <c>userAgent</c> (it names the CLI version).</summary>
    public string? UserAgent { get; private set; }

    public long UnroutedNotifications => Interlocked.Read(ref _unroutedNotifications);

    /// <summary>Requests running on this worker now (for least-loaded routing).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The worker's <c>CODEX_HOME</c> (for its disk growth per turn).</summary>
    public string? Home { get; private init; }

    private enum EventKind
    {
        Delta,
        Completed,
    }

    private readonly record struct DirectEvent(EventKind Kind, string Text, long Timestamp, string? Error);

    public static DirectDriver Start(LaunchPlan plan)
    {
        var psi = new ProcessStartInfo(plan.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = plan.WorkingDirectory,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        };
        foreach (var argument in plan.Arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment.Clear();
        foreach (var (key, value) in plan.Environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {plan.FileName}.");
        return new DirectDriver(process) { Home = plan.Environment.GetValueOrDefault("CODEX_HOME") };
    }

    /// <summary>
    /// The service's handshake: <c>initialize</c> (experimental API, the same opt-outs),
    /// <c>initialized</c>, and <c>model/list</c>, which must list every catalog slug.
    /// </summary>
    public async Task HandshakeAsync(IReadOnlyList<string> optOutNotifications, IReadOnlyCollection<string> expectedModels, CancellationToken cancellationToken)
    {
        var init = await CallAsync("initialize", w =>
        {
            w.WriteStartObject("clientInfo");
            w.WriteString("name", "codex_completions_api");
            w.WriteString("version", "bench");
            w.WriteString("title", "codex-completions-api");
            w.WriteEndObject();
            w.WriteStartObject("capabilities");
            w.WriteBoolean("experimentalApi", true);
            w.WriteStartArray("optOutNotificationMethods");
            foreach (var method in optOutNotifications)
            {
                w.WriteStringValue(method);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }, TimeSpan.FromSeconds(20), cancellationToken);
        UserAgent = init.TryGetProperty("userAgent"u8, out var ua) ? ua.GetString() : null;
        await WriteMessageAsync(id: null, "initialized", writeParams: null, cancellationToken);

        var models = await CallAsync("model/list", _ => { }, TimeSpan.FromSeconds(20), cancellationToken);
        var advertised = new HashSet<string>(StringComparer.Ordinal);
        if (models.TryGetProperty("data"u8, out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in data.EnumerateArray())
            {
                if (entry.TryGetProperty("model"u8, out var slug) && slug.ValueKind == JsonValueKind.String)
                {
                    advertised.Add(slug.GetString()!);
                }
            }
        }

        var missing = expectedModels.Where(m => !advertised.Contains(m)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The direct app-server did not load the model catalog; missing: {string.Join(", ", missing)}.");
        }
    }

    /// <summary>One request, exactly as the service runs a turn (see the class summary).</summary>
    public async Task<RequestResult> RunTurnAsync(string model, string text, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = new RequestResult { Started = Stopwatch.GetTimestamp() };
        Interlocked.Increment(ref _inFlight);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var ct = deadline.Token;
        string? threadId = null;
        Channel<DirectEvent>? channel = null;
        try
        {
            var thread = await CallAsync("thread/start", w =>
            {
                w.WriteBoolean("ephemeral", true);
                w.WriteString("model", model);
                w.WriteString("baseInstructions", string.Empty);
                w.WriteString("approvalPolicy", "never");
                w.WriteString("sandbox", "read-only");
            }, CallTimeout, ct);
            result.ThreadStarted = Stopwatch.GetTimestamp();
            threadId = thread.GetProperty("thread"u8).GetProperty("id"u8).GetString()
                ?? throw new InvalidOperationException("thread/start returned no thread id.");
            channel = Channel.CreateUnbounded<DirectEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            _threads[threadId] = channel;

            await CallAsync("turn/start", w =>
            {
                w.WriteString("threadId", threadId);
                w.WriteStartArray("input");
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", text);
                w.WriteEndObject();
                w.WriteEndArray();
            }, CallTimeout, ct);

            var reply = new StringBuilder();
            long previous = 0;
            await foreach (var e in channel.Reader.ReadAllAsync(ct))
            {
                if (e.Kind == EventKind.Delta)
                {
                    reply.Append(e.Text);
                    result.AddDelta(e.Text, e.Timestamp, ref previous);
                    continue;
                }

                result.TurnCompleted = e.Timestamp;
                if (e.Text != "completed")
                {
                    result.Error = $"turn {e.Text}: {e.Error}";
                }

                break;
            }

            if (result.TurnCompleted == 0 && result.Error is null)
            {
                result.Error = _terminalError ?? "the app-server closed the thread before turn/completed";
            }

            result.Reply = reply.ToString();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result.Error = $"timed out after {timeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is InvalidOperationException or JsonRpcError or IOException or KeyNotFoundException or ChannelClosedException)
        {
            result.Error = ex.Message;
        }
        finally
        {
            if (threadId is not null)
            {
                _threads.TryRemove(threadId, out _);
                try
                {
                    // The service answers its client only after this (its finally block), so it counts.
                    await CallAsync("thread/unsubscribe", w => w.WriteString("threadId", threadId), CallTimeout, CancellationToken.None);
                }
                catch (Exception ex) when (ex is InvalidOperationException or JsonRpcError or IOException or OperationCanceledException)
                {
                    result.Error ??= $"thread/unsubscribe: {ex.Message}";
                }
            }

            result.Finished = Stopwatch.GetTimestamp();
            Interlocked.Decrement(ref _inFlight);
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _stdin.Close(); // the app-server exits within milliseconds when stdin closes
        }
        catch (IOException)
        {
            // already gone
        }

        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        await Task.WhenAny(Task.WhenAll(_readLoop, _stderrLoop), Task.Delay(TimeSpan.FromSeconds(2)));
        _process.Dispose();
        _writeLock.Dispose();
    }

    /// <summary>The last stderr lines, for error messages.</summary>
    public string StderrTail()
    {
        lock (_stderrTail)
        {
            return string.Join(" | ", _stderrTail);
        }
    }

    private async Task<JsonElement> CallAsync(string method, Action<Utf8JsonWriter> writeParams, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var pending = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = pending;
        try
        {
            if (_terminalError is { } error)
            {
                throw new IOException(error);
            }

            await WriteMessageAsync(id, method, writeParams, cancellationToken);
            return await pending.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new InvalidOperationException($"{method} got no answer within {timeout.TotalSeconds:0} s.");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task WriteMessageAsync(long? id, string method, Action<Utf8JsonWriter>? writeParams, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            _buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(_buffer))
            {
                w.WriteStartObject();
                w.WriteString("jsonrpc", "2.0");
                if (id is { } value)
                {
                    w.WriteNumber("id", value);
                }

                w.WriteString("method", method);
                if (writeParams is not null)
                {
                    w.WriteStartObject("params");
                    writeParams(w);
                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            _buffer.Write("\n"u8);
            await _stdin.WriteAsync(_buffer.WrittenMemory, CancellationToken.None);
            await _stdin.FlushAsync(CancellationToken.None);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var reader = PipeReader.Create(_process.StandardOutput.BaseStream, new StreamPipeReaderOptions(bufferSize: 64 * 1024));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync();
                var buffer = read.Buffer;
                while (TryReadLine(ref buffer, out var line))
                {
                    Dispatch(line, Stopwatch.GetTimestamp());
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (IOException ex)
        {
            _terminalError = $"the direct app-server's stdout failed: {ex.Message}";
        }
        finally
        {
            await reader.CompleteAsync();
            _terminalError ??= $"the direct app-server exited; stderr: {StderrTail()}";
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new IOException(_terminalError));
            }

            foreach (var channel in _threads.Values)
            {
                channel.Writer.TryComplete();
            }
        }
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private void Dispatch(ReadOnlySequence<byte> line, long timestamp)
    {
        if (line.IsEmpty)
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            return; // the app-server never writes non-JSON to stdout; ignore like the service does
        }

        using (document)
        {
            var root = document.RootElement;
            var hasMethod = root.TryGetProperty("method"u8, out var method);
            var hasId = root.TryGetProperty("id"u8, out var id);
            if (!hasMethod && hasId && id.TryGetInt64(out var responseId))
            {
                if (_pending.TryGetValue(responseId, out var pending))
                {
                    if (root.TryGetProperty("error"u8, out var error))
                    {
                        var message = error.TryGetProperty("message"u8, out var m) ? m.GetString() : error.GetRawText();
                        pending.TrySetException(new JsonRpcError(message ?? "error"));
                    }
                    else
                    {
                        pending.TrySetResult(root.TryGetProperty("result"u8, out var result) ? result.Clone() : default);
                    }
                }

                return;
            }

            if (hasMethod && hasId)
            {
                // A server request (approval, tool call, …): the lockdown makes these impossible for
                // echo replies; decline at once so nothing blocks.
                _ = DeclineAsync(id.Clone());
                return;
            }

            if (!hasMethod || !root.TryGetProperty("params"u8, out var parameters)
                || !parameters.TryGetProperty("threadId"u8, out var threadIdElement)
                || threadIdElement.GetString() is not { } threadId
                || !_threads.TryGetValue(threadId, out var channel))
            {
                Interlocked.Increment(ref _unroutedNotifications);
                return;
            }

            if (method.ValueEquals("item/agentMessage/delta"u8))
            {
                var delta = parameters.TryGetProperty("delta"u8, out var d) ? d.GetString() ?? string.Empty : string.Empty;
                channel.Writer.TryWrite(new DirectEvent(EventKind.Delta, delta, timestamp, null));
            }
            else if (method.ValueEquals("turn/completed"u8))
            {
                var turn = parameters.GetProperty("turn"u8);
                var status = turn.TryGetProperty("status"u8, out var s) ? s.GetString() ?? "unknown" : "unknown";
                var error = turn.TryGetProperty("error"u8, out var e) && e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message"u8, out var em) ? em.GetString() : null;
                channel.Writer.TryWrite(new DirectEvent(EventKind.Completed, status, timestamp, error));
            }
        }
    }

    private async Task DeclineAsync(JsonElement id)
    {
        await _writeLock.WaitAsync();
        try
        {
            _buffer.ResetWrittenCount();
            using (var w = new Utf8JsonWriter(_buffer))
            {
                w.WriteStartObject();
                w.WriteString("jsonrpc", "2.0");
                w.WritePropertyName("id");
                id.WriteTo(w);
                w.WriteStartObject("error");
                w.WriteNumber("code", -32601);
                w.WriteString("message", "not supported by the benchmark driver");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            _buffer.Write("\n"u8);
            await _stdin.WriteAsync(_buffer.WrittenMemory);
            await _stdin.FlushAsync();
        }
        catch (IOException)
        {
            // the process is gone
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task StderrLoopAsync()
    {
        try
        {
            while (await _process.StandardError.ReadLineAsync() is { } line)
            {
                lock (_stderrTail)
                {
                    _stderrTail.Enqueue(line.Length > 300 ? line[..300] : line);
                    while (_stderrTail.Count > 10)
                    {
                        _stderrTail.Dequeue();
                    }
                }
            }
        }
        catch (IOException)
        {
            // the process is gone
        }
    }

    /// <summary>A JSON-RPC error answer.</summary>
    private sealed class JsonRpcError(string message) : Exception(message);
}

/// <summary>
/// The direct path of the matrix: one worker, or several (<c>--direct-workers</c>) with each
/// request routed round-robin or to the worker with the fewest requests in flight.
/// </summary>
internal sealed class DirectPath(IReadOnlyList<DirectDriver> drivers, string model, bool leastLoaded) : IBenchPath
{
    private int _next = -1;

    public string Path => "direct";

    public string Mode => "rpc";

    public Task<RequestResult> SendAsync(string prompt, TimeSpan timeout, CancellationToken cancellationToken)
        => Pick().RunTurnAsync(model, prompt, timeout, cancellationToken);

    private DirectDriver Pick()
    {
        if (drivers.Count == 1)
        {
            return drivers[0];
        }

        var start = (int)((uint)Interlocked.Increment(ref _next) % (uint)drivers.Count);
        if (!leastLoaded)
        {
            return drivers[start];
        }

        // Fewest in flight; ties go round-robin so equal load spreads evenly.
        var best = drivers[start];
        for (var i = 1; i < drivers.Count; i++)
        {
            var candidate = drivers[(start + i) % drivers.Count];
            if (candidate.InFlight < best.InFlight)
            {
                best = candidate;
            }
        }

        return best;
    }
}
