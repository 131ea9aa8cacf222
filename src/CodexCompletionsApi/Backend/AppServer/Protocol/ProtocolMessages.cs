using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Backend.AppServer.Protocol;

// Typed bindings for the app-server methods the service uses (pinned CLI 0.169.0).
// Field names are camelCase on the wire; CodexJsonContext applies the naming policy.
// Only the fields we send or read are bound: the drift-guard test keeps this list honest.

internal sealed record ClientInfo(string Name, string Version, string? Title = null);

internal sealed record InitializeCapabilities(bool ExperimentalApi, IReadOnlyList<string>? OptOutNotificationMethods);

internal sealed record InitializeParams(ClientInfo ClientInfo, InitializeCapabilities Capabilities);

internal sealed record InitializeResult(string? UserAgent, string? CodexHome, string? PlatformFamily, string? PlatformOs);

internal sealed record ThreadStartParams
{
    public bool Ephemeral { get; init; } = true;
    public string? Model { get; init; }
    public string? BaseInstructions { get; init; }
    public string? DeveloperInstructions { get; init; }
    public string ApprovalPolicy { get; init; } = "never";
    public string Sandbox { get; init; } = "read-only";
    public string? Cwd { get; init; }
    public IReadOnlyList<JsonElement>? DynamicTools { get; init; }

    /// <summary>Raw Responses items and <c>rawResponse/completed</c>: the exact tool-call arguments and the end of each model response.</summary>
    public bool? ExperimentalRawEvents { get; init; }
}

internal sealed record ThreadStartResult(ThreadInfo Thread, string? Model, string? ModelProvider);

internal sealed record ThreadInfo(string Id, string? CliVersion);

internal sealed record ThreadInjectItemsParams(string ThreadId, IReadOnlyList<JsonElement> Items);

internal sealed record ThreadUnsubscribeParams(string ThreadId);

internal sealed record ThreadUnsubscribeResult(string? Status);

/// <summary>One element of <c>turn/start.input</c> (<c>UserInput</c> in the schema).</summary>
internal sealed record UserInput
{
    public required string Type { get; init; }
    public string? Text { get; init; }
    public string? Url { get; init; }
    public string? Detail { get; init; }

    public static UserInput FromText(string text) => new() { Type = "text", Text = text };

    public static UserInput FromImage(string dataUrl, string? detail) => new() { Type = "image", Url = dataUrl, Detail = detail };
}

internal sealed record TurnStartParams
{
    public required string ThreadId { get; init; }
    public required IReadOnlyList<UserInput> Input { get; init; }
    public string? Effort { get; init; }
    public string? Summary { get; init; }
    public JsonElement? OutputSchema { get; init; }
}

internal sealed record TurnStartResult(TurnInfo Turn);

internal sealed record TurnInfo(string Id, string? Status, TurnError? Error, IReadOnlyList<JsonElement>? Items);

internal sealed record TurnError(string? Message, JsonElement? CodexErrorInfo, string? AdditionalDetails);

internal sealed record TurnInterruptParams(string ThreadId, string TurnId);

internal sealed record TurnCompletedNotification(string ThreadId, TurnInfo Turn);

internal sealed record AgentMessageDeltaNotification(string ThreadId, string TurnId, string ItemId, string Delta);

internal sealed record ReasoningDeltaNotification(string ThreadId, string TurnId, string ItemId, string Delta, int? SummaryIndex, int? ContentIndex);

internal sealed record ItemNotification(string ThreadId, string TurnId, JsonElement Item);

internal sealed record TokenUsageBreakdown(long TotalTokens, long InputTokens, long CachedInputTokens, long OutputTokens, long ReasoningOutputTokens);

internal sealed record ThreadTokenUsage(TokenUsageBreakdown Total, TokenUsageBreakdown Last, long? ModelContextWindow);

internal sealed record TokenUsageUpdatedNotification(string ThreadId, string TurnId, ThreadTokenUsage TokenUsage);

internal sealed record ErrorNotification(string ThreadId, string TurnId, TurnError Error, bool WillRetry);

internal sealed record DynamicToolCallParams(string ThreadId, string TurnId, string CallId, string? Namespace, string Tool, JsonElement Arguments);

internal sealed record DynamicToolCallContentItem(string Type, string? Text = null, string? ImageUrl = null);

internal sealed record DynamicToolCallResponse(IReadOnlyList<DynamicToolCallContentItem> ContentItems, bool Success);

internal sealed record DecisionResponse(string Decision);

internal sealed record ElicitationResponse(string Action);

internal sealed record UserInputAnswersResponse(IReadOnlyDictionary<string, JsonElement> Answers);

internal sealed record CurrentTimeResponse(long CurrentTimeAt);

internal sealed record EmptyResult;

internal sealed record RawResponseItemNotification(string ThreadId, string TurnId, JsonElement Item);

internal sealed record RawResponseCompletedNotification(string ThreadId, string TurnId, string? ResponseId, TokenUsageBreakdown? Usage);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(InitializeParams))]
[JsonSerializable(typeof(InitializeResult))]
[JsonSerializable(typeof(ThreadStartParams))]
[JsonSerializable(typeof(ThreadStartResult))]
[JsonSerializable(typeof(ThreadInjectItemsParams))]
[JsonSerializable(typeof(ThreadUnsubscribeParams))]
[JsonSerializable(typeof(ThreadUnsubscribeResult))]
[JsonSerializable(typeof(TurnStartParams))]
[JsonSerializable(typeof(TurnStartResult))]
[JsonSerializable(typeof(TurnInterruptParams))]
[JsonSerializable(typeof(TurnCompletedNotification))]
[JsonSerializable(typeof(AgentMessageDeltaNotification))]
[JsonSerializable(typeof(ReasoningDeltaNotification))]
[JsonSerializable(typeof(ItemNotification))]
[JsonSerializable(typeof(TokenUsageUpdatedNotification))]
[JsonSerializable(typeof(ErrorNotification))]
[JsonSerializable(typeof(DynamicToolCallParams))]
[JsonSerializable(typeof(DynamicToolCallResponse))]
[JsonSerializable(typeof(DecisionResponse))]
[JsonSerializable(typeof(ElicitationResponse))]
[JsonSerializable(typeof(UserInputAnswersResponse))]
[JsonSerializable(typeof(CurrentTimeResponse))]
[JsonSerializable(typeof(EmptyResult))]
[JsonSerializable(typeof(RawResponseItemNotification))]
[JsonSerializable(typeof(RawResponseCompletedNotification))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class CodexJsonContext : JsonSerializerContext;
