namespace CodexCompletionsApi.ScriptedModel;

/// <summary>A parsed <c>SCRIPT:{…}</c> directive; every field is optional (see README.md).</summary>
internal sealed record Directive
{
    public static Directive None { get; } = new();

    /// <summary>The directive's JSON text as written, or <see langword="null"/> when the request had none.</summary>
    public string? Json { get; init; }

    /// <summary>The marker and JSON exactly as they appear in the message (left out when the demo reply quotes it).</summary>
    public string? Source { get; init; }

    public ReplyKind Reply { get; init; } = ReplyKind.Text;

    public string? Text { get; init; }

    public int? Deltas { get; init; }

    public int? DelayMs { get; init; }

    public int? FirstDelayMs { get; init; }

    public string? Token { get; init; }

    public IReadOnlyList<string>? Summary { get; init; }

    public string? ReasoningText { get; init; }

    public IReadOnlyList<ScriptedCall>? Calls { get; init; }

    public int? ArgumentsDeltas { get; init; }

    public string? AfterToolText { get; init; }

    public IReadOnlyList<string>? Messages { get; init; }

    public int? Status { get; init; }

    public string? Code { get; init; }

    public string? Message { get; init; }

    public string? Type { get; init; }

    public string? Param { get; init; }

    public int? RetryAfter { get; init; }

    public int? AfterDeltas { get; init; }

    public UsageOverride? Usage { get; init; }
}

internal sealed record ScriptedCall(string Name, string Arguments, string? CallId, string? Namespace);

internal sealed record UsageOverride(int? InputTokens, int? OutputTokens, int? CachedTokens, int? ReasoningTokens);
