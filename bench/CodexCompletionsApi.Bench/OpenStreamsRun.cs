using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace CodexCompletionsApi.Bench;

/// <summary>The open-streams mode's result.</summary>
internal sealed record OpenStreamsReport(
    int Requested,
    int Opened,
    int Errors,
    int Misdelivered,
    int StreamDelayMs,
    double RampPerSecond,
    double RampSeconds,
    Distribution? TtftMs,
    double WindowSeconds,
    long DeltasInWindow,
    double ExpectedDeltasInWindow,
    Distribution? WindowGapMs,
    double ServiceBaselineRssMb,
    double ServiceWindowRssMb,
    double ServicePeakRssMb,
    double? ServiceRssKbPerStream,
    double ServiceCpuCoresInWindow,
    double? ServiceCpuMsPerStreamSecond,
    double ServiceCpuCoresDuringRamp,
    int? ServiceOpenFiles,
    double CodexBaselineRssMb,
    double CodexWindowRssMb,
    double CodexPeakRssMb,
    double? CodexRssKbPerStream,
    double CodexCpuCoresInWindow,
    double? CodexCpuMsPerStreamSecond,
    double CodexCpuCoresDuringRamp,
    int? CodexOpenFiles,
    string? CodexOpenFilesLimit,
    TargetCheck Target,
    IReadOnlyList<string> Notes,
    IReadOnlyList<string> ErrorSamples);

/// <summary>
/// <c>--open-streams N</c>: opens N streaming requests through the service (at
/// <c>--ramp-per-second</c>), each paced by the scripted model at one delta per
/// <c>--stream-delay-ms</c>; once all are open (or the ramp deadline passes) it holds them for
/// <c>--window</c> and measures the service's and Codex's RSS and CPU per open stream, then lets go
/// of every stream (the service interrupts their turns). Notes say when Codex, not the service,
/// limited how many streams could be opened.
/// </summary>
internal sealed class OpenStreamsRun(BenchSession session)
{
    private readonly BenchOptions _options = session.Options;
    private readonly ConcurrentBag<double> _windowGaps = [];
    private long _windowDeltas;
    private int _opened;
    private volatile bool _inWindow;

    public OpenStreamsReport? Report { get; private set; }

    /// <summary>Failures during the warm-up (they count as misdelivered or errors like the rest).</summary>
    public Tally WarmupTally { get; } = new();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var n = _options.OpenStreams;
        var delay = _options.StreamDelayMs;
        var rampDeadline = TimeSpan.FromSeconds((n / _options.RampPerSecond) + 60);
        var streamSeconds = rampDeadline.TotalSeconds + _options.Window.TotalSeconds + 30;
        var deltas = (int)Math.Ceiling(streamSeconds * 1000 / delay);
        var serviceGroup = session.ServiceGroup!;
        var codexGroup = session.ServiceCodexGroup!;
        BenchSession.Log($"open streams: {n} streams at {_options.RampPerSecond:0.#}/s, one delta per {delay} ms (up to {deltas} deltas each), window {_options.Window.TotalSeconds:0.#} s");

        // Warm the service's code paths, then take the baseline once the JIT's background tier-up is done.
        if (_options.Warmup > 0)
        {
            await LoadRunner.RunAsync(new ServicePath(session.Client!, stream: true), session.Tokens, WarmupTally, Math.Min(4, _options.Warmup), _options.Warmup, TimeSpan.FromMinutes(5), _options.Timeout, cancellationToken);
        }

        await session.WaitQuietAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var serviceBaseline = serviceGroup.Read();
        var codexBaseline = codexGroup.Read();

        using var hold = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var tasks = new List<Task<(RequestResult Result, string Token)>>(n);
        var rampStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < n; i++)
        {
            var due = rampStart + (long)(i / _options.RampPerSecond * Stopwatch.Frequency);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency), cancellationToken);
            }

            var token = session.Tokens.Next("os", minLength: deltas);
            var prompt = Tokens.Prompt(token, deltas, delay);
            tasks.Add(Task.Run(async () => (await session.Client!.HoldStreamAsync(prompt, OnDelta, hold.Token), token), cancellationToken));
        }

        // Wait until every stream has its first delta or has failed, or the ramp deadline passes.
        var deadline = rampStart + (long)(rampDeadline.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && Volatile.Read(ref _opened) + tasks.Count(t => t.IsCompleted) < n)
        {
            await Task.Delay(100, cancellationToken);
        }

        var rampEnd = Stopwatch.GetTimestamp();
        var serviceRampEnd = serviceGroup.Read();
        var codexRampEnd = codexGroup.Read();
        var rampSeconds = Stopwatch.GetElapsedTime(rampStart, rampEnd).TotalSeconds;
        var opened = Volatile.Read(ref _opened);
        BenchSession.Log($"open streams: {opened} of {n} open after {rampSeconds:F1} s; holding for {_options.Window.TotalSeconds:0.#} s");

        var serviceWindowStart = serviceGroup.Read();
        var codexWindowStart = codexGroup.Read();
        _inWindow = true;
        await Task.Delay(_options.Window, cancellationToken);
        _inWindow = false;
        var serviceWindowEnd = serviceGroup.Read();
        var codexWindowEnd = codexGroup.Read();
        var serviceFiles = ProcFs.CountOpenFiles(serviceGroup.Pid);
        var codexFiles = ProcFs.CountOpenFiles(codexGroup.Pid);
        var codexFilesLimit = OpenFilesLimit(codexGroup.Pid);
        var windowSeconds = Stopwatch.GetElapsedTime(serviceWindowStart.Timestamp, serviceWindowEnd.Timestamp).TotalSeconds;
        var stillOpen = tasks.Count(t => !t.IsCompleted);

        // Let go: every client disconnects; the service interrupts and releases each turn.
        await hold.CancelAsync();
        var all = Task.WhenAll(tasks);
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60), cancellationToken));

        var tally = new Tally();
        foreach (var task in tasks.Where(t => t.IsCompletedSuccessfully))
        {
            tally.Add(task.Result.Result, task.Result.Token, prefixOnly: true);
        }

        var serviceWindow = serviceGroup.Window(serviceWindowStart, serviceWindowEnd);
        var codexWindow = codexGroup.Window(codexWindowStart, codexWindowEnd);
        var servicePeak = serviceGroup.Window(serviceBaseline, serviceWindowEnd).PeakRssBytes;
        var codexPeak = codexGroup.Window(codexBaseline, codexWindowEnd).PeakRssBytes;
        var serviceMean = serviceGroup.MeanRss(serviceWindowStart, serviceWindowEnd);
        var codexMean = codexGroup.MeanRss(codexWindowStart, codexWindowEnd);
        double? PerStreamKb(long mean, long baseline) => stillOpen > 0 ? Math.Round((mean - baseline) / 1024.0 / stillOpen, 1) : null;
        double? MsPerStreamSecond(double cpu) => stillOpen > 0 && windowSeconds > 0 ? Math.Round(cpu * 1000 / windowSeconds / stillOpen, 4) : null;
        var serviceRampCores = Math.Round((serviceRampEnd.CpuSeconds - serviceBaseline.CpuSeconds) / rampSeconds, 3);
        var codexRampCores = Math.Round((codexRampEnd.CpuSeconds - codexBaseline.CpuSeconds) / rampSeconds, 3);
        var ttft = Distribution.Of(tasks.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result.Result.TtftMs).OfType<double>());
        var expectedDeltas = stillOpen * windowSeconds * 1000 / delay;

        var target = n >= 1000
            ? new TargetCheck("service RSS <= 150 MB with 1,000 open streams", $"peak {Stats.Mb(servicePeak)} MiB with {stillOpen} open", Stats.Mb(servicePeak) <= 150 && stillOpen >= 1000 ? "PASS" : "FAIL")
            : new TargetCheck("service RSS <= 150 MB with 1,000 open streams", $"peak {Stats.Mb(servicePeak)} MiB with {stillOpen} open", "not measured (needs --open-streams 1000)");

        Report = new OpenStreamsReport(
            n,
            opened,
            tally.Errors,
            tally.Misdelivered,
            delay,
            _options.RampPerSecond,
            Math.Round(rampSeconds, 2),
            ttft,
            Math.Round(windowSeconds, 2),
            Interlocked.Read(ref _windowDeltas),
            Math.Round(expectedDeltas, 0),
            Distribution.Of(_windowGaps),
            Stats.Mb(serviceBaseline.RssBytes),
            Stats.Mb(serviceMean),
            Stats.Mb(servicePeak),
            PerStreamKb(serviceMean, serviceBaseline.RssBytes),
            Math.Round(serviceWindow.CpuSeconds / windowSeconds, 3),
            MsPerStreamSecond(serviceWindow.CpuSeconds),
            serviceRampCores,
            serviceFiles,
            Stats.Mb(codexBaseline.RssBytes),
            Stats.Mb(codexMean),
            Stats.Mb(codexPeak),
            PerStreamKb(codexMean, codexBaseline.RssBytes),
            Math.Round(codexWindow.CpuSeconds / windowSeconds, 3),
            MsPerStreamSecond(codexWindow.CpuSeconds),
            codexRampCores,
            codexFiles,
            codexFilesLimit,
            target,
            Notes(n, opened, stillOpen, rampSeconds, serviceRampCores, codexRampCores, ttft, expectedDeltas, tally, codexFiles, codexFilesLimit),
            tally.Samples);
    }

    public void Print(TextWriter writer)
    {
        var r = Report!;
        writer.WriteLine();
        writer.WriteLine($"Open streams: {r.Opened} of {r.Requested} opened in {r.RampSeconds:F1} s ({r.RampPerSecond:0.#}/s); {r.Errors} errors, {r.Misdelivered} misdelivered; one delta per {r.StreamDelayMs} ms");
        writer.WriteLine($"time to first token: p50 {TextTable.Num(r.TtftMs?.P50)} / p99 {TextTable.Num(r.TtftMs?.P99)} / max {TextTable.Num(r.TtftMs?.Max)} ms");
        writer.WriteLine($"window {r.WindowSeconds:F1} s: {r.DeltasInWindow} deltas received of {r.ExpectedDeltasInWindow:F0} paced; gap p50 {TextTable.Num(r.WindowGapMs?.P50)} / p99 {TextTable.Num(r.WindowGapMs?.P99)} ms");
        writer.WriteLine();
        var table = new TextTable(1, "process", "rss idle MiB", "rss open MiB", "rss peak MiB", "KiB/stream", "cores (window)", "cpu ms/stream/s", "cores (ramp)", "open fds");
        table.Add("service", TextTable.Num(r.ServiceBaselineRssMb), TextTable.Num(r.ServiceWindowRssMb), TextTable.Num(r.ServicePeakRssMb), TextTable.Num(r.ServiceRssKbPerStream),
            TextTable.Num(r.ServiceCpuCoresInWindow, 3), TextTable.Num(r.ServiceCpuMsPerStreamSecond, 4), TextTable.Num(r.ServiceCpuCoresDuringRamp, 3), r.ServiceOpenFiles?.ToString(CultureInfo.InvariantCulture) ?? "-");
        table.Add("codex", TextTable.Num(r.CodexBaselineRssMb), TextTable.Num(r.CodexWindowRssMb), TextTable.Num(r.CodexPeakRssMb), TextTable.Num(r.CodexRssKbPerStream),
            TextTable.Num(r.CodexCpuCoresInWindow, 3), TextTable.Num(r.CodexCpuMsPerStreamSecond, 4), TextTable.Num(r.CodexCpuCoresDuringRamp, 3),
            (r.CodexOpenFiles?.ToString(CultureInfo.InvariantCulture) ?? "-") + (r.CodexOpenFilesLimit is { } l ? $" (limit {l})" : string.Empty));
        table.Write(writer);
        writer.WriteLine();
        writer.WriteLine($"Target: {r.Target.Target}: {r.Target.Measured}: {r.Target.Verdict}");
        foreach (var note in r.Notes)
        {
            writer.WriteLine($"note: {note}");
        }
    }

    private static string? OpenFilesLimit(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            var parts = line?["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return parts is { Length: >= 1 } ? parts[0] : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private List<string> Notes(
        int requested,
        int opened,
        int stillOpen,
        double rampSeconds,
        double serviceRampCores,
        double codexRampCores,
        Distribution? ttft,
        double expectedDeltas,
        Tally tally,
        int? codexFiles,
        string? codexFilesLimit)
    {
        var notes = new List<string>();
        var cores = Environment.ProcessorCount;
        var rampBudget = requested / _options.RampPerSecond;
        if (opened < requested)
        {
            notes.Add($"{requested - opened} of {requested} streams never produced a first delta ({tally.Errors} failed).");
        }

        if (stillOpen < opened)
        {
            notes.Add($"{opened - stillOpen} opened streams ended before the window closed.");
        }

        if (codexRampCores >= 0.75 * cores)
        {
            notes.Add($"Codex was CPU-bound while the streams opened ({codexRampCores:F2} of {cores} cores; the service used {serviceRampCores:F2}): turn start in Codex, not the service, limits how fast streams open.");
        }
        else if (serviceRampCores > codexRampCores)
        {
            notes.Add($"The service used more CPU than Codex while the streams opened ({serviceRampCores:F2} vs {codexRampCores:F2} cores).");
        }

        if (rampSeconds > rampBudget * 1.5 + 5)
        {
            notes.Add($"Opening took {rampSeconds:F0} s against a schedule of {rampBudget:F0} s: turns started slower than they were requested.");
        }

        if (ttft is { } t && t.P99 > 5 * _options.StreamDelayMs + 1000)
        {
            notes.Add($"Turn start latency grew under load: TTFT p99 {t.P99 / 1000:F1} s (max {t.Max / 1000:F1} s), far above one delta interval; with Codex near its CPU limit this is Codex queueing thread/start and turn/start.");
        }

        var delivered = Interlocked.Read(ref _windowDeltas);
        if (expectedDeltas > 0 && delivered < 0.9 * expectedDeltas)
        {
            notes.Add($"Streams fell behind their pacing in the window: {delivered} of {expectedDeltas:F0} deltas ({delivered / expectedDeltas * 100:F0}%).");
        }

        if (codexFiles is { } files && long.TryParse(codexFilesLimit, NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) && files > 0.8 * limit)
        {
            notes.Add($"Codex holds {files} open files of its limit {limit}: its descriptor limit will cap open streams.");
        }

        var timeouts = tally.Samples.Count(s => s.Contains("timed out", StringComparison.Ordinal) || s.Contains("HTTP 504", StringComparison.Ordinal) || s.Contains("HTTP 503", StringComparison.Ordinal));
        if (timeouts > 0)
        {
            notes.Add("Some streams failed with timeouts or 503/504 (see error samples): the worker did not start their turns in time.");
        }

        if (notes.Count == 0)
        {
            notes.Add("Every stream opened on schedule and kept its pacing: neither Codex nor the service limited this many streams.");
        }

        return notes;
    }

    private void OnDelta(RequestResult result, long at)
    {
        if (result.Deltas == 1)
        {
            Interlocked.Increment(ref _opened);
        }

        if (_inWindow)
        {
            Interlocked.Increment(ref _windowDeltas);
            if (result.GapsMs.Count > 0)
            {
                _windowGaps.Add(result.GapsMs[^1]);
            }
        }
    }
}
