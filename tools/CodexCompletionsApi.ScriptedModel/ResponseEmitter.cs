using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>
/// Writes one Responses API SSE stream (<c>event: T\ndata: {"type":"T","sequence_number":n,…}\n\n</c>, flushed per event)
/// straight to the response's <see cref="PipeWriter"/>, and keeps the done items for the terminal event.
/// </summary>
internal sealed class ResponseEmitter : IDisposable
{
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText SequenceNumber = JsonEncodedText.Encode("sequence_number");
    private static readonly JsonEncodedText ItemId = JsonEncodedText.Encode("item_id");
    private static readonly JsonEncodedText OutputIndex = JsonEncodedText.Encode("output_index");
    private static readonly JsonEncodedText ContentIndex = JsonEncodedText.Encode("content_index");
    private static readonly JsonEncodedText SummaryIndex = JsonEncodedText.Encode("summary_index");
    private static readonly JsonEncodedText Delta = JsonEncodedText.Encode("delta");
    private static readonly JsonEncodedText Text = JsonEncodedText.Encode("text");

    private static readonly JsonEncodedText Created = JsonEncodedText.Encode("response.created");
    private static readonly JsonEncodedText InProgress = JsonEncodedText.Encode("response.in_progress");
    private static readonly JsonEncodedText Completed = JsonEncodedText.Encode("response.completed");
    private static readonly JsonEncodedText Incomplete = JsonEncodedText.Encode("response.incomplete");
    private static readonly JsonEncodedText Failed = JsonEncodedText.Encode("response.failed");
    private static readonly JsonEncodedText OutputItemAdded = JsonEncodedText.Encode("response.output_item.added");
    private static readonly JsonEncodedText OutputItemDone = JsonEncodedText.Encode("response.output_item.done");
    private static readonly JsonEncodedText ContentPartAdded = JsonEncodedText.Encode("response.content_part.added");
    private static readonly JsonEncodedText ContentPartDone = JsonEncodedText.Encode("response.content_part.done");
    private static readonly JsonEncodedText OutputTextDelta = JsonEncodedText.Encode("response.output_text.delta");
    private static readonly JsonEncodedText OutputTextDone = JsonEncodedText.Encode("response.output_text.done");
    private static readonly JsonEncodedText SummaryPartAdded = JsonEncodedText.Encode("response.reasoning_summary_part.added");
    private static readonly JsonEncodedText SummaryPartDone = JsonEncodedText.Encode("response.reasoning_summary_part.done");
    private static readonly JsonEncodedText SummaryTextDelta = JsonEncodedText.Encode("response.reasoning_summary_text.delta");
    private static readonly JsonEncodedText SummaryTextDone = JsonEncodedText.Encode("response.reasoning_summary_text.done");
    private static readonly JsonEncodedText ReasoningTextDelta = JsonEncodedText.Encode("response.reasoning_text.delta");
    private static readonly JsonEncodedText ReasoningTextDone = JsonEncodedText.Encode("response.reasoning_text.done");
    private static readonly JsonEncodedText ArgumentsDelta = JsonEncodedText.Encode("response.function_call_arguments.delta");
    private static readonly JsonEncodedText ArgumentsDone = JsonEncodedText.Encode("response.function_call_arguments.done");

    private static readonly TimeSpan AbortGrace = TimeSpan.FromMilliseconds(50);

    private readonly HttpResponse _response;
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _deltaDelay;
    private readonly CancellationToken _cancellationToken;
    private readonly List<OutputItem> _output = [];
    private readonly string _idSuffix;
    private readonly string _responseId;
    private readonly string _model;
    private readonly long _createdAt;
    private readonly int _inputBytes;
    private int _sequence;
    private int _deltas;
    private int _reasoningDeltas;

    public ResponseEmitter(
        HttpResponse response,
        int requestNumber,
        string model,
        int inputBytes,
        TimeSpan deltaDelay,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        _response = response;
        _pipe = response.BodyWriter;
        _json = new Utf8JsonWriter(_pipe, OpenAIErrors.WriterOptions);
        _idSuffix = requestNumber.ToString("D6", CultureInfo.InvariantCulture);
        _responseId = "resp_" + _idSuffix;
        _model = model;
        _inputBytes = inputBytes;
        _deltaDelay = deltaDelay;
        _timeProvider = timeProvider;
        _cancellationToken = cancellationToken;
        _createdAt = timeProvider.GetUtcNow().ToUnixTimeSeconds();
    }

    /// <summary>Sends the headers, <c>response.created</c> and <c>response.in_progress</c>.</summary>
    public async Task StartAsync()
    {
        _response.StatusCode = StatusCodes.Status200OK;
        _response.ContentType = "text/event-stream";
        _response.Headers.CacheControl = "no-cache";
        _response.Headers["x-request-id"] = "req_" + _idSuffix;
        WriteResponse(Begin(Created), "in_progress", includeOutput: false);
        await EndAsync();
        WriteResponse(Begin(InProgress), "in_progress", includeOutput: false);
        await EndAsync();
    }

    public Task DelayAsync(TimeSpan delay) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, _timeProvider, _cancellationToken) : Task.CompletedTask;

    /// <summary>Streams a complete assistant message item.</summary>
    public async Task MessageAsync(string text, int deltas, string doneStatus = "completed")
    {
        var (id, index) = await StartMessageAsync();
        await TextDeltasAsync(OutputTextDelta, id, index, ContentIndex, 0, text, TextSplitter.Split(text, deltas), reasoning: false);

        var w = Begin(OutputTextDone);
        WriteItemRef(w, id, index);
        w.WriteNumber(ContentIndex, 0);
        w.WriteString(Text, text);
        await EndAsync();

        w = Begin(ContentPartDone);
        WriteItemRef(w, id, index);
        w.WriteNumber(ContentIndex, 0);
        w.WritePropertyName("part");
        WriteOutputTextPart(w, text);
        await EndAsync();

        await ItemDoneAsync(index, new MessageItem(id, text, doneStatus));
    }

    /// <summary>Starts a message item and streams the first <paramref name="sendDeltas"/> of <paramref name="deltas"/> deltas, then stops.</summary>
    public async Task PartialMessageAsync(string text, int deltas, int sendDeltas)
    {
        var (id, index) = await StartMessageAsync();
        var chunks = TextSplitter.Split(text, deltas);
        await TextDeltasAsync(OutputTextDelta, id, index, ContentIndex, 0, text, chunks[..Math.Min(sendDeltas, chunks.Length)], reasoning: false);
    }

    public async Task ReasoningAsync(IReadOnlyList<string> summary, string? reasoningText, int deltas)
    {
        var index = _output.Count;
        var id = $"rs_{_idSuffix}_{index}";
        var w = Begin(OutputItemAdded);
        w.WriteNumber(OutputIndex, index);
        w.WriteStartObject("item");
        w.WriteString(Type, "reasoning");
        w.WriteString("id", id);
        w.WriteStartArray("summary");
        w.WriteEndArray();
        w.WriteEndObject();
        await EndAsync();

        for (var i = 0; i < summary.Count; i++)
        {
            w = Begin(SummaryPartAdded);
            WriteItemRef(w, id, index);
            w.WriteNumber(SummaryIndex, i);
            w.WritePropertyName("part");
            WriteTextPart(w, "summary_text", "");
            await EndAsync();

            await TextDeltasAsync(SummaryTextDelta, id, index, SummaryIndex, i, summary[i], TextSplitter.Split(summary[i], deltas), reasoning: true);

            w = Begin(SummaryTextDone);
            WriteItemRef(w, id, index);
            w.WriteNumber(SummaryIndex, i);
            w.WriteString(Text, summary[i]);
            await EndAsync();

            w = Begin(SummaryPartDone);
            WriteItemRef(w, id, index);
            w.WriteNumber(SummaryIndex, i);
            w.WritePropertyName("part");
            WriteTextPart(w, "summary_text", summary[i]);
            await EndAsync();
        }

        if (reasoningText is not null)
        {
            await TextDeltasAsync(ReasoningTextDelta, id, index, ContentIndex, 0, reasoningText, TextSplitter.Split(reasoningText, deltas), reasoning: true);
            w = Begin(ReasoningTextDone);
            WriteItemRef(w, id, index);
            w.WriteNumber(ContentIndex, 0);
            w.WriteString(Text, reasoningText);
            await EndAsync();
        }

        var encrypted = Convert.ToBase64String(Encoding.UTF8.GetBytes("scripted-model reasoning " + id));
        await ItemDoneAsync(index, new ReasoningItem(id, summary, reasoningText, encrypted));
    }

    public async Task FunctionCallAsync(ScriptedCall call, string callId, int deltas)
    {
        var index = _output.Count;
        var item = new FunctionCallItem($"fc_{_idSuffix}_{index}", callId, call);
        var w = Begin(OutputItemAdded);
        w.WriteNumber(OutputIndex, index);
        w.WritePropertyName("item");
        item.Write(w, "", "in_progress");
        await EndAsync();

        foreach (var range in TextSplitter.Split(call.Arguments, deltas))
        {
            await PaceAsync(reasoning: false);
            w = Begin(ArgumentsDelta);
            WriteItemRef(w, item.Id, index);
            w.WriteString(Delta, call.Arguments.AsSpan()[range]);
            await EndAsync();
        }

        w = Begin(ArgumentsDone);
        WriteItemRef(w, item.Id, index);
        w.WriteString("arguments", call.Arguments);
        await EndAsync();

        await ItemDoneAsync(index, item);
    }

    /// <summary>The default call id for the <paramref name="index"/>th call of this response: <c>call_&lt;request&gt;_&lt;index&gt;</c>.</summary>
    public string DefaultCallId(int index) => $"call_{_idSuffix}_{index.ToString(CultureInfo.InvariantCulture)}";

    public async Task CompletedAsync(UsageOverride? usage)
    {
        var w = Begin(Completed);
        WriteResponse(w, "completed", includeOutput: true, usage: usage ?? new UsageOverride(null, null, null, null));
        await EndAsync();
    }

    public async Task IncompleteAsync(UsageOverride? usage)
    {
        var w = Begin(Incomplete);
        WriteResponse(w, "incomplete", includeOutput: true, usage: usage ?? new UsageOverride(null, null, null, null), incompleteReason: "max_output_tokens");
        await EndAsync();
    }

    public async Task FailedAsync(string code, string message)
    {
        var w = Begin(Failed);
        WriteResponse(w, "failed", includeOutput: true, error: (code, message));
        await EndAsync();
    }

    /// <summary>Waits until the request is cancelled (client gone or server stopping).</summary>
    public Task StallAsync() => Task.Delay(Timeout.InfiniteTimeSpan, _timeProvider, _cancellationToken);

    /// <summary>Drops the connection without a terminal event or the final chunk.</summary>
    /// <remarks>
    /// Kestrel's abort discards bytes its transport has not written to the socket yet, although they were flushed;
    /// a short grace period lets the deltas reach the client first.
    /// </remarks>
    public async Task AbortAsync()
    {
        await Task.Delay(AbortGrace, _timeProvider, _cancellationToken);
        _response.HttpContext.Abort();
    }

    public void Dispose() => _json.Dispose();

    private async Task<(string Id, int Index)> StartMessageAsync()
    {
        var index = _output.Count;
        var id = $"msg_{_idSuffix}_{index}";
        var w = Begin(OutputItemAdded);
        w.WriteNumber(OutputIndex, index);
        w.WritePropertyName("item");
        MessageItem.Write(w, id, "in_progress", text: null);
        await EndAsync();

        w = Begin(ContentPartAdded);
        WriteItemRef(w, id, index);
        w.WriteNumber(ContentIndex, 0);
        w.WritePropertyName("part");
        WriteOutputTextPart(w, "");
        await EndAsync();
        return (id, index);
    }

    private async Task TextDeltasAsync(
        JsonEncodedText type,
        string id,
        int index,
        JsonEncodedText partIndexName,
        int partIndex,
        string text,
        Range[] chunks,
        bool reasoning)
    {
        foreach (var range in chunks)
        {
            await PaceAsync(reasoning);
            var w = Begin(type);
            WriteItemRef(w, id, index);
            w.WriteNumber(partIndexName, partIndex);
            w.WriteString(Delta, text.AsSpan()[range]);
            await EndAsync();
        }
    }

    private async Task ItemDoneAsync(int index, OutputItem item)
    {
        var w = Begin(OutputItemDone);
        w.WriteNumber(OutputIndex, index);
        w.WritePropertyName("item");
        item.Write(w);
        await EndAsync();
        _output.Add(item);
    }

    // The delay goes between two deltas of the response, whatever their kind.
    private async ValueTask PaceAsync(bool reasoning)
    {
        if (_deltas > 0 && _deltaDelay > TimeSpan.Zero)
        {
            await Task.Delay(_deltaDelay, _timeProvider, _cancellationToken);
        }

        _deltas++;
        if (reasoning)
        {
            _reasoningDeltas++;
        }
    }

    private Utf8JsonWriter Begin(JsonEncodedText type)
    {
        _pipe.Write("event: "u8);
        _pipe.Write(type.EncodedUtf8Bytes);
        _pipe.Write("\ndata: "u8);
        _json.Reset(_pipe);
        _json.WriteStartObject();
        _json.WriteString(Type, type);
        _json.WriteNumber(SequenceNumber, _sequence++);
        return _json;
    }

    private async ValueTask EndAsync()
    {
        _json.WriteEndObject();
        _json.Flush();
        _pipe.Write("\n\n"u8);
        var result = await _pipe.FlushAsync(_cancellationToken);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new OperationCanceledException("The client stopped reading the stream.");
        }
    }

    private void WriteResponse(
        Utf8JsonWriter w,
        string status,
        bool includeOutput,
        UsageOverride? usage = null,
        string? incompleteReason = null,
        (string Code, string Message)? error = null)
    {
        w.WriteStartObject("response");
        w.WriteString("id", _responseId);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", _createdAt);
        w.WriteString("status", status);
        w.WriteString("model", _model);
        w.WriteStartArray("output");
        if (includeOutput)
        {
            foreach (var item in _output)
            {
                item.Write(w);
            }
        }

        w.WriteEndArray();
        if (incompleteReason is not null)
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", incompleteReason);
            w.WriteEndObject();
        }

        if (error is { } e)
        {
            w.WriteStartObject("error");
            w.WriteString("code", e.Code);
            w.WriteString("message", e.Message);
            w.WriteEndObject();
        }

        if (usage is not null)
        {
            WriteUsage(w, usage);
        }

        w.WriteEndObject();
    }

    // Deterministic usage: input = ceil(bytes of the raw "input" JSON / 4); output = all deltas; reasoning = reasoning deltas.
    private void WriteUsage(Utf8JsonWriter w, UsageOverride usage)
    {
        var input = usage.InputTokens ?? (int)((_inputBytes + 3L) / 4);
        var output = usage.OutputTokens ?? _deltas;
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", input);
        w.WriteStartObject("input_tokens_details");
        w.WriteNumber("cached_tokens", usage.CachedTokens ?? 0);
        w.WriteEndObject();
        w.WriteNumber("output_tokens", output);
        w.WriteStartObject("output_tokens_details");
        w.WriteNumber("reasoning_tokens", usage.ReasoningTokens ?? _reasoningDeltas);
        w.WriteEndObject();
        w.WriteNumber("total_tokens", (long)input + output);
        w.WriteEndObject();
    }

    private static void WriteItemRef(Utf8JsonWriter w, string id, int index)
    {
        w.WriteString(ItemId, id);
        w.WriteNumber(OutputIndex, index);
    }

    private static void WriteTextPart(Utf8JsonWriter w, string type, string text)
    {
        w.WriteStartObject();
        w.WriteString(Type, type);
        w.WriteString(Text, text);
        w.WriteEndObject();
    }

    private static void WriteOutputTextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString(Type, "output_text");
        w.WriteString(Text, text);
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private abstract class OutputItem
    {
        public abstract void Write(Utf8JsonWriter w);
    }

    private sealed class MessageItem(string id, string text, string status) : OutputItem
    {
        public static void Write(Utf8JsonWriter w, string id, string status, string? text)
        {
            w.WriteStartObject();
            w.WriteString(Type, "message");
            w.WriteString("id", id);
            w.WriteString("status", status);
            w.WriteString("role", "assistant");
            w.WriteStartArray("content");
            if (text is not null)
            {
                WriteOutputTextPart(w, text);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        public override void Write(Utf8JsonWriter w) => Write(w, id, status, text);
    }

    private sealed class ReasoningItem(string id, IReadOnlyList<string> summary, string? reasoningText, string encryptedContent) : OutputItem
    {
        public override void Write(Utf8JsonWriter w)
        {
            w.WriteStartObject();
            w.WriteString(Type, "reasoning");
            w.WriteString("id", id);
            w.WriteStartArray("summary");
            foreach (var part in summary)
            {
                WriteTextPart(w, "summary_text", part);
            }

            w.WriteEndArray();
            if (reasoningText is not null)
            {
                w.WriteStartArray("content");
                WriteTextPart(w, "reasoning_text", reasoningText);
                w.WriteEndArray();
            }

            w.WriteString("encrypted_content", encryptedContent);
            w.WriteEndObject();
        }
    }

    private sealed class FunctionCallItem(string id, string callId, ScriptedCall call) : OutputItem
    {
        public string Id => id;

        public override void Write(Utf8JsonWriter w) => Write(w, call.Arguments, "completed");

        public void Write(Utf8JsonWriter w, string arguments, string status)
        {
            w.WriteStartObject();
            w.WriteString(Type, "function_call");
            w.WriteString("id", id);
            w.WriteString("call_id", callId);
            w.WriteString("name", call.Name);
            if (call.Namespace is not null)
            {
                w.WriteString("namespace", call.Namespace);
            }

            w.WriteString("arguments", arguments);
            w.WriteString("status", status);
            w.WriteEndObject();
        }
    }
}
