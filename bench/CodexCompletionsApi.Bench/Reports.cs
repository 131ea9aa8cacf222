namespace CodexCompletionsApi.Bench;

/// <summary>CPU and memory of one process group over one cell.</summary>
internal sealed record ResourceFigures(string Process, int? Pid, double CpuSeconds, double CpuMsPerRequest, double PeakRssMb, double EndRssMb);

/// <summary>One path × mode × concurrency cell of the matrix.</summary>
internal sealed record CellReport(
    string Path,
    string Mode,
    int Concurrency,
    int Requests,
    int Completed,
    int Errors,
    int Misdelivered,
    double WallSeconds,
    double RequestsPerSecond,
    Distribution? LatencyMs,
    Distribution? TtftMs,
    Distribution? GapMs,
    Distribution? LatencyToTurnCompletedMs,
    ResourceFigures? Service,
    ResourceFigures Codex,
    double? ServiceCpuPercentOfCodex,
    IReadOnlyList<string> ErrorSamples,
    Distribution? ThreadStartMs = null,
    double? CodexHomeBytesPerRequest = null);

/// <summary>Service over direct at one mode and concurrency: ratios (×) and differences (ms).</summary>
internal sealed record Comparison(
    string Mode,
    int Concurrency,
    double? LatencyP50Ratio,
    double? LatencyP50AddedMs,
    double? LatencyP95Ratio,
    double? LatencyP95AddedMs,
    double? LatencyP99Ratio,
    double? LatencyP99AddedMs,
    double? TtftP50Ratio,
    double? TtftP50AddedMs,
    double? TtftP99Ratio,
    double? TtftP99AddedMs,
    double? GapP50Ratio,
    double? GapP99Ratio,
    double? RequestsPerSecondRatio,
    double? CodexCpuPerRequestRatio,
    double? CodexPeakRssRatio,
    double? ServiceCpuPercentOfCodex);

/// <summary>One target of the benchmark issue and what this run measured for it.</summary>
internal sealed record TargetCheck(string Target, string Measured, string Verdict);

/// <summary>The machine the run measured (docs/performance.md asks for these with every result).</summary>
internal sealed record MachineInfo(
    int LogicalCpus,
    string CpuModel,
    double MemoryGb,
    string Os,
    string Kernel,
    string Runtime,
    string LoadAverageAtStart,
    string? LoadAverageAtEnd)
{
    public static MachineInfo Read()
    {
        var cpu = ReadFirst("/proc/cpuinfo", "model name") ?? "unknown";
        var memKb = ReadFirst("/proc/meminfo", "MemTotal")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var memory = memKb is not null && double.TryParse(memKb, System.Globalization.CultureInfo.InvariantCulture, out var kb) ? Math.Round(kb / 1024 / 1024, 1) : 0;
        return new MachineInfo(
            Environment.ProcessorCount,
            cpu,
            memory,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            ReadText("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            LoadAverage(),
            null);
    }

    public static string LoadAverage() => ReadText("/proc/loadavg") is { } text ? string.Join(' ', text.Split(' ').Take(3)) : "unknown";

    private static string? ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? ReadFirst(string path, string key)
    {
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    return colon < 0 ? null : line[(colon + 1)..].Trim();
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return null;
    }
}

/// <summary>What was run against what.</summary>
internal sealed record RunSettings(
    string Mode,
    string Route,
    IReadOnlyList<int> Concurrency,
    int RequestsPerCell,
    double CellDurationCapSeconds,
    int Warmup,
    int Deltas,
    int DelayMs,
    double TimeoutSeconds,
    string ServiceDll,
    bool ServiceOptimized,
    bool? ServiceServerGc,
    string CodexBinary,
    string? ServiceCodexVersion,
    string? DirectCodexUserAgent,
    string Model,
    IReadOnlyList<string> WorkerArguments,
    IReadOnlyList<string>? WorkerLaunchDifferences,
    IReadOnlyDictionary<string, string> ServiceEnvironmentOverrides,
    IReadOnlyList<string>? DirectDeliberateDifferences = null,
    int DirectWorkers = 1,
    string? DirectRouting = null);

/// <summary>The JSON document written to <c>--out</c>.</summary>
internal sealed record BenchReport(
    string Tool,
    DateTimeOffset StartedAt,
    DateTimeOffset FinishedAt,
    MachineInfo Machine,
    RunSettings Settings,
    IReadOnlyDictionary<string, double>? IdleCpuCores,
    IReadOnlyList<CellReport>? Cells,
    IReadOnlyList<Comparison>? Comparisons,
    IReadOnlyList<TargetCheck>? Targets,
    EnduranceReport? Endurance,
    OpenStreamsReport? OpenStreams,
    int Errors,
    int Misdelivered,
    int ExitCode);

/// <summary>Aligned plain-text tables: first columns left-aligned, the rest right-aligned.</summary>
internal sealed class TextTable(int leftAligned, params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(TextWriter writer)
    {
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        void Line(string[] cells)
        {
            var parts = cells.Select((cell, i) => i < leftAligned ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
            writer.WriteLine(string.Join("  ", parts).TrimEnd());
        }

        Line(headers);
        writer.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            Line(row);
        }
    }

    public static string Num(double? value, int decimals = 1)
        => value is { } v ? v.ToString("F" + decimals.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture) : "-";
}
