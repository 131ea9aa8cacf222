using System.Text;
using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.IntegrationTests.Golden;

/// <summary>
/// Golden transcripts: each scenario's raw HTTP exchange with the service (and the upstream requests the real Codex
/// CLI made to the scripted model), normalized, compared byte for byte with
/// <c>Golden/transcripts/{scenario}.txt</c>. On a mismatch the test shows a line diff and writes
/// <c>{scenario}.actual.txt</c> next to the expected file. With <c>RECORD_GOLDEN=1</c> (scripts/record-golden) it
/// writes the expected files into the source tree instead, and regenerates docs/parity/transcripts.md from them.
/// </summary>
public sealed class GoldenTranscriptTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static string? s_codexVersion;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> ScenarioNames => new(GoldenScenarios.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public async Task Transcript_MatchesGolden(string scenario)
    {
        var actual = await RunAsync(GoldenScenarios.Get(scenario));
        var expectedPath = GoldenFiles.TranscriptPath(scenario);
        var actualPath = GoldenFiles.ActualPath(scenario);

        if (GoldenFiles.Recording)
        {
            GoldenFiles.RequireSourceRoot();
            GoldenFiles.Write(expectedPath, actual);
            GoldenFiles.DeleteIfExists(actualPath);
            GoldenFiles.Write(GoldenFiles.MarkdownPath, GoldenFiles.Markdown(GoldenScenarios.All));
            TestContext.Current.TestOutputHelper?.WriteLine($"recorded {GoldenFiles.Relative(expectedPath)}");
            return;
        }

        var expected = GoldenFiles.ReadOrNull(expectedPath);
        if (expected == actual)
        {
            GoldenFiles.DeleteIfExists(actualPath);
            return;
        }

        GoldenFiles.Write(actualPath, actual);
        Assert.Fail(expected is null
            ? $"There is no golden transcript {GoldenFiles.Relative(expectedPath)}; the actual one is in {GoldenFiles.Relative(actualPath)}. Record with scripts/record-golden."
            : $"The '{scenario}' exchange differs from {GoldenFiles.Relative(expectedPath)} from line {GoldenFiles.FirstDifferentLine(expected, actual)} on (actual: {GoldenFiles.Relative(actualPath)}; if the change is intended, re-record with scripts/record-golden):\n"
              + GoldenFiles.Diff(expected, actual));
    }

    [Fact]
    public void ParityMarkdown_IsGeneratedFromTheTranscripts()
    {
        var generated = GoldenFiles.Markdown(GoldenScenarios.All);
        if (GoldenFiles.Recording)
        {
            GoldenFiles.Write(GoldenFiles.MarkdownPath, generated);
            return;
        }

        var onDisk = GoldenFiles.ReadOrNull(GoldenFiles.MarkdownPath);
        Assert.True(
            onDisk == generated,
            onDisk is null
                ? $"{GoldenFiles.Relative(GoldenFiles.MarkdownPath)} is missing; record with scripts/record-golden."
                : $"{GoldenFiles.Relative(GoldenFiles.MarkdownPath)} is out of date with the golden transcripts (re-record with scripts/record-golden):\n" + GoldenFiles.Diff(onDisk, generated));
    }

    [Fact]
    public void TranscriptsDirectory_HoldsOnlyKnownScenarios()
    {
        var known = GoldenScenarios.All.Select(s => s.Name + ".txt").ToHashSet(StringComparer.Ordinal);
        var files = Directory.Exists(GoldenFiles.TranscriptsDirectory)
            ? Directory.EnumerateFiles(GoldenFiles.TranscriptsDirectory, "*.txt").Select(Path.GetFileName).Where(f => !f!.EndsWith(GoldenFiles.ActualSuffix, StringComparison.Ordinal)).ToList()
            : [];

        Assert.All(files, f => Assert.Contains(f!, known));
        Assert.Equal(GoldenScenarios.All.Count, GoldenScenarios.All.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Diff_ShowsFirstDifferenceWithLineNumbers()
    {
        var diff = GoldenFiles.Diff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nX\ne\nf\ng\nh\n");

        Assert.Equal("@@ expected line 2, actual line 2 @@\n  b\n  c\n- d\n+ X\n  e\n  f\n  g\n+ h\n  \n", diff);
        Assert.Equal(string.Empty, GoldenFiles.Diff("same\n", "same\n"));
        Assert.Equal(4, GoldenFiles.FirstDifferentLine("a\nb\nc\nd\n", "a\nb\nc\nX\n"));
        Assert.Equal(2, GoldenFiles.FirstDifferentLine("a\n", "a\nb\n"));
        var shifted = GoldenFiles.Diff(string.Join('\n', Enumerable.Range(1, 40)), string.Join('\n', Enumerable.Range(2, 40)));
        Assert.Equal("@@ expected line 1, actual line 1 @@\n- 1\n  2\n  3\n@@ expected line 39, actual line 38 @@\n  39\n  40\n+ 41\n", shifted);
    }

    private async Task<string> RunAsync(GoldenScenario scenario)
    {
        var version = await CodexVersionAsync();
        service.Model.ClearRequests();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));

        // A continuation first creates the response it continues; only the continuation's upstream requests are shown.
        SetupExchange? setup = null;
        var sentBody = scenario.Body;
        if (scenario.Setup is { } first)
        {
            var (setupStatus, setupBody) = await SendAsync(first, first.Body, deadline.Token);
            setup = new SetupExchange(first, setupStatus, setupBody);
            sentBody = WithSetupIds(scenario.Body, setupBody);
            service.Model.ClearRequests();
        }

        using var response = await SendRequestAsync(scenario, sentBody, deadline.Token);
        var body = await response.Content.ReadAsStringAsync(deadline.Token);
        var upstream = await UpstreamAsync(deadline.Token);
        return Transcript.Render(scenario, version, response, body, upstream, setup);
    }

    private async Task<(int Status, string Body)> SendAsync(GoldenScenario scenario, string body, CancellationToken cancellationToken)
    {
        using var response = await SendRequestAsync(scenario, body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        await UpstreamAsync(cancellationToken);
        return ((int)response.StatusCode, text);
    }

    private async Task<HttpResponseMessage> SendRequestAsync(GoldenScenario scenario, string body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, scenario.Path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in scenario.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await service.Client.SendAsync(request, cancellationToken);
    }

    /// <summary>The upstream requests so far, each waited for: every one has ended by the time the response has (bounded).</summary>
    private async Task<IReadOnlyList<RecordedRequest>> UpstreamAsync(CancellationToken cancellationToken)
    {
        var upstream = service.Model.Requests;
        foreach (var recorded in upstream)
        {
            await service.Model.WaitForOutcomeAsync(recorded.Sequence, Wait, cancellationToken);
        }

        return upstream;
    }

    /// <summary><paramref name="body"/> with the setup response's <c>id</c> and first <c>call_id</c> in place of the placeholders.</summary>
    private static string WithSetupIds(string body, string setupResponse)
    {
        using var document = JsonDocument.Parse(setupResponse);
        var root = document.RootElement;
        Assert.True(root.TryGetProperty("id", out var id), $"The setup request failed: {setupResponse}");
        var callId = root.GetProperty("output").EnumerateArray().Where(i => i.GetProperty("type").GetString() == "function_call").Select(i => i.GetProperty("call_id").GetString()).FirstOrDefault();
        body = body.Replace(GoldenScenario.SetupId, id.GetString(), StringComparison.Ordinal);
        return callId is null ? body : body.Replace(GoldenScenario.SetupCallId, callId, StringComparison.Ordinal);
    }

    /// <summary><c>codex --version</c> of the binary the service runs (CODEX_BIN, else the pinned package).</summary>
    private async Task<string> CodexVersionAsync()
    {
        if (s_codexVersion is null)
        {
            var configured = service.Services.GetRequiredService<IOptions<AppServerOptions>>().Value.CodexBinary;
            string[] roots = [AppContext.BaseDirectory, Environment.CurrentDirectory, .. GoldenFiles.SourceRoot is { } root ? [root] : Array.Empty<string>()];
            var binary = CodexBinary.Resolve(configured, roots) ?? throw new InvalidOperationException("The Codex CLI binary was not found (run scripts/setup or set CODEX_BIN).");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(Wait);
            s_codexVersion = await CodexBinary.ReadVersionAsync(binary, new Dictionary<string, string>(), timeout.Token);
        }

        return s_codexVersion;
    }
}
