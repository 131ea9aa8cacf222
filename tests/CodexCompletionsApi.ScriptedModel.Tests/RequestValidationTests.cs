using System.Net;
using System.Text;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class RequestValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("SCRIPT:{\"reply\":\"text\",", "not valid")]
    [InlineData("SCRIPT: hello", "must be followed by a JSON object")]
    [InlineData("SCRIPT:{\"reply\":\"sing\"}", "unknown reply \"sing\"")]
    [InlineData("SCRIPT:{\"reply\":\"text\",\"deltas\":0}", "'deltas' must be an integer from 1")]
    [InlineData("SCRIPT:{\"reply\":\"text\",\"colour\":\"red\"}", "unknown field 'colour'")]
    [InlineData("SCRIPT:{\"reply\":\"echo\"}", "'token'")]
    [InlineData("SCRIPT:{\"reply\":\"tool_calls\",\"calls\":[{\"arguments\":{}}]}", "'name'")]
    [InlineData("SCRIPT:{\"reply\":\"http_error\",\"status\":200}", "'status' must be an integer from 400 to 599")]
    public async Task BadDirective_Returns400NamingTheProblem(string text, string expected)
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostAsync(Body.Request(Body.User("please " + text)), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await TestClient.ErrorBodyAsync(response);
        Assert.Contains(expected, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("last user message", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_script_directive", error.GetProperty("code").GetString());
        var record = await server.WaitForOutcomeAsync(1, TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(RequestOutcome.Error, record.Outcome);
        Assert.Contains(expected, record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotStreaming_Returns400()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var body = Body.Request(Body.User("hi"));
        body["stream"] = false;

        using var response = await client.PostAsync(body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await TestClient.ErrorBodyAsync(response);
        Assert.Equal("stream", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task InvalidJsonBody_Returns400()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.PostRawAsync("{\"model\":", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_json", (await TestClient.ErrorBodyAsync(response)).GetProperty("code").GetString());
        Assert.Null((await server.WaitForOutcomeAsync(1, TimeSpan.FromSeconds(5), Ct)).Json);
    }

    [Fact]
    public async Task UnknownPath_Returns404WithAnOpenAIErrorAndIsRecorded()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.Http.GetAsync(new Uri(server.BaseUrl + "/models"), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("/v1/models", (await TestClient.ErrorBodyAsync(response)).GetProperty("message").GetString(), StringComparison.Ordinal);
        var record = await server.WaitForOutcomeAsync(1, TimeSpan.FromSeconds(5), Ct);
        Assert.Equal(RequestOutcome.Error, record.Outcome);
        Assert.Equal(404, record.StatusCode);
    }

    [Fact]
    public async Task GetOnResponses_Returns405()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        using var response = await client.Http.GetAsync(server.ResponsesUrl, Ct);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        await TestClient.ErrorBodyAsync(response);
    }

    [Fact]
    public async Task GzipBody_IsDecodedAndRecordedDecoded()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);
        var json = Body.Request(Body.User(ScriptDirective.Echo("gz"))).ToJsonString();
        using var compressed = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(json), Ct);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, server.ResponsesUrl) { Content = new ByteArrayContent(compressed.ToArray()) };
        request.Content.Headers.ContentEncoding.Add("gzip");
        using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);

        Assert.Equal("echo:gz", (await TestClient.ReadEventsAsync(response, Ct)).Deltas());
        Assert.Equal(json, server.Requests.Single().Body);
    }

    [Fact]
    public async Task DirectiveInLastUserMessage_WinsOverDeveloperMessages()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(Body.Request(Body.Developer(ScriptDirective.Echo("dev")), Body.User(ScriptDirective.Echo("user"))));

        Assert.Equal("echo:user", sse.Deltas());
    }

    [Fact]
    public async Task NoDirectiveInLastUserMessage_TheLastDeveloperOrSystemDirectiveWins()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(Body.Request(
            Body.System(ScriptDirective.Echo("system")),
            Body.Developer(ScriptDirective.Echo("developer")),
            Body.User("plain question")));

        Assert.Equal("echo:developer", sse.Deltas());
        Assert.Equal("""{"reply":"echo","token":"developer"}""", server.Requests.Single().Directive);
    }

    [Fact]
    public async Task DirectiveOnlyInAnEarlierUserMessage_IsIgnored()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync(Body.Request(Body.User(ScriptDirective.Echo("old")), Body.Assistant("echo:old"), Body.User("new question")));

        Assert.Contains("You said: \"new question\"", sse.Deltas(), StringComparison.Ordinal);
        Assert.Null(server.Requests.Single().Directive);
    }

    [Fact]
    public async Task Directive_FollowedByOtherText_IsParsedUpToTheEndOfTheObject()
    {
        await using var server = await ScriptedModelServer.StartAsync(cancellationToken: Ct);
        using var client = new TestClient(server);

        var sse = await client.StreamAsync("Before. SCRIPT:{\"reply\":\"echo\",\"token\":\"t}\"} and {after} text");

        Assert.Equal("echo:t}", sse.Deltas());
    }
}
