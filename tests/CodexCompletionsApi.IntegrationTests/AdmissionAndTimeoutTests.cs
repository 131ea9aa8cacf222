using System.Diagnostics;
using System.Net;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>One turn slot, a short queue and short deadlines, no retries.</summary>
public sealed class AdmissionFixture : ServiceFixture
{
    public static readonly TimeSpan QueueTimeout = TimeSpan.FromMilliseconds(300);
    public static readonly TimeSpan FirstTokenTimeout = TimeSpan.FromMilliseconds(1500);
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMilliseconds(1000);

    protected override void ConfigureService(IWebHostBuilder builder)
    {
        builder.UseSetting("Turns:MaxConcurrentTurns", "1");
        builder.UseSetting("Turns:QueueTimeout", Format(QueueTimeout));
        builder.UseSetting("Turns:FirstTokenTimeout", Format(FirstTokenTimeout));
        builder.UseSetting("Turns:IdleTimeout", Format(IdleTimeout));
        builder.UseSetting("Turns:MaxRetries", "0");
    }

    private static string Format(TimeSpan value) => value.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// Admission (a bounded number of turns, a bounded wait for a slot) and the turn deadlines (first token, idle),
/// each ending with the upstream request aborted and the slot free again.
/// </summary>
public sealed class AdmissionAndTimeoutTests(AdmissionFixture service) : IClassFixture<AdmissionFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Post_SlotHeldByStalledTurn_SecondRequestGets429ServerBusyWithRetryAfter()
    {
        var marker = Requests.Marker();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var holder = service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Stall()), cancel.Token);
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);

        var waited = Stopwatch.StartNew();
        var rejected = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("never admitted")), Ct);
        waited.Stop();

        var body = await rejected.Content.ReadAsStringAsync(Ct);
        Assert.True(rejected.StatusCode == HttpStatusCode.TooManyRequests, $"expected 429, got {(int)rejected.StatusCode}: {body}");
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal("server_busy", error.GetProperty("code").GetString());
        Assert.Equal("rate_limit_error", error.GetProperty("type").GetString());
        Assert.NotNull(rejected.Headers.RetryAfter);
        Assert.True(waited.Elapsed >= AdmissionFixture.QueueTimeout - TimeSpan.FromMilliseconds(50), $"rejected after {waited.Elapsed}, before the queue timeout");
        Assert.False(holder.IsCompleted);

        // Streamed, the queue timeout comes before any turn started: a real 429, not an event stream.
        var rejectedStream = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("never admitted"), stream: true), Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, rejectedStream.StatusCode);
        Assert.Equal("server_busy", (await Json.ReadAsync(rejectedStream, Ct)).GetProperty("error").GetProperty("code").GetString());

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder.WaitAsync(Wait, Ct));
        await AssertAbortedAndSlotFreeAsync(upstream);
    }

    [Fact]
    public async Task Post_NoFirstToken_Returns504AfterFirstTokenTimeout()
    {
        var marker = Requests.Marker();
        var started = Stopwatch.StartNew();

        var response = await service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Stall()), Ct).WaitAsync(Wait, Ct);

        started.Stop();
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.GatewayTimeout, $"expected 504, got {(int)response.StatusCode}: {body}");
        using var document = System.Text.Json.JsonDocument.Parse(body);
        var error = document.RootElement.GetProperty("error");
        Assert.Equal("timeout", error.GetProperty("code").GetString());
        Assert.Equal("timeout_error", error.GetProperty("type").GetString());
        Assert.InRange(started.Elapsed, AdmissionFixture.FirstTokenTimeout, AdmissionFixture.FirstTokenTimeout + TimeSpan.FromSeconds(3));
        await AssertAbortedAndSlotFreeAsync(await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct));
    }

    [Fact]
    public async Task Stream_NoFirstToken_RoleChunkThenInBandTimeoutError()
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Stall(), stream: true), Ct).WaitAsync(Wait, Ct);

        // The turn had started, so headers and the role chunk were already sent: the timeout arrives in-band.
        var streamed = await response.ReadChatStreamAsync(Ct);
        Assert.False(streamed.Done);
        Assert.True(streamed[0].HasRole);
        Assert.Equal(string.Empty, streamed[0].Content);
        Assert.Equal("timeout", streamed.Error!.Value.GetProperty("code").GetString());
        Assert.Equal("timeout_error", streamed.Error!.Value.GetProperty("type").GetString());
        await AssertAbortedAndSlotFreeAsync(await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct));
    }

    [Fact]
    public async Task Stream_SilenceAfterDeltas_InBandIdleTimeoutError()
    {
        var marker = Requests.Marker();
        const string text = "quick then silent for far too long";
        var directive = ScriptDirective.Text(text, deltas: 3, delayMs: 5_000);

        var response = await service.Client.PostChatAsync(Requests.Chat(marker + " " + directive, stream: true), Ct).WaitAsync(Wait, Ct);

        var streamed = await response.ReadChatStreamAsync(Ct);
        Assert.False(streamed.Done);
        Assert.Equal(1, streamed[0].ContentChunks); // the first of three deltas, then 5 s of silence
        Assert.StartsWith(streamed[0].Content, text, StringComparison.Ordinal);
        Assert.InRange(streamed[0].Content.Length, 11, 12);
        Assert.Equal("timeout", streamed.Error!.Value.GetProperty("code").GetString());
        Assert.Contains("idle", streamed.Error!.Value.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        await AssertAbortedAndSlotFreeAsync(await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct));
    }

    [Fact]
    public async Task Post_SilenceAfterDeltas_Returns504()
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Requests.Chat(marker + " " + ScriptDirective.Text("quick then silent", deltas: 2, delayMs: 5_000)), Ct).WaitAsync(Wait, Ct);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("timeout", (await Json.ReadAsync(response, Ct)).GetProperty("error").GetProperty("code").GetString());
        await AssertAbortedAndSlotFreeAsync(await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct));
    }

    /// <summary>The service interrupted the turn (Codex dropped the upstream request) and released its one slot.</summary>
    private async Task AssertAbortedAndSlotFreeAsync(RecordedRequest upstream)
    {
        var outcome = await service.Model.WaitForOutcomeAsync(upstream.Sequence, TimeSpan.FromSeconds(2), Ct);
        Assert.Equal(RequestOutcome.ClientAborted, outcome.Outcome);

        // With one slot and a 300 ms queue, this is admitted only if the slot was released.
        var next = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("slot is free")), Ct);
        Assert.Equal("slot is free", (await next.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }
}
