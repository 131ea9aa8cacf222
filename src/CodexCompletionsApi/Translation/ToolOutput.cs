namespace CodexCompletionsApi.Translation;

/// <summary>How tool calls are presented to a chat client.</summary>
public enum ToolOutputMode
{
    /// <summary><c>tool_calls</c> plus canonical <c>&lt;use_tool&gt;</c> blocks in <c>content</c>.</summary>
    ObsidianXml,

    /// <summary>Only <c>tool_calls</c> (<c>content: null</c>), exactly as OpenAI.</summary>
    OpenAIJson,
}

/// <summary>Per-request tool presentation: the mode, legacy <c>functions</c>, and each tool's parameter order.</summary>
public sealed record ToolOutput(ToolOutputMode Mode, bool Legacy, IReadOnlyList<ToolDefinition> Tools)
{
    /// <summary>Request header that overrides <c>PROXY_OUTPUT_MODE</c>.</summary>
    public const string Header = "x-proxy-output-mode";

    public IReadOnlyList<string> ParameterOrder(string name) => Tools.FirstOrDefault(t => t.Name == name)?.ParameterOrder ?? [];

    public static ToolOutputMode ParseMode(string? value, ToolOutputMode fallback)
        => value?.Trim().ToLowerInvariant() switch
        {
            "obsidian-xml" => ToolOutputMode.ObsidianXml,
            "openai-json" => ToolOutputMode.OpenAIJson,
            _ => fallback,
        };
}
