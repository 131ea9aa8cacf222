using System.Runtime.CompilerServices;
using System.Threading.Channels;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Observability;
using CodexCompletionsApi.Translation;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Api;

/// <summary>
/// Runs the choices of a plan (one Codex turn each, in parallel when <c>n</c> &gt; 1) and applies
/// what the service enforces itself: stop sequences and the token limit. A choice cut by a limit
/// is ended at once; leaving the turn's enumeration interrupts the turn and releases its thread.
/// </summary>
internal sealed class ChoiceRunner(ICodexBackend backend, IOptions<ToolOptions> toolOptions, GatewayMetrics metrics)
{
    /// <summary>Separator between two agent messages of one turn (Codex may send several).</summary>
    public const string MessageSeparator = "\n\n";

    public IAsyncEnumerable<ChoiceEvent> RunAsync(CompletionPlan plan, CancellationToken cancellationToken)
        => plan.Choices == 1 ? RunChoiceAsync(0, plan, cancellationToken) : RunManyAsync(plan, cancellationToken);

    private async IAsyncEnumerable<ChoiceEvent> RunManyAsync(CompletionPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var all = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateUnbounded<ChoiceEvent>(new UnboundedChannelOptions { SingleReader = true });
        var tasks = Enumerable.Range(0, plan.Choices).Select(index => Task.Run(async () =>
        {
            await foreach (var choiceEvent in RunChoiceAsync(index, plan, all.Token))
            {
                await channel.Writer.WriteAsync(choiceEvent, all.Token);
            }
        })).ToArray();
        _ = Task.WhenAll(tasks).ContinueWith(t => channel.Writer.TryComplete(t.Exception?.InnerException), TaskScheduler.Default);

        try
        {
            await foreach (var choiceEvent in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return choiceEvent;
            }
        }
        finally
        {
            // The consumer stopped early (a failure, the client left): stop the other choices too.
            await all.CancelAsync();
            await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async IAsyncEnumerable<ChoiceEvent> RunChoiceAsync(int index, CompletionPlan plan, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var limiter = plan.Stop.Count > 0 || plan.MaxTokens is not null ? new OutputLimiter(plan.Stop, plan.MaxTokens) : null;
        TokenUsage? usage = null;
        string? currentItem = null;
        var wroteText = false;
        (string Item, int Part)? reasoningPart = null;
        string? finish = null;
        var toolCalls = 0;
        var maxToolCalls = plan.LegacyFunctions ? 1 : toolOptions.Value.MaxCalls(plan.ParallelToolCalls); // function_call holds one call
        var suppressTail = toolOptions.Value.SuppressTailAfterTools;
        var textual = plan.TextualTools ? new TextualToolBuffer() : null;
        var stopAfterTools = toolOptions.Value.StopAfterTools;
        var aggregator = new ToolCallAggregator(); // one per choice: binds calls, ignores repeats
        var batch = new List<ChoiceEvent>();
        await using var events = backend.RunTurnAsync(plan.Turn, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (finish is null)
        {
            TurnEvent turnEvent;
            BackendException? failure = null;
            try
            {
                if (!await events.MoveNextAsync())
                {
                    failure = new BackendException(BackendErrorKind.Unavailable, "The turn ended without completing.");
                }

                turnEvent = events.Current;
            }
            catch (BackendException ex)
            {
                failure = ex;
                turnEvent = null!;
            }

            if (failure is not null)
            {
                if (PartialTextualBlock() is { } partial)
                {
                    yield return partial;
                }

                yield return new ChoiceFailed(index, failure);
                yield break;
            }

            switch (turnEvent)
            {
                case TurnStartedEvent:
                    yield return new ChoiceStarted(index);
                    break;

                case TextDeltaEvent when toolCalls > 0 && suppressTail && textual is null:
                    break; // text after a tool call in the same response is not sent

                case ToolCallEvent call when plan.Tools.Count > 0:
                    if (!aggregator.IngestCall(0, call.CallId, call.Name, call.Arguments))
                    {
                        break; // the same call reported twice
                    }

                    if (toolCalls < maxToolCalls)
                    {
                        yield return new ChoiceToolCall(index, toolCalls, call.CallId, call.Name, call.Arguments);
                    }

                    toolCalls++;
                    break;

                case ResponseCompletedEvent response when toolCalls > 0:
                    // The model's response is complete, so every call it made is known: hand them to the
                    // client. Leaving ends the turn (interrupt), so Codex never waits for a tool answer.
                    usage = response.Usage ?? usage;
                    finish = plan.LegacyFunctions ? "function_call" : "tool_calls";
                    metrics.ToolCalls(toolCalls, Math.Min(toolCalls, maxToolCalls));
                    break;

                case TextDeltaEvent delta:
                    var text = delta.Delta;
                    if (currentItem is not null && currentItem != delta.ItemId && wroteText && !plan.SeparateOutputItems)
                    {
                        text = MessageSeparator + text;
                    }

                    currentItem = delta.ItemId;
                    if (textual is null)
                    {
                        finish = Emit(text);
                    }
                    else
                    {
                        finish = Textual(textual.Append(text));
                    }

                    foreach (var pending in batch)
                    {
                        yield return pending;
                    }

                    batch.Clear();
                    break;

                case ReasoningDeltaEvent reasoning:
                    var part = (reasoning.ItemId, reasoning.Index);
                    var fragment = reasoningPart is { } previous && previous != part && !plan.SeparateOutputItems ? MessageSeparator + reasoning.Delta : reasoning.Delta;
                    reasoningPart = part;
                    yield return new ChoiceReasoning(index, fragment, reasoning.ItemId, reasoning.IsSummary, reasoning.Index);
                    break;

                case UsageEvent u:
                    usage = u.Usage;
                    break;

                case TurnCompletedEvent { Status: TurnStatus.Failed } failed:
                    if (PartialTextualBlock() is { } partialBlock)
                    {
                        yield return partialBlock; // a backend abort passes a partial block on verbatim
                    }

                    yield return new ChoiceFailed(index, failed.Error ?? new BackendException(BackendErrorKind.TurnFailed, "The turn failed."));
                    yield break;

                case TurnCompletedEvent { Status: TurnStatus.Interrupted }:
                    yield return new ChoiceFailed(index, new BackendException(BackendErrorKind.Unavailable, "The turn was interrupted."));
                    yield break;

                case TurnCompletedEvent completed:
                    if (textual is not null)
                    {
                        // A partial block at the end of the output is passed on verbatim.
                        Textual(textual.Flush());
                        foreach (var pending in batch)
                        {
                            yield return pending;
                        }

                        batch.Clear();
                        if (toolCalls > 0)
                        {
                            finish = "tool_calls";
                            break;
                        }
                    }

                    if (limiter?.Flush() is { Length: > 0 } rest)
                    {
                        yield return new ChoiceText(index, rest, currentItem);
                    }

                    finish = limiter?.FinishReason ?? completed.IncompleteReason switch
                    {
                        null => "stop",
                        "content_filter" => "content_filter",
                        _ => "length", // max_output_tokens: the model's own output limit
                    };
                    break;
            }
        }

        if (textual is not null)
        {
            metrics.ToolBuffers(textual.BuffersStarted, textual.BuffersFlushed, textual.BuffersAborted);
        }

        // A limit ended the choice early: leaving this method disposes the turn (interrupt, unsubscribe).
        yield return new ChoiceFinished(index, finish, Usage(plan, limiter, usage));

        // The text of an unfinished textual block, passed on as it was written.
        ChoiceText? PartialTextualBlock()
        {
            var rest = textual is null ? [] : textual.Flush();
            var text = string.Concat(rest.OfType<TextualToolOutput.Text>().Select(t => t.Value));
            return text.Length > 0 ? new ChoiceText(index, text, currentItem) : null;
        }

        // Text through the limiter; returns the finish reason when a limit triggered.
        string? Emit(string value)
        {
            if (limiter is not null)
            {
                value = limiter.Append(value);
            }

            if (value.Length > 0)
            {
                wroteText = true;
                batch.Add(new ChoiceText(index, value, currentItem));
            }

            return limiter?.FinishReason;
        }

        // Textual tool outputs: plain text goes on, each complete block becomes one tool call, text
        // after a call is dropped (PROXY_SUPPRESS_TAIL_AFTER_TOOLS); "first" mode ends at the first call.
        string? Textual(IReadOnlyList<TextualToolOutput> outputs)
        {
            foreach (var output in outputs)
            {
                switch (output)
                {
                    case TextualToolOutput.Text t when toolCalls == 0 || !suppressTail:
                        if (Emit(t.Value) is { } limited)
                        {
                            return limited;
                        }

                        break;
                    case TextualToolOutput.Block block:
                        var id = $"call_text_{index}_{toolCalls}";
                        var arguments = block.Canonical.ToArgumentsJson();
                        if (toolCalls < maxToolCalls && aggregator.IngestCall(0, id, block.Canonical.Name, arguments))
                        {
                            // The canonical block goes out as content where the model wrote it, once.
                            batch.Add(new ChoiceText(index, (wroteText ? ObsidianXml.BlockSeparator : string.Empty) + block.CanonicalXml, currentItem));
                            wroteText = true;
                            batch.Add(new ChoiceToolCall(index, toolCalls, id, block.Canonical.Name, arguments, BlockInContent: true));
                        }

                        toolCalls++;
                        if (toolCalls >= maxToolCalls && stopAfterTools)
                        {
                            return "tool_calls"; // PROXY_STOP_AFTER_TOOLS: the response ends at the calls
                        }

                        break;
                }
            }

            return null;
        }
    }

    /// <summary>
    /// Codex's exact usage; when a service-enforced limit cut the output, completion tokens are the
    /// exact count of the text sent (the client got no more), and the prompt is Codex's count when
    /// it reported one, else an o200k count of the prompt text (an estimate).
    /// </summary>
    private static TokenUsage Usage(CompletionPlan plan, OutputLimiter? limiter, TokenUsage? reported)
    {
        if (limiter?.IsFinished != true)
        {
            return reported ?? EstimatedUsage(plan, limiter);
        }

        var prompt = reported?.InputTokens ?? EstimatedUsage(plan, limiter).InputTokens;
        var reasoning = reported?.ReasoningOutputTokens ?? 0;
        var completion = limiter.EmittedTokens + reasoning;
        return new TokenUsage(prompt, reported?.CachedInputTokens ?? 0, completion, reasoning, prompt + completion);
    }

    /// <summary>
    /// Usage for a turn cut short before Codex reported it: the emitted tokens are counted exactly;
    /// the prompt is counted with the same tokenizer over the text sent (an estimate).
    /// </summary>
    private static TokenUsage EstimatedUsage(CompletionPlan plan, OutputLimiter? limiter)
    {
        var prompt = OutputLimiter.CountTokens(plan.Turn.BaseInstructions)
            + plan.Turn.History.Sum(item => OutputLimiter.CountTokens(item.GetRawText()))
            + plan.Turn.Input.Sum(part => OutputLimiter.CountTokens(part.Text ?? string.Empty));
        var completion = limiter?.EmittedTokens ?? 0;
        return new TokenUsage(prompt, 0, completion, 0, prompt + completion);
    }
}
