using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Backend.AppServer.Protocol;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// Drift guard: regenerates the app-server JSON schema from the pinned CLI and fails when a method
/// we call, a notification or server request we handle, or a field we send or read is gone.
/// Bumping the CLI starts here (docs/app-server-schema.md).
/// </summary>
public sealed class SchemaDriftTests : IAsyncLifetime
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "cca-schema-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Each bound DTO and the schema file that defines it.</summary>
    public static TheoryData<string, string> BoundTypes => new()
    {
        { nameof(InitializeParams), "v1/InitializeParams.json" },
        { nameof(ThreadStartParams), "v2/ThreadStartParams.json" },
        { nameof(ThreadStartResult), "v2/ThreadStartResponse.json" },
        { nameof(ThreadInjectItemsParams), "v2/ThreadInjectItemsParams.json" },
        { nameof(ThreadUnsubscribeParams), "v2/ThreadUnsubscribeParams.json" },
        { nameof(ThreadUnsubscribeResult), "v2/ThreadUnsubscribeResponse.json" },
        { nameof(TurnStartParams), "v2/TurnStartParams.json" },
        { nameof(TurnStartResult), "v2/TurnStartResponse.json" },
        { nameof(TurnInterruptParams), "v2/TurnInterruptParams.json" },
        { nameof(TurnCompletedNotification), "v2/TurnCompletedNotification.json" },
        { nameof(AgentMessageDeltaNotification), "v2/AgentMessageDeltaNotification.json" },
        { nameof(TokenUsageUpdatedNotification), "v2/ThreadTokenUsageUpdatedNotification.json" },
        { nameof(ErrorNotification), "v2/ErrorNotification.json" },
        { nameof(ItemNotification), "v2/ItemCompletedNotification.json" },
        { nameof(DynamicToolCallParams), "DynamicToolCallParams.json" },
        { nameof(DynamicToolCallResponse), "DynamicToolCallResponse.json" },
    };

    /// <summary>Nested types and the schema definition name that describes them.</summary>
    public static TheoryData<string, string, string> BoundDefinitions => new()
    {
        { nameof(InitializeCapabilities), "v1/InitializeParams.json", "InitializeCapabilities" },
        { nameof(ClientInfo), "v1/InitializeParams.json", "ClientInfo" },
        { nameof(TokenUsageBreakdown), "v2/ThreadTokenUsageUpdatedNotification.json", "TokenUsageBreakdown" },
        { nameof(ThreadTokenUsage), "v2/ThreadTokenUsageUpdatedNotification.json", "ThreadTokenUsage" },
        { nameof(TurnError), "v2/TurnCompletedNotification.json", "TurnError" },
    };

    public async ValueTask InitializeAsync()
    {
        var binary = CodexBinary.Resolve(null, [AppContext.BaseDirectory]) ?? throw new InvalidOperationException("Run scripts/setup: the pinned Codex CLI is not installed.");
        Directory.CreateDirectory(_out);
        var psi = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "app-server", "generate-json-schema", "--experimental", "--out", _out })
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["CODEX_HOME"] = Path.Combine(_out, "home");
        Directory.CreateDirectory(psi.Environment["CODEX_HOME"]!);
        using var process = Process.Start(psi)!;
        await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, process.ExitCode);
    }

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_out, recursive: true);
        return ValueTask.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(BoundTypes))]
    public void BoundType_EveryFieldExistsInPinnedSchema(string typeName, string schemaFile)
    {
        using var schema = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_out, schemaFile)));
        AssertFieldsExist(typeName, schema.RootElement, schemaFile);
    }

    [Theory]
    [MemberData(nameof(BoundDefinitions))]
    public void BoundNestedType_EveryFieldExistsInPinnedSchema(string typeName, string schemaFile, string definition)
    {
        using var schema = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_out, schemaFile)));
        AssertFieldsExist(typeName, schema.RootElement.GetProperty("definitions").GetProperty(definition), $"{schemaFile}#{definition}");
    }

    [Fact]
    public void Methods_EveryMethodWeUseExists()
    {
        var client = MethodNames("ClientRequest.json");
        var serverRequests = MethodNames("ServerRequest.json");
        var notifications = MethodNames("ServerNotification.json");
        var clientNotifications = MethodNames("ClientNotification.json");

        foreach (var method in new[] { CodexMethods.Initialize, CodexMethods.ThreadStart, CodexMethods.ThreadInjectItems, CodexMethods.ThreadUnsubscribe, CodexMethods.TurnStart, CodexMethods.TurnInterrupt, CodexMethods.ModelList, CodexMethods.ThreadLoadedList })
        {
            Assert.Contains(method, client);
        }

        Assert.Contains(CodexMethods.Initialized, clientNotifications);
        foreach (var method in new[] { CodexMethods.TurnStarted, CodexMethods.TurnCompleted, CodexMethods.ItemStarted, CodexMethods.ItemCompleted, CodexMethods.AgentMessageDelta, CodexMethods.ReasoningSummaryTextDelta, CodexMethods.ReasoningSummaryPartAdded, CodexMethods.ReasoningTextDelta, CodexMethods.TokenUsageUpdated, CodexMethods.Error, CodexMethods.ThreadClosed })
        {
            Assert.Contains(method, notifications);
        }

        foreach (var method in CodexMethods.OptOutNotifications)
        {
            Assert.Contains(method, notifications);
        }

        foreach (var method in new[] { CodexMethods.DynamicToolCall, CodexMethods.CommandExecutionRequestApproval, CodexMethods.FileChangeRequestApproval, CodexMethods.ToolRequestUserInput, CodexMethods.McpServerElicitationRequest, CodexMethods.PermissionsRequestApproval, CodexMethods.ApplyPatchApproval, CodexMethods.ExecCommandApproval, CodexMethods.CurrentTimeRead })
        {
            Assert.Contains(method, serverRequests);
        }
    }

    private HashSet<string> MethodNames(string file)
    {
        using var schema = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(_out, file)));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var variant in schema.RootElement.GetProperty("oneOf").EnumerateArray())
        {
            if (variant.TryGetProperty("properties", out var props) && props.TryGetProperty("method", out var method) && method.TryGetProperty("enum", out var values))
            {
                foreach (var value in values.EnumerateArray())
                {
                    names.Add(value.GetString()!);
                }
            }
        }

        return names;
    }

    private static void AssertFieldsExist(string typeName, JsonElement schema, string where)
    {
        var type = typeof(CodexJsonContext).Assembly.GetTypes().Single(t => t.Name == typeName && t.Namespace == typeof(CodexJsonContext).Namespace);
        var properties = schema.GetProperty("properties");
        var fields = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != "EqualityContract")
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToList();
        Assert.NotEmpty(fields);
        foreach (var field in fields)
        {
            Assert.True(properties.TryGetProperty(field, out _), $"{typeName}.{field} is not in the pinned schema ({where})");
        }
    }
}
