using System.Diagnostics;
using System.Globalization;

namespace CodexCompletionsApi.Bench;

/// <summary>One point of the endurance series.</summary>
internal sealed record EnduranceSample(
    double ElapsedSeconds,
    bool Loaded,
    int Completed,
    double? IntervalRequestsPerSecond,
    double ServiceRssMb,
    int? ServiceOpenFiles,
    double? ServiceCpuMsPerRequest,
    int? CodexPid,
    double CodexRssMb,
    double? CodexRssAnonMb,
    double? CodexRssFileMb,
    double? CodexHomeMb,
    int? CodexOpenFiles,
    int? CodexLoadedThreads,
    double? CodexCpuMsPerRequest,
    double? TurnsActive,
    double? TurnsFinished,
    double? TurnsRejected,
    double? WorkerRestarts);

/// <summary>The endurance mode's result: totals, the series, and a fitted trend per series.</summary>
internal sealed record EnduranceReport(
    int Requests,
    int Concurrency,
    int Completed,
    int Errors,
    int Misdelivered,
    double WallSeconds,
    double RequestsPerSecond,
    Distribution? LatencyMs,
    double SettleSeconds,
    string TrendWindow,
    IReadOnlyDictionary<string, Trend?> Trends,
    int WorkerRestarts,
    IReadOnlyList<EnduranceSample> Samples,
    IReadOnlyList<string> ErrorSamples);

/// <summary>
/// <c>--endurance N</c>: N requests at one concurrency (default 16) through the service, alternating
/// non-streaming and streaming, sampled every few seconds: throughput, RSS and open files of the
/// service and of its Codex worker (pid from <c>/healthz</c>; its RSS also split into anonymous and
/// file-backed pages), the size of the worker's <c>CODEX_HOME</c>, CPU per request, and the service's
/// turn gauges from <c>/metrics</c>. Each series gets a least-squares slope so "flat" can be judged.
/// </summary>
internal sealed class EnduranceRun(BenchSession session)
{
    private static readonly string[] MetricNames =
    [
        "codex_api_turns_active", "codex_api_turns_total", "codex_api_turns_rejected_total", "codex_api_worker_restarts_total",
    ];

    private readonly BenchOptions _options = session.Options;
    private readonly List<EnduranceSample> _samples = [];

    public EnduranceReport? Report { get; private set; }

    /// <summary>Failures during the warm-up (they count toward the exit code).</summary>
    public Tally WarmupTally { get; } = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var concurrency = _options.Concurrency[0];
        var nonStream = new ServicePath(session.Client!, stream: false);
        var stream = new ServicePath(session.Client!, stream: true);
        if (_options.Warmup > 0)
        {
            BenchSession.Log($"warm-up: {_options.Warmup} requests (not sampled)");
            await LoadRunner.RunAsync(nonStream, session.Tokens, WarmupTally, Math.Min(concurrency, _options.Warmup), _options.Warmup, TimeSpan.FromMinutes(5), _options.Timeout, cancellationToken, index => index % 2 == 0 ? stream : nonStream);
            await session.WaitQuietAsync(TimeSpan.FromSeconds(30), cancellationToken); // the JIT's background tier-up ends
        }

        var tally = new Tally();
        var started = Stopwatch.GetTimestamp();
        BenchSession.Log($"endurance: {_options.EnduranceRequests} requests at concurrency {concurrency}, sampled every {_options.SampleEvery.TotalSeconds:0.#} s");

        var load = LoadRunner.RunAsync(
            nonStream, session.Tokens, tally, concurrency, _options.EnduranceRequests, TimeSpan.FromDays(1), _options.Timeout, cancellationToken,
            index => index % 2 == 0 ? stream : nonStream);

        var previous = await SampleAsync(started, tally, loaded: true, previous: null, cancellationToken);
        var restartsAtStart = session.ServiceWorker?.Restarts ?? 0;
        while (!load.IsCompleted)
        {
            await Task.WhenAny(load, Task.Delay(_options.SampleEvery, cancellationToken));
            if (!load.IsCompleted)
            {
                previous = await SampleAsync(started, tally, loaded: true, previous, cancellationToken);
                if (_samples.Count % 6 == 0)
                {
                    var s = _samples[^1];
                    BenchSession.Log($"endurance {s.ElapsedSeconds:F0} s: {s.Completed} done, {TextTable.Num(s.IntervalRequestsPerSecond)} req/s, service {s.ServiceRssMb} MiB, Codex {s.CodexRssMb} MiB (anon {s.CodexRssAnonMb}), home {s.CodexHomeMb} MiB, {s.CodexOpenFiles} fds, {s.CodexLoadedThreads} loaded threads");
                }
            }
        }

        var wall = await load;
        previous = await SampleAsync(started, tally, loaded: true, previous, cancellationToken);
        var cooldownEnd = Stopwatch.GetTimestamp() + (long)(_options.Cooldown.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < cooldownEnd)
        {
            await Task.Delay(_options.SampleEvery, cancellationToken);
            previous = await SampleAsync(started, tally, loaded: false, previous, cancellationToken);
        }

        var loadedSamples = _samples.Where(s => s.Loaded).ToList();
        var settled = loadedSamples.Where(s => s.ElapsedSeconds >= _options.Settle.TotalSeconds).ToList();
        var window = $"samples from {_options.Settle.TotalSeconds:0} s on";
        if (settled.Count < 3)
        {
            settled = [.. loadedSamples.Skip(loadedSamples.Count / 2)];
            window = "second half of the loaded samples (the run was shorter than --settle)";
        }

        Trend? Fit(Func<EnduranceSample, double?> value)
            => Stats.Fit([.. settled.Where(s => value(s) is not null).Select(s => (s.ElapsedSeconds, value(s)!.Value))]);

        var trends = new Dictionary<string, Trend?>(StringComparer.Ordinal)
        {
            ["requests_per_second"] = Fit(s => s.IntervalRequestsPerSecond),
            ["service_rss_mb"] = Fit(s => s.ServiceRssMb),
            ["service_open_files"] = Fit(s => s.ServiceOpenFiles),
            ["service_cpu_ms_per_request"] = Fit(s => s.ServiceCpuMsPerRequest),
            ["codex_rss_mb"] = Fit(s => s.CodexRssMb),
            ["codex_rss_anon_mb"] = Fit(s => s.CodexRssAnonMb),
            ["codex_rss_file_mb"] = Fit(s => s.CodexRssFileMb),
            ["codex_home_mb"] = Fit(s => s.CodexHomeMb),
            ["codex_open_files"] = Fit(s => s.CodexOpenFiles),
            ["codex_loaded_threads"] = Fit(s => s.CodexLoadedThreads),
            ["codex_cpu_ms_per_request"] = Fit(s => s.CodexCpuMsPerRequest),
            ["turns_active"] = Fit(s => s.TurnsActive),
        };

        var worker = await session.RefreshWorkerAsync(cancellationToken);
        Report = new EnduranceReport(
            _options.EnduranceRequests,
            concurrency,
            tally.Completed,
            tally.Errors,
            tally.Misdelivered,
            Math.Round(wall.TotalSeconds, 2),
            Math.Round(tally.Completed / wall.TotalSeconds, 2),
            Distribution.Of(tally.Results.Select(r => r.LatencyMs)),
            _options.Settle.TotalSeconds,
            window,
            trends,
            (worker?.Restarts ?? restartsAtStart) - restartsAtStart,
            _samples,
            tally.Samples);
    }

    public void Print(TextWriter writer)
    {
        var r = Report!;
        writer.WriteLine();
        writer.WriteLine($"Endurance: {r.Completed} ok, {r.Errors} errors, {r.Misdelivered} misdelivered of {r.Requests} at concurrency {r.Concurrency}; {r.RequestsPerSecond:F1} req/s over {r.WallSeconds:F0} s; latency p50 {TextTable.Num(r.LatencyMs?.P50)} / p99 {TextTable.Num(r.LatencyMs?.P99)} ms; worker restarts {r.WorkerRestarts}");
        writer.WriteLine();
        var table = new TextTable(0, "t s", "load", "done", "req/s", "svc rss", "svc fds", "svc ms/req", "codex pid", "codex rss", "anon", "file", "home MiB", "codex fds", "threads", "codex ms/req", "active");
        var step = Math.Max(1, r.Samples.Count / 40);
        for (var i = 0; i < r.Samples.Count; i++)
        {
            if (i % step != 0 && i != r.Samples.Count - 1)
            {
                continue;
            }

            var s = r.Samples[i];
            table.Add(
                TextTable.Num(s.ElapsedSeconds, 0), s.Loaded ? "yes" : "idle", s.Completed.ToString(CultureInfo.InvariantCulture), TextTable.Num(s.IntervalRequestsPerSecond),
                TextTable.Num(s.ServiceRssMb), s.ServiceOpenFiles?.ToString(CultureInfo.InvariantCulture) ?? "-", TextTable.Num(s.ServiceCpuMsPerRequest, 2),
                s.CodexPid?.ToString(CultureInfo.InvariantCulture) ?? "-", TextTable.Num(s.CodexRssMb), TextTable.Num(s.CodexRssAnonMb), TextTable.Num(s.CodexRssFileMb), TextTable.Num(s.CodexHomeMb, 0), s.CodexOpenFiles?.ToString(CultureInfo.InvariantCulture) ?? "-",
                s.CodexLoadedThreads?.ToString(CultureInfo.InvariantCulture) ?? "-", TextTable.Num(s.CodexCpuMsPerRequest, 2), TextTable.Num(s.TurnsActive, 0));
        }

        table.Write(writer);
        writer.WriteLine();
        writer.WriteLine($"Trends ({r.TrendWindow}; slope per minute; change = slope × window / mean; flat = within ±5%):");
        var trends = new TextTable(1, "series", "points", "mean", "first", "last", "slope/min", "change %", "verdict");
        foreach (var (name, t) in r.Trends)
        {
            trends.Add(
                name, t?.Points.ToString(CultureInfo.InvariantCulture) ?? "-", TextTable.Num(t?.Mean, 2), TextTable.Num(t?.First, 2), TextTable.Num(t?.Last, 2),
                TextTable.Num(t?.SlopePerMinute, 3), TextTable.Num(t?.ChangeOverWindowPercent, 1), t?.Verdict ?? "too few samples");
        }

        trends.Write(writer);
    }

    private async Task<(long At, int Requests, ResourceReading Service, ResourceReading Codex)> SampleAsync(
        long started,
        Tally tally,
        bool loaded,
        (long At, int Requests, ResourceReading Service, ResourceReading Codex)? previous,
        CancellationToken cancellationToken)
    {
        var worker = await session.RefreshWorkerAsync(cancellationToken, loadedThreads: true);
        var metrics = await session.Client!.MetricsAsync(MetricNames, cancellationToken);
        var now = Stopwatch.GetTimestamp();
        var service = session.ServiceGroup!.Read();
        var codex = session.ServiceCodexGroup!.Read();
        var requests = tally.Completed + tally.Errors + tally.Misdelivered;
        var seconds = previous is { } p ? Stopwatch.GetElapsedTime(p.At, now).TotalSeconds : 0;
        var delta = previous is { } q ? requests - q.Requests : 0;
        double? PerRequest(double cpuNow, double? cpuBefore) => cpuBefore is not { } b ? null : delta > 0 ? Math.Round(Math.Max(0, cpuNow - b) * 1000 / delta, 3) : 0;

        _samples.Add(new EnduranceSample(
            Math.Round(Stopwatch.GetElapsedTime(started, now).TotalSeconds, 1),
            loaded,
            tally.Completed,
            seconds > 0 ? Math.Round(delta / seconds, 2) : null,
            Stats.Mb(service.RssBytes),
            ProcFs.CountOpenFiles(session.ServiceGroup.Pid),
            PerRequest(service.CpuSeconds, previous?.Service.CpuSeconds),
            worker?.Pid,
            Stats.Mb(codex.RssBytes),
            MbOrNull(ProcFs.ReadStatusBytes(session.ServiceCodexGroup.Pid, "RssAnon")),
            MbOrNull(ProcFs.ReadStatusBytes(session.ServiceCodexGroup.Pid, "RssFile")),
            MbOrNull(ProcFs.DirectoryBytes(session.ServiceCodexHome)),
            ProcFs.CountOpenFiles(session.ServiceCodexGroup.Pid),
            worker?.LoadedThreads,
            PerRequest(codex.CpuSeconds, previous?.Codex.CpuSeconds),
            metrics.TryGetValue("codex_api_turns_active", out var active) ? active : null,
            metrics.TryGetValue("codex_api_turns_total", out var total) ? total : null,
            metrics.TryGetValue("codex_api_turns_rejected_total", out var rejected) ? rejected : null,
            metrics.TryGetValue("codex_api_worker_restarts_total", out var restarts) ? restarts : null));
        return (now, requests, service, codex);

        static double? MbOrNull(long? bytes) => bytes is { } b ? Stats.Mb(b) : null;
    }
}
