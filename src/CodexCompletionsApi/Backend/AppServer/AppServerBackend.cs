using System.Runtime.CompilerServices;
using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer.Protocol;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Observability;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// <see cref="ICodexBackend"/> over the supervised worker: one fresh ephemeral thread per turn
/// (<c>thread/start</c>, <c>thread/inject_items</c>, <c>turn/start</c>), events routed by thread id,
/// <c>turn/interrupt</c> when the caller cancels, and <c>thread/unsubscribe</c> always.
/// </summary>
internal sealed partial class AppServerBackend(
    AppServerSupervisor supervisor,
    IOptions<AppServerOptions> options,
    IOptions<TurnOptions> turnOptions,
    GatewayMetrics metrics,
    TimeProvider timeProvider,
    ILogger<AppServerBackend> logger) : ICodexBackend
{
    /// <summary>Deadline for the interrupt and unsubscribe calls that clean up after a turn.</summary>
    private static readonly TimeSpan CleanupTimeout = TimeSpan.FromSeconds(5);

    private readonly AppServerOptions _options = options.Value;
    private readonly TurnOptions _turns = turnOptions.Value;
    private readonly SemaphoreSlim _slots = new(turnOptions.Value.MaxConcurrentTurns, turnOptions.Value.MaxConcurrentTurns);

    public async IAsyncEnumerable<TurnEvent> RunTurnAsync(TurnRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Admission: a bounded number of turns run at once; the rest wait up to QueueTimeout.
        if (!await _slots.WaitAsync(_turns.QueueTimeout, cancellationToken))
        {
            metrics.TurnRejected("queue_timeout");
            throw new BackendException(BackendErrorKind.QueueTimeout, $"All {_turns.MaxConcurrentTurns} turn slots stayed busy for {_turns.QueueTimeout.TotalSeconds:0.#} s; retry later.")
            {
                RetryAfterSeconds = 1,
            };
        }

        try
        {
            await foreach (var turnEvent in RunAdmittedTurnAsync(request, cancellationToken))
            {
                yield return turnEvent;
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    private async IAsyncEnumerable<TurnEvent> RunAdmittedTurnAsync(TurnRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var worker = supervisor.AcquireForTurn();
        var started = timeProvider.GetTimestamp();
        metrics.TurnStarted();
        var status = "failed";
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, supervisor.TurnsAborted);
        var ct = linked.Token;
        var connection = worker.Connection;
        var json = CodexJsonContext.Default;
        ThreadSubscription? subscription = null;
        string? turnId = null;
        var replayedCalls = new HashSet<string>(
            request.History.Where(i => i.TryGetProperty("type"u8, out var t) && t.ValueEquals("function_call"u8) && i.TryGetProperty("call_id"u8, out _))
                .Select(i => i.GetProperty("call_id"u8).GetString() ?? string.Empty),
            StringComparer.Ordinal);
        var turnDone = false;
        try
        {
            var thread = await Call(() => connection.CallAsync(
                CodexMethods.ThreadStart,
                new ThreadStartParams
                {
                    Model = request.Model,
                    BaseInstructions = request.BaseInstructions,
                    DynamicTools = request.DynamicTools.Count > 0 ? request.DynamicTools : null,
                    ExperimentalRawEvents = request.DynamicTools.Count > 0 ? true : null,
                },
                json.ThreadStartParams,
                json.ThreadStartResult,
                _options.RequestTimeout,
                CancellationToken.None)); // not cancellable: a thread started but unknown could never be released
            var threadId = thread.Thread.Id;
            subscription = connection.Subscribe(threadId);
            ct.ThrowIfCancellationRequested();

            if (request.History.Count > 0)
            {
                await Call(() => connection.CallRawAsync(
                    CodexMethods.ThreadInjectItems,
                    new ThreadInjectItemsParams(threadId, request.History),
                    json.ThreadInjectItemsParams,
                    _options.RequestTimeout,
                    ct));
            }

            var turn = await Call(() => connection.CallAsync(
                CodexMethods.TurnStart,
                new TurnStartParams
                {
                    ThreadId = threadId,
                    Input = [.. request.Input.Select(ToUserInput)],
                    Effort = request.Effort,
                    Summary = request.Summary,
                    OutputSchema = request.OutputSchema,
                },
                json.TurnStartParams,
                json.TurnStartResult,
                _options.RequestTimeout,
                CancellationToken.None)); // not cancellable: the turn id is needed to interrupt it
            turnId = turn.Turn.Id;
            ct.ThrowIfCancellationRequested();
            yield return new TurnStartedEvent(threadId, turnId);

            await foreach (var message in ReadAllAsync(subscription, new TurnDeadlines(_turns, timeProvider), ct, cancellationToken))
            {
                var turnEvent = Translate(message, connection, request.DynamicTools.Count > 0, replayedCalls);
                if (turnEvent is null)
                {
                    continue;
                }

                if (turnEvent is TurnCompletedEvent completed)
                {
                    turnDone = true;
                    status = completed.Status.ToString().ToLowerInvariant();
                    yield return completed;
                    yield break;
                }

                yield return turnEvent;
            }
        }
        finally
        {
            if (!turnDone && cancellationToken.IsCancellationRequested)
            {
                status = "cancelled";
            }

            await CleanupAsync(connection, subscription, turnId, turnDone);
            worker.ExitTurn();
            metrics.TurnFinished(status, timeProvider.GetElapsedTime(started));
        }
    }

    /// <summary>
    /// Reads the thread's messages. The worker dying surfaces as <see cref="BackendErrorKind.Unavailable"/>;
    /// cancellation surfaces as <see cref="OperationCanceledException"/>.
    /// </summary>
    private static async IAsyncEnumerable<IncomingMessage> ReadAllAsync(
        ThreadSubscription subscription,
        TurnDeadlines deadlines,
        [EnumeratorCancellation] CancellationToken cancellationToken,
        CancellationToken requestAborted)
    {
        var reader = subscription.Reader;

        // One timeout source per turn, re-armed for each wait and disarmed after it (TryReset), instead
        // of a new linked source and timer per event (docs/adr/0007-event-path-on-the-reader-thread.md).
        var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            while (true)
            {
                bool more;
                wait.CancelAfter(deadlines.Next());
                try
                {
                    more = await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new BackendException(BackendErrorKind.Timeout, deadlines.ExpiredReason());
                }
                catch (OperationCanceledException) when (!requestAborted.IsCancellationRequested)
                {
                    // Not the client: shutdown gave up waiting for this turn (the finally block interrupts it).
                    throw new BackendException(BackendErrorKind.ShuttingDown, "The service is shutting down; the turn was interrupted.");
                }
                catch (System.Threading.Channels.ChannelClosedException ex) when (ex.InnerException is BackendException inner)
                {
                    throw new BackendException(inner.Kind, inner.Message, inner);
                }

                if (!wait.TryReset())
                {
                    // The timer fired just after the wait completed (or the caller cancelled): a fresh
                    // source, so the next wait starts with its own budget (or sees the caller's cancellation).
                    wait.Dispose();
                    wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                }

                if (!more)
                {
                    throw new BackendException(BackendErrorKind.Unavailable, "The Codex worker closed the thread before the turn completed.");
                }

                while (reader.TryRead(out var message))
                {
                    deadlines.Observe(message.Method);
                    yield return message;
                }
            }
        }
        finally
        {
            wait.Dispose();
        }
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (JsonRpcRemoteException ex)
        {
            throw CodexErrorMapper.FromRemote(ex);
        }
    }

    private static UserInput ToUserInput(TurnInputPart part)
        => part.ImageDataUrl is { } url ? UserInput.FromImage(url, part.ImageDetail) : UserInput.FromText(part.Text ?? string.Empty);

    private TurnEvent? Translate(IncomingMessage message, JsonRpcConnection connection, bool clientTools, HashSet<string> replayedCalls)
    {
        var json = CodexJsonContext.Default;
        switch (message.Method)
        {
            case CodexMethods.AgentMessageDelta:
                var delta = message.Params.Deserialize(json.AgentMessageDeltaNotification)!;
                return new TextDeltaEvent(delta.ItemId, delta.Delta);

            case CodexMethods.ReasoningSummaryTextDelta:
            case CodexMethods.ReasoningTextDelta:
                var reasoning = message.Params.Deserialize(json.ReasoningDeltaNotification)!;
                var isSummary = message.Method == CodexMethods.ReasoningSummaryTextDelta;
                return new ReasoningDeltaEvent(reasoning.ItemId, reasoning.Delta, isSummary, (isSummary ? reasoning.SummaryIndex : reasoning.ContentIndex) ?? 0);

            case CodexMethods.ItemCompleted:
                var item = message.Params.Deserialize(json.ItemNotification)!.Item;
                if (item.TryGetProperty("type"u8, out var type) && type.ValueEquals("agentMessage"u8))
                {
                    var id = item.TryGetProperty("id"u8, out var i) ? i.GetString() ?? string.Empty : string.Empty;
                    var text = item.TryGetProperty("text"u8, out var t) ? t.GetString() ?? string.Empty : string.Empty;
                    return new MessageCompletedEvent(id, text);
                }

                return null;

            case CodexMethods.TokenUsageUpdated:
                var usage = message.Params.Deserialize(json.TokenUsageUpdatedNotification)!.TokenUsage.Total;
                return new UsageEvent(new TokenUsage(usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, usage.ReasoningOutputTokens, usage.TotalTokens));

            case CodexMethods.RawResponseItemCompleted:
                // Raw events also echo the replayed history: only calls the model makes now are new.
                var raw = message.Params.Deserialize(json.RawResponseItemNotification)!.Item;
                return raw.TryGetProperty("type"u8, out var rawType) && rawType.ValueEquals("function_call"u8)
                    && raw.TryGetProperty("call_id"u8, out var rawCallId) && !replayedCalls.Contains(rawCallId.GetString() ?? string.Empty)
                    ? new ToolCallEvent(
                        raw.GetProperty("call_id"u8).GetString()!,
                        raw.GetProperty("name"u8).GetString()!,
                        raw.TryGetProperty("arguments"u8, out var args) && args.ValueKind == JsonValueKind.String ? args.GetString()! : "{}",
                        raw.TryGetProperty("namespace"u8, out var ns) && ns.ValueKind == JsonValueKind.String ? ns.GetString() : null)
                    : null;

            case CodexMethods.RawResponseCompleted:
                var response = message.Params.Deserialize(json.RawResponseCompletedNotification)!;
                return new ResponseCompletedEvent(response.Usage is { } u
                    ? new TokenUsage(u.InputTokens, u.CachedInputTokens, u.OutputTokens, u.ReasoningOutputTokens, u.TotalTokens)
                    : null);

            case CodexMethods.DynamicToolCall when clientTools:
                // The call goes to the HTTP client (from the raw item); the turn is interrupted, never answered.
                return null;

            case CodexMethods.TurnCompleted:
                var turn = message.Params.Deserialize(json.TurnCompletedNotification)!.Turn;
                return turn.Status switch
                {
                    "completed" => new TurnCompletedEvent(TurnStatus.Completed, null),
                    "interrupted" => new TurnCompletedEvent(TurnStatus.Interrupted, null),
                    _ when CodexErrorMapper.IncompleteReason(turn.Error) is { } reason => new TurnCompletedEvent(TurnStatus.Completed, null, reason),
                    _ => new TurnCompletedEvent(TurnStatus.Failed, CodexErrorMapper.FromTurnError(turn.Error)),
                };

            default:
                if (message.IsRequest)
                {
                    // A server request this turn does not handle (an approval, or a tool call when the
                    // client registered no tools): answer at once so the turn never blocks.
                    Log.DeclinedThreadRequest(logger, message.Method);
                    _ = connection.AnswerAsync(message.RequestId!.Value, ServerRequestPolicy.Answer(message, timeProvider));
                }

                return null;
        }
    }

    private async Task CleanupAsync(JsonRpcConnection connection, ThreadSubscription? subscription, string? turnId, bool turnDone)
    {
        if (subscription is null)
        {
            return;
        }

        var json = CodexJsonContext.Default;
        try
        {
            if (!turnDone && turnId is not null)
            {
                // The caller went away or failed: stop the model at once (Codex replies in ~3 ms).
                await connection.CallRawAsync(CodexMethods.TurnInterrupt, new TurnInterruptParams(subscription.ThreadId, turnId), json.TurnInterruptParams, CleanupTimeout, CancellationToken.None);
                Log.TurnInterrupted(logger, subscription.ThreadId, turnId);
            }
        }
        catch (Exception ex) when (ex is BackendException or JsonRpcRemoteException)
        {
            Log.CleanupFailed(logger, "turn/interrupt", subscription.ThreadId, ex.Message);
        }

        try
        {
            // Ephemeral threads are never freed unless unsubscribed (docs/app-server-protocol.md §10).
            await connection.CallRawAsync(CodexMethods.ThreadUnsubscribe, new ThreadUnsubscribeParams(subscription.ThreadId), json.ThreadUnsubscribeParams, CleanupTimeout, CancellationToken.None);
        }
        catch (Exception ex) when (ex is BackendException or JsonRpcRemoteException)
        {
            Log.CleanupFailed(logger, "thread/unsubscribe", subscription.ThreadId, ex.Message);
        }
        finally
        {
            subscription.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(430, LogLevel.Information, "Interrupted turn {TurnId} of thread {ThreadId}", EventName = "TurnInterrupted")]
        public static partial void TurnInterrupted(ILogger logger, string threadId, string turnId);

        [LoggerMessage(431, LogLevel.Warning, "{Method} failed for thread {ThreadId}: {Reason}", EventName = "CleanupFailed")]
        public static partial void CleanupFailed(ILogger logger, string method, string threadId, string reason);

        [LoggerMessage(432, LogLevel.Debug, "Declined server request {Method} (no handler for it in this turn)", EventName = "DeclinedThreadRequest")]
        public static partial void DeclinedThreadRequest(ILogger logger, string method);
    }
}
