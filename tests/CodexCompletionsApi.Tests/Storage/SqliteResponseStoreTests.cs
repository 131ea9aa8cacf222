using System.Diagnostics.Metrics;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Observability;
using CodexCompletionsApi.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CodexCompletionsApi.Tests.Storage;

public sealed class SqliteResponseStoreTests : IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);

    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("response-store-tests-");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly List<SqliteResponseStore> _stores = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IMeterFactory MeterFactory => _meters.GetRequiredService<IMeterFactory>();

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _meters.Dispose();
        SqliteConnection.ClearAllPools();
        _root.Delete(recursive: true);
    }

    // ---- round trips ----

    [Fact]
    public async Task SaveAsync_ThenGetAsync_ReturnsExactStrings()
    {
        // Arrange
        var store = CreateStore();
        var response = new StoredResponse(
            "resp_1",
            Now,
            """{"id":"resp_1","object":"response","output":[{"type":"message","content":[{"type":"output_text","text":"héllo \"wörld\" 🌍\n\t'; DROP TABLE responses; --"}]}]}""",
            """[{"id":"msg_1","type":"message","role":"user","content":[{"type":"input_text","text":"  spaced  "}]}]""",
            "[]");

        // Act
        await store.SaveAsync(response, Ct);
        var stored = await store.GetAsync("resp_1", Ct);

        // Assert
        Assert.Equal(response, stored);
    }

    [Fact]
    public async Task SaveAsync_LargeJson_RoundTripsUnchanged()
    {
        // Arrange
        var store = CreateStore();
        var big = "\"" + new string('x', 4 * 1024 * 1024) + "\"";
        var response = new StoredResponse("resp_big", Now, big, "[" + big + "]", "[" + big + "," + big + "]");

        // Act
        await store.SaveAsync(response, Ct);
        var stored = await store.GetAsync("resp_big", Ct);

        // Assert
        Assert.Equal(response, stored);
    }

    [Fact]
    public async Task SaveAsync_SameIdTwice_ReplacesEveryColumn()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(new StoredResponse("resp_1", Now, "{\"v\":1}", "[1]", "[]"), Ct);
        var replacement = new StoredResponse("resp_1", Now + 5, "{\"v\":2}", "[2]", "[{\"h\":1}]");

        // Act
        await store.SaveAsync(replacement, Ct);
        var stored = await store.GetAsync("resp_1", Ct);

        // Assert
        Assert.Equal(replacement, stored);
        Assert.Equal(1L, await CountRowsAsync(store.DatabasePath));
    }

    [Fact]
    public async Task GetAsync_UnknownId_ReturnsNull()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_known"), Ct);

        // Act
        var stored = await store.GetAsync("resp_unknown", Ct);

        // Assert
        Assert.Null(stored);
    }

    [Fact]
    public async Task GetAsync_IdIsCaseSensitive()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_Abc"), Ct);

        // Act
        var stored = await store.GetAsync("resp_abc", Ct);

        // Assert
        Assert.Null(stored);
    }

    // ---- delete ----

    [Fact]
    public async Task DeleteAsync_StoredId_ReturnsTrueAndRemovesIt()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_1"), Ct);
        await store.SaveAsync(Response("resp_2"), Ct);

        // Act
        var deleted = await store.DeleteAsync("resp_1", Ct);

        // Assert
        Assert.True(deleted);
        Assert.Null(await store.GetAsync("resp_1", Ct));
        Assert.NotNull(await store.GetAsync("resp_2", Ct));
    }

    [Fact]
    public async Task DeleteAsync_UnknownId_ReturnsFalse()
    {
        // Arrange
        var store = CreateStore();

        // Act
        var deleted = await store.DeleteAsync("resp_missing", Ct);

        // Assert
        Assert.False(deleted);
    }

    [Fact]
    public async Task DeleteAsync_SameIdTwice_SecondReturnsFalse()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_1"), Ct);
        await store.DeleteAsync("resp_1", Ct);

        // Act
        var deleted = await store.DeleteAsync("resp_1", Ct);

        // Assert
        Assert.False(deleted);
    }

    [Fact]
    public async Task DeleteAsync_ExpiredRow_ReturnsFalseButDeletesIt()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_old"), Ct);
        _time.Advance(Retention + TimeSpan.FromMinutes(1));

        // Act
        var deleted = await store.DeleteAsync("resp_old", Ct);

        // Assert
        Assert.False(deleted);
        Assert.Equal(0L, await CountRowsAsync(store.DatabasePath));
    }

    // ---- retention ----

    [Fact]
    public async Task GetAsync_OlderThanRetention_ReturnsNullBeforeAnyPurge()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_old"), Ct);

        // Act
        _time.Advance(Retention + TimeSpan.FromSeconds(1));
        var stored = await store.GetAsync("resp_old", Ct);

        // Assert
        Assert.Null(stored);
        Assert.Equal(1L, await CountRowsAsync(store.DatabasePath));
    }

    [Fact]
    public async Task GetAsync_ExactlyAtRetention_IsStillReturned()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_edge"), Ct);

        // Act
        _time.Advance(Retention);
        var stored = await store.GetAsync("resp_edge", Ct);

        // Assert
        Assert.NotNull(stored);
    }

    [Fact]
    public async Task PurgeExpiredAsync_DeletesOnlyExpiredRows_AndReturnsTheirCount()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_old_1"), Ct);
        await store.SaveAsync(Response("resp_old_2"), Ct);
        _time.Advance(TimeSpan.FromDays(20));
        await store.SaveAsync(Response("resp_recent"), Ct);
        _time.Advance(TimeSpan.FromDays(11));

        // Act
        var purged = await store.PurgeExpiredAsync(Ct);

        // Assert: a store with a longer retention on the same file sees only what was kept
        Assert.Equal(2, purged);
        var longer = CreateStore(retention: TimeSpan.FromDays(3650));
        Assert.Null(await longer.GetAsync("resp_old_1", Ct));
        Assert.Null(await longer.GetAsync("resp_old_2", Ct));
        Assert.NotNull(await longer.GetAsync("resp_recent", Ct));
        Assert.NotNull(await store.GetAsync("resp_recent", Ct));
    }

    [Fact]
    public async Task PurgeExpiredAsync_NothingExpired_ReturnsZero()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_1"), Ct);

        // Act
        var purged = await store.PurgeExpiredAsync(Ct);

        // Assert
        Assert.Equal(0, purged);
        Assert.NotNull(await store.GetAsync("resp_1", Ct));
    }

    [Fact]
    public async Task PurgeExpiredAsync_MoreRowsThanOneBatch_DeletesAll()
    {
        // Arrange
        var store = CreateStore();
        await InsertRawAsync(store, count: 2500, createdAt: Now - (long)Retention.TotalSeconds - 10);
        await store.SaveAsync(Response("resp_live"), Ct);

        // Act
        var purged = await store.PurgeExpiredAsync(Ct);

        // Assert
        Assert.Equal(2500, purged);
        Assert.Equal(1L, await CountRowsAsync(store.DatabasePath));
    }

    [Fact]
    public async Task PurgeExpiredAsync_AfterDeleting_GivesFreedPagesBack()
    {
        // Arrange
        var store = CreateStore();
        var big = "\"" + new string('x', 64 * 1024) + "\"";
        for (var i = 0; i < 40; i++)
        {
            await store.SaveAsync(new StoredResponse($"resp_{i}", Now, big, "[]", "[]"), Ct);
        }

        var pagesBefore = await PragmaAsync(store.DatabasePath, "page_count");
        _time.Advance(Retention + TimeSpan.FromSeconds(1));

        // Act
        await store.PurgeExpiredAsync(Ct);

        // Assert
        Assert.Equal(0L, await PragmaAsync(store.DatabasePath, "freelist_count"));
        Assert.True(await PragmaAsync(store.DatabasePath, "page_count") < pagesBefore / 10);
    }

    [Fact]
    public async Task PurgeExpiredAsync_BeforeTheDatabaseExists_ReturnsZeroWithoutCreatingIt()
    {
        // Arrange
        var store = CreateStore();

        // Act
        var purged = await store.PurgeExpiredAsync(Ct);

        // Assert
        Assert.Equal(0, purged);
        Assert.False(File.Exists(store.DatabasePath));
    }

    // ---- restart ----

    [Fact]
    public async Task NewStoreOnSameFile_AfterRestart_ReturnsSavedResponses()
    {
        // Arrange
        var first = CreateStore();
        var response = Response("resp_persisted");
        await first.SaveAsync(response, Ct);
        await first.SaveAsync(Response("resp_deleted"), Ct);
        await first.DeleteAsync("resp_deleted", Ct);
        Assert.True(File.Exists(first.DatabasePath + "-wal"));
        first.Dispose();
        _stores.Remove(first);
        Assert.False(File.Exists(first.DatabasePath + "-wal")); // closing the pool checkpointed the log

        // Act
        var second = CreateStore();
        var stored = await second.GetAsync("resp_persisted", Ct);

        // Assert
        Assert.Equal(response, stored);
        Assert.Null(await second.GetAsync("resp_deleted", Ct));
    }

    // ---- concurrency ----

    [Fact]
    public async Task SaveAsync_ManyConcurrentTasks_StoresEveryResponse()
    {
        // Arrange
        var store = CreateStore();
        var responses = Enumerable.Range(0, 200).Select(i => Response($"resp_{i:D3}", $"{{\"n\":{i}}}")).ToList();

        // Act: writers and readers at once, from the thread pool
        await Task.WhenAll(responses.Select(r => Task.Run(async () =>
        {
            await store.SaveAsync(r, Ct);
            Assert.Equal(r, await store.GetAsync(r.Id, Ct));
        }, Ct)));

        // Assert
        Assert.Equal(200L, await CountRowsAsync(store.DatabasePath));
        foreach (var response in responses)
        {
            Assert.Equal(response, await store.GetAsync(response.Id, Ct));
        }
    }

    [Fact]
    public async Task FirstUse_ConcurrentCallers_InitializeTheSchemaOnce()
    {
        // Arrange
        var store = CreateStore();

        // Act
        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => store.SaveAsync(Response($"resp_{i}"), Ct), Ct)));

        // Assert
        Assert.Equal(32L, await CountRowsAsync(store.DatabasePath));
    }

    // ---- the file ----

    [Fact]
    public async Task FirstUse_MissingDirectories_AreCreatedWithTheSchema()
    {
        // Arrange
        var path = Path.Combine(_root.FullName, "a", "b", "c", "stored.db");
        var store = CreateStore(databasePath: path);

        // Act
        await store.SaveAsync(Response("resp_1"), Ct);

        // Assert
        Assert.Equal(path, store.DatabasePath);
        Assert.True(File.Exists(path));
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Ct);
        Assert.Equal((long)SqliteResponseStore.SchemaVersion, await ScalarAsync(connection, "PRAGMA user_version;"));
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        Assert.Equal(2L, await ScalarAsync(connection, "PRAGMA auto_vacuum;"));
        Assert.Equal(
            "id:TEXT:0:1,created_at:INTEGER:1:0,response_json:TEXT:1:0,input_items_json:TEXT:1:0,history_json:TEXT:1:0",
            await ScalarAsync(connection, "SELECT group_concat(name || ':' || type || ':' || \"notnull\" || ':' || pk, ',') FROM pragma_table_info('responses');"));
        Assert.Equal(1L, await ScalarAsync(connection, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'responses' AND sql LIKE '%created_at%';"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task FirstUse_NewFile_IsReadableByItsOwnerOnly()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix file modes only");
        }

        // Arrange
        var store = CreateStore();

        // Act
        await store.SaveAsync(Response("resp_1"), Ct);

        // Assert
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.DatabasePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.DatabasePath + "-wal"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(store.DatabasePath + "-shm"));
    }

    [Fact]
    public async Task FirstUse_SchemaNewerThanTheCode_Throws()
    {
        // Arrange
        var path = Path.Combine(_root.FullName, "responses.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await connection.OpenAsync(Ct);
            await ScalarAsync(connection, $"PRAGMA user_version = {SqliteResponseStore.SchemaVersion + 1};");
        }

        var store = CreateStore();

        // Act
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetAsync("resp_1", Ct));

        // Assert
        Assert.Contains("schema version 2", error.Message, StringComparison.Ordinal);
    }

    // ---- cancellation and arguments ----

    [Fact]
    public async Task EveryOperation_CancelledToken_ThrowsAndChangesNothing()
    {
        // Arrange
        var store = CreateStore();
        await store.SaveAsync(Response("resp_kept"), Ct);
        _time.Advance(Retention + TimeSpan.FromDays(1));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        // Act / Assert
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(Response("resp_new"), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.GetAsync("resp_kept", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.DeleteAsync("resp_kept", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.PurgeExpiredAsync(cancelled.Token));
        Assert.Equal(1L, await CountRowsAsync(store.DatabasePath));
    }

    [Fact]
    public async Task FirstUse_CancelledToken_ThrowsAndLeavesNoFile()
    {
        // Arrange
        var store = CreateStore();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        // Act
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.SaveAsync(Response("resp_1"), cancelled.Token));

        // Assert
        Assert.False(File.Exists(store.DatabasePath));
    }

    [Fact]
    public async Task SaveAsync_EmptyId_Throws()
    {
        // Arrange
        var store = CreateStore();

        // Act / Assert
        await Assert.ThrowsAsync<ArgumentException>(() => store.SaveAsync(Response(string.Empty), Ct));
    }

    // ---- metrics ----

    [Fact]
    public async Task SaveAndPurge_RecordStoredAndPurgedCounters()
    {
        // Arrange
        using var stored = new MetricCollector<long>(MeterFactory, GatewayMetrics.MeterName, "codex_api.responses.stored");
        using var purgedCounter = new MetricCollector<long>(MeterFactory, GatewayMetrics.MeterName, "codex_api.responses.purged");
        var store = CreateStore();

        // Act
        await store.SaveAsync(Response("resp_1"), Ct);
        await store.SaveAsync(Response("resp_2"), Ct);
        await store.SaveAsync(Response("resp_3"), Ct);
        _time.Advance(Retention + TimeSpan.FromSeconds(1));
        await store.PurgeExpiredAsync(Ct);
        await store.PurgeExpiredAsync(Ct);

        // Assert
        Assert.Equal(3, stored.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(3, purgedCounter.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    // ---- helpers ----

    private SqliteResponseStore CreateStore(string? databasePath = null, TimeSpan? retention = null)
    {
        var store = new SqliteResponseStore(
            Options.Create(new ResponsesOptions { DatabasePath = databasePath, Retention = retention ?? Retention }),
            Options.Create(new ProxyOptions { DataDirectory = _root.FullName }),
            _time,
            new GatewayMetrics(MeterFactory),
            NullLogger<SqliteResponseStore>.Instance);
        _stores.Add(store);
        return store;
    }

    private StoredResponse Response(string id, string body = "{}")
        => new(id, Now, $$"""{"id":"{{id}}","body":{{body}}}""", $$"""[{"id":"msg_{{id}}"}]""", "[]");

    private static async Task<long> CountRowsAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Ct);
        return (long)(await ScalarAsync(connection, "SELECT count(*) FROM responses;"))!;
    }

    private static async Task<long> PragmaAsync(string path, string pragma)
    {
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(Ct);
        return (long)(await ScalarAsync(connection, $"PRAGMA {pragma};"))!;
    }

    private static async Task InsertRawAsync(SqliteResponseStore store, int count, long createdAt)
    {
        await store.GetAsync("resp_none", Ct); // creates the schema
        await using var connection = new SqliteConnection($"Data Source={store.DatabasePath};Pooling=False");
        await connection.OpenAsync(Ct);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(Ct);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO responses VALUES ($id, $created_at, '{}', '[]', '[]');";
        var id = command.Parameters.Add("$id", SqliteType.Text);
        command.Parameters.AddWithValue("$created_at", createdAt);
        for (var i = 0; i < count; i++)
        {
            id.Value = $"resp_raw_{i}";
            await command.ExecuteNonQueryAsync(Ct);
        }

        await transaction.CommitAsync(Ct);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(Ct);
    }
}
