using CodexCompletionsApi.Configuration;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Storage;

/// <summary>
/// Deletes stored responses older than <see cref="ResponsesOptions.Retention"/>: once at startup, then
/// every <see cref="ResponsesOptions.PurgeInterval"/>. A failed purge is logged (event 492) and tried
/// again at the next interval; it never stops the host.
/// </summary>
public sealed partial class ResponseRetentionService(
    IResponseStore store,
    IOptions<ResponsesOptions> options,
    TimeProvider timeProvider,
    ILogger<ResponseRetentionService> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PurgeInterval;
        try
        {
            // Created before the first purge, so ticks keep their schedule however long a purge takes.
            using var timer = new PeriodicTimer(interval, timeProvider);
            do
            {
                await PurgeOnceAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown.
        }
    }

    private async Task PurgeOnceAsync(CancellationToken stoppingToken)
    {
        var started = timeProvider.GetTimestamp();
        try
        {
            var purged = await store.PurgeExpiredAsync(stoppingToken);
            if (purged > 0)
            {
                Log.Purged(logger, purged, options.Value.Retention, (long)timeProvider.GetElapsedTime(started).TotalMilliseconds);
            }
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            Log.PurgeFailed(logger, options.Value.PurgeInterval, exception);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(491, LogLevel.Information, "Purged {Count} stored response(s) older than {Retention} in {ElapsedMs} ms", EventName = "ResponsesPurged")]
        public static partial void Purged(ILogger logger, int count, TimeSpan retention, long elapsedMs);

        [LoggerMessage(492, LogLevel.Error, "Purging expired stored responses failed; retrying in {Interval}", EventName = "ResponsesPurgeFailed")]
        public static partial void PurgeFailed(ILogger logger, TimeSpan interval, Exception exception);
    }
}
