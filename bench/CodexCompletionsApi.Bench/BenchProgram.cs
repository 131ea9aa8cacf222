using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Bench;

/// <summary>Entry point: parse, start, run the mode, print the tables, write the JSON, pick the exit code.</summary>
internal static class BenchProgram
{
    private const int ExitOk = 0;
    private const int ExitMisdelivered = 1;
    private const int ExitUsage = 2;
    private const int ExitErrors = 3;
    private const int ExitStartFailed = 4;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a file for people: keep quotes readable
    };

    public static async Task<int> Main(string[] args)
    {
        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            await Console.Error.WriteLineAsync(BenchOptions.Usage);
            return ExitUsage;
        }

        if (options.Help)
        {
            Console.WriteLine(BenchOptions.Usage);
            return ExitOk;
        }

        if (!ProcFs.Available)
        {
            BenchSession.Log("WARNING: /proc is not available: CPU and RSS figures will be zero.");
        }

        using var cancel = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            BenchSession.Log("interrupted: stopping");
            cancel.Cancel();
        });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancel.Cancel();
        });

        var startedAt = DateTimeOffset.UtcNow;
        var machine = MachineInfo.Read();
        BenchSession.Log($"{machine.LogicalCpus} CPUs ({machine.CpuModel}), {machine.MemoryGb} GB, load {machine.LoadAverageAtStart}; mode {ModeName(options)}");

        BenchSession session;
        try
        {
            session = await BenchSession.StartAsync(options, withDirect: options.Mode == BenchMode.Matrix, cancel.Token);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or TimeoutException or JsonException or InvalidDataException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            BenchSession.Log($"could not start: {ex.Message}");
            return ExitStartFailed;
        }
        catch (OperationCanceledException)
        {
            return ExitStartFailed;
        }

        await using (session)
        {
            MatrixRun? matrix = null;
            EnduranceRun? endurance = null;
            OpenStreamsRun? openStreams = null;
            try
            {
                switch (options.Mode)
                {
                    case BenchMode.Matrix:
                        matrix = new MatrixRun(session);
                        await matrix.RunAsync(cancel.Token);
                        break;
                    case BenchMode.Endurance:
                        endurance = new EnduranceRun(session);
                        await endurance.RunAsync(cancel.Token);
                        break;
                    case BenchMode.OpenStreams:
                        openStreams = new OpenStreamsRun(session);
                        await openStreams.RunAsync(cancel.Token);
                        break;
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                BenchSession.Log("cancelled: no results written");
                return ExitStartFailed;
            }

            var (errors, misdelivered) = options.Mode switch
            {
                BenchMode.Matrix => (matrix!.Cells.Sum(c => c.Errors) + matrix.WarmupTally.Errors, matrix.Cells.Sum(c => c.Misdelivered) + matrix.WarmupTally.Misdelivered),
                BenchMode.Endurance => (endurance!.Report!.Errors + endurance.WarmupTally.Errors, endurance.Report.Misdelivered + endurance.WarmupTally.Misdelivered),
                _ => (openStreams!.Report!.Errors + openStreams.WarmupTally.Errors, openStreams.Report.Misdelivered + openStreams.WarmupTally.Misdelivered),
            };
            var exitCode = misdelivered > 0 ? ExitMisdelivered
                : errors > 0 && options.Mode != BenchMode.OpenStreams ? ExitErrors
                : ExitOk;

            var stdout = Console.Out;
            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync($"codex-completions-api benchmark: {ModeName(options)}; {machine.LogicalCpus} CPUs ({machine.CpuModel}), {machine.MemoryGb} GB; load {machine.LoadAverageAtStart} -> {MachineInfo.LoadAverage()}");
            await stdout.WriteLineAsync($"scripted model: {options.Deltas} deltas, {options.DelayMs} ms apart; service {(ServiceInternals.ServiceIsOptimized() ? "Release" : "DEBUG (not comparable)")} build, Codex CLI {session.ServiceWorker?.CliVersion}");
            if (session.DirectDeliberateDifferences.Count > 0 || session.Directs.Count > 1)
            {
                await stdout.WriteLineAsync($"direct workers: {session.Directs.Count}{(session.Directs.Count > 1 ? $" ({options.DirectRouting})" : string.Empty)}; deliberate direct-only launch differences: {(session.DirectDeliberateDifferences.Count == 0 ? "none" : string.Join("; ", session.DirectDeliberateDifferences))}");
            }

            matrix?.Print(stdout);
            endurance?.Print(stdout);
            openStreams?.Print(stdout);
            var samples = matrix?.Cells.SelectMany(c => c.ErrorSamples).Concat(matrix.WarmupTally.Samples)
                ?? endurance?.Report?.ErrorSamples.Concat(endurance.WarmupTally.Samples) ?? openStreams?.Report?.ErrorSamples ?? [];
            foreach (var sample in samples.Distinct().Take(10))
            {
                await stdout.WriteLineAsync($"  {sample}");
            }

            await stdout.WriteLineAsync();
            await stdout.WriteLineAsync($"errors {errors}, misdelivered {misdelivered}: {(exitCode == ExitOk ? "ok" : $"exit {exitCode}")}");

            var report = new BenchReport(
                "codex-completions-api bench",
                startedAt,
                DateTimeOffset.UtcNow,
                machine with { LoadAverageAtEnd = MachineInfo.LoadAverage() },
                Settings(options, session),
                matrix?.IdleCpuCores,
                matrix?.Cells,
                matrix?.Comparisons,
                matrix?.Targets ?? (openStreams?.Report is { } os ? [os.Target] : null),
                endurance?.Report,
                openStreams?.Report,
                errors,
                misdelivered,
                exitCode);
            var path = Path.GetFullPath(options.Out ?? Path.Combine(
                Path.GetTempPath(), "codex-completions-bench", $"{startedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{ModeName(options)}.json"));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, JsonOptions) + "\n", CancellationToken.None);
            await stdout.WriteLineAsync($"results: {path}");
            return exitCode;
        }
    }

    private static string ModeName(BenchOptions options) => options.Mode switch
    {
        BenchMode.Matrix => options.Quick ? "quick" : "matrix",
        BenchMode.Endurance => "endurance",
        _ => "open-streams",
    };

    private static RunSettings Settings(BenchOptions options, BenchSession session) => new(
        ModeName(options),
        options.Route,
        options.Concurrency,
        options.Mode == BenchMode.Endurance ? options.EnduranceRequests : options.Mode == BenchMode.OpenStreams ? options.OpenStreams : options.Requests,
        options.Duration.TotalSeconds,
        options.Warmup,
        options.Deltas,
        options.DelayMs,
        options.Timeout.TotalSeconds,
        session.ServiceDll,
        ServiceInternals.ServiceIsOptimized(),
        session.ServiceServerGc(),
        session.CodexBinary,
        session.ServiceWorker?.CliVersion,
        session.Direct?.UserAgent,
        session.Model.Id,
        session.DirectPlan?.Arguments ?? [],
        session.LaunchDifferences,
        session.ServiceOverrides.Where(kv => !kv.Key.Contains("KEY", StringComparison.OrdinalIgnoreCase)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        session.DirectDeliberateDifferences,
        session.Directs.Count,
        session.Directs.Count > 1 ? options.DirectRouting : null);
}
