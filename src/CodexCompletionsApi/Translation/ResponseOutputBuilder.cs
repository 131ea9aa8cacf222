using System.Text;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Contracts.OpenAI;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// Builds a Responses API response from a turn's output, one piece at a time, and returns the
/// streaming events each piece causes, in the canonical order (docs/responses.md). The streamed and
/// the non-streamed response come from the same builder, so the deltas always add up to the final
/// <c>output</c>. Pure: ids and times are passed in.
/// </summary>
/// <remarks>
/// Each Codex message becomes its own <c>message</c> item, each reasoning item a <c>reasoning</c> item
/// (summary parts streamed; raw reasoning text only in the item's <c>content</c>), each tool call a
/// <c>function_call</c> item (its whole arguments in one delta, even when empty). An item stays
/// open until output of another item arrives or the response ends.
/// </remarks>
public sealed class ResponseOutputBuilder(ResponseObject template, Func<string, string> newId)
{
    private readonly List<OutputItem> _items = [];
    private readonly List<ResponseStreamEvent> _events = [];
    private long _sequence;
    private OutputItem? _open;

    /// <summary>The response as it stands (in progress until <see cref="Finish"/> or <see cref="Fail"/>).</summary>
    public ResponseObject Current { get; private set; } = template with { Status = "in_progress", Output = [], OutputText = string.Empty, Usage = null, CompletedAt = null };

    /// <summary>Whether the response reached its terminal status.</summary>
    public bool IsTerminal => Current.Status is not "in_progress";

    /// <summary><c>response.created</c> and <c>response.in_progress</c>.</summary>
    public IReadOnlyList<ResponseStreamEvent> Start()
    {
        Emit(new ResponseStreamEvent { Type = "response.created", Response = Current });
        Emit(new ResponseStreamEvent { Type = "response.in_progress", Response = Current });
        return Drain();
    }

    /// <summary>
    /// Answer text of Codex message <paramref name="codexItemId"/>; null continues the open message
    /// (text the service adds itself, such as a canonical tool block).
    /// </summary>
    public IReadOnlyList<ResponseStreamEvent> Text(string? codexItemId, string text)
    {
        if (_open is not { Type: "message" } || (codexItemId is not null && _open.Key is not null && _open.Key != codexItemId))
        {
            CloseOpen("completed");
            var item = Open("message", "msg", codexItemId);
            Emit(new ResponseStreamEvent { Type = "response.output_item.added", OutputIndex = item.Index, Item = item.Snapshot("in_progress") });
            Emit(new ResponseStreamEvent { Type = "response.content_part.added", ItemId = item.Id, OutputIndex = item.Index, ContentIndex = 0, Part = ResponseContentPart.OutputText(string.Empty) });
        }

        _open!.Key ??= codexItemId;
        _open.Text.Append(text);
        Emit(new ResponseStreamEvent { Type = "response.output_text.delta", ItemId = _open.Id, OutputIndex = _open.Index, ContentIndex = 0, Delta = text, Logprobs = [] });
        return Drain();
    }

    /// <summary>Reasoning of Codex item <paramref name="codexItemId"/>: summary part <paramref name="part"/>, or raw text.</summary>
    public IReadOnlyList<ResponseStreamEvent> Reasoning(string? codexItemId, bool isSummary, int part, string text)
    {
        if (_open is not { Type: "reasoning" } || _open.Key != codexItemId)
        {
            CloseOpen("completed");
            var item = Open("reasoning", "rs", codexItemId);
            Emit(new ResponseStreamEvent { Type = "response.output_item.added", OutputIndex = item.Index, Item = item.Snapshot(null) });
        }

        var open = _open!;
        if (isSummary)
        {
            if (open.Summary.Count == 0 || open.SummaryPart != part)
            {
                CloseSummaryPart(open);
                open.Summary.Add(new StringBuilder());
                open.SummaryPart = part;
                Emit(new ResponseStreamEvent { Type = "response.reasoning_summary_part.added", ItemId = open.Id, OutputIndex = open.Index, SummaryIndex = open.Summary.Count - 1, Part = SummaryText(string.Empty) });
            }

            open.Summary[^1].Append(text);
            Emit(new ResponseStreamEvent { Type = "response.reasoning_summary_text.delta", ItemId = open.Id, OutputIndex = open.Index, SummaryIndex = open.Summary.Count - 1, Delta = text });
        }
        else
        {
            // Raw reasoning text goes into the item's content only: its delta events are not in the
            // Open Responses event set, and strict clients reject unknown events.
            open.Text.Append(text);
        }

        return Drain();
    }

    /// <summary>A complete function call: added, its arguments (one delta), done.</summary>
    public IReadOnlyList<ResponseStreamEvent> FunctionCall(string callId, string name, string arguments)
    {
        CloseOpen("completed");
        var item = Open("function_call", "fc", null);
        item.CallId = callId;
        item.Name = name;
        Emit(new ResponseStreamEvent { Type = "response.output_item.added", OutputIndex = item.Index, Item = item.Snapshot("in_progress") });
        item.Text.Append(arguments);
        Emit(new ResponseStreamEvent { Type = "response.function_call_arguments.delta", ItemId = item.Id, OutputIndex = item.Index, Delta = arguments });

        CloseOpen("completed");
        return Drain();
    }

    /// <summary>
    /// The turn finished: <c>stop</c>/<c>tool_calls</c> complete the response; <c>length</c> makes it
    /// incomplete (<c>max_output_tokens</c>), <c>content_filter</c> likewise.
    /// </summary>
    public IReadOnlyList<ResponseStreamEvent> Finish(string finishReason, TokenUsage usage, long completedAt)
    {
        var incomplete = finishReason switch
        {
            "length" => "max_output_tokens",
            "content_filter" => "content_filter",
            _ => null,
        };
        CloseOpen(incomplete is null ? "completed" : "incomplete");
        Current = Snapshot() with
        {
            Status = incomplete is null ? "completed" : "incomplete",
            IncompleteDetails = incomplete is null ? null : new IncompleteDetails(incomplete),
            CompletedAt = incomplete is null ? completedAt : null, // OpenAI: only when completed
            Usage = ToUsage(usage),
        };
        Emit(new ResponseStreamEvent { Type = incomplete is null ? "response.completed" : "response.incomplete", Response = Current });
        return Drain();
    }

    /// <summary>The turn failed: the open item is left incomplete and the response fails with <paramref name="error"/>.</summary>
    public IReadOnlyList<ResponseStreamEvent> Fail(ResponseError error)
    {
        CloseOpen("incomplete");
        Current = Snapshot() with { Status = "failed", Error = error };
        Emit(new ResponseStreamEvent { Type = "response.failed", Response = Current });
        return Drain();
    }

    public static ResponseUsage ToUsage(TokenUsage usage)
        => new(usage.InputTokens, new ResponseInputTokensDetails(usage.CachedInputTokens), usage.OutputTokens, new ResponseOutputTokensDetails(usage.ReasoningOutputTokens), usage.TotalTokens);

    private ResponseObject Snapshot()
    {
        var output = _items.Select(i => i.Snapshot(i.Status)).ToList();
        var text = string.Concat(output.Where(i => i.Type == "message").SelectMany(i => i.Content ?? []).Where(p => p.Type == "output_text").Select(p => p.Text));
        return Current with { Output = output, OutputText = text };
    }

    private OutputItem Open(string type, string prefix, string? key)
    {
        var item = new OutputItem(type, newId(prefix + "_"), _items.Count) { Key = key };
        _items.Add(item);
        _open = item;
        return item;
    }

    private void CloseOpen(string status)
    {
        if (_open is not { } item)
        {
            return;
        }

        _open = null;
        item.Status = item.Type == "reasoning" ? null : status;
        switch (item.Type)
        {
            case "message":
                var text = item.Text.ToString();
                Emit(new ResponseStreamEvent { Type = "response.output_text.done", ItemId = item.Id, OutputIndex = item.Index, ContentIndex = 0, Text = text, Logprobs = [] });
                Emit(new ResponseStreamEvent { Type = "response.content_part.done", ItemId = item.Id, OutputIndex = item.Index, ContentIndex = 0, Part = ResponseContentPart.OutputText(text) });
                break;
            case "reasoning":
                CloseSummaryPart(item);
                break;
            case "function_call":
                Emit(new ResponseStreamEvent { Type = "response.function_call_arguments.done", ItemId = item.Id, OutputIndex = item.Index, Name = item.Name, Arguments = item.Text.ToString() });
                break;
        }

        Emit(new ResponseStreamEvent { Type = "response.output_item.done", OutputIndex = item.Index, Item = item.Snapshot(item.Status) });
    }

    private void CloseSummaryPart(OutputItem item)
    {
        if (item.Summary.Count == 0 || item.SummaryClosed == item.Summary.Count)
        {
            return;
        }

        var index = item.Summary.Count - 1;
        var text = item.Summary[index].ToString();
        item.SummaryClosed = item.Summary.Count;
        Emit(new ResponseStreamEvent { Type = "response.reasoning_summary_text.done", ItemId = item.Id, OutputIndex = item.Index, SummaryIndex = index, Text = text });
        Emit(new ResponseStreamEvent { Type = "response.reasoning_summary_part.done", ItemId = item.Id, OutputIndex = item.Index, SummaryIndex = index, Part = SummaryText(text) });
    }

    private static ResponseContentPart SummaryText(string text) => new() { Type = "summary_text", Text = text };

    private void Emit(ResponseStreamEvent streamEvent)
    {
        streamEvent.SequenceNumber = _sequence++;
        _events.Add(streamEvent);
    }

    private List<ResponseStreamEvent> Drain()
    {
        var events = _events.ToList();
        _events.Clear();
        return events;
    }

    /// <summary>An output item under construction.</summary>
    private sealed class OutputItem(string type, string id, int index)
    {
        public string Type { get; } = type;

        public string Id { get; } = id;

        public int Index { get; } = index;

        /// <summary>The Codex item this output item mirrors, when known.</summary>
        public string? Key { get; set; }

        public string? Status { get; set; } = type == "reasoning" ? null : "in_progress";

        /// <summary>Message text, raw reasoning text, or function-call arguments.</summary>
        public StringBuilder Text { get; } = new();

        public List<StringBuilder> Summary { get; } = [];

        public int SummaryPart { get; set; } = -1;

        public int SummaryClosed { get; set; }

        public string? CallId { get; set; }

        public string? Name { get; set; }

        public ResponseItem Snapshot(string? status)
            => Type switch
            {
                "message" => new ResponseItem
                {
                    Type = Type,
                    Id = Id,
                    Status = status,
                    Role = "assistant",
                    Content = status == "in_progress" ? [] : [ResponseContentPart.OutputText(Text.ToString())],
                },
                "reasoning" => new ResponseItem
                {
                    Type = Type,
                    Id = Id,
                    Summary = [.. Summary.Select(s => SummaryText(s.ToString()))],
                    Content = Text.Length > 0 ? [new ResponseContentPart { Type = "reasoning_text", Text = Text.ToString() }] : null,
                },
                _ => new ResponseItem
                {
                    Type = Type,
                    Id = Id,
                    Status = status,
                    CallId = CallId,
                    Name = Name,
                    Arguments = status == "in_progress" ? string.Empty : Text.ToString(),
                },
            };
    }
}
