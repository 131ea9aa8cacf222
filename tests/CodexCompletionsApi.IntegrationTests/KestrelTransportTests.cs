using System.Net;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>The service behind Kestrel on a real loopback socket, with the default transport settings.</summary>
public sealed class KestrelFixture : ServiceFixture
{
    protected override bool RealSockets => true;
}

/// <summary>Kestrel on a real socket with inline I/O scheduling turned off (<c>PROXY_INLINE_IO_SCHEDULING=false</c>).</summary>
public sealed class KestrelThreadPoolSchedulingFixture : ServiceFixture
{
    protected override bool RealSockets => true;

    protected override void ConfigureService(IWebHostBuilder builder) => builder.UseSetting("Api:InlineIoScheduling", "false");
}

/// <summary>
/// Requests over a real TCP connection, where Kestrel's socket transport and its scheduling (ADR 14:
/// continuations inline, a streamed event sent by the thread that wrote it) are in play: concurrent
/// streamed and non-streamed requests each get their own reply, and a client that drops its socket
/// mid-stream is noticed, its turn interrupted, and the service keeps serving.
/// </summary>
public sealed class KestrelTransportTests(KestrelFixture service) : IClassFixture<KestrelFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Transport_Default_KestrelOnLoopbackWithInlineScheduling()
    {
        var server = service.Services.GetRequiredService<IServer>();
        var address = Assert.Single(server.Features.Get<IServerAddressesFeature>()!.Addresses);

        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        Assert.Equal(new Uri(address).Port, service.Client.BaseAddress!.Port);
        Assert.True(service.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }

    [Fact]
    public async Task Concurrent_MixedStreamingAndNot_EachReplyMatchesItsRequest()
    {
        var requests = Enumerable.Range(0, 16).Select(async i =>
        {
            var token = Requests.Marker();
            var stream = i % 2 == 0;
            var directive = ScriptDirective.Text($"reply {token} to request {i}", deltas: 6, delayMs: 5);
            var response = await service.Client.PostChatAsync(Requests.Chat($"request {i} {directive}", stream), Ct);
            var content = stream
                ? Assert.Single((await response.ReadChatStreamAsync(Ct)).Choices).Value.Content
                : (await response.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
            return (Expected: $"reply {token} to request {i}", Actual: content);
        });

        var results = await Task.WhenAll(requests);

        Assert.All(results, r => Assert.Equal(r.Expected, r.Actual));
    }

    [Fact]
    public async Task Stream_ResponsesRoute_EventsArriveAsSeparateDeltas()
    {
        var response = await service.Client.PostResponsesAsync(Requests.Responses("hi " + ScriptDirective.Text("one two three four", deltas: 4, delayMs: 20), stream: true), Ct);

        var streamed = await response.ReadResponsesStreamAsync(Ct);

        Assert.Equal("one two three four", streamed.OutputText);
        Assert.Equal(4, streamed.Events.Count(e => e.Type == "response.output_text.delta"));
    }

    [Fact]
    public async Task Stream_ClientDropsSocketMidStream_TurnInterruptedAndServiceKeepsServing()
    {
        var marker = Requests.Marker();
        using var client = service.CreateClient(checkWireInvariants: false);
        var text = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"w{i}"));
        var response = await client.PostJsonAsync("/v1/chat/completions", Requests.Chat(marker + " " + ScriptDirective.Text(text, deltas: 40, delayMs: 100), stream: true), Ct, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        await reader.ReadUntilAsync(e => e.Data.Contains("\"content\":\"w1", StringComparison.Ordinal), Ct).WaitAsync(Wait, Ct);
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);

        reader.Dispose();
        response.Dispose();
        client.Dispose();

        var outcome = await service.Model.WaitForOutcomeAsync(upstream.Sequence, TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(RequestOutcome.ClientAborted, outcome.Outcome);
        var connection = service.Supervisor.CurrentConnection!;
        await Requests.UntilAsync(() => connection.SubscribedThreads == 0, TimeSpan.FromSeconds(5), "the turn's thread is unsubscribed", Ct);
        var next = await service.Client.PostChatAsync(Requests.Chat(ScriptDirective.Text("still serving")), Ct);
        Assert.Equal("still serving", (await next.ReadOkJsonAsync(Ct)).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }
}

/// <summary><c>PROXY_INLINE_IO_SCHEDULING=false</c>: Kestrel queues continuations to the thread pool, and streams still work.</summary>
public sealed class KestrelThreadPoolSchedulingTests(KestrelThreadPoolSchedulingFixture service) : IClassFixture<KestrelThreadPoolSchedulingFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stream_InlineSchedulingOff_OptionAppliedAndStreamComplete()
    {
        Assert.False(service.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);

        var response = await service.Client.PostChatAsync(Requests.Chat("hi " + ScriptDirective.Text("alpha beta gamma", deltas: 3), stream: true), Ct);

        var streamed = await response.ReadChatStreamAsync(Ct);
        Assert.True(streamed.Done);
        Assert.Equal("alpha beta gamma", Assert.Single(streamed.Choices).Value.Content);
        Assert.Equal(3, Assert.Single(streamed.Choices).Value.ContentChunks);
    }
}
