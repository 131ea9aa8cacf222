using System.Reflection;
using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer.Protocol;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Observability;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// Keeps one <c>codex app-server</c> worker running: checks the binary at startup, spawns the
/// locked-down process, runs the handshake, restarts it with capped exponential backoff and jitter,
/// detects crash loops over a sliding window, replaces it after <see cref="AppServerOptions.RecycleAfterTurns"/>
/// turns (a new worker first, then the old one drained and stopped), and on shutdown drains, interrupts
/// and stops it.
/// </summary>
internal sealed partial class AppServerSupervisor : BackgroundService
{
    private readonly AppServerOptions _options;
    private readonly UpstreamOptions _upstream;
    private readonly ProxyOptions _proxy;
    private readonly ModelCatalog _catalog;
    private readonly ModelsOptions _models;
    private readonly GatewayMetrics _metrics;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AppServerSupervisor> _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly Queue<DateTimeOffset> _recentExits = new();
    private readonly CancellationTokenSource _abortTurns = new();
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<AppServerWorker, Task> _retiring = new();
    private volatile AppServerWorker? _current;
    private readonly Lock _statusLock = new();
    private volatile WorkerStatus _status = new();
    private volatile bool _stopping;
    private AppServerLaunchPlan? _plan;
    private string _cliVersion = "unknown";
    private int _started;

    public AppServerSupervisor(
        IOptions<AppServerOptions> options,
        IOptions<UpstreamOptions> upstream,
        IOptions<ProxyOptions> proxy,
        IOptions<ModelsOptions> models,
        ModelCatalog catalog,
        GatewayMetrics metrics,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        _options = options.Value;
        _upstream = upstream.Value;
        _proxy = proxy.Value;
        _models = models.Value;
        _catalog = catalog;
        _metrics = metrics;
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<AppServerSupervisor>();
    }

    /// <summary>The current state, cheap to read (no JSON-RPC round trip).</summary>
    public WorkerStatus Status => _status;

    /// <summary>Completes when the first worker finished its handshake.</summary>
    public Task FirstReady => _firstReady.Task;

    /// <summary>Cancelled when shutdown gives up waiting for in-flight turns; turns then interrupt themselves.</summary>
    public CancellationToken TurnsAborted => _abortTurns.Token;

    public string? CodexHome { get; private set; }

    /// <summary>Replaced workers still finishing their turns (see <see cref="AppServerOptions.RecycleAfterTurns"/>).</summary>
    public int RetiringWorkers => _retiring.Count;

    /// <summary>The live worker's connection, for diagnostics and tests.</summary>
    internal JsonRpcConnection? CurrentConnection => _current?.Connection;

    /// <summary>
    /// Admits a turn: returns the ready worker with the turn counted, or throws
    /// <see cref="BackendException"/> (unavailable, or shutting down).
    /// </summary>
    public AppServerWorker AcquireForTurn()
    {
        if (_stopping)
        {
            throw new BackendException(BackendErrorKind.ShuttingDown, "The service is shutting down.");
        }

        var worker = _current;
        if (worker is null || _status.State != WorkerState.Ready)
        {
            throw new BackendException(BackendErrorKind.Unavailable, $"The Codex worker is not ready ({_status.State}).")
            {
                RetryAfterSeconds = 1,
            };
        }

        var turns = worker.EnterTurn();
        if (_options.RecycleAfterTurns > 0 && turns >= _options.RecycleAfterTurns)
        {
            worker.RequestRecycle();
        }

        return worker;
    }

    /// <summary>Kills the current worker process (operator control and tests); the supervisor restarts it.</summary>
    public bool KillWorker()
    {
        var worker = _current;
        if (worker is null)
        {
            return false;
        }

        worker.Process.Kill();
        return true;
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // Everything that must hold before traffic is accepted runs here, not in ExecuteAsync
        // (which runs entirely in the background on .NET 10): a bad binary refuses the start.
        if (!_proxy.UseAppServer)
        {
            throw new InvalidOperationException(
                "PROXY_USE_APP_SERVER=false selects the proto backend, which is retired. Remove the setting: the app-server backend is the only one.");
        }

        var dataDirectory = _proxy.ResolvedDataDirectory();
        var codexHome = Path.GetFullPath(_options.CodexHome, dataDirectory);
        var workDirectory = Path.Combine(codexHome, "empty-workdir");
        Directory.CreateDirectory(workDirectory);
        if (Directory.EnumerateFileSystemEntries(workDirectory).Any())
        {
            Log.WorkDirectoryNotEmpty(_logger, workDirectory);
        }

        CodexHome = codexHome;
        var catalogPath = Path.Combine(codexHome, "model-catalog.json");
        await File.WriteAllBytesAsync(catalogPath, CodexCatalogWriter.Write(_catalog), cancellationToken);

        var binary = CodexBinary.Resolve(_options.CodexBinary, [AppContext.BaseDirectory, Environment.CurrentDirectory])
            ?? throw new InvalidOperationException(
                $"The Codex CLI binary was not found. Run scripts/setup (it installs @openai/codex@{AppServerOptions.PinnedVersion} into codex-cli/), or set CODEX_BIN to the native codex binary.");
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"CODEX_BIN points to '{binary}', which does not exist.");
        }

        var hostEnvironment = EnvironmentAliases.ReadProcessEnvironment();
        var plan = AppServerLaunch.Create(binary, _options, _upstream, codexHome, workDirectory, catalogPath, _catalog.DefaultModel.UpstreamModel, hostEnvironment);
        string version;
        try
        {
            version = await CodexBinary.ReadVersionAsync(binary, plan.Environment, cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            throw new InvalidOperationException($"'{binary} --version' failed: {ex.Message}. Run scripts/setup or fix CODEX_BIN.", ex);
        }

        if (version != AppServerOptions.PinnedVersion)
        {
            if (!_options.AllowVersionMismatch)
            {
                throw new InvalidOperationException(
                    $"Codex CLI {version} at '{binary}' is not the pinned version {AppServerOptions.PinnedVersion}. Run scripts/setup, or set PROXY_ALLOW_CODEX_VERSION_MISMATCH=true to run an untested version.");
            }

            Log.VersionMismatchAllowed(_logger, version, AppServerOptions.PinnedVersion, binary);
        }

        _cliVersion = version;
        _plan = plan;
        Log.WorkerConfigured(_logger, binary, version, codexHome, _upstream.IsCustom ? _upstream.BaseUrl! : "codex login");
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var plan = _plan!;
        var consecutiveFailures = 0;
        while (!stoppingToken.IsCancellationRequested && !_stopping)
        {
            UpdateStatus(s => s with { State = WorkerState.Starting, Pid = null, NextStartAt = null });
            AppServerWorker? worker = null;
            var readyAt = (DateTimeOffset?)null;
            string exitReason;
            try
            {
                worker = await StartWorkerAsync(plan, stoppingToken);
                readyAt = _timeProvider.GetUtcNow();
                _current = worker;
                UpdateStatus(s => s with
                {
                    State = WorkerState.Ready,
                    Pid = worker.Process.Pid,
                    CliVersion = worker.CliVersion,
                    ReadySince = readyAt,
                    LastError = null,
                });
                _metrics.SetWorkerReady(true);
                _firstReady.TrySetResult();
                Log.WorkerReady(_logger, worker.Process.Pid, worker.CliVersion);

                var exited = Task.WhenAny(worker.Connection.Completion, worker.Process.Exited);
                if (_status.CrashLoop)
                {
                    // A crash loop ends once a worker stays up for StableAfter.
                    var first = await Task.WhenAny(exited, Task.Delay(_options.StableAfter, _timeProvider, stoppingToken));
                    if (first != exited && !stoppingToken.IsCancellationRequested)
                    {
                        _recentExits.Clear();
                        _metrics.SetCrashLoop(false);
                        UpdateStatus(s => s with { CrashLoop = false, RecentExits = 0 });
                    }
                }

                while (true)
                {
                    var next = await Task.WhenAny(exited, worker.RecycleRequested).WaitAsync(stoppingToken);
                    if (next == exited)
                    {
                        break;
                    }

                    var replacement = await TryReplaceAsync(plan, worker, stoppingToken);
                    if (replacement is null)
                    {
                        // The old worker keeps serving; the next attempt follows the restart backoff.
                        await Task.WhenAny(exited, Task.Delay(Backoff(2), _timeProvider, stoppingToken)).WaitAsync(stoppingToken);
                        if (exited.IsCompleted)
                        {
                            break;
                        }

                        worker.ResetRecycleRequest();
                        continue;
                    }

                    worker = replacement;
                    readyAt = _timeProvider.GetUtcNow();
                    exited = Task.WhenAny(worker.Connection.Completion, worker.Process.Exited);
                }

                exitReason = "exited";
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return; // StopAsync drains and stops the worker.
            }
            catch (Exception ex)
            {
                exitReason = "start_failed";
                Log.WorkerStartFailed(_logger, ex.Message, ex);
                UpdateStatus(s => s with { LastError = ex.Message, LastExitCode = (ex as WorkerStartException)?.ExitCode ?? s.LastExitCode });
            }

            if (_stopping)
            {
                return;
            }

            _current = null;
            _metrics.SetWorkerReady(false);
            var now = _timeProvider.GetUtcNow();
            int? exitCode = null;
            IReadOnlyList<string> tail = [];
            if (worker is not null)
            {
                worker.Connection.TerminationDetail = "The Codex worker exited.";
                worker.Process.Kill();
                await worker.Process.Exited.WaitAsync(TimeSpan.FromSeconds(5), _timeProvider).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                exitCode = worker.Process.ExitCode;
                tail = worker.Process.StderrTail();
                _metrics.MalformedLines(worker.Connection.MalformedLines);
                await worker.DisposeAsync();
                Log.WorkerExited(_logger, exitCode, string.Join(" | ", tail.TakeLast(5)));
            }

            _metrics.WorkerExited(exitReason);
            var stable = readyAt is { } r && now - r >= _options.StableAfter;
            consecutiveFailures = stable ? 1 : consecutiveFailures + 1;
            var crashLoop = RecordExit(now);
            _metrics.SetCrashLoop(crashLoop);
            var delay = Backoff(consecutiveFailures);
            if (crashLoop)
            {
                Log.CrashLoop(_logger, _status.RecentExits + 1, _options.CrashLoopWindow, delay);
            }

            UpdateStatus(s => s with
            {
                State = WorkerState.Restarting,
                Pid = null,
                CrashLoop = crashLoop,
                RecentExits = _recentExits.Count,
                LastExitCode = exitCode ?? s.LastExitCode,
                LastError = s.LastError ?? (exitCode is { } code ? $"The worker exited with code {code}." : "The worker exited."),
                NextStartAt = now + delay,
            });

            try
            {
                await Task.Delay(delay, _timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var worker = _current;
        UpdateStatus(s => s with { State = WorkerState.Stopping });
        _metrics.SetWorkerReady(false);
        // The current worker and any replaced one still finishing its turns drain together.
        AppServerWorker[] workers = [.. new[] { worker }.OfType<AppServerWorker>(), .. _retiring.Keys];
        var active = workers.Sum(w => w.ActiveTurns);
        if (active > 0)
        {
            Log.Draining(_logger, active, _options.DrainTimeout);
            var drained = await WaitDrainedAsync(workers, _options.DrainTimeout, cancellationToken);
            if (!drained)
            {
                Log.InterruptingTurns(_logger, workers.Sum(w => w.ActiveTurns));
                await _abortTurns.CancelAsync();
                await WaitDrainedAsync(workers, TimeSpan.FromSeconds(3), cancellationToken);
            }
        }

        await base.StopAsync(cancellationToken);
        await Task.WhenAll(_retiring.Values).WaitAsync(_options.ExitTimeout + TimeSpan.FromSeconds(5), _timeProvider, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (worker is not null)
        {
            worker.Connection.TerminationDetail = "The service stopped the Codex worker.";
            await worker.Process.StopAsync(_options.ExitTimeout, _timeProvider);
            await worker.DisposeAsync();
        }

        _current = null;
        UpdateStatus(s => s with { State = WorkerState.Stopped, Pid = null });
    }

    public override void Dispose()
    {
        _abortTurns.Dispose();
        base.Dispose();
    }

    private async Task<bool> WaitDrainedAsync(AppServerWorker[] workers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(workers.Select(w => w.WhenDrainedAsync())).WaitAsync(timeout, _timeProvider, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// Starts a worker to replace <paramref name="old"/> and makes it current once its handshake is done;
    /// the old one is drained and stopped in the background. Returns <see langword="null"/> (old kept) when
    /// the new worker fails to start.
    /// </summary>
    private async Task<AppServerWorker?> TryReplaceAsync(AppServerLaunchPlan plan, AppServerWorker old, CancellationToken stoppingToken)
    {
        Log.Recycling(_logger, old.Process.Pid, old.TurnsStarted);
        AppServerWorker replacement;
        try
        {
            replacement = await StartWorkerAsync(plan, stoppingToken, replacement: true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Log.RecycleFailed(_logger, old.Process.Pid, ex.Message, ex);
            return null;
        }

        _current = replacement;
        _retiring[old] = RetireAsync(old, stoppingToken);
        UpdateStatus(s => s with
        {
            Pid = replacement.Process.Pid,
            ReadySince = _timeProvider.GetUtcNow(),
            Recycles = s.Recycles + 1,
        });
        _metrics.WorkerRecycled();
        Log.Recycled(_logger, old.Process.Pid, replacement.Process.Pid, old.ActiveTurns);
        return replacement;
    }

    /// <summary>Lets a replaced worker finish its turns (each ends by its own deadlines), then stops it.</summary>
    private async Task RetireAsync(AppServerWorker old, CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await Task.WhenAny(old.WhenDrainedAsync(), old.Process.Exited).WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutdown: StopAsync has drained or interrupted the turns; stop the process now.
        }

        old.Connection.TerminationDetail = "The Codex worker was replaced (recycled).";
        await old.Process.StopAsync(_options.ExitTimeout, _timeProvider);
        _metrics.MalformedLines(old.Connection.MalformedLines);
        await old.DisposeAsync();
        _retiring.TryRemove(old, out _);
        Log.Retired(_logger, old.Process.Pid);
    }

    private async Task<AppServerWorker> StartWorkerAsync(AppServerLaunchPlan plan, CancellationToken cancellationToken, bool replacement = false)
    {
        if (Interlocked.Increment(ref _started) > 1 && !replacement)
        {
            _metrics.WorkerRestarted();
            UpdateStatus(s => s with { Restarts = s.Restarts + 1 });
        }

        var process = AppServerProcess.Start(plan, _loggerFactory.CreateLogger("CodexCompletionsApi.Worker"), _options.StderrTailLines);
        var connection = new JsonRpcConnection(
            process.StandardOutput,
            process.StandardInput,
            _loggerFactory.CreateLogger<JsonRpcConnection>(),
            _timeProvider,
            request => ServerRequestPolicy.Answer(request, _timeProvider));
        var worker = new AppServerWorker(process, connection, _cliVersion);
        if (!replacement)
        {
            UpdateStatus(s => s with { Pid = process.Pid });
        }

        try
        {
            connection.Start();
            await HandshakeAsync(connection, cancellationToken);
            return worker;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            process.Kill();
            await process.Exited.WaitAsync(TimeSpan.FromSeconds(5), _timeProvider).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            var exitCode = process.ExitCode;
            await worker.DisposeAsync();
            var tail = process.StderrTail();
            var detail = tail.Count > 0 ? $" stderr: {string.Join(" | ", tail.TakeLast(5))}" : string.Empty;
            throw new WorkerStartException($"Worker handshake failed: {ex.Message}{detail}", exitCode, ex);
        }
    }

    private async Task HandshakeAsync(JsonRpcConnection connection, CancellationToken cancellationToken)
    {
        var json = CodexJsonContext.Default;
        var version = typeof(AppServerSupervisor).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        var initialize = new InitializeParams(
            new ClientInfo("codex_completions_api", version.Split('+')[0], "codex-completions-api"),
            new InitializeCapabilities(ExperimentalApi: true, CodexMethods.OptOutNotifications));
        await connection.CallAsync(CodexMethods.Initialize, initialize, json.InitializeParams, json.InitializeResult, _options.HandshakeTimeout, cancellationToken);
        await connection.NotifyAsync(CodexMethods.Initialized, cancellationToken);

        // The worker must advertise every model of our catalog: proof that it loaded model_catalog_json.
        var models = await connection.CallRawAsync(CodexMethods.ModelList, new EmptyResult(), json.EmptyResult, _options.HandshakeTimeout, cancellationToken);
        var advertised = new HashSet<string>(StringComparer.Ordinal);
        if (models.ValueKind == JsonValueKind.Object && models.TryGetProperty("data"u8, out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in data.EnumerateArray())
            {
                if (entry.TryGetProperty("model"u8, out var slug) && slug.ValueKind == JsonValueKind.String)
                {
                    advertised.Add(slug.GetString()!);
                }
            }
        }

        var missing = _catalog.Models.Select(m => m.UpstreamModel).Where(slug => !advertised.Contains(slug)).Distinct().ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"The worker did not load the model catalog; missing: {string.Join(", ", missing)}.");
        }
    }

    /// <summary>Records an exit and reports whether the sliding window now holds a crash loop.</summary>
    private bool RecordExit(DateTimeOffset now)
    {
        _recentExits.Enqueue(now);
        while (_recentExits.Count > 0 && now - _recentExits.Peek() > _options.CrashLoopWindow)
        {
            _recentExits.Dequeue();
        }

        return _recentExits.Count >= _options.CrashLoopThreshold;
    }

    /// <summary>Capped exponential backoff with ±20% jitter.</summary>
    private TimeSpan Backoff(int consecutiveFailures)
    {
        var exponent = Math.Min(consecutiveFailures - 1, 20);
        var baseDelay = Math.Min(_options.RestartInitialDelay.TotalMilliseconds * Math.Pow(2, exponent), _options.RestartMaxDelay.TotalMilliseconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return TimeSpan.FromMilliseconds(Math.Min(baseDelay * jitter, _options.RestartMaxDelay.TotalMilliseconds));
    }

    /// <summary>Applies a change to the status atomically (the supervisor loop and retiring workers both update it).</summary>
    private void UpdateStatus(Func<WorkerStatus, WorkerStatus> change)
    {
        lock (_statusLock)
        {
            _status = change(_status);
        }
    }

    /// <summary>A worker that could not complete its handshake, with its exit code when it died.</summary>
    private sealed class WorkerStartException(string message, int? exitCode, Exception inner) : Exception(message, inner)
    {
        public int? ExitCode { get; } = exitCode;
    }

    private static partial class Log
    {
        [LoggerMessage(400, LogLevel.Information, "Codex worker configured: binary {Binary} (version {Version}), CODEX_HOME {CodexHome}, upstream {Upstream}", EventName = "WorkerConfigured")]
        public static partial void WorkerConfigured(ILogger logger, string binary, string version, string codexHome, string upstream);

        [LoggerMessage(401, LogLevel.Information, "Codex worker {Pid} ready (CLI {Version})", EventName = "WorkerReady")]
        public static partial void WorkerReady(ILogger logger, int pid, string version);

        [LoggerMessage(402, LogLevel.Error, "Codex worker exited (code {ExitCode}); last stderr: {StderrTail}", EventName = "WorkerExited")]
        public static partial void WorkerExited(ILogger logger, int? exitCode, string stderrTail);

        [LoggerMessage(403, LogLevel.Error, "Codex worker failed to start: {Reason}", EventName = "WorkerStartFailed")]
        public static partial void WorkerStartFailed(ILogger logger, string reason, Exception exception);

        [LoggerMessage(404, LogLevel.Critical, "Codex worker is crash-looping: {Exits} exits within {Window}; next start in {Delay}", EventName = "WorkerCrashLoop")]
        public static partial void CrashLoop(ILogger logger, int exits, TimeSpan window, TimeSpan delay);

        [LoggerMessage(405, LogLevel.Warning, "Running Codex CLI {Version}, not the pinned {Pinned} ({Binary}): PROXY_ALLOW_CODEX_VERSION_MISMATCH is set; behaviour is untested", EventName = "VersionMismatchAllowed")]
        public static partial void VersionMismatchAllowed(ILogger logger, string version, string pinned, string binary);

        [LoggerMessage(406, LogLevel.Information, "Shutdown: draining {Turns} turn(s) for up to {Timeout}", EventName = "Draining")]
        public static partial void Draining(ILogger logger, int turns, TimeSpan timeout);

        [LoggerMessage(407, LogLevel.Warning, "Shutdown: interrupting {Turns} turn(s) still running", EventName = "InterruptingTurns")]
        public static partial void InterruptingTurns(ILogger logger, int turns);

        [LoggerMessage(408, LogLevel.Warning, "The worker's working directory {Directory} is not empty; Codex may read files from it", EventName = "WorkDirectoryNotEmpty")]
        public static partial void WorkDirectoryNotEmpty(ILogger logger, string directory);

        [LoggerMessage(409, LogLevel.Information, "Recycling Codex worker {Pid} after {Turns} turns: starting its replacement", EventName = "WorkerRecycling")]
        public static partial void Recycling(ILogger logger, int pid, long turns);

        [LoggerMessage(440, LogLevel.Information, "Codex worker {NewPid} replaced worker {OldPid}, which finishes its {Turns} running turn(s) and stops", EventName = "WorkerRecycled")]
        public static partial void Recycled(ILogger logger, int oldPid, int newPid, int turns);

        [LoggerMessage(441, LogLevel.Information, "Replaced Codex worker {Pid} stopped", EventName = "WorkerRetired")]
        public static partial void Retired(ILogger logger, int pid);

        [LoggerMessage(442, LogLevel.Error, "Replacing Codex worker {Pid} failed, it keeps serving: {Reason}", EventName = "WorkerRecycleFailed")]
        public static partial void RecycleFailed(ILogger logger, int pid, string reason, Exception exception);
    }
}
