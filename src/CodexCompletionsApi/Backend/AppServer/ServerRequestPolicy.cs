using CodexCompletionsApi.Backend.AppServer.Protocol;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// Answers server→client requests that no turn handles, so a turn never blocks waiting for a
/// human: approvals are declined, user-input and elicitation requests get empty or declining
/// answers, and anything unknown gets a JSON-RPC "method not found" error.
/// </summary>
internal static class ServerRequestPolicy
{
    public const int MethodNotFound = -32601;

    public static ServerRequestAnswer Answer(IncomingMessage request, TimeProvider timeProvider)
    {
        var json = CodexJsonContext.Default;
        return request.Method switch
        {
            CodexMethods.CommandExecutionRequestApproval or CodexMethods.FileChangeRequestApproval
                => ServerRequestAnswer.Result(new DecisionResponse("decline"), json.DecisionResponse),
            CodexMethods.ApplyPatchApproval or CodexMethods.ExecCommandApproval
                => ServerRequestAnswer.Result(new DecisionResponse("denied"), json.DecisionResponse),
            CodexMethods.ToolRequestUserInput
                => ServerRequestAnswer.Result(new UserInputAnswersResponse(new Dictionary<string, System.Text.Json.JsonElement>()), json.UserInputAnswersResponse),
            CodexMethods.McpServerElicitationRequest
                => ServerRequestAnswer.Result(new ElicitationResponse("decline"), json.ElicitationResponse),
            CodexMethods.DynamicToolCall
                => ServerRequestAnswer.Result(
                    new DynamicToolCallResponse([new DynamicToolCallContentItem("inputText", "No client is waiting for this tool call.")], false),
                    json.DynamicToolCallResponse),
            CodexMethods.CurrentTimeRead
                => ServerRequestAnswer.Result(new CurrentTimeResponse(timeProvider.GetUtcNow().ToUnixTimeSeconds()), json.CurrentTimeResponse),
            _ => ServerRequestAnswer.Error(MethodNotFound, $"{request.Method} is not supported by codex-completions-api."),
        };
    }
}
