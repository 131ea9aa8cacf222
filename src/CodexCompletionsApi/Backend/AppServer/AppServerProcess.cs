using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// Owns exactly one <c>codex app-server</c> OS process: start with an explicit environment, a
/// continuous stderr reader (ANSI stripped, logged, last lines kept), and a graceful-then-forceful
/// stop. Only <see cref="JsonRpcConnection"/> touches its stdin and stdout.
/// </summary>
internal sealed partial class AppServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ILogger _logger;
    private readonly Queue<string> _stderrTail = new();
    private readonly int _tailLines;
    private readonly Task _stderrPump;

    private AppServerProcess(Process process, ILogger logger, int tailLines)
    {
        _process = process;
        _logger = logger;
        _tailLines = tailLines;
        Exited = process.WaitForExitAsync();
        _stderrPump = Task.Run(PumpStderrAsync);
    }

    public int Pid => _process.Id;

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited { get; }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public Stream StandardOutput => _process.StandardOutput.BaseStream;

    public Stream StandardInput => _process.StandardInput.BaseStream;

    public static AppServerProcess Start(AppServerLaunchPlan plan, ILogger logger, int stderrTailLines)
    {
        var psi = new ProcessStartInfo(plan.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            WorkingDirectory = plan.WorkingDirectory,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in plan.Arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        psi.Environment.Clear();
        foreach (var (key, value) in plan.Environment)
        {
            psi.Environment[key] = value;
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {plan.FileName}.");
        return new AppServerProcess(process, logger, stderrTailLines);
    }

    /// <summary>The last stderr lines, oldest first.</summary>
    public IReadOnlyList<string> StderrTail()
    {
        lock (_stderrTail)
        {
            return [.. _stderrTail];
        }
    }

    /// <summary>Closes stdin (the app-server exits within milliseconds), waits, then kills the tree.</summary>
    public async Task StopAsync(TimeSpan gracePeriod, TimeProvider timeProvider)
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.StandardInput.Close();
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // Already closed or the process is gone.
            }

            try
            {
                await Exited.WaitAsync(gracePeriod, timeProvider);
            }
            catch (TimeoutException)
            {
                Log.KillingAfterGrace(_logger, Pid, gracePeriod);
                Kill();
            }
        }

        await Exited;
    }

    /// <summary>Kills the process and its children at once.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Exited;
        try
        {
            await _stderrPump.WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            // A grandchild may still hold stderr open; the pump ends when it closes.
        }

        _process.Dispose();
    }

    private async Task PumpStderrAsync()
    {
        try
        {
            var reader = _process.StandardError;
            while (await reader.ReadLineAsync() is { } raw)
            {
                var line = AnsiEscape().Replace(raw, string.Empty).TrimEnd();
                if (line.Length == 0)
                {
                    continue;
                }

                lock (_stderrTail)
                {
                    _stderrTail.Enqueue(line);
                    while (_stderrTail.Count > _tailLines)
                    {
                        _stderrTail.Dequeue();
                    }
                }

                if (line.Contains(" ERROR ", StringComparison.Ordinal) || line.StartsWith("Error", StringComparison.Ordinal))
                {
                    Log.StderrError(_logger, Pid, line);
                }
                else if (line.Contains(" WARN ", StringComparison.Ordinal) || line.StartsWith("WARNING", StringComparison.Ordinal))
                {
                    Log.StderrWarning(_logger, Pid, line);
                }
                else
                {
                    Log.StderrLine(_logger, Pid, line);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The process is gone.
        }
    }

    [GeneratedRegex(@"\x1B\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex AnsiEscape();

    private static partial class Log
    {
        [LoggerMessage(420, LogLevel.Warning, "codex[{Pid}] {Line}", EventName = "WorkerStderrError")]
        public static partial void StderrError(ILogger logger, int pid, string line);

        [LoggerMessage(421, LogLevel.Information, "codex[{Pid}] {Line}", EventName = "WorkerStderrWarning")]
        public static partial void StderrWarning(ILogger logger, int pid, string line);

        [LoggerMessage(422, LogLevel.Debug, "codex[{Pid}] {Line}", EventName = "WorkerStderr")]
        public static partial void StderrLine(ILogger logger, int pid, string line);

        [LoggerMessage(423, LogLevel.Warning, "Worker {Pid} did not exit within {Grace} after stdin closed; killing its process tree", EventName = "WorkerKilled")]
        public static partial void KillingAfterGrace(ILogger logger, int pid, TimeSpan grace);
    }
}
