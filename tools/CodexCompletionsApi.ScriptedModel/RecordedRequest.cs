using System.Text;
using System.Text.Json;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>One request received by the scripted model, and how it ended.</summary>
public sealed class RecordedRequest
{
    private static readonly object NotJson = new();

    private readonly byte[] _body;
    private string? _bodyText;
    private object? _document;
    private volatile Finish? _finish;

    internal RecordedRequest(
        int sequence,
        string method,
        string path,
        IReadOnlyDictionary<string, string> headers,
        byte[] body,
        DateTimeOffset receivedAt)
    {
        Sequence = sequence;
        Method = method;
        Path = path;
        Headers = headers;
        _body = body;
        ReceivedAt = receivedAt;
    }

    /// <summary>Request number, from 1, unique for the server's lifetime (not reset by <see cref="ScriptedModelServer.ClearRequests"/>).</summary>
    public int Sequence { get; }

    public string Method { get; }

    /// <summary>Path and query string, e.g. <c>/v1/responses</c>.</summary>
    public string Path { get; }

    /// <summary>Request headers; names are lower case, repeated values are joined with <c>","</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    public DateTimeOffset ReceivedAt { get; }

    /// <summary>The body as UTF-8 bytes, after content-encoding was removed.</summary>
    public ReadOnlyMemory<byte> BodyBytes => _body;

    /// <summary>The body as a string.</summary>
    public string Body => _bodyText ??= Encoding.UTF8.GetString(_body);

    /// <summary>The body parsed as JSON, or <see langword="null"/> when it is empty or not JSON. Safe to keep.</summary>
    public JsonElement? Json
    {
        get
        {
            var parsed = Volatile.Read(ref _document);
            if (parsed is null)
            {
                try
                {
                    parsed = _body.Length == 0 ? NotJson : JsonDocument.Parse(_body);
                }
                catch (JsonException)
                {
                    parsed = NotJson;
                }

                parsed = Interlocked.CompareExchange(ref _document, parsed, null) ?? parsed;
            }

            return parsed is JsonDocument document ? document.RootElement : null;
        }
    }

    /// <summary>The JSON text of the <c>SCRIPT:</c> directive that was used, or <see langword="null"/> when there was none.</summary>
    public string? Directive { get; private set; }

    /// <summary>The reply kind that was played (<c>text</c>, <c>tool_calls</c>, …), or <see langword="null"/> when the request was not a model call.</summary>
    public string? Reply { get; private set; }

    public RequestOutcome Outcome => _finish?.Outcome ?? RequestOutcome.Pending;

    /// <summary>HTTP status sent (0 while pending or when the connection dropped before headers were sent).</summary>
    public int StatusCode => _finish?.StatusCode ?? 0;

    /// <summary>Why the request ended in <see cref="RequestOutcome.Error"/> or <see cref="RequestOutcome.ClientAborted"/>.</summary>
    public string? Error => _finish?.Error;

    public DateTimeOffset? FinishedAt => _finish?.At;

    public override string ToString() => $"#{Sequence} {Method} {Path} reply={Reply ?? "-"} outcome={Outcome}";

    internal void SetScript(string? directive, string reply)
    {
        Directive = directive;
        Reply = reply;
    }

    /// <returns><see langword="true"/> when this call set the outcome (only the first call does).</returns>
    internal bool TryFinish(RequestOutcome outcome, int statusCode, string? error, DateTimeOffset at) =>
        Interlocked.CompareExchange(ref _finish, new Finish(outcome, statusCode, error, at), null) is null;

    private sealed record Finish(RequestOutcome Outcome, int StatusCode, string? Error, DateTimeOffset At);
}
