using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>Graceful shutdown with the real worker: drain what can finish, interrupt the rest, stop the child.</summary>
public sealed class ShutdownTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "cca-stop-" + Guid.NewGuid().ToString("N")[..12]);
    private ScriptedModelServer _model = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _model = await ScriptedModelServer.StartAsync(new ScriptedModelOptions());
    }

    public async ValueTask DisposeAsync()
    {
        await _model.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Stop_TurnFinishesWithinDrainTimeout_CompletesNormally()
    {
        await using var factory = Factory(drain: "00:00:10");
        using var client = Client(factory);
        var supervisor = factory.Services.GetRequiredService<AppServerSupervisor>();
        await supervisor.FirstReady.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var pid = supervisor.Status.Pid!.Value;

        var pending = client.PostChatAsync(ScriptDirective.Text("slow but finishing", deltas: 4, delayMs: 250), Ct);
        await _model.WaitForRequestAsync(r => r.Body.Contains("slow but finishing", StringComparison.Ordinal), TimeSpan.FromSeconds(10), Ct);
        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("slow but finishing", (await Json.ReadAsync(response, Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        await WaitForExitAsync(pid);
    }

    [Fact]
    public async Task Stop_TurnOutlivesDrainTimeout_IsInterruptedAndWorkerStops()
    {
        await using var factory = Factory(drain: "00:00:00.300");
        using var client = Client(factory);
        var supervisor = factory.Services.GetRequiredService<AppServerSupervisor>();
        await supervisor.FirstReady.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var pid = supervisor.Status.Pid!.Value;

        var pending = client.PostChatAsync("never ends " + ScriptDirective.Stall(), Ct);
        var upstream = await _model.WaitForRequestAsync(r => r.Body.Contains("never ends", StringComparison.Ordinal), TimeSpan.FromSeconds(10), Ct);
        var stopped = Stopwatch.StartNew();
        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var response = await pending.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {stopped.Elapsed}");

        // The interrupt reached the model: Codex dropped the upstream request.
        var outcome = await _model.WaitForOutcomeAsync(upstream.Sequence, TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(RequestOutcome.ClientAborted, outcome.Outcome);
        await WaitForExitAsync(pid);
    }

    private static async Task WaitForExitAsync(int pid)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                if (process.HasExited)
                {
                    return;
                }
            }
            catch (ArgumentException)
            {
                return; // gone
            }

            await Task.Delay(50, Ct);
        }

        Assert.Fail($"worker {pid} still running after shutdown");
    }

    private static HttpClient Client(WebApplicationFactory<CodexCompletionsApi.Configuration.ProxyOptions> factory)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ServiceFixture.ApiKey);
        return client;
    }

    private WebApplicationFactory<CodexCompletionsApi.Configuration.ProxyOptions> Factory(string drain)
        => new WebApplicationFactory<CodexCompletionsApi.Configuration.ProxyOptions>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Proxy:DataDirectory", Path.Combine(_directory, Guid.NewGuid().ToString("N")[..6]));
            builder.UseSetting("Upstream:BaseUrl", _model.BaseUrl.ToString());
            builder.UseSetting("Upstream:ApiKey", "k");
            builder.UseSetting("AppServer:DrainTimeout", drain);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        });
}
