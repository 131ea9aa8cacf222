namespace CodexCompletionsApi.ScriptedModel;

internal enum ReplyKind
{
    Text,
    Echo,
    Reasoning,
    ToolCalls,
    MultiMessage,
    Incomplete,
    Failed,
    HttpError,
    Cut,
    Stall,
}

internal static class ReplyKinds
{
    public static string ToWireName(this ReplyKind kind) => kind switch
    {
        ReplyKind.Text => "text",
        ReplyKind.Echo => "echo",
        ReplyKind.Reasoning => "reasoning",
        ReplyKind.ToolCalls => "tool_calls",
        ReplyKind.MultiMessage => "multi_message",
        ReplyKind.Incomplete => "incomplete",
        ReplyKind.Failed => "failed",
        ReplyKind.HttpError => "http_error",
        ReplyKind.Cut => "cut",
        ReplyKind.Stall => "stall",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParse(string name, out ReplyKind kind)
    {
        foreach (var candidate in Enum.GetValues<ReplyKind>())
        {
            if (candidate.ToWireName() == name)
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }

    public static string AllWireNames => string.Join(", ", Enum.GetValues<ReplyKind>().Select(k => k.ToWireName()));
}
