using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed partial class ExecutableTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Exe_PrintsTheListeningLineServesAndExitsCleanlyOnSigterm()
    {
        var dll = typeof(ScriptedModelServer).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", dll, "--port", "0", "--deltas", "2" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(15), Ct);
            var match = ListeningLine().Match(line ?? "");
            if (!match.Success)
            {
                process.Kill();
                Assert.Fail($"unexpected first line: {line}; stderr: {await process.StandardError.ReadToEndAsync(Ct)}");
            }

            var baseUrl = new Uri(match.Groups["url"].Value);

            using var http = new HttpClient();
            using var health = await http.GetAsync(new Uri(baseUrl, "/_scripted/health"), Ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var response = await http.PostAsync(
                new Uri(baseUrl + "/responses"),
                new StringContent(Body.Request(Body.User("hello")).ToJsonString()),
                Ct);
            var sse = await TestClient.ReadEventsAsync(response, Ct);
            Assert.Equal(2, sse.Of("response.output_text.delta").Count());

            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync(Ct);
            }

            await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Exe_BadArgument_ExitsWith2AndExplains()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "exec", typeof(ScriptedModelServer).Assembly.Location, "--bogus" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromSeconds(15), Ct);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("unknown argument '--bogus'", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^scripted model listening on (?<url>http://127\.0\.0\.1:\d+/v1)$")]
    private static partial Regex ListeningLine();
}
