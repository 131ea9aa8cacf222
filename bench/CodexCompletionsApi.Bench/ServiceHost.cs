using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CodexCompletionsApi.Bench;

/// <summary>
/// The service as a separate process, started the way scripts/run starts it
/// (<c>dotnet CodexCompletionsApi.dll</c> with <c>PROXY_*</c> variables), on a free loopback port
/// with its own data directory, and stopped with SIGTERM (then killed if it lingers).
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    /// <summary>Settings of the operator's shell that would change what is measured; never inherited.</summary>
    private static readonly string[] ScrubbedPrefixes =
    [
        "PROXY_", "CODEX_BIN", "PORT", "ASPNETCORE_URLS", "DOTNET_URLS", "URLS",
        "Proxy__", "AppServer__", "Upstream__", "Models__", "Api__", "Turns__", "Images__", "Logging__",
    ];

    private readonly Process _process;
    private readonly Queue<string> _outputTail = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private volatile bool _stopping;

    private ServiceHost(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        _stdout = PumpAsync(process.StandardOutput);
        _stderr = PumpAsync(process.StandardError);
        _ = ReportUnexpectedExitAsync();
    }

    public Uri BaseAddress { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The environment every process of the run starts from: this one, minus service settings.</summary>
    public static Dictionary<string, string> BaseEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (!ScrubbedPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal)))
            {
                environment[key] = entry.Value as string ?? string.Empty;
            }
        }

        return environment;
    }

    public static ServiceHost Start(string serviceDll, IReadOnlyDictionary<string, string> environment, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(serviceDll)!,
        };
        psi.ArgumentList.Add(serviceDll);
        psi.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            psi.Environment[key] = value;
        }

        psi.Environment["PROXY_HOST"] = "127.0.0.1";
        psi.Environment["PORT"] = port.ToString(CultureInfo.InvariantCulture);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start the service.");
        return new ServiceHost(process, new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
    }

    /// <summary>Polls <c>/readyz</c> until the worker finished its handshake.</summary>
    public async Task WaitReadyAsync(ServiceClient client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (_process.HasExited)
            {
                // Let the pumps read what the service wrote last (its shutdown logs are flushed at exit).
                await Task.WhenAny(Task.WhenAll(_stdout, _stderr), Task.Delay(TimeSpan.FromSeconds(2), cancellationToken));
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode} before it was ready: {OutputTail()}");
            }

            if (await client.IsReadyAsync(cancellationToken))
            {
                return;
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The service was not ready within {timeout.TotalSeconds:0} s: {OutputTail()}");
    }

    /// <summary>The service's last output lines (it logs at Warning and above).</summary>
    public string OutputTail()
    {
        lock (_outputTail)
        {
            return _outputTail.Count == 0 ? "(no output)" : string.Join(" | ", _outputTail);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (!_process.HasExited)
        {
            Signal(_process.Id, "TERM"); // graceful: the service drains and closes its worker's stdin
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        await Task.WhenAny(Task.WhenAll(_stdout, _stderr), Task.Delay(TimeSpan.FromSeconds(2)));
        _process.Dispose();
    }

    /// <summary>Says so at once when the service dies during a run (every later request fails).</summary>
    private async Task ReportUnexpectedExitAsync()
    {
        await _process.WaitForExitAsync();
        if (!_stopping)
        {
            await Task.WhenAny(Task.WhenAll(_stdout, _stderr), Task.Delay(TimeSpan.FromSeconds(2)));
            BenchSession.Log($"ERROR: the service (pid {_process.Id}) exited unexpectedly with code {_process.ExitCode}; its last output: {OutputTail()}");
        }
    }

    private static void Signal(int pid, string signal)
    {
        try
        {
            var psi = new ProcessStartInfo("kill") { UseShellExecute = false };
            psi.ArgumentList.Add($"-{signal}");
            psi.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
            using var kill = Process.Start(psi);
            kill?.WaitForExit(5000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill(1): DisposeAsync falls back to killing the tree after the grace period.
        }
    }

    private static string DotnetHost()
        => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task PumpAsync(StreamReader reader)
    {
        try
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (_outputTail)
                {
                    _outputTail.Enqueue(line.Length > 400 ? line[..400] : line);
                    while (_outputTail.Count > 40)
                    {
                        _outputTail.Dequeue();
                    }
                }
            }
        }
        catch (IOException)
        {
            // the process is gone
        }
    }
}
