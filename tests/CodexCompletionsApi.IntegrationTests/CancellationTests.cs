using System.Net;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// A client that goes away at each stage of a request: the turn is interrupted, Codex drops the upstream request,
/// the thread is released, the disconnect is counted, and the service keeps serving.
/// </summary>
public sealed class CancellationTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private const string DisconnectsMetric = "codex_api_client_disconnects_total";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AbortDeadline = TimeSpan.FromSeconds(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stream_ClientLeavesBeforeFirstToken_UpstreamAbortedAndCounted()
    {
        var marker = Requests.Marker();
        var before = await DisconnectsAsync("before_first_token");
        using var client = service.CreateClient(checkWireInvariants: false);
        var response = await client.PostJsonAsync("/v1/chat/completions", Requests.Chat(marker + " " + ScriptDirective.Text("too late", firstDelayMs: 30_000), stream: true), Ct, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        var role = await reader.ReadAsync(Ct).WaitAsync(Wait, Ct);
        Assert.Contains("\"role\":\"assistant\"", role!.Data, StringComparison.Ordinal);
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);

        reader.Dispose();
        response.Dispose();

        await AssertCleanedUpAsync(upstream, "before_first_token", before);
    }

    [Fact]
    public async Task Stream_ClientLeavesMidStream_UpstreamAbortedAndCounted()
    {
        var marker = Requests.Marker();
        var before = await DisconnectsAsync("streaming");
        using var client = service.CreateClient(checkWireInvariants: false);
        var text = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"w{i}"));
        var response = await client.PostJsonAsync("/v1/chat/completions", Requests.Chat(marker + " " + ScriptDirective.Text(text, deltas: 40, delayMs: 100), stream: true), Ct, HttpCompletionOption.ResponseHeadersRead);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        await reader.ReadUntilAsync(e => e.Data.Contains("\"content\":\"w1", StringComparison.Ordinal), Ct).WaitAsync(Wait, Ct);
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);

        reader.Dispose();
        response.Dispose();

        await AssertCleanedUpAsync(upstream, "streaming", before);
    }

    [Fact]
    public async Task Post_NonStreamingClientCancels_UpstreamAbortedAndCounted()
    {
        var marker = Requests.Marker();
        var before = await DisconnectsAsync("non_streaming");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var pending = service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Stall()), cancel.Token);
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);
        Assert.False(pending.IsCompleted);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(Wait, Ct));
        await AssertCleanedUpAsync(upstream, "non_streaming", before);
    }

    private async Task AssertCleanedUpAsync(RecordedRequest upstream, string stage, double disconnectsBefore)
    {
        // Codex drops the upstream connection when the service interrupts the turn.
        var outcome = await service.Model.WaitForOutcomeAsync(upstream.Sequence, AbortDeadline, Ct);
        Assert.Equal(RequestOutcome.ClientAborted, outcome.Outcome);

        var connection = service.Supervisor.CurrentConnection!;
        await Requests.UntilAsync(() => connection.SubscribedThreads == 0, TimeSpan.FromSeconds(5), "the turn's thread is unsubscribed", Ct);

        var after = disconnectsBefore;
        await Requests.UntilAsync(() => after > disconnectsBefore, TimeSpan.FromSeconds(5), $"{DisconnectsMetric}{{stage=\"{stage}\"}} increments", Ct, async () => after = await DisconnectsAsync(stage));
        Assert.Equal(disconnectsBefore + 1, after);

        var next = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("still serving")), Ct);
        Assert.Equal("still serving", (await next.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    private Task<double> DisconnectsAsync(string stage)
        => Requests.ScrapeCounterAsync(service.Client, DisconnectsMetric, Ct, "route=\"chat.completions\"", $"stage=\"{stage}\"");
}
