using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodexCompletionsApi.Tests.Backend.AppServer;

/// <summary>
/// A <see cref="JsonRpcConnection"/> wired to in-memory pipes: the test plays the app-server,
/// writing its stdout and reading what the connection wrote to its stdin.
/// </summary>
internal sealed class RpcHarness : IAsyncDisposable
{
    /// <summary>Upper bound for every wait in these tests; nothing legitimate takes this long.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private readonly Pipe _childStdout = new(new PipeOptions(pauseWriterThreshold: 0));
    private readonly Pipe _childStdin = new(new PipeOptions(pauseWriterThreshold: 0));
    private bool _exited;

    public RpcHarness(TimeProvider? timeProvider = null, Func<IncomingMessage, ServerRequestAnswer>? policy = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        Connection = new JsonRpcConnection(
            _childStdout.Reader.AsStream(),
            _childStdin.Writer.AsStream(),
            NullLogger.Instance,
            TimeProvider,
            policy ?? (message => ServerRequestPolicy.Answer(message, TimeProvider)));
        Connection.Start();
    }

    public JsonRpcConnection Connection { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Writes raw bytes to the connection's input, as the child would.</summary>
    public async Task SendAsync(string text, CancellationToken cancellationToken)
    {
        await SendRawAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
    }

    /// <summary>Writes raw bytes (possibly part of a line or of a character).</summary>
    public async Task SendRawAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await _childStdout.Writer.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>Writes one newline-terminated line.</summary>
    public Task SendLineAsync(string json, CancellationToken cancellationToken) => SendAsync(json + "\n", cancellationToken);

    /// <summary>Closes the child's stdout, as when the process exits.</summary>
    public async Task ExitAsync()
    {
        _exited = true;
        await _childStdout.Writer.CompleteAsync();
    }

    /// <summary>Reads the next line the connection wrote, including its terminating <c>\n</c>.</summary>
    public async Task<byte[]> ReadRawLineAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Wait);
        var reader = _childStdin.Reader;
        while (true)
        {
            var read = await reader.ReadAsync(bounded.Token);
            var buffer = read.Buffer;
            if (buffer.PositionOf((byte)'\n') is { } newline)
            {
                var end = buffer.GetPosition(1, newline);
                var line = buffer.Slice(0, end).ToArray();
                reader.AdvanceTo(end);
                return line;
            }

            if (read.IsCompleted)
            {
                throw new InvalidOperationException("The connection's output ended without a complete line.");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Reads and parses the next message the connection wrote.</summary>
    public async Task<JsonElement> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var line = await ReadRawLineAsync(cancellationToken);
        using var document = JsonDocument.Parse(line);
        return document.RootElement.Clone();
    }

    /// <summary>Reads the next request the connection wrote and returns its id.</summary>
    public async Task<long> ReadRequestIdAsync(CancellationToken cancellationToken)
    {
        var message = await ReadMessageAsync(cancellationToken);
        return message.GetProperty("id").GetInt64();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_exited)
        {
            await ExitAsync();
        }

        await Connection.DisposeAsync();
        await _childStdin.Reader.CompleteAsync();
        await _childStdout.Reader.CompleteAsync();
        await _childStdin.Writer.CompleteAsync();
    }
}
