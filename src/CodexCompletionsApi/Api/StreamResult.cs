using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Observability;
using CodexCompletionsApi.Streaming;
using CodexCompletionsApi.Translation;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Api;

/// <summary>
/// Streams a plan's choices as SSE. Headers are sent with the first output, or once the turns have
/// started and <see cref="ApiOptions.StreamHeaderGrace"/> passed without output — so a failure
/// before that (worker down, queue full, an upstream 429 or 401) is a real HTTP error. After the
/// headers, a failure is one in-band <c>data: {"error":…}</c> event and the stream ends without
/// <c>[DONE]</c>.
/// </summary>
internal sealed partial class StreamResult(string route, CompletionPlan plan, IChunkRenderer renderer) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var runner = services.GetRequiredService<ChoiceRunner>();
        var metrics = services.GetRequiredService<GatewayMetrics>();
        var time = services.GetRequiredService<TimeProvider>();
        var keepAlive = services.GetRequiredService<IOptions<ApiOptions>>().Value.SseKeepAlive;
        var logger = services.GetRequiredService<ILogger<StreamResult>>();
        var cancellationToken = context.RequestAborted;

        var started = time.GetTimestamp();
        long? lastContent = null;
        TimeSpan? firstToken = null;
        var largestGap = TimeSpan.Zero;
        var chunks = 0;
        var stage = "queued";
        SseWriter? writer = null;
        var usage = new TokenUsage(0, 0, 0, 0, 0);
        var grace = services.GetRequiredService<IOptions<ApiOptions>>().Value.StreamHeaderGrace;
        var pendingStarts = new List<int>();
        long? turnStartedAt = null;
        try
        {
            await using var events = runner.RunAsync(plan, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var next = events.MoveNextAsync().AsTask();
            while (true)
            {
                if (writer is null && turnStartedAt is { } since && !await ArrivesWithinAsync(next, grace - time.GetElapsedTime(since), time, cancellationToken))
                {
                    // The model is slow to produce output: send headers and role chunks now.
                    (writer, stage) = (await SseWriter.StartAsync(context, keepAlive, time, cancellationToken), "before_first_token");
                    await renderer.OpenAsync(writer, cancellationToken);
                    await StartChoicesAsync(writer, pendingStarts, cancellationToken);
                }

                if (!await next)
                {
                    break;
                }

                // The next MoveNextAsync starts only after this event is handled: an async iterator
                // cannot be disposed (early return below) while a MoveNextAsync is in flight.
                var choiceEvent = events.Current;
                if (writer is null)
                {
                    switch (choiceEvent)
                    {
                        case ChoiceFailed early:
                            // Nothing was sent yet: a real HTTP error (e.g. the upstream's 429 or 401).
                            await OpenAIErrors.ToResult(early.Error, context).ExecuteAsync(context);
                            return;
                        case ChoiceStarted choiceStarted:
                            pendingStarts.Add(choiceStarted.Index);
                            turnStartedAt ??= time.GetTimestamp();
                            next = events.MoveNextAsync().AsTask();
                            continue;
                    }

                    (writer, stage) = (await SseWriter.StartAsync(context, keepAlive, time, cancellationToken), "before_first_token");
                    await renderer.OpenAsync(writer, cancellationToken);
                    await StartChoicesAsync(writer, pendingStarts, cancellationToken);
                }

                switch (choiceEvent)
                {
                    case ChoiceStarted s:
                        await renderer.StartChoiceAsync(writer, s.Index, cancellationToken);
                        break;
                    case ChoiceText text:
                        var now = time.GetTimestamp();
                        if (lastContent is { } previous)
                        {
                            var gap = time.GetElapsedTime(previous, now);
                            largestGap = gap > largestGap ? gap : largestGap;
                        }
                        else
                        {
                            firstToken = time.GetElapsedTime(started, now);
                            stage = "streaming";
                        }

                        lastContent = now;
                        chunks++;
                        await renderer.TextAsync(writer, text, cancellationToken);
                        break;
                    case ChoiceReasoning reasoning:
                        await renderer.ReasoningAsync(writer, reasoning, cancellationToken);
                        break;
                    case ChoiceToolCall call:
                        firstToken ??= time.GetElapsedTime(started);
                        stage = "streaming";
                        await renderer.ToolCallAsync(writer, call, cancellationToken);
                        break;
                    case ChoiceFinished finished:
                        usage = ChoiceCollector.Add(usage, finished.Usage);
                        await renderer.FinishAsync(writer, finished, cancellationToken);
                        break;
                    case ChoiceFailed failed:
                        Log.StreamFailed(logger, route, failed.Error.Kind, failed.Error.Message);
                        await renderer.FailAsync(writer, failed.Error, cancellationToken);
                        return;
                }

                next = events.MoveNextAsync().AsTask();
            }

            if (writer is null)
            {
                return;
            }

            await renderer.EndAsync(writer, usage, plan.IncludeUsage, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            metrics.ClientDisconnected(route, stage);
            Log.ClientDisconnected(logger, route, stage);
        }
        finally
        {
            if (writer is not null)
            {
                await writer.DisposeAsync();
            }

            metrics.StreamTimings(route, firstToken, lastContent is null ? null : largestGap);
            Log.StreamSummary(logger, route, firstToken?.TotalMilliseconds, largestGap.TotalMilliseconds, time.GetElapsedTime(started).TotalMilliseconds, chunks);
        }
    }

    private async Task StartChoicesAsync(SseWriter writer, List<int> pending, CancellationToken cancellationToken)
    {
        foreach (var index in pending)
        {
            await renderer.StartChoiceAsync(writer, index, cancellationToken);
        }

        pending.Clear();
    }

    /// <summary>Whether <paramref name="next"/> completes within <paramref name="budget"/>.</summary>
    private static async Task<bool> ArrivesWithinAsync(Task<bool> next, TimeSpan budget, TimeProvider time, CancellationToken cancellationToken)
    {
        if (next.IsCompleted)
        {
            return true;
        }

        if (budget <= TimeSpan.Zero)
        {
            return false;
        }

        using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var winner = await Task.WhenAny(next, Task.Delay(budget, time, delayCancel.Token));
        await delayCancel.CancelAsync();

        // On cancellation, report "arrived": the caller then awaits next, which ends with the
        // cancellation (the iterator must not be disposed while next is in flight).
        return winner == next || cancellationToken.IsCancellationRequested;
    }

    private static partial class Log
    {
        [LoggerMessage(200, LogLevel.Information, "{Route} stream: first token {FirstTokenMs} ms, largest gap {LargestGapMs} ms, total {TotalMs} ms, {Chunks} content chunks", EventName = "StreamSummary")]
        public static partial void StreamSummary(ILogger logger, string route, double? firstTokenMs, double largestGapMs, double totalMs, int chunks);

        [LoggerMessage(201, LogLevel.Information, "{Route}: client disconnected ({Stage}); the turn is interrupted", EventName = "ClientDisconnected")]
        public static partial void ClientDisconnected(ILogger logger, string route, string stage);

        [LoggerMessage(202, LogLevel.Warning, "{Route} stream failed after headers ({Kind}): {Message}", EventName = "StreamFailed")]
        public static partial void StreamFailed(ILogger logger, string route, BackendErrorKind kind, string message);
    }
}
