using System.Net;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// Stored responses survive a restart of the service: a second host on the same data directory (and so the same
/// response database), with a new Codex worker and a new scripted model, serves the stored response and continues
/// its conversation with <c>previous_response_id</c>.
/// </summary>
public sealed class ResponsesRestartTests : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "cca-it-restart-" + Guid.NewGuid().ToString("N")[..12]);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PreviousResponseId_ContinuesAfterARestart()
    {
        Directory.CreateDirectory(_dataDirectory);
        var marker = Requests.Marker();
        string id;
        await using (var first = new SharedDataFixture(_dataDirectory))
        {
            await first.InitializeAsync();
            var created = await (await first.Client.PostResponsesAsync(Requests.Responses($"My name is Alice. {marker} " + ScriptDirective.Text("Hello Alice!")), Ct)).ReadOkJsonAsync(Ct);
            id = created.GetProperty("id").GetString()!;
        }

        await using var second = new SharedDataFixture(_dataDirectory);
        await second.InitializeAsync();

        var stored = await (await second.Client.GetAsync($"/v1/responses/{id}", Ct)).ReadOkJsonAsync(Ct);
        Assert.Equal("Hello Alice!", stored.GetProperty("output_text").GetString());

        var secondMarker = Requests.Marker();
        var body = Requests.Responses($"What is my name? {secondMarker} " + ScriptDirective.Text("Alice."), stream: true);
        body["previous_response_id"] = id;
        var stream = await (await second.Client.PostResponsesAsync(body, Ct)).ReadResponsesStreamAsync(Ct);
        Assert.Equal("Alice.", stream.Text);
        Assert.Equal(id, stream.Response.GetProperty("previous_response_id").GetString());

        // The new worker's model got the conversation from the store: the first question and its answer.
        var upstream = await second.Model.WaitForRequestAsync(r => r.Body.Contains(secondMarker, StringComparison.Ordinal), TimeSpan.FromSeconds(10), Ct);
        var input = JsonNode.Parse(upstream.Json!.Value.GetProperty("input").GetRawText())!.AsArray();
        var texts = input.Where(i => i!["type"]?.GetValue<string>() == "message").Select(i => (string)i!["content"]![0]!["text"]!).ToList();
        Assert.Contains(texts, t => t.Contains(marker, StringComparison.Ordinal));
        Assert.Contains("Hello Alice!", texts);

        Assert.Equal(HttpStatusCode.OK, (await second.Client.DeleteAsync($"/v1/responses/{id}", Ct)).StatusCode);
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A service fixture whose data directory is given (and kept when it is disposed).</summary>
    private sealed class SharedDataFixture(string dataDirectory) : ServiceFixture
    {
        protected override void ConfigureService(IWebHostBuilder builder) => builder.UseSetting("Proxy:DataDirectory", dataDirectory);
    }
}
