using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.Bench;

/// <summary>
/// Everything a run starts and stops: the scripted model (in-process), the service (a separate
/// process with its own Codex worker), optionally the direct driver (a second Codex launched with the
/// service's own flags, environment and catalog), and the resource sampler over all of them.
/// </summary>
internal sealed class BenchSession : IAsyncDisposable
{
    private const string UpstreamKey = "bench-upstream-key";

    /// <summary>Below this CPU rate (cores) a process counts as idle.</summary>
    private const double QuietCores = 0.03;

    private BenchSession(BenchOptions options) => Options = options;

    public BenchOptions Options { get; }

    public required string ServiceDll { get; init; }

    public required string CodexBinary { get; init; }

    public required string DataDirectory { get; init; }

    public required CatalogModel Model { get; init; }

    public Tokens Tokens { get; } = new();

    public ResourceSampler Sampler { get; } = new(TimeSpan.FromMilliseconds(100));

    public ScriptedModelServer? ScriptedModel { get; private set; }

    public ServiceHost? Service { get; private set; }

    public ServiceClient? Client { get; private set; }

    public DirectDriver? Direct => Directs.Count > 0 ? Directs[0] : null;

    /// <summary>The direct workers (<c>--direct-workers</c>; one by default).</summary>
    public List<DirectDriver> Directs { get; } = [];

    /// <summary>What <c>--direct-config</c>/<c>--direct-env</c> deliberately changed in the direct worker's launch.</summary>
    public IReadOnlyList<string> DirectDeliberateDifferences { get; private set; } = [];

    public LaunchPlan? DirectPlan { get; private set; }

    public WorkerInfo? ServiceWorker { get; private set; }

    public ProcessGroup? ServiceGroup { get; private set; }

    public ProcessGroup? ServiceCodexGroup { get; private set; }

    /// <summary>The service worker's <c>CODEX_HOME</c> (the service's default under its data directory).</summary>
    public string? ServiceCodexHome { get; private set; }

    public ProcessGroup? DirectCodexGroup { get; private set; }

    public IReadOnlyDictionary<string, string> ServiceOverrides { get; private set; } = new Dictionary<string, string>();

    /// <summary>
    /// How the direct worker's command line and environment differ from the service's worker as
    /// running (read from <c>/proc</c>, with the two data directories equated); empty when identical,
    /// <see langword="null"/> when not checked.
    /// </summary>
    public IReadOnlyList<string>? LaunchDifferences { get; private set; }

    /// <summary>Locates the builds and binaries, then starts everything the mode needs.</summary>
    public static async Task<BenchSession> StartAsync(BenchOptions options, bool withDirect, CancellationToken cancellationToken)
    {
        var repoRoot = FindRepoRoot();
        var serviceDll = LocateServiceDll(options.ServiceDll, repoRoot);
        var serviceDir = Path.GetDirectoryName(serviceDll)!;
        var catalogSource = Path.Combine(serviceDir, "catalog", "models.json");
        var catalog = ModelCatalog.Load(catalogSource);

        var configured = options.CodexBinary ?? Environment.GetEnvironmentVariable("CODEX_BIN");
        var roots = new[] { repoRoot, Environment.CurrentDirectory, AppContext.BaseDirectory }.Where(r => r is not null).Cast<string>();
        var codexBinary = ServiceInternals.ResolveCodexBinary(configured, roots)
            ?? throw new InvalidOperationException("The Codex CLI binary was not found. Run scripts/setup (it installs the pinned @openai/codex into codex-cli/), or pass --codex-bin / set CODEX_BIN.");
        if (!File.Exists(codexBinary))
        {
            throw new InvalidOperationException($"The Codex binary '{codexBinary}' does not exist.");
        }

        var dataDirectory = Path.GetFullPath(options.DataDirectory ?? Path.Combine(
            Path.GetTempPath(), "codex-completions-bench", $"run-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}"));
        Directory.CreateDirectory(dataDirectory);

        var session = new BenchSession(options)
        {
            ServiceDll = serviceDll,
            CodexBinary = codexBinary,
            DataDirectory = dataDirectory,
            Model = catalog.DefaultModel,
        };
        try
        {
            await session.StartProcessesAsync(catalog, withDirect, cancellationToken);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }

        return session;
    }

    /// <summary>Whether the service runs with server GC (its runtimeconfig.json), for the report.</summary>
    public bool? ServiceServerGc()
    {
        if ((ServiceOverrides.GetValueOrDefault("DOTNET_gcServer") ?? Environment.GetEnvironmentVariable("DOTNET_gcServer")) is { } env)
        {
            return env is "1" or "true";
        }

        var path = Path.ChangeExtension(ServiceDll, ".runtimeconfig.json");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.GetProperty("runtimeOptions"u8).TryGetProperty("configProperties"u8, out var props)
                   && props.TryGetProperty("System.GC.Server"u8, out var server)
                ? server.GetBoolean()
                : false;
        }
        catch (Exception ex) when (ex is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits (up to <paramref name="limit"/>) until the service and the workers are idle: after a
    /// warm-up the .NET tiered JIT keeps recompiling hot methods in the background for a few
    /// seconds, which would otherwise be charged to the first cell's service CPU.
    /// </summary>
    public async Task WaitQuietAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        ProcessGroup[] groups = [.. new[] { ServiceGroup, ServiceCodexGroup, DirectCodexGroup }.OfType<ProcessGroup>()];
        var until = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < until)
        {
            var start = groups.Select(g => g.Read()).ToArray();
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
            var busy = false;
            for (var i = 0; i < groups.Length; i++)
            {
                var end = groups[i].Read();
                busy |= (end.CpuSeconds - start[i].CpuSeconds) / (RequestResult.Ms(start[i].Timestamp, end.Timestamp) / 1000) > QuietCores;
            }

            if (!busy)
            {
                return;
            }
        }
    }

    /// <summary>Re-reads the service's worker from <c>/healthz</c>; retargets the sampler when it restarted.</summary>
    public async Task<WorkerInfo?> RefreshWorkerAsync(CancellationToken cancellationToken, bool loadedThreads = false)
    {
        var worker = await Client!.WorkerAsync(cancellationToken, loadedThreads);
        if (worker?.Pid is { } pid && ServiceCodexGroup is { } group && group.Pid != pid)
        {
            group.Retarget(pid);
        }

        if (worker is not null)
        {
            ServiceWorker = worker;
        }

        return worker;
    }

    public async ValueTask DisposeAsync()
    {
        Sampler.Dispose();
        foreach (var direct in Directs)
        {
            await direct.DisposeAsync();
        }

        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        Client?.Dispose();
        if (ScriptedModel is not null)
        {
            await ScriptedModel.DisposeAsync();
        }

        if (!Options.KeepData)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"[bench] could not remove {DataDirectory}: {ex.Message}");
            }
        }
    }

    private async Task StartProcessesAsync(ModelCatalog catalog, bool withDirect, CancellationToken cancellationToken)
    {
        Log($"scripted model: in-process, {Options.Deltas} deltas, {Options.DelayMs} ms apart; service route: {(Options.Route == "responses" ? "/v1/responses (store: false)" : "/v1/chat/completions")}");
        ScriptedModel = await ScriptedModelServer.StartAsync(
            new ScriptedModelOptions { RecordRequests = false, DefaultDeltas = Options.Deltas, DefaultDelayMs = Options.DelayMs },
            cancellationToken);
        var upstreamUrl = ScriptedModel.BaseUrl.ToString();

        // The run's base environment: this process's, minus service settings, plus --service-env, so
        // the variables AppServerLaunch passes through to Codex are the same for both workers.
        var environment = ServiceHost.BaseEnvironment();
        foreach (var (key, value) in Options.ServiceEnvironment)
        {
            environment[key] = value;
        }

        var serviceData = Path.Combine(DataDirectory, "service");
        Directory.CreateDirectory(serviceData);
        ServiceCodexHome = Path.Combine(serviceData, ".codex-api");
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PROXY_UPSTREAM_BASE_URL"] = upstreamUrl,
            ["PROXY_UPSTREAM_API_KEY"] = UpstreamKey,
            ["PROXY_DATA_DIR"] = serviceData,
            ["PROXY_MAX_CONCURRENT_TURNS"] = Math.Max(1024, Options.OpenStreams + 64).ToString(CultureInfo.InvariantCulture),
            ["CODEX_BIN"] = CodexBinary,
            ["Logging__LogLevel__Default"] = "Warning",
            // Start and stop lines only: an unexpected shutdown of the service then says so in its output.
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in Options.ServiceEnvironment)
        {
            settings[key] = value;
        }

        ServiceOverrides = settings;
        Log($"service: dotnet {ServiceDll}{(ServiceInternals.ServiceIsOptimized() ? string.Empty : "  (WARNING: not a Release build)")}");
        Service = ServiceHost.Start(ServiceDll, environment, settings);
        Client = new ServiceClient(Service.BaseAddress, Model.Id, Options.Route == "responses");
        await Service.WaitReadyAsync(Client, TimeSpan.FromSeconds(90), cancellationToken);
        ServiceWorker = await Client.WorkerAsync(cancellationToken);
        if (ServiceWorker?.Pid is not { } workerPid)
        {
            throw new InvalidOperationException($"The service is ready but /healthz names no worker pid: {Service.OutputTail()}");
        }

        Log($"service ready on {Service.BaseAddress} (pid {Service.Pid}, Codex worker pid {workerPid}, CLI {ServiceWorker.CliVersion})");
        ServiceGroup = Sampler.Add("service", Service.Pid, includeDescendants: false);
        ServiceCodexGroup = Sampler.Add("service-codex", workerPid, includeDescendants: true);

        if (withDirect)
        {
            for (var index = 0; index < Options.DirectWorkers; index++)
            {
                await StartDirectAsync(index, catalog, settings, upstreamUrl, environment, workerPid, serviceData, cancellationToken);
            }
        }

        Sampler.Start();
    }

    /// <summary>
    /// Starts direct worker <paramref name="index"/>: its home mirrors the service's layout
    /// (<c>&lt;home&gt;/empty-workdir</c>, <c>&lt;home&gt;/model-catalog.json</c>), its launch comes from
    /// the service's own <c>AppServerLaunch.Create</c>, and only then are the deliberate
    /// <c>--direct-config</c>/<c>--direct-env</c> changes applied (and reported as such).
    /// </summary>
    private async Task StartDirectAsync(
        int index,
        ModelCatalog catalog,
        Dictionary<string, string> settings,
        string upstreamUrl,
        Dictionary<string, string> environment,
        int serviceWorkerPid,
        string serviceData,
        CancellationToken cancellationToken)
    {
        var directData = Path.Combine(DataDirectory, index == 0 ? "direct" : $"direct-{(index + 1).ToString(CultureInfo.InvariantCulture)}");
        var codexHome = Path.Combine(directData, ".codex-api");
        var workDirectory = Path.Combine(codexHome, "empty-workdir");
        Directory.CreateDirectory(workDirectory);
        var catalogPath = Path.Combine(codexHome, "model-catalog.json");
        await File.WriteAllBytesAsync(catalogPath, CodexCatalogWriter.Write(catalog), cancellationToken);

        var appServer = new AppServerOptions
        {
            PassEnvironment = settings.GetValueOrDefault("PROXY_WORKER_PASS_ENV"),
        };
        var upstream = new UpstreamOptions { BaseUrl = upstreamUrl, ApiKey = UpstreamKey };
        if (settings.TryGetValue("PROXY_UPSTREAM_IDLE_TIMEOUT_MS", out var idle))
        {
            upstream.StreamIdleTimeout = TimeSpan.FromMilliseconds(double.Parse(idle, CultureInfo.InvariantCulture));
        }

        var plan = ServiceInternals.CreateLaunchPlan(
            CodexBinary, appServer, upstream, codexHome, workDirectory, catalogPath, catalog.DefaultModel.UpstreamModel, environment);
        if (index == 0)
        {
            DirectPlan = plan;
            LaunchDifferences = CompareLaunch(serviceWorkerPid, plan, serviceData, directData);
            Log(LaunchDifferences.Count == 0
                ? $"direct worker launch matches the service's worker: {plan.Arguments.Count} arguments, {plan.Environment.Count} environment variables"
                : $"WARNING: the direct worker's launch differs from the service's: {string.Join("; ", LaunchDifferences)}");
        }

        var deliberate = new List<string>();
        var arguments = plan.Arguments.ToList();
        foreach (var entry in Options.DirectConfig)
        {
            arguments.Add("-c");
            arguments.Add(entry);
            deliberate.Add($"-c {entry}");
        }

        var workerEnvironment = plan.Environment.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var (key, value) in Options.DirectEnvironment)
        {
            deliberate.Add($"environment {key}={value}{(workerEnvironment.ContainsKey(key) ? " (replaces the service's value)" : string.Empty)}");
            workerEnvironment[key] = value;
        }

        if (index == 0)
        {
            DirectDeliberateDifferences = deliberate;
            if (deliberate.Count > 0)
            {
                Log($"DELIBERATE direct-only launch differences (not in the service's worker): {string.Join("; ", deliberate)}");
            }
        }

        var direct = DirectDriver.Start(plan with { Arguments = arguments, Environment = workerEnvironment });
        Directs.Add(direct);
        try
        {
            await direct.HandshakeAsync(
                ServiceInternals.OptOutNotifications(),
                [.. catalog.Models.Select(m => m.UpstreamModel).Distinct()],
                cancellationToken);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            throw new InvalidOperationException($"The direct app-server failed its handshake: {ex.Message} stderr: {direct.StderrTail()}", ex);
        }

        Log($"direct app-server {(index + 1).ToString(CultureInfo.InvariantCulture)} ready (pid {direct.Pid}, {direct.UserAgent})");
        if (DirectCodexGroup is null)
        {
            DirectCodexGroup = Sampler.Add("direct-codex", direct.Pid, includeDescendants: true);
        }
        else
        {
            DirectCodexGroup.AddRoot(direct.Pid);
        }
    }

    /// <summary>Compares the service's running worker (<c>/proc/&lt;pid&gt;/cmdline</c>, <c>environ</c>) with the direct plan.</summary>
    private static List<string> CompareLaunch(int servicePid, LaunchPlan plan, string serviceData, string directData)
    {
        var differences = new List<string>();
        if (!ProcFs.Available)
        {
            differences.Add("not checked: /proc is not available");
            return differences;
        }

        string Normalize(string value) => value.Replace(serviceData, directData, StringComparison.Ordinal);
        string[] ReadNul(string file)
        {
            try
            {
                return File.ReadAllText($"/proc/{servicePid.ToString(CultureInfo.InvariantCulture)}/{file}").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                differences.Add($"could not read the service worker's {file}: {ex.Message}");
                return [];
            }
        }

        var commandLine = ReadNul("cmdline").Select(Normalize).ToList();
        if (commandLine.Count > 0)
        {
            if (commandLine[0] != plan.FileName)
            {
                differences.Add($"binary {commandLine[0]} vs {plan.FileName}");
            }

            var serviceArgs = commandLine.Skip(1).ToList();
            for (var i = 0; i < Math.Max(serviceArgs.Count, plan.Arguments.Count); i++)
            {
                var a = i < serviceArgs.Count ? serviceArgs[i] : "(none)";
                var b = i < plan.Arguments.Count ? plan.Arguments[i] : "(none)";
                if (a != b)
                {
                    differences.Add($"argument {i.ToString(CultureInfo.InvariantCulture)}: service '{a}' vs direct '{b}'");
                }
            }
        }

        var environment = ReadNul("environ")
            .Select(entry => entry.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => Normalize(parts[1]), StringComparer.Ordinal);
        if (environment.Count > 0)
        {
            foreach (var key in environment.Keys.Union(plan.Environment.Keys).Order(StringComparer.Ordinal))
            {
                var a = environment.GetValueOrDefault(key);
                var b = plan.Environment.GetValueOrDefault(key);
                if (a != b)
                {
                    differences.Add($"environment {key}: {(a is null ? "only in direct" : b is null ? "only in service" : "values differ")}");
                }
            }
        }

        return differences;
    }

    public static void Log(string message) => Console.Error.WriteLine($"[bench] {message}");

    private static string? FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CodexCompletionsApi.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The service build beside this tool (same artifacts root and configuration: <c>dotnet run -c
    /// Release</c> builds both), else the repository's Release build that scripts/run uses.
    /// </summary>
    private static string LocateServiceDll(string? configured, string? repoRoot)
    {
        if (configured is not null)
        {
            var full = Path.GetFullPath(configured);
            return File.Exists(full) ? full : throw new InvalidOperationException($"--service-dll '{full}' does not exist.");
        }

        var own = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var candidates = new List<string>();
        if (own.Parent?.Parent is { } bin)
        {
            candidates.Add(Path.Combine(bin.FullName, "CodexCompletionsApi", own.Name, "CodexCompletionsApi.dll"));
        }

        if (repoRoot is not null)
        {
            candidates.Add(Path.Combine(repoRoot, "artifacts", "bin", "CodexCompletionsApi", "release", "CodexCompletionsApi.dll"));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException($"No service build found (looked at {string.Join(", ", candidates)}). Build it: dotnet build src/CodexCompletionsApi -c Release, or pass --service-dll.");
    }
}
