using System.Runtime.CompilerServices;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Observability;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Backend;

/// <summary>
/// Retries a turn that failed with a retryable error before it produced any output, with bounded
/// exponential backoff and jitter. Once a text, reasoning or tool event has been yielded the
/// failure is passed on: the client may already have seen that output.
/// </summary>
public sealed class RetryingCodexBackend(ICodexBackend inner, IOptions<TurnOptions> options, GatewayMetrics metrics, TimeProvider timeProvider) : ICodexBackend
{
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    private readonly TurnOptions _options = options.Value;

    /// <summary>
    /// Failures worth another attempt: transient upstream or worker trouble, never the request itself.
    /// Rate limits are passed on with <c>Retry-After</c>: OpenAI clients retry those themselves, and
    /// retrying here too would multiply the attempts.
    /// </summary>
    public static bool IsRetryable(BackendErrorKind kind) => kind is
        BackendErrorKind.Unavailable or BackendErrorKind.Overloaded or BackendErrorKind.UpstreamError;

    public async IAsyncEnumerable<TurnEvent> RunTurnAsync(TurnRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var startedYielded = false;
        for (var attempt = 0; ; attempt++)
        {
            var canRetry = attempt < _options.MaxRetries;
            var producedOutput = false;
            BackendException? retryable = null;
            await using (var events = inner.RunTurnAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken))
            {
                while (true)
                {
                    TurnEvent turnEvent;
                    try
                    {
                        if (!await events.MoveNextAsync())
                        {
                            break;
                        }

                        turnEvent = events.Current;
                    }
                    catch (BackendException ex) when (canRetry && !producedOutput && IsRetryable(ex.Kind))
                    {
                        retryable = ex;
                        break;
                    }

                    if (turnEvent is TurnCompletedEvent { Status: TurnStatus.Failed, Error: { } error } && canRetry && !producedOutput && IsRetryable(error.Kind))
                    {
                        retryable = error;
                        break;
                    }

                    producedOutput |= turnEvent is TextDeltaEvent or ReasoningDeltaEvent or MessageCompletedEvent;
                    if (turnEvent is TurnStartedEvent)
                    {
                        if (startedYielded)
                        {
                            continue; // a retry is invisible to the consumer
                        }

                        startedYielded = true;
                    }

                    yield return turnEvent;
                }
            }

            if (retryable is null)
            {
                yield break;
            }

            metrics.TurnRetried(retryable.Kind.ToString());
            await Task.Delay(Delay(attempt, retryable), timeProvider, cancellationToken);
        }
    }

    private TimeSpan Delay(int attempt, BackendException error)
    {
        var exponential = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt);
        var jittered = exponential * (0.8 + (Random.Shared.NextDouble() * 0.4));
        var delay = TimeSpan.FromMilliseconds(Math.Min(jittered, MaxDelay.TotalMilliseconds));
        return error.RetryAfterSeconds is { } hint && TimeSpan.FromSeconds(hint) > delay && TimeSpan.FromSeconds(hint) <= MaxDelay
            ? TimeSpan.FromSeconds(hint)
            : delay;
    }
}
