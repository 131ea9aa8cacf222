using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// A validated request, ready to run: the Codex turn plus what the service itself enforces
/// (choices, stop sequences, token limit) and how the response is shaped.
/// </summary>
public sealed record CompletionPlan
{
    public required TurnRequest Turn { get; init; }

    public required CatalogModel Model { get; init; }

    /// <summary>The model id echoed in responses: what the client asked for (suffix included).</summary>
    public required string ResponseModel { get; init; }

    public int Choices { get; init; } = 1;

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public int? MaxTokens { get; init; }

    /// <summary>Request fields that could not reach the model (the <c>x-proxy-ignored-params</c> header).</summary>
    public IReadOnlyList<string> IgnoredParams { get; init; } = [];

    /// <summary>A plan from the shared fields, the turn and the ignored parameters.</summary>
    public static CompletionPlan Create(RequestRules.CommonFields common, TurnRequest turn, int? maxTokens, IReadOnlyList<string> ignored)
        => new()
        {
            Turn = turn,
            Model = common.Model,
            ResponseModel = common.Requested,
            Choices = common.Choices,
            Stream = common.Stream,
            IncludeUsage = common.IncludeUsage,
            Stop = common.Stop,
            MaxTokens = maxTokens,
            IgnoredParams = ignored,
        };

    /// <summary>Text to put before the model's output (legacy completions <c>echo</c>).</summary>
    public string? EchoPrefix { get; init; }

    /// <summary>Client tools registered for the turn; empty when none (or <c>tool_choice: "none"</c>).</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];

    /// <summary>The request used the legacy <c>functions</c>: answer with <c>function_call</c>.</summary>
    public bool LegacyFunctions { get; init; }

    /// <summary>
    /// Textual tool calls: the model's <c>&lt;use_tool&gt;</c> blocks (prompt-described tools) are
    /// buffered, emitted once in canonical form and returned as tool calls (obsidian-xml mode).
    /// </summary>
    public bool TextualTools { get; init; }

    /// <summary>
    /// Keep Codex's output items apart (the Responses API): messages and reasoning parts are not joined
    /// with a separator; each text and reasoning event names its item.
    /// </summary>
    public bool SeparateOutputItems { get; init; }

    /// <summary>More than one call may be returned per response (<c>parallel_tool_calls</c>).</summary>
    public bool ParallelToolCalls { get; init; } = true;
}

/// <summary>A client tool: its name and the order of its parameters (for canonical XML rendering).</summary>
public sealed record ToolDefinition(string Name, IReadOnlyList<string> ParameterOrder);

/// <summary>Service-wide bounds the translators check requests against.</summary>
public sealed record RequestLimits(int MaxChoices);
