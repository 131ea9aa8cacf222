namespace CodexCompletionsApi.Translation;

/// <summary>How reasoning summaries reach a chat client (<c>PROXY_REASONING_OUTPUT</c>).</summary>
public enum ReasoningOutput
{
    /// <summary>Not sent, as with OpenAI's chat API.</summary>
    Drop,

    /// <summary><c>delta.reasoning_content</c> / <c>message.reasoning_content</c>.</summary>
    ReasoningContent,

    /// <summary><c>&lt;think&gt;…&lt;/think&gt;</c> at the start of <c>content</c>.</summary>
    ThinkTags,
}

public static class ReasoningOutputs
{
    /// <summary>Request header that overrides the configured mode for one request.</summary>
    public const string Header = "x-proxy-reasoning-output";

    public const string ThinkOpen = "<think>";

    public const string ThinkClose = "</think>";

    public static bool TryParse(string? value, out ReasoningOutput mode)
    {
        switch (value?.Trim().ToLowerInvariant())
        {
            case "drop":
                mode = ReasoningOutput.Drop;
                return true;
            case "reasoning_content":
                mode = ReasoningOutput.ReasoningContent;
                return true;
            case "think-tags" or "think_tags":
                mode = ReasoningOutput.ThinkTags;
                return true;
            default:
                mode = ReasoningOutput.Drop;
                return false;
        }
    }

    /// <summary>The non-streamed message content and reasoning field for a mode.</summary>
    public static (string Content, string? ReasoningContent) Compose(ReasoningOutput mode, string content, string reasoning)
        => mode switch
        {
            ReasoningOutput.ReasoningContent => (content, reasoning.Length > 0 ? reasoning : null),
            ReasoningOutput.ThinkTags when reasoning.Length > 0 => (ThinkOpen + reasoning + ThinkClose + content, null),
            _ => (content, null),
        };
}
