using System.ComponentModel.DataAnnotations;

namespace CodexCompletionsApi.Configuration;

/// <summary>How client tool calls are returned (docs/tool-calls.md).</summary>
public sealed class ToolOptions
{
    public const string SectionName = "Tools";

    /// <summary>
    /// <c>obsidian-xml</c>: tool calls are returned in <c>tool_calls</c> and, as canonical
    /// <c>&lt;use_tool&gt;</c> blocks, in <c>content</c>; <c>openai-json</c>: only <c>tool_calls</c>
    /// (<c>content: null</c>), exactly as OpenAI (<c>PROXY_OUTPUT_MODE</c>). The
    /// <c>x-proxy-output-mode</c> request header overrides it per request. Chat completions only:
    /// <c>/v1/responses</c> answers in <c>openai-json</c> unless the header asks otherwise.
    /// </summary>
    /// <value>The default value is <c>obsidian-xml</c>.</value>
    [Required]
    [RegularExpression("^(obsidian-xml|openai-json)$")]
    public string OutputMode { get; set; } = "obsidian-xml";

    /// <summary>
    /// Return all calls of a model response (<c>PROXY_ENABLE_PARALLEL_TOOL_CALLS</c>); <c>false</c>
    /// returns only the first, as does a request with <c>parallel_tool_calls: false</c>.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ParallelToolCalls { get; set; } = true;

    /// <summary>Most tool calls returned per response (<c>PROXY_TOOL_BLOCK_MAX</c>); 0 is unlimited.</summary>
    /// <value>The default value is 0.</value>
    [Range(0, 1000)]
    public int ToolBlockMax { get; set; }

    /// <summary>
    /// <c>burst</c>: every call of the response (up to <see cref="ToolBlockMax"/>); <c>first</c>: only
    /// the first, the legacy single-call behaviour (<c>PROXY_STOP_AFTER_TOOLS_MODE</c>).
    /// </summary>
    /// <value>The default value is <c>burst</c>.</value>
    [Required]
    [RegularExpression("^(first|burst)$")]
    public string StopAfterToolsMode { get; set; } = "burst";

    /// <summary>
    /// End the response at the model's tool calls (<c>PROXY_STOP_AFTER_TOOLS</c>). Native calls always
    /// end it (the client must run them); <c>false</c> lets textual <c>&lt;use_tool&gt;</c> responses
    /// run to the model's end.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool StopAfterTools { get; set; } = true;

    /// <summary>Drop text the model writes after its first tool call in the same response (<c>PROXY_SUPPRESS_TAIL_AFTER_TOOLS</c>).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool SuppressTailAfterTools { get; set; } = true;

    /// <summary>The most calls one response may return for a request, after every setting.</summary>
    public int MaxCalls(bool requestAllowsParallel)
        => !requestAllowsParallel || !ParallelToolCalls || StopAfterToolsMode == "first" ? 1 : ToolBlockMax == 0 ? int.MaxValue : ToolBlockMax;
}
