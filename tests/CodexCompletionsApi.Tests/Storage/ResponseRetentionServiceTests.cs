using System.Threading.Channels;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CodexCompletionsApi.Tests.Storage;

public sealed class ResponseRetentionServiceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger<ResponseRetentionService> _logger = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_PurgesAtOnceAndThenEveryInterval()
    {
        // Arrange
        var store = new CountingStore(_ => 3);
        using var service = Create(store);

        // Act
        await service.StartAsync(Ct);
        await store.NextPurgeAsync();
        _time.Advance(Interval - TimeSpan.FromSeconds(1));
        var early = store.Purges;
        _time.Advance(TimeSpan.FromSeconds(1));
        await store.NextPurgeAsync();
        _time.Advance(Interval);
        await store.NextPurgeAsync();
        await service.StopAsync(Ct);

        // Assert
        Assert.Equal(1, early);
        Assert.Equal(3, store.Purges);
        var purged = _logger.Collector.GetSnapshot().Where(r => r.Id.Id == 491).ToList();
        Assert.Equal(3, purged.Count);
        Assert.All(purged, r => Assert.Equal(LogLevel.Information, r.Level));
    }

    [Fact]
    public async Task Purge_NothingExpired_LogsNothing()
    {
        // Arrange
        var store = new CountingStore(_ => 0);
        using var service = Create(store);

        // Act
        await service.StartAsync(Ct);
        await store.NextPurgeAsync();
        await service.StopAsync(Ct);

        // Assert
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task Purge_StoreThrows_LogsErrorAndKeepsRunning()
    {
        // Arrange: the first purge fails, the second succeeds
        var store = new CountingStore(n => n == 1 ? throw new InvalidOperationException("disk on fire") : 1);
        using var service = Create(store);

        // Act
        await service.StartAsync(Ct);
        await store.NextPurgeAsync();
        _time.Advance(Interval);
        await store.NextPurgeAsync();
        await service.StopAsync(Ct);

        // Assert
        Assert.Equal(2, store.Purges);
        Assert.False(service.ExecuteTask!.IsFaulted);
        var failure = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 492);
        Assert.Equal(LogLevel.Error, failure.Level);
        Assert.Equal("disk on fire", failure.Exception?.Message);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 491);
    }

    [Fact]
    public async Task Stop_WhileWaitingForTheNextInterval_EndsWithoutError()
    {
        // Arrange
        var store = new CountingStore(_ => 0);
        using var service = Create(store);
        await service.StartAsync(Ct);
        await store.NextPurgeAsync();

        // Act
        await service.StopAsync(Ct);

        // Assert
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully);
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    private ResponseRetentionService Create(IResponseStore store)
        => new(store, Options.Create(new ResponsesOptions { PurgeInterval = Interval }), _time, _logger);

    /// <summary>Counts purges; <c>purge</c> gets the 1-based call number and returns the purged count (or throws).</summary>
    private sealed class CountingStore(Func<int, int> purge) : IResponseStore
    {
        private readonly Channel<int> _calls = Channel.CreateUnbounded<int>();
        private int _purges;

        public int Purges => Volatile.Read(ref _purges);

        public async Task NextPurgeAsync()
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(Bound);
            await _calls.Reader.ReadAsync(timeout.Token);
        }

        public Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
        {
            var call = Interlocked.Increment(ref _purges);
            try
            {
                return Task.FromResult(purge(call));
            }
            finally
            {
                _calls.Writer.TryWrite(call);
            }
        }

        public Task SaveAsync(StoredResponse response, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
