using System.Globalization;

namespace CodexCompletionsApi.Bench;

/// <summary>
/// The default mode: at each concurrency level, the direct driver, then the service non-streaming,
/// then the service streaming, with the same echo requests; then service-over-direct comparisons
/// and the targets of the benchmark issue.
/// </summary>
internal sealed class MatrixRun(BenchSession session)
{
    private readonly BenchOptions _options = session.Options;

    public List<CellReport> Cells { get; } = [];

    public List<Comparison> Comparisons { get; } = [];

    public List<TargetCheck> Targets { get; } = [];

    /// <summary>CPU each process uses while nothing is sent (measured after the warm-up), in cores.</summary>
    public Dictionary<string, double> IdleCpuCores { get; } = new(StringComparer.Ordinal);

    /// <summary>Requests that failed or were misdelivered during warm-ups (they count toward the exit code).</summary>
    public Tally WarmupTally { get; } = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var direct = new DirectPath(session.Directs, session.Model.UpstreamModel, _options.DirectRouting == "least-loaded");
        var nonStream = new ServicePath(session.Client!, stream: false);
        var stream = new ServicePath(session.Client!, stream: true);
        IBenchPath[] paths = _options.DirectOnly ? [direct] : [direct, nonStream, stream];

        if (_options.Warmup > 0)
        {
            foreach (var path in paths)
            {
                BenchSession.Log($"warm-up {path.Path}/{path.Mode}: {_options.Warmup} requests");
                await LoadRunner.RunAsync(path, session.Tokens, WarmupTally, Math.Min(4, _options.Warmup), _options.Warmup, TimeSpan.FromMinutes(5), _options.Timeout, cancellationToken);
            }
        }

        await session.WaitQuietAsync(TimeSpan.FromSeconds(30), cancellationToken);
        await MeasureIdleAsync(cancellationToken);

        foreach (var concurrency in _options.Concurrency)
        {
            foreach (var path in paths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var cell = await RunCellAsync(path, concurrency, cancellationToken);
                Cells.Add(cell);
                BenchSession.Log($"{path.Path}/{path.Mode} c={concurrency}: {cell.Completed} ok, {cell.Errors} errors, {cell.Misdelivered} misdelivered, {cell.RequestsPerSecond:F1} req/s, p50 {TextTable.Num(cell.LatencyMs?.P50)} ms");
            }
        }

        Compare();
        CheckTargets();
    }

    public void Print(TextWriter writer)
    {
        writer.WriteLine();
        writer.WriteLine($"Idle CPU (cores, nothing sent for 3 s after the warm-up): {string.Join(", ", IdleCpuCores.Select(kv => $"{kv.Key} {kv.Value.ToString("F4", CultureInfo.InvariantCulture)}"))}");
        writer.WriteLine();
        writer.WriteLine("Per cell (latency, TTFT and gaps in ms; CPU in s over the measured window; RSS peak in MiB):");
        var table = new TextTable(
            3,
            "path", "mode", "conc", "ok", "err", "mis", "req/s", "lat p50", "p95", "p99", "ttft p50", "p99", "gap p50", "p99",
            "svc cpu", "svc rss", "codex cpu", "codex ms/req", "codex rss");
        foreach (var c in Cells)
        {
            table.Add(
                c.Path, c.Mode, c.Concurrency.ToString(CultureInfo.InvariantCulture),
                c.Completed.ToString(CultureInfo.InvariantCulture), c.Errors.ToString(CultureInfo.InvariantCulture), c.Misdelivered.ToString(CultureInfo.InvariantCulture),
                TextTable.Num(c.RequestsPerSecond),
                TextTable.Num(c.LatencyMs?.P50), TextTable.Num(c.LatencyMs?.P95), TextTable.Num(c.LatencyMs?.P99),
                TextTable.Num(c.TtftMs?.P50), TextTable.Num(c.TtftMs?.P99),
                TextTable.Num(c.GapMs?.P50, 2), TextTable.Num(c.GapMs?.P99, 2),
                TextTable.Num(c.Service?.CpuSeconds, 2), TextTable.Num(c.Service?.PeakRssMb),
                TextTable.Num(c.Codex.CpuSeconds, 2), TextTable.Num(c.Codex.CpuMsPerRequest), TextTable.Num(c.Codex.PeakRssMb));
        }

        table.Write(writer);

        writer.WriteLine();
        writer.WriteLine("Service over direct (ratio ×, added ms in brackets; svc cpu % = service CPU / its Codex CPU):");
        var compare = new TextTable(
            2,
            "mode", "conc", "lat p50", "lat p95", "lat p99", "ttft p50", "ttft p99", "gap p50", "gap p99", "req/s", "codex ms/req", "codex rss", "svc cpu %");
        foreach (var c in Comparisons)
        {
            compare.Add(
                c.Mode, c.Concurrency.ToString(CultureInfo.InvariantCulture),
                RatioAdded(c.LatencyP50Ratio, c.LatencyP50AddedMs), RatioAdded(c.LatencyP95Ratio, c.LatencyP95AddedMs), RatioAdded(c.LatencyP99Ratio, c.LatencyP99AddedMs),
                RatioAdded(c.TtftP50Ratio, c.TtftP50AddedMs), RatioAdded(c.TtftP99Ratio, c.TtftP99AddedMs),
                Ratio(c.GapP50Ratio), Ratio(c.GapP99Ratio), Ratio(c.RequestsPerSecondRatio),
                Ratio(c.CodexCpuPerRequestRatio), Ratio(c.CodexPeakRssRatio), TextTable.Num(c.ServiceCpuPercentOfCodex));
        }

        compare.Write(writer);

        writer.WriteLine();
        writer.WriteLine("Targets (benchmark issue):");
        var targets = new TextTable(3, "target", "measured", "verdict");
        foreach (var t in Targets)
        {
            targets.Add(t.Target, t.Measured, t.Verdict);
        }

        targets.Write(writer);

        var directCells = Cells.Where(c => c.Path == "direct").ToList();
        if (directCells.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Direct driver detail (thread/start = its round trip from sending the request; home = growth of the workers' CODEX_HOME per request):");
            var detail = new TextTable(1, "conc", "thread/start p50", "p99", "mean", "lat mean", "start % of lat", "home KB/req", "codex rss end");
            foreach (var c in directCells)
            {
                var share = c.ThreadStartMs is { } ts && c.LatencyMs is { Mean: > 0 } lat ? ts.Mean / lat.Mean * 100 : (double?)null;
                detail.Add(
                    c.Concurrency.ToString(CultureInfo.InvariantCulture),
                    TextTable.Num(c.ThreadStartMs?.P50, 2), TextTable.Num(c.ThreadStartMs?.P99, 2), TextTable.Num(c.ThreadStartMs?.Mean, 2),
                    TextTable.Num(c.LatencyMs?.Mean, 2), TextTable.Num(share), TextTable.Num(c.CodexHomeBytesPerRequest / 1024, 2), TextTable.Num(c.Codex.EndRssMb));
            }

            detail.Write(writer);
        }
    }

    /// <summary>Bytes under the direct workers' homes (Codex's DBs, logs, sessions).</summary>
    private long DirectHomeBytes()
    {
        long total = 0;
        foreach (var home in session.Directs.Select(d => d.Home).OfType<string>())
        {
            try
            {
                total += new DirectoryInfo(home).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // a file vanished mid-walk (a journal); the figure is approximate anyway
            }
        }

        return total;
    }

    /// <summary>A floor for the CPU figures: what each process burns with no requests (timers, GC, logging).</summary>
    private async Task MeasureIdleAsync(CancellationToken cancellationToken)
    {
        ProcessGroup[] groups = [session.ServiceGroup!, session.ServiceCodexGroup!, session.DirectCodexGroup!];
        var start = groups.Select(g => g.Read()).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        for (var i = 0; i < groups.Length; i++)
        {
            var end = groups[i].Read();
            var seconds = RequestResult.Ms(start[i].Timestamp, end.Timestamp) / 1000;
            IdleCpuCores[groups[i].Name] = Math.Round((end.CpuSeconds - start[i].CpuSeconds) / seconds, 4);
        }
    }

    private static string Ratio(double? ratio) => ratio is { } r ? r.ToString("F2", CultureInfo.InvariantCulture) + "×" : "-";

    private static string RatioAdded(double? ratio, double? added)
        => ratio is null ? "-" : $"{Ratio(ratio)} ({(added >= 0 ? "+" : string.Empty)}{TextTable.Num(added, 2)})";

    private async Task<CellReport> RunCellAsync(IBenchPath path, int concurrency, CancellationToken cancellationToken)
    {
        var codexGroup = path is DirectPath ? session.DirectCodexGroup! : session.ServiceCodexGroup!;
        var serviceGroup = path is DirectPath ? null : session.ServiceGroup;

        // One unmeasured request per worker: connections opened, code paths warm at this concurrency.
        await LoadRunner.RunAsync(path, session.Tokens, WarmupTally, concurrency, concurrency, TimeSpan.FromMinutes(5), _options.Timeout, cancellationToken);
        await session.WaitQuietAsync(TimeSpan.FromSeconds(5), cancellationToken);

        var tally = new Tally();
        var homeStart = path is DirectPath ? DirectHomeBytes() : 0;
        var codexStart = codexGroup.Read();
        var serviceStart = serviceGroup?.Read();
        var wall = await LoadRunner.RunAsync(path, session.Tokens, tally, concurrency, _options.Requests, _options.Duration, _options.Timeout, cancellationToken);
        var codexEnd = codexGroup.Read();
        var serviceEnd = serviceGroup?.Read();
        var homeEnd = path is DirectPath ? DirectHomeBytes() : 0;

        var results = tally.Results;
        var codexWindow = codexGroup.Window(codexStart, codexEnd);
        var requests = tally.Completed + tally.Errors + tally.Misdelivered;
        ResourceFigures Figures(ProcessGroup group, ResourceWindow w) => new(
            group.Name, group.Pid, Math.Round(w.CpuSeconds, 3), requests == 0 ? 0 : Math.Round(w.CpuSeconds * 1000 / requests, 2), Stats.Mb(w.PeakRssBytes), Stats.Mb(w.EndRssBytes));
        var codex = Figures(codexGroup, codexWindow);
        ResourceFigures? service = null;
        double? servicePercent = null;
        if (serviceGroup is not null && serviceStart is { } ss && serviceEnd is { } se)
        {
            var serviceWindow = serviceGroup.Window(ss, se);
            service = Figures(serviceGroup, serviceWindow);
            servicePercent = codexWindow.CpuSeconds > 0 ? Math.Round(serviceWindow.CpuSeconds / codexWindow.CpuSeconds * 100, 2) : null;
        }

        var streaming = path.Mode != "nonstream";
        return new CellReport(
            path.Path,
            path.Mode,
            concurrency,
            requests,
            tally.Completed,
            tally.Errors,
            tally.Misdelivered,
            Math.Round(wall.TotalSeconds, 3),
            Math.Round(tally.Completed / wall.TotalSeconds, 2),
            Distribution.Of(results.Select(r => r.LatencyMs)),
            streaming ? Distribution.Of(results.Select(r => r.TtftMs).OfType<double>()) : null,
            streaming ? Distribution.Of(results.SelectMany(r => r.GapsMs)) : null,
            path is DirectPath ? Distribution.Of(results.Select(r => RequestResult.Ms(r.Started, r.TurnCompleted))) : null,
            service,
            codex,
            servicePercent,
            tally.Samples,
            path is DirectPath ? Distribution.Of(results.Where(r => r.ThreadStarted != 0).Select(r => RequestResult.Ms(r.Started, r.ThreadStarted))) : null,
            path is DirectPath && requests > 0 ? Math.Round((homeEnd - homeStart) / (double)requests, 1) : null);
    }

    private void Compare()
    {
        foreach (var cell in Cells.Where(c => c.Path == "service"))
        {
            var baseline = Cells.FirstOrDefault(c => c.Path == "direct" && c.Concurrency == cell.Concurrency);
            if (baseline is null)
            {
                continue;
            }

            Comparisons.Add(new Comparison(
                cell.Mode,
                cell.Concurrency,
                Stats.Ratio(cell.LatencyMs?.P50, baseline.LatencyMs?.P50),
                Stats.Difference(cell.LatencyMs?.P50, baseline.LatencyMs?.P50),
                Stats.Ratio(cell.LatencyMs?.P95, baseline.LatencyMs?.P95),
                Stats.Difference(cell.LatencyMs?.P95, baseline.LatencyMs?.P95),
                Stats.Ratio(cell.LatencyMs?.P99, baseline.LatencyMs?.P99),
                Stats.Difference(cell.LatencyMs?.P99, baseline.LatencyMs?.P99),
                Stats.Ratio(cell.TtftMs?.P50, baseline.TtftMs?.P50),
                Stats.Difference(cell.TtftMs?.P50, baseline.TtftMs?.P50),
                Stats.Ratio(cell.TtftMs?.P99, baseline.TtftMs?.P99),
                Stats.Difference(cell.TtftMs?.P99, baseline.TtftMs?.P99),
                Stats.Ratio(cell.GapMs?.P50, baseline.GapMs?.P50),
                Stats.Ratio(cell.GapMs?.P99, baseline.GapMs?.P99),
                Stats.Ratio(cell.RequestsPerSecond, baseline.RequestsPerSecond),
                Stats.Ratio(cell.Codex.CpuMsPerRequest, baseline.Codex.CpuMsPerRequest),
                Stats.Ratio(cell.Codex.PeakRssMb, baseline.Codex.PeakRssMb),
                cell.ServiceCpuPercentOfCodex));
        }
    }

    private void CheckTargets()
    {
        var at16 = Comparisons.Where(c => c.Concurrency == 16).ToList();
        var at64 = Comparisons.Where(c => c.Concurrency == 64).ToList();
        static string Ms(double? v) => v is { } x ? $"{(x >= 0 ? "+" : string.Empty)}{x.ToString("F2", CultureInfo.InvariantCulture)} ms" : "-";

        Targets.Add(Check(
            "added latency p50 <= 1 ms at concurrency 16",
            at16,
            c => c.LatencyP50AddedMs,
            v => v <= 1,
            (c, v) => $"{c.Mode} {Ms(v)}"));
        Targets.Add(Check(
            "added latency p99 <= 3 ms at concurrency 16",
            at16,
            c => c.LatencyP99AddedMs,
            v => v <= 3,
            (c, v) => $"{c.Mode} {Ms(v)}"));
        Targets.Add(Check(
            "added TTFT p99 <= 1 ms (streaming, concurrency 16)",
            at16.Where(c => c.Mode == "stream").ToList(),
            c => c.TtftP99AddedMs,
            v => v <= 1,
            (c, v) => $"{c.Mode} {Ms(v)}"));
        Targets.Add(Check(
            "service CPU <= 5% of Codex CPU per turn (every cell)",
            Comparisons,
            c => c.ServiceCpuPercentOfCodex,
            v => v <= 5,
            (c, v) => $"{c.Mode}@{c.Concurrency.ToString(CultureInfo.InvariantCulture)} {TextTable.Num(v)}%",
            worstOnly: true));
        Targets.Add(Check(
            "req/s at concurrency 64 >= 95% of direct",
            at64,
            c => c.RequestsPerSecondRatio,
            v => v >= 0.95,
            (c, v) => $"{c.Mode} {TextTable.Num(v * 100)}%"));
        Targets.Add(new TargetCheck("service RSS <= 150 MB with 1,000 open streams", "measured by --open-streams 1000", "not measured"));
    }

    private static TargetCheck Check(
        string target,
        IReadOnlyList<Comparison> rows,
        Func<Comparison, double?> value,
        Func<double, bool> pass,
        Func<Comparison, double?, string> describe,
        bool worstOnly = false)
    {
        var measured = rows.Where(r => value(r) is not null).ToList();
        if (measured.Count == 0)
        {
            return new TargetCheck(target, "-", "not measured");
        }

        var failing = measured.Where(r => !pass(value(r)!.Value)).ToList();
        var shown = worstOnly ? [failing.Count > 0 ? failing.OrderByDescending(r => value(r)).First() : measured.OrderByDescending(r => value(r)).First()] : measured;
        return new TargetCheck(target, string.Join(", ", shown.Select(r => describe(r, value(r)))), failing.Count == 0 ? "PASS" : "FAIL");
    }
}
