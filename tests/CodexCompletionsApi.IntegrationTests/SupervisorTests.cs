using System.Net;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// Supervisor behaviour the real CLI cannot be made to show on demand: a worker that dies at once
/// (crash loop) and a binary of the wrong version. Both use a tiny fake 'codex' shell script.
/// </summary>
public sealed class SupervisorTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cca-sup-" + Guid.NewGuid().ToString("N")[..12]);

    private readonly StartupLog _startupLog = new();

    public SupervisorTests() => Directory.CreateDirectory(_directory);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task WorkerExitsAtOnce_CrashLoopIsReportedAndReadyzStays503()
    {
        // Answers --version like the pinned CLI, then dies as soon as it is started as app-server.
        var fake = FakeCodex("echo 'codex-cli 0.169.0'", "exit 3");
        await using var factory = Factory(fake);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ServiceFixture.ApiKey);

        var deadline = DateTime.UtcNow.AddSeconds(15);
        System.Text.Json.JsonElement health;
        do
        {
            health = await Json.ReadAsync(await client.GetAsync("/healthz", Ct), Ct);
            if (health.GetProperty("worker").GetProperty("crash_loop").GetBoolean())
            {
                break;
            }

            await Task.Delay(50, Ct);
        }
        while (DateTime.UtcNow < deadline);

        var worker = health.GetProperty("worker");
        Assert.True(worker.GetProperty("crash_loop").GetBoolean(), health.ToString());
        Assert.True(worker.GetProperty("restarts").GetInt32() >= 4);
        Assert.Equal(3, worker.GetProperty("last_exit_code").GetInt32());

        var ready = await client.GetAsync("/readyz", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var reason = (await Json.ReadAsync(ready, Ct)).GetProperty("reason").GetString();
        Assert.Contains(reason, new[] { "worker_crash_loop", "worker_starting" });

        // Requests are refused cleanly while there is no worker.
        var chat = await client.PostChatAsync("hello", Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, chat.StatusCode);
        Assert.Equal("worker_unavailable", (await Json.ReadAsync(chat, Ct)).GetProperty("error").GetProperty("code").GetString());
        Assert.NotNull(chat.Headers.RetryAfter);

        var metrics = await client.GetStringAsync("/metrics", Ct);
        Assert.Contains("codex_api_worker_crash_loop 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CrashLoopThenHealthyWorker_RecoversAndClearsCrashLoop()
    {
        // Dies the first five times it is started, then becomes the real pinned CLI.
        var real = CodexCompletionsApi.Backend.AppServer.CodexBinary.Resolve(null, [AppContext.BaseDirectory])!;
        var counter = Path.Combine(_directory, "starts");
        File.WriteAllText(counter, "0");
        var fake = FakeCodex(
            "echo 'codex-cli 0.169.0'",
            $"n=$(cat '{counter}'); echo $((n+1)) > '{counter}'; if [ \"$n\" -lt 5 ]; then exit 3; fi; exec '{real}' \"$@\"");
        await using var factory = Factory(fake, ("AppServer:StableAfter", "00:00:01"));
        using var client = factory.CreateClient();

        var sawCrashLoop = false;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        System.Text.Json.JsonElement worker;
        do
        {
            worker = (await Json.ReadAsync(await client.GetAsync("/healthz", Ct), Ct)).GetProperty("worker");
            sawCrashLoop |= worker.GetProperty("crash_loop").GetBoolean();
            if (sawCrashLoop && worker.GetProperty("state").GetString() == "ready" && !worker.GetProperty("crash_loop").GetBoolean())
            {
                break;
            }

            await Task.Delay(25, Ct);
        }
        while (DateTime.UtcNow < deadline);

        Assert.True(sawCrashLoop, "the first five exits should have been reported as a crash loop");
        Assert.Equal("ready", worker.GetProperty("state").GetString());
        Assert.False(worker.GetProperty("crash_loop").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz", Ct)).StatusCode);
    }

    [Fact]
    public void WrongCliVersion_RefusesToStartWithClearMessage()
    {
        var fake = FakeCodex("echo 'codex-cli 0.1.0'", "exit 0");
        using var factory = Factory(fake);

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("not the pinned version 0.169.0", Flatten(error) + _startupLog.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingBinary_RefusesToStartWithClearMessage()
    {
        using var factory = Factory(Path.Combine(_directory, "does-not-exist"));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("does not exist", Flatten(error) + _startupLog.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void ProtoBackendRequested_RefusesToStart()
    {
        using var factory = Factory(FakeCodex("echo 'codex-cli 0.169.0'", "exit 0"), ("Proxy:UseAppServer", "false"));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("proto backend, which is retired", Flatten(error) + _startupLog.Text, StringComparison.Ordinal);
    }

    private static string Flatten(Exception error)
    {
        var text = string.Empty;
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            text += e.Message + "\n";
        }

        return text;
    }

    private WebApplicationFactory<CodexCompletionsApi.Configuration.ProxyOptions> Factory(string binary, params (string Key, string Value)[] settings)
        => new WebApplicationFactory<CodexCompletionsApi.Configuration.ProxyOptions>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Proxy:DataDirectory", _directory);
            builder.UseSetting("AppServer:CodexBinary", binary);
            builder.UseSetting("AppServer:RestartInitialDelay", "00:00:00.010");
            builder.UseSetting("AppServer:RestartMaxDelay", "00:00:00.050");
            builder.UseSetting("Upstream:BaseUrl", "http://127.0.0.1:9/v1");
            builder.UseSetting("Logging:LogLevel:Default", "Critical");
            // The host logs why it failed to start; WebApplicationFactory sometimes surfaces a later
            // ObjectDisposedException instead of that exception, so the tests read the log too.
            builder.ConfigureLogging(logging => logging.AddProvider(_startupLog).AddFilter<StartupLog>(null, LogLevel.Trace));
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });

    private string FakeCodex(string versionCommand, string appServerCommand)
    {
        var path = Path.Combine(_directory, "fake-codex-" + Guid.NewGuid().ToString("N")[..6]);
        File.WriteAllText(path, $"#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then {versionCommand}; exit 0; fi\n{appServerCommand}\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    /// <summary>Collects every log message and exception text of the test's hosts.</summary>
    private sealed class StartupLog : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public string Text => string.Join("\n", _lines);

        public ILogger CreateLogger(string categoryName) => new Logger(_lines);

        public void Dispose()
        {
        }

        private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lines.Enqueue(formatter(state, exception));
                for (var e = exception; e is not null; e = e.InnerException)
                {
                    lines.Enqueue(e.Message);
                }
            }
        }
    }
}
