using System.Net;
using System.Text.Json;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class RecordingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_IsRecordedWithHeadersBodyDirectiveAndOutcome()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var directive = ScriptDirective.Echo("tok-1");
        var body = Body.Request(Body.Developer("be brief"), Body.User("hi " + directive));

        using (var response = await client.PostAsync(body, Ct, [new("X-Codex-Turn-Metadata", "{\"turn\":1}"), new("Authorization", "Bearer sk-test")]))
        {
            await TestClient.ReadEventsAsync(response, Ct);
        }

        var record = await server.WaitForOutcomeAsync(1, TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(RequestOutcome.Completed, record.Outcome);
        Assert.Equal(200, record.StatusCode);
        Assert.Equal("POST", record.Method);
        Assert.Equal("/v1/responses", record.Path);
        Assert.Equal("{\"turn\":1}", record.Headers["x-codex-turn-metadata"]);
        Assert.Equal("Bearer sk-test", record.Headers["authorization"]);
        Assert.All(record.Headers.Keys, k => Assert.Equal(k.ToLowerInvariant(), k));
        Assert.Equal(body.ToJsonString(), record.Body);
        var json = Assert.NotNull(record.Json);
        Assert.Equal("test-model", json.GetProperty("model").GetString());
        Assert.Equal(2, json.GetProperty("input").GetArrayLength());
        Assert.Equal("""{"reply":"echo","token":"tok-1"}""", record.Directive);
        Assert.Equal("echo", record.Reply);
        Assert.NotNull(record.FinishedAt);
        Assert.True(record.FinishedAt >= record.ReceivedAt);
    }

    [Fact]
    public async Task RecordedJson_StaysUsableAfterTheRequestEnded()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        await client.StreamAsync("keep me");
        var record = await server.WaitForOutcomeAsync(1, TimeSpan.FromSeconds(5), Ct);

        server.ClearRequests();
        GC.Collect();

        Assert.Equal("keep me", record.Json!.Value.GetProperty("input")[0].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Null(record.Directive);
        Assert.Equal("text", record.Reply);
    }

    [Fact]
    public async Task WaitForRequestAsync_ReturnsARequestThatArrivesLater()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var waiting = server.WaitForRequestAsync(r => r.Body.Contains("needle", StringComparison.Ordinal), TimeSpan.FromSeconds(10), Ct);
        Assert.False(waiting.IsCompleted);
        await client.StreamAsync("haystack");
        await client.StreamAsync("the needle");

        var found = await waiting;
        Assert.Equal(2, found.Sequence);
    }

    [Fact]
    public async Task WaitForRequestAsync_NoMatch_ThrowsTimeoutException()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForRequestAsync(_ => true, TimeSpan.FromMilliseconds(100), Ct));
        Assert.Contains("0 recorded", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForOutcomeAsync_CallerCancels_ThrowsOperationCanceled()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var waiting = server.WaitForOutcomeAsync(5, TimeSpan.FromSeconds(30), cts.Token);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task Requests_AreASnapshotAndClearRequestsEmptiesThemWithoutResettingSequence()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        await client.StreamAsync("one");
        var snapshot = server.Requests;

        server.ClearRequests();
        await client.StreamAsync("two");

        Assert.Equal(1, Assert.Single(snapshot).Sequence);
        Assert.Equal(2, Assert.Single(server.Requests).Sequence);
    }

    [Fact]
    public async Task MaxRecorded_DropsTheOldestRequests()
    {
        await using var server = await ScriptedModelServer.StartAsync(new ScriptedModelOptions { MaxRecorded = 2 }, Ct);
        using var client = new TestClient(server);

        for (var i = 0; i < 3; i++)
        {
            await client.StreamAsync("message " + i);
        }

        Assert.Equal([2, 3], server.Requests.Select(r => r.Sequence));
    }

    [Fact]
    public async Task RecordRequestsOff_RecordsNothingButStillAnswers()
    {
        await using var server = await ScriptedModelServer.StartAsync(new ScriptedModelOptions { RecordRequests = false }, Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(ScriptDirective.Echo("x"));

        Assert.Equal("echo:x", sse.Deltas());
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task ControlEndpoints_ListClearAndReportHealth()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var root = new Uri(server.BaseUrl, "/");
        await client.StreamAsync("listed " + ScriptDirective.Text("x"));

        using var health = await client.Http.GetAsync(new Uri(root, "/_scripted/health"), Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        var list = JsonDocument.Parse(await client.Http.GetStringAsync(new Uri(root, "/_scripted/requests"), Ct)).RootElement;
        var entry = Assert.Single(list.EnumerateArray().ToList());
        Assert.Equal(1, entry.GetProperty("sequence").GetInt32());
        Assert.Equal("/v1/responses", entry.GetProperty("path").GetString());
        Assert.Equal("completed", entry.GetProperty("outcome").GetString());
        Assert.Equal("text", entry.GetProperty("reply").GetString());
        Assert.Equal("x", entry.GetProperty("directive").GetProperty("text").GetString());
        Assert.Equal("test-model", entry.GetProperty("body").GetProperty("model").GetString());
        Assert.Equal("application/json; charset=utf-8", entry.GetProperty("headers").GetProperty("content-type").GetString());

        using var delete = await client.Http.DeleteAsync(new Uri(root, "/_scripted/requests"), Ct);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        Assert.Empty(server.Requests);
        Assert.Equal("[]", await client.Http.GetStringAsync(new Uri(root, "/_scripted/requests"), Ct));
    }

    [Fact]
    public async Task ControlEndpoints_AreNotRecorded_AndUnknownOnesAre404()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var health = await client.Http.GetAsync(new Uri(server.BaseUrl, "/_scripted/health"), Ct);
        using var unknown = await client.Http.GetAsync(new Uri(server.BaseUrl, "/_scripted/nope"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        await TestClient.ErrorBodyAsync(unknown);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Server_BaseUrlAndPort_DescribeTheEphemeralListener()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);

        Assert.NotEqual(0, server.Port);
        Assert.Equal($"http://127.0.0.1:{server.Port}/v1", server.BaseUrl.ToString());
        Assert.Equal($"http://127.0.0.1:{server.Port}/v1/responses", server.ResponsesUrl.ToString());
    }
}
