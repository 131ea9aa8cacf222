using System.Net;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>Tool edge tests' own service: short retry delays, so an upstream 500 is retried quickly.</summary>
public sealed class ToolEdgeFixture : ServiceFixture
{
    public const int Attempts = 3; // Turns:MaxRetries default 2, plus the first attempt

    protected override void ConfigureService(IWebHostBuilder builder)
        => builder.UseSetting("Turns:RetryBaseDelay", "00:00:00.020");
}

/// <summary>
/// Tool calls at the edges, through the real CLI: n=2, large multi-byte arguments in many fragments, upstream
/// failures before and after output in a tools request, textual fixtures replayed, and a client that leaves
/// while the model is still writing a tool-call response.
/// </summary>
public sealed class ToolEdgeTests(ToolEdgeFixture service) : IClassFixture<ToolEdgeFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static JsonObject Body(string user, bool stream, int? n = null)
    {
        var body = Requests.Chat(user, stream);
        body["tools"] = JsonNode.Parse("""
            [{"type":"function","function":{"name":"lookup","parameters":{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}}}}},
             {"type":"function","function":{"name":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]
            """);
        if (n is not null)
        {
            body["n"] = n;
        }

        return body;
    }

    private int UpstreamAttempts(string marker) => service.Model.Requests.Count(r => r.Body.Contains(marker, StringComparison.Ordinal));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task N2_EachChoiceGetsItsOwnCalls(bool stream)
    {
        var marker = Requests.Marker();
        var directive = ScriptDirective.ToolCalls(
            [new ScriptedToolCall("lookup", new JsonObject { ["q"] = "Oslo 🙂" }), new ScriptedToolCall("weather", new JsonObject { ["city"] = "Bergen" })],
            argumentsDeltas: 2);

        var response = await service.Client.PostChatAsync(Body($"{marker} {directive}", stream, n: 2), Ct, ("x-proxy-output-mode", "openai-json"));

        var perChoice = new List<(string? Finish, List<(string Id, string Name, string Arguments)> Calls)>();
        if (stream)
        {
            var streamed = await response.ReadChatStreamAsync(Ct);
            Assert.True(streamed.Done);
            Assert.Equal(2, streamed.Choices.Count);
            perChoice.AddRange(streamed.Choices.Values.Select(c => (c.FinishReason, c.ToolCalls.Select(t => (t.Id!, t.Name!, t.Arguments)).ToList())));
        }
        else
        {
            var choices = (await response.ReadOkJsonAsync(Ct)).GetProperty("choices").EnumerateArray().ToList();
            Assert.Equal(2, choices.Count);
            Assert.Equal([0, 1], choices.Select(c => c.GetProperty("index").GetInt32()));
            perChoice.AddRange(choices.Select(c => (c.GetProperty("finish_reason").GetString(), c.GetProperty("message").GetProperty("tool_calls").EnumerateArray()
                .Select(t => (t.GetProperty("id").GetString()!, t.GetProperty("function").GetProperty("name").GetString()!, t.GetProperty("function").GetProperty("arguments").GetString()!)).ToList())));
        }

        foreach (var (finish, calls) in perChoice)
        {
            Assert.Equal("tool_calls", finish);
            Assert.Equal(["lookup", "weather"], calls.Select(c => c.Name));
            Assert.Equal("Oslo 🙂", JsonNode.Parse(calls[0].Arguments)!["q"]!.GetValue<string>());
            Assert.Equal("Bergen", JsonNode.Parse(calls[1].Arguments)!["city"]!.GetValue<string>());
        }

        // Isolated: each choice is its own upstream response, so no call id is shared between choices.
        Assert.Empty(perChoice[0].Calls.Select(c => c.Id).Intersect(perChoice[1].Calls.Select(c => c.Id)));
        Assert.Equal(2, UpstreamAttempts(marker));
        var connection = service.Supervisor.CurrentConnection!;
        await Requests.UntilAsync(() => connection.SubscribedThreads == 0, Wait, "both threads released", Ct);
    }

    [Fact]
    public async Task LargeMultiByteArguments_InManyFragments_ArriveIntactStreamedAndNot()
    {
        var text = new StringBuilder();
        for (var i = 0; Encoding.UTF8.GetByteCount(text.ToString()) < 20_000; i++)
        {
            text.Append(CultureInfo(i)).Append("東京都 日本語 🚀🙂 é ü 한국어 \"q\" \\ ");
        }

        var arguments = new JsonObject { ["q"] = text.ToString(), ["n"] = 7 }.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        Assert.True(Encoding.UTF8.GetByteCount(arguments) > 20_000);
        var directive = ScriptDirective.ToolCalls([ScriptedToolCall.WithRawArguments("lookup", arguments)], argumentsDeltas: 97);

        var plain = (await (await service.Client.PostChatAsync(Body($"{Requests.Marker()} {directive}", stream: false), Ct, ("x-proxy-output-mode", "openai-json"))).ReadOkJsonAsync(Ct))
            .GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls");
        var streamed = await (await service.Client.PostChatAsync(Body($"{Requests.Marker()} {directive}", stream: true), Ct, ("x-proxy-output-mode", "openai-json"))).ReadChatStreamAsync(Ct);

        Assert.Equal(arguments, Assert.Single(plain.EnumerateArray()).GetProperty("function").GetProperty("arguments").GetString());
        Assert.Equal("tool_calls", streamed[0].FinishReason);
        Assert.Equal(arguments, Assert.Single(streamed[0].ToolCalls).Arguments);

        static string CultureInfo(int i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":";
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UpstreamErrorBeforeAnyCall_Returns502Json(bool stream)
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Body($"{marker} {ScriptDirective.HttpError(500)}", stream), Ct);

        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadGateway, $"expected 502, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        Assert.Equal("upstream_error", document.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(ToolEdgeFixture.Attempts, UpstreamAttempts(marker));
    }

    [Fact]
    public async Task Stream_CutAfterPreamble_InBandErrorAfterHeaders()
    {
        var marker = Requests.Marker();

        var response = await service.Client.PostChatAsync(Body($"{marker} {ScriptDirective.Cut("Calling the tool now", deltas: 3)}", stream: true), Ct);

        var streamed = await response.ReadChatStreamAsync(Ct);
        Assert.False(streamed.Done);
        Assert.Equal("Calling the tool now", streamed[0].Content);
        Assert.Empty(streamed[0].ToolCalls);
        Assert.Null(streamed[0].FinishReason);
        Assert.Equal("upstream_error", streamed.Error!.Value.GetProperty("code").GetString());
        Assert.Equal(1, UpstreamAttempts(marker)); // output was sent, so no retry
    }

    [Fact]
    public async Task Stream_ClientLeavesWhileToolCallResponseIsWritten_UpstreamAbortedAndThreadReleased()
    {
        var marker = Requests.Marker();
        var directive = ScriptDirective.Create(new JsonObject
        {
            ["reply"] = "tool_calls",
            ["text"] = "Looking this up step by step before calling",
            ["deltas"] = 30,
            ["delay_ms"] = 150,
            ["calls"] = new JsonArray(new JsonObject { ["name"] = "lookup", ["arguments"] = new JsonObject { ["q"] = "never sent" } }),
        });
        using var client = service.CreateClient(checkWireInvariants: false);
        var response = await client.PostJsonAsync("/v1/chat/completions", Body($"{marker} {directive}", stream: true), Ct, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(Ct));
        await reader.ReadUntilAsync(e => e.Data.Contains("\"content\":\"L", StringComparison.Ordinal), Ct).WaitAsync(Wait, Ct);
        Assert.DoesNotContain(reader.Events, e => e.Data.Contains("tool_calls", StringComparison.Ordinal));
        var upstream = await service.Model.WaitForRequestAsync(r => r.Body.Contains(marker, StringComparison.Ordinal), Wait, Ct);

        reader.Dispose();
        response.Dispose();

        var outcome = await service.Model.WaitForOutcomeAsync(upstream.Sequence, TimeSpan.FromSeconds(3), Ct);
        Assert.Equal(RequestOutcome.ClientAborted, outcome.Outcome);
        var connection = service.Supervisor.CurrentConnection!;
        await Requests.UntilAsync(() => connection.SubscribedThreads == 0, TimeSpan.FromSeconds(5), "no turn is left waiting on a tool answer", Ct);
    }

    public static TheoryData<string> TextualFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(FixtureDirectory(), "textual-*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    /// <summary>
    /// Each textual fixture's deltas, joined and replayed by the model in as many deltas, streamed in the default
    /// obsidian-xml mode: blocks become tool calls with the fixture's arguments and canonical xml (text after the
    /// first block is dropped), malformed or partial blocks pass on verbatim.
    /// </summary>
    [Theory]
    [MemberData(nameof(TextualFixtures))]
    public async Task TextualFixture_ReplayedThroughCli_StreamMatchesExpectedOutputs(string file)
    {
        using var fixture = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(FixtureDirectory(), file), Ct));
        var deltas = fixture.RootElement.GetProperty("deltas").EnumerateArray().Select(d => d.GetString()!).ToList();
        var outputs = fixture.RootElement.GetProperty("expected").GetProperty("outputs").EnumerateArray().ToList();
        var text = string.Concat(deltas);

        var streamed = await (await service.Client.PostChatAsync(Requests.Chat($"{Requests.Marker()} " + ScriptDirective.Text(text, deltas: deltas.Count), stream: true), Ct)).ReadChatStreamAsync(Ct);

        Assert.True(streamed.Done);
        var blocks = outputs.Where(o => o.TryGetProperty("block", out _)).Select(o => o.GetProperty("block")).ToList();
        var calls = streamed[0].ToolCalls;
        Assert.Equal(blocks.Count, calls.Count);
        for (var i = 0; i < blocks.Count; i++)
        {
            Assert.Equal(blocks[i].GetProperty("name").GetString(), calls[i].Name);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(blocks[i].GetProperty("arguments").GetRawText()), JsonNode.Parse(calls[i].Arguments)), calls[i].Arguments);
            Assert.StartsWith("call_text_0_", calls[i].Id, StringComparison.Ordinal);
            Assert.Equal(1, Occurrences(streamed[0].Content, blocks[i].GetProperty("xml").GetString()!));
        }

        if (blocks.Count == 0)
        {
            Assert.Equal("stop", streamed[0].FinishReason);
            Assert.Equal(text, streamed[0].Content); // malformed and partial blocks pass on verbatim
            return;
        }

        Assert.Equal("tool_calls", streamed[0].FinishReason);
        var before = string.Concat(outputs.TakeWhile(o => !o.TryGetProperty("block", out _)).Where(o => o.TryGetProperty("text", out _)).Select(o => o.GetProperty("text").GetString()));
        Assert.StartsWith(before, streamed[0].Content, StringComparison.Ordinal);
        var after = outputs.SkipWhile(o => !o.TryGetProperty("block", out _)).Where(o => o.TryGetProperty("text", out _)).Select(o => o.GetProperty("text").GetString()!).Where(t => t.Trim().Length > 0);
        foreach (var tail in after)
        {
            Assert.DoesNotContain(tail.Trim(), streamed[0].Content, StringComparison.Ordinal); // PROXY_SUPPRESS_TAIL_AFTER_TOOLS
        }
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// tests/fixtures/tool-calls of the repository: found above the test binaries, or (with a private artifacts
    /// path outside the repository) above this source file.
    /// </summary>
    private static string FixtureDirectory([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? string.Empty })
        {
            for (var dir = start.Length == 0 ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CodexCompletionsApi.slnx")))
                {
                    return Path.Combine(dir.FullName, "tests", "fixtures", "tool-calls");
                }
            }
        }

        throw new InvalidOperationException($"No CodexCompletionsApi.slnx above {AppContext.BaseDirectory} or {sourceFile}.");
    }
}
