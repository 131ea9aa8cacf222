using System.Diagnostics;
using System.Net;
using CodexCompletionsApi.IntegrationTests.Infrastructure;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>Probes against the real worker, including a SIGKILL of the Codex child.</summary>
public sealed class ProbeTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Probes_WorkerReady_AllReportHealthy()
    {
        var live = await service.Client.GetAsync("/livez", Ct);
        var ready = await service.Client.GetAsync("/readyz", Ct);
        var health = await service.Client.GetAsync("/healthz", Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var worker = (await Json.ReadAsync(health, Ct)).GetProperty("worker");
        Assert.Equal("ready", worker.GetProperty("state").GetString());
        Assert.Equal("0.169.0", worker.GetProperty("cli_version").GetString());
        Assert.True(worker.GetProperty("pid").GetInt32() > 0);
        Assert.False(worker.TryGetProperty("loaded_threads", out _)); // no JSON-RPC round trip unless asked
    }

    [Fact]
    public async Task Healthz_LoadedThreads_CountsTheThreadsOfRunningTurns()
    {
        // A stalled stream holds its thread loaded while the request runs.
        using var client = service.CreateClient(checkWireInvariants: false);
        using var response = await client.PostJsonAsync("/v1/chat/completions", Requests.Chat(Requests.Marker() + " " + ScriptedModel.ScriptDirective.Stall(afterDeltas: 1, text: "held open"), stream: true), Ct, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        await reader.ReadUntilAsync(e => e.Data.Contains("held", StringComparison.Ordinal), Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);

        var worker = (await Json.ReadAsync(await service.Client.GetAsync("/healthz?loaded_threads=true", Ct), Ct)).GetProperty("worker");

        Assert.True(worker.GetProperty("loaded_threads").GetInt32() >= 1, worker.GetRawText());
    }

    [Fact]
    public async Task KillWorker_Sigkill_ReadyzFlipsWithinOneSecondAndRecovers()
    {
        var pid = service.Supervisor.Status.Pid!.Value;
        var restartsBefore = service.Supervisor.Status.Restarts;

        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL
        }

        var killed = Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            status = (await service.Client.GetAsync("/readyz", Ct)).StatusCode;
            if (status == HttpStatusCode.ServiceUnavailable)
            {
                break;
            }

            await Task.Delay(10, Ct);
        }
        while (killed.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(killed.Elapsed < TimeSpan.FromSeconds(1), $"/readyz flipped after {killed.Elapsed.TotalMilliseconds:0} ms");

        // A request while the worker is down gets a clean 503, never a hang or a 500.
        // (It may also succeed if the restart already finished.)
        var during = await service.Client.PostChatAsync("hello", Ct);
        Assert.Contains(during.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable });

        var recovered = Stopwatch.StartNew();
        do
        {
            status = (await service.Client.GetAsync("/readyz", Ct)).StatusCode;
            if (status == HttpStatusCode.OK)
            {
                break;
            }

            await Task.Delay(50, Ct);
        }
        while (recovered.Elapsed < TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotEqual(pid, service.Supervisor.Status.Pid);
        Assert.True(service.Supervisor.Status.Restarts > restartsBefore);
        var health = await Json.ReadAsync(await service.Client.GetAsync("/healthz", Ct), Ct);
        Assert.True(health.GetProperty("worker").GetProperty("restarts").GetInt32() >= 1);

        var after = await service.Client.PostChatAsync(ScriptedModel.ScriptDirective.Text("back"), Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        // The Prometheus meter adapter publishes counters on its own schedule; allow it a few seconds.
        var metrics = string.Empty;
        for (var i = 0; i < 100 && !metrics.Contains("codex_api_worker_restarts", StringComparison.Ordinal); i++)
        {
            metrics = await service.Client.GetStringAsync("/metrics", Ct);
            await Task.Delay(200, Ct);
        }

        Assert.Contains("codex_api_worker_restarts", metrics, StringComparison.Ordinal);
    }
}
