using System.Net;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>Proof that Codex's built-in tools are off and the worker gets a scrubbed environment.</summary>
public sealed class LockdownTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Names of Codex built-in tools (docs/app-server-protocol.md §2.1) and common shell-tool names.</summary>
    private static readonly string[] BuiltInTools =
        ["exec_command", "shell", "write_stdin", "apply_patch", "view_image", "web_search", "spawn_agent", "request_user_input", "update_plan", "create_goal"];

    [Fact]
    public async Task ModelCallsBuiltInTools_NothingRunsAndNoToolsAreOffered()
    {
        var marker = Path.Combine(Path.GetTempPath(), "cca-pwned-" + Guid.NewGuid().ToString("N"));
        var calls = BuiltInTools.Select(name => new ScriptedToolCall(name, new JsonObject
        {
            ["cmd"] = $"touch {marker}",
            ["command"] = new JsonArray("bash", "-lc", $"touch {marker}"),
            ["input"] = $"*** Begin Patch\n*** Add File: {marker}\n+x\n*** End Patch",
        })).ToList();
        var directive = ScriptDirective.ToolCalls(calls, afterToolText: "after tools");

        var response = await service.Client.PostChatAsync("run it " + directive, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(File.Exists(marker), "a model-issued built-in tool call ran a command");
        var requests = service.Model.Requests.Where(r => r.Body.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.True(requests.Count >= 2, "Codex should have continued after rejecting the calls");
        foreach (var request in requests)
        {
            // No built-in tool is offered to the model.
            Assert.Equal(0, request.Json!.Value.GetProperty("tools").GetArrayLength());
        }

        // Every call was answered as unsupported, and the turn went on.
        var outputs = requests[^1].Json!.Value.GetProperty("input").EnumerateArray()
            .Where(i => i.TryGetProperty("type", out var t) && t.GetString() == "function_call_output")
            .Select(i => i.GetProperty("output").ToString())
            .ToList();
        Assert.Equal(BuiltInTools.Length, outputs.Count);
        Assert.All(outputs, o => Assert.Contains("unsupported call", o, StringComparison.Ordinal));
        var body = await Json.ReadAsync(response, Ct);
        Assert.Equal("after tools", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Worker_Environment_HoldsNoProxySecrets()
    {
        var pid = service.Supervisor.Status.Pid!.Value;
        var environ = await File.ReadAllBytesAsync($"/proc/{pid}/environ", Ct);
        var variables = System.Text.Encoding.UTF8.GetString(environ).Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => v.Split('=', 2))
            .ToDictionary(v => v[0], v => v.Length > 1 ? v[1] : string.Empty);

        Assert.DoesNotContain("PROXY_API_KEY", variables.Keys);
        Assert.DoesNotContain("PROXY_TEST_HOST_SECRET", variables.Keys);
        Assert.DoesNotContain(variables.Values, v => v.Contains(ServiceFixture.ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(variables.Values, v => v.Contains("host-secret-value", StringComparison.Ordinal));
        var allowed = new HashSet<string> { "PATH", "HOME", "CODEX_HOME", "LANG", "CODEX_PROXY_UPSTREAM_API_KEY", "SSL_CERT_FILE", "SSL_CERT_DIR", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy", "RUST_LOG", "TZ" };
        Assert.All(variables.Keys, k => Assert.Contains(k, allowed));
        Assert.Equal(ServiceFixture.UpstreamKey, variables["CODEX_PROXY_UPSTREAM_API_KEY"]);

        // The child runs in an empty working directory inside its own CODEX_HOME.
        var cwd = new DirectoryInfo($"/proc/{pid}/cwd").ResolveLinkTarget(returnFinalTarget: true)!.FullName;
        Assert.StartsWith(variables["CODEX_HOME"], cwd, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(cwd));
    }

    [Fact]
    public async Task Worker_CommandLine_CarriesLockdownFlags()
    {
        var pid = service.Supervisor.Status.Pid!.Value;
        var args = System.Text.Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{pid}/cmdline", Ct)).Split('\0');

        Assert.Equal("app-server", args[1]);
        Assert.Contains("--strict-config", args);
        foreach (var flag in new[] { "features.shell_tool=false", "features.shell_snapshot=false", "web_search=\"disabled\"", "features.plugins=false", "features.multi_agent=false", "features.view_image=false", "features.goals=false" })
        {
            Assert.Contains(flag, args);
        }

        Assert.Contains("model_providers.proxy-upstream.request_max_retries=0", args);
        Assert.Contains("model_providers.proxy-upstream.stream_max_retries=0", args);
    }
}
