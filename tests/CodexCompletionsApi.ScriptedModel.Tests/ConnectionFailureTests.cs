using System.Diagnostics;
using System.Text;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class ConnectionFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Cut_SendsTheDeltasThenDropsTheConnectionWithoutATerminalEvent()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.Cut("partial text here", deltas: 3))), Ct);
        var sse = await TestClient.ReadEventsAsync(response, Ct);

        Assert.NotNull(sse.Error);
        Assert.Equal(
            [
                "response.created",
                "response.in_progress",
                "response.output_item.added",
                "response.content_part.added",
                "response.output_text.delta",
                "response.output_text.delta",
                "response.output_text.delta",
            ],
            sse.Types);
        Assert.Equal("partial text here", sse.Deltas());
        var record = await server.WaitForOutcomeAsync(1, TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(RequestOutcome.Completed, record.Outcome);
        Assert.Equal("cut", record.Reply);
    }

    [Fact]
    public async Task Stall_ClientCancels_OutcomeIsClientAborted()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.Stall(afterDeltas: 2, text: "ab"))), cts.Token);
        var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        var seen = await ReadUntilAsync(stream, "response.output_text.delta", expectedCount: 2, cts.Token);
        Assert.Contains("response.created", seen, StringComparison.Ordinal);
        var pending = server.Requests.Single();
        Assert.Equal(RequestOutcome.Pending, pending.Outcome);

        await cts.CancelAsync();
        response.Dispose();

        var record = await server.WaitForOutcomeAsync(pending.Sequence, TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(RequestOutcome.ClientAborted, record.Outcome);
        Assert.Equal("stall", record.Reply);
        Assert.DoesNotContain("response.completed", seen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stall_ServerDisposed_EndsPromptlyAndTheClientSeesTheStreamBreak()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        using var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.Stall())), Ct);
        var reading = TestClient.ReadEventsAsync(response, Ct);
        var record = await server.WaitForRequestAsync(r => r.Reply == "stall", TimeSpan.FromSeconds(5), Ct);
        var clock = Stopwatch.StartNew();

        await server.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"dispose took {clock.Elapsed}");
        var sse = await reading.WaitAsync(TimeSpan.FromSeconds(5), Ct);
        Assert.DoesNotContain("response.completed", sse.Types);
        Assert.Equal(RequestOutcome.Error, record.Outcome);
    }

    [Fact]
    public async Task PacedStream_ClientCancelsMidway_OutcomeIsClientAborted()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var response = await client.PostAsync(Body.Request(Body.User(ScriptDirective.Text("0123456789", deltas: 10, delayMs: 200))), cts.Token);
        var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        await ReadUntilAsync(stream, "response.output_text.delta", expectedCount: 1, cts.Token);
        await cts.CancelAsync();
        response.Dispose();

        var record = await server.WaitForOutcomeAsync(1, TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(RequestOutcome.ClientAborted, record.Outcome);
    }

    private static async Task<string> ReadUntilAsync(Stream stream, string eventName, int expectedCount, CancellationToken cancellationToken)
    {
        var seen = new StringBuilder();
        var count = 0;
        var reader = new StreamReader(stream, Encoding.UTF8);
        while (count < expectedCount && await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            seen.AppendLine(line);
            if (line == "event: " + eventName)
            {
                count++;
            }
        }

        Assert.Equal(expectedCount, count);
        return seen.ToString();
    }
}
