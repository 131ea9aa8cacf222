using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Backend.AppServer.Protocol;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// After a client leaves mid-stream nothing stays behind in Codex: no running turn, and, once Codex
/// unloads the unsubscribed thread (about 60 s later), no loaded thread either.
/// </summary>
public sealed class ThreadLifecycleTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stream_ClientLeavesMidStream_NoTurnRunningAndNoThreadLoadedOnceCodexUnloadsIt()
    {
        var marker = Requests.Marker();
        using var client = service.CreateClient(checkWireInvariants: false);
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = Json.Raw(Requests.Chat($"{marker} " + ScriptDirective.Text(string.Join(' ', Enumerable.Range(0, 40).Select(i => $"w{i}")), deltas: 40, delayMs: 100), stream: true).ToJsonString()),
        };

        using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, leave.Token))
        {
            await using var body = await response.Content.ReadAsStreamAsync(leave.Token);
            var buffer = new byte[256];
            _ = await body.ReadAsync(buffer, leave.Token); // some output has arrived: the client now walks away
            await leave.CancelAsync();
        }

        // The turn was interrupted: Codex dropped the upstream request.
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), TimeSpan.FromSeconds(10), Ct);
        var outcome = await service.Model.WaitForOutcomeAsync(upstream.Sequence, TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(RequestOutcome.ClientAborted, outcome.Outcome);

        // The thread was released, and Codex unloads it: poll thread/loaded/list (Codex unloads ~60 s after unsubscribe).
        var connection = service.Supervisor.CurrentConnection!;
        await Requests.UntilAsync(() => connection.SubscribedThreads == 0, TimeSpan.FromSeconds(10), "thread unsubscribed", Ct);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var loaded = int.MaxValue;
        while (DateTime.UtcNow < deadline)
        {
            var result = await connection.CallRawAsync(CodexMethods.ThreadLoadedList, new EmptyResult(), CodexJsonContext.Default.EmptyResult, TimeSpan.FromSeconds(5), Ct);
            loaded = result.GetProperty("data").GetArrayLength();
            if (loaded == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromSeconds(2), Ct);
        }

        Assert.Equal(0, loaded);
    }
}
