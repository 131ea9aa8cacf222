using System.Data;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Observability;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Storage;

/// <summary>
/// <see cref="IResponseStore"/> on an embedded SQLite database (<see cref="ResponsesOptions.DatabasePath"/>,
/// by default <c>responses.db</c> in the data directory). The directory, the file (mode 0600 on Unix)
/// and the schema are created on first use. Each operation opens its own pooled connection, so the
/// store is safe under concurrent requests; the database runs in WAL mode, so readers never wait
/// for the writer.
/// </summary>
public sealed partial class SqliteResponseStore : IResponseStore, IDisposable
{
    /// <summary>The schema this code writes, kept in <c>PRAGMA user_version</c>.</summary>
    public const int SchemaVersion = 1;

    /// <summary>How long a statement waits for another connection's write lock before it fails (<c>PRAGMA busy_timeout</c>).</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(5);

    private const int PurgeBatchSize = 1000;

    private readonly string _connectionString;
    private readonly string _connectionPragmas;
    private readonly TimeSpan _retention;
    private readonly TimeProvider _timeProvider;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<SqliteResponseStore> _logger;
    private readonly SemaphoreSlim _initializeLock = new(1, 1);
    private volatile bool _initialized;

    /// <summary>Creates the store; nothing touches the disk before the first operation.</summary>
    /// <param name="options">The database path, resolved against the data directory, and the retention.</param>
    /// <param name="proxyOptions">The data directory.</param>
    /// <param name="timeProvider">The clock that decides which responses are expired.</param>
    /// <param name="metrics">Counts stored and purged responses.</param>
    /// <param name="logger">Logs the database's location when it is opened.</param>
    public SqliteResponseStore(
        IOptions<ResponsesOptions> options,
        IOptions<ProxyOptions> proxyOptions,
        TimeProvider timeProvider,
        GatewayMetrics metrics,
        ILogger<SqliteResponseStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(proxyOptions);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Value.Retention, TimeSpan.Zero);

        DatabasePath = options.Value.ResolvedDatabasePath(proxyOptions.Value.ResolvedDataDirectory());
        _retention = options.Value.Retention;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        }.ToString();

        // synchronous=NORMAL is durable across process crashes in WAL mode; a power loss may drop the last commits.
        _connectionPragmas = $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = NORMAL;";
    }

    /// <summary>The absolute path of the database file.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public async Task SaveAsync(StoredResponse response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentException.ThrowIfNullOrEmpty(response.Id);
        ArgumentNullException.ThrowIfNull(response.ResponseJson);
        ArgumentNullException.ThrowIfNull(response.InputItemsJson);
        ArgumentNullException.ThrowIfNull(response.HistoryJson);

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO responses (id, created_at, response_json, input_items_json, history_json)
            VALUES ($id, $created_at, $response_json, $input_items_json, $history_json)
            ON CONFLICT (id) DO UPDATE SET
                created_at = excluded.created_at,
                response_json = excluded.response_json,
                input_items_json = excluded.input_items_json,
                history_json = excluded.history_json;
            """;
        command.Parameters.AddWithValue("$id", response.Id);
        command.Parameters.AddWithValue("$created_at", response.CreatedAt);
        command.Parameters.AddWithValue("$response_json", response.ResponseJson);
        command.Parameters.AddWithValue("$input_items_json", response.InputItemsJson);
        command.Parameters.AddWithValue("$history_json", response.HistoryJson);
        await command.ExecuteNonQueryAsync(cancellationToken);
        _metrics.ResponseStored();
    }

    /// <inheritdoc />
    public async Task<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT created_at, response_json, input_items_json, history_json
            FROM responses
            WHERE id = $id AND created_at >= $cutoff;
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$cutoff", Cutoff());
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StoredResponse(id, reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM responses WHERE id = $id RETURNING created_at;";
        command.Parameters.AddWithValue("$id", id);
        var cutoff = Cutoff();
        var deletedLive = false;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            deletedLive |= reader.GetInt64(0) >= cutoff;
        }

        return deletedLive;
    }

    /// <inheritdoc />
    /// <remarks>
    /// Deletes in batches of 1,000 rows so concurrent saves wait at most one batch, then returns the
    /// freed pages to the file system (the database uses incremental auto-vacuum). Before the database
    /// exists, it returns 0 without creating it.
    /// </remarks>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_initialized && !File.Exists(DatabasePath))
        {
            return 0;
        }

        await using var connection = await OpenAsync(cancellationToken);
        var cutoff = Cutoff();
        var total = 0;
        int deleted;
        do
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                DELETE FROM responses
                WHERE rowid IN (SELECT rowid FROM responses WHERE created_at < $cutoff LIMIT $limit);
                """;
            command.Parameters.AddWithValue("$cutoff", cutoff);
            command.Parameters.AddWithValue("$limit", PurgeBatchSize);
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
            _metrics.ResponsesPurged(deleted);
        }
        while (deleted == PurgeBatchSize);

        if (total > 0)
        {
            // Truncates the file by the pages the deleted rows occupied (auto_vacuum = INCREMENTAL).
            await ExecuteAsync(connection, "PRAGMA incremental_vacuum;", cancellationToken);
        }

        return total;
    }

    /// <summary>Closes the pooled connections to the database, which checkpoints and removes its WAL file.</summary>
    public void Dispose()
    {
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _initializeLock.Dispose();
    }

    /// <summary>The oldest <c>created_at</c> (Unix seconds) that is still within the retention.</summary>
    private long Cutoff()
    {
        var now = _timeProvider.GetUtcNow();
        return _retention >= now - DateTimeOffset.MinValue ? long.MinValue : (now - _retention).ToUnixTimeSeconds();
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!_initialized)
        {
            await InitializeAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, _connectionPragmas, cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates the directory, the file and the schema once per store; retried after a failure.</summary>
    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _initializeLock.WaitAsync(cancellationToken);
        try
        {
            if (_initialized)
            {
                return;
            }

            var directory = Path.GetDirectoryName(DatabasePath);
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            CreateOwnerOnlyFile(DatabasePath);

            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, _connectionPragmas, cancellationToken);
            var version = Convert.ToInt64(await ScalarAsync(connection, "PRAGMA user_version;", cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The responses database '{DatabasePath}' has schema version {version}, newer than this service's {SchemaVersion}. Use a newer service or another PROXY_RESPONSES_DB.");
            }

            if (version < SchemaVersion)
            {
                // Takes effect only while the database has no tables, that is, when it is new.
                await ExecuteAsync(connection, "PRAGMA auto_vacuum = INCREMENTAL;", cancellationToken);
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, """
                    CREATE TABLE IF NOT EXISTS responses (
                        id TEXT PRIMARY KEY,
                        created_at INTEGER NOT NULL,
                        response_json TEXT NOT NULL,
                        input_items_json TEXT NOT NULL,
                        history_json TEXT NOT NULL
                    );
                    CREATE INDEX IF NOT EXISTS responses_created_at ON responses (created_at);
                    PRAGMA user_version = 1;
                    """, cancellationToken, transaction);
                await transaction.CommitAsync(cancellationToken);
            }

            var journalMode = await ScalarAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);
            _initialized = true;
            Log.StoreOpened(_logger, DatabasePath, SchemaVersion, Convert.ToString(journalMode, System.Globalization.CultureInfo.InvariantCulture) ?? "?", _retention);
        }
        finally
        {
            _initializeLock.Release();
        }
    }

    /// <summary>Creates an empty file readable by its owner only (SQLite gives its WAL files the same mode).</summary>
    private static void CreateOwnerOnlyFile(string path)
    {
        if (OperatingSystem.IsWindows() || File.Exists(path))
        {
            return;
        }

        try
        {
            using var stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
        }
        catch (IOException) when (File.Exists(path))
        {
            // Created by someone else in the meantime: use it as it is.
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(490, LogLevel.Information, "Responses store ready at {Path} (schema {SchemaVersion}, journal {JournalMode}, retention {Retention})", EventName = "ResponseStoreOpened")]
        public static partial void StoreOpened(ILogger logger, string path, int schemaVersion, string journalMode, TimeSpan retention);
    }
}
