using System.Diagnostics;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>A worker that is replaced after every second turn (<c>PROXY_WORKER_RECYCLE_TURNS=2</c>).</summary>
public sealed class RecycleFixture : ServiceFixture
{
    public const int RecycleAfterTurns = 2;

    protected override void ConfigureService(IWebHostBuilder builder)
        => builder.UseSetting("AppServer:RecycleAfterTurns", RecycleAfterTurns.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// Worker recycling with the real CLI (ADR 15): after the configured number of turns a new worker is
/// started and takes the new turns, while a stream already running on the old worker finishes there
/// untouched; the old process stops once its turns are done; nothing counts as a restart or an error.
/// </summary>
public sealed class WorkerRecycleTests(RecycleFixture service) : IClassFixture<RecycleFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Recycle_AfterTurnLimit_NewWorkerTakesOverWhileRunningStreamFinishesOnOldOne()
    {
        var oldPid = service.Supervisor.Status.Pid!.Value;
        var marker = Requests.Marker();
        var text = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"s{i}"));

        // Turn 1: a stream of 40 deltas 150 ms apart, still running when the worker is replaced.
        var slow = Task.Run(async () => await (await service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Text(text, deltas: 40, delayMs: 150), stream: true), Ct)).ReadChatStreamAsync(Ct), Ct);
        await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);

        // Turn 2 reaches the limit: a replacement starts.
        var second = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("second turn")), Ct);
        Assert.Equal("second turn", Content(await second.ReadOkJsonAsync(Ct)));
        await Requests.UntilAsync(() => service.Supervisor.Status.Pid is { } p && p != oldPid, Wait, "a new worker is current", Ct);

        var status = service.Supervisor.Status;
        Assert.False(slow.IsCompleted, "the stream should still be running on the old worker when the new one takes over");
        Assert.Equal(1, status.Recycles);
        Assert.Equal(1, service.Supervisor.RetiringWorkers);
        Assert.True(IsRunning(oldPid), "the old worker keeps running while its stream is open");

        // A new turn goes to the new worker while the old one still streams.
        var third = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("third turn")), Ct);
        Assert.Equal("third turn", Content(await third.ReadOkJsonAsync(Ct)));

        // The stream that spanned the replacement is complete and intact.
        var streamed = await slow.WaitAsync(Wait, Ct);
        Assert.True(streamed.Done);
        Assert.Null(streamed.Error);
        var choice = Assert.Single(streamed.Choices).Value;
        Assert.Equal(text, choice.Content);
        Assert.Equal(40, choice.ContentChunks);

        // Then the old worker stops, and nothing was counted as a restart or an exit.
        await Requests.UntilAsync(() => service.Supervisor.RetiringWorkers == 0 && !IsRunning(oldPid), Wait, "the replaced worker stops", Ct);
        var after = service.Supervisor.Status;
        Assert.Equal(WorkerState.Ready, after.State);
        Assert.Equal(0, after.Restarts);
        Assert.Equal(1.0, await Requests.ScrapeCounterAsync(service.Client, "codex_api_worker_recycles_total", Ct));
        Assert.Equal(0.0, await Requests.ScrapeCounterAsync(service.Client, "codex_api_worker_exits_total", Ct));
        var health = (await Json.ReadAsync(await service.Client.GetAsync("/healthz", Ct), Ct)).GetProperty("worker");
        Assert.Equal(1, health.GetProperty("recycles").GetInt32());
        Assert.Equal(0, health.GetProperty("retiring").GetInt32());
        Assert.Equal(after.Pid, health.GetProperty("pid").GetInt32());
    }

    private static string? Content(System.Text.Json.JsonElement completion)
        => completion.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
