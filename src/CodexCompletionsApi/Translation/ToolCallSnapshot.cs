using System.Collections.Immutable;

namespace CodexCompletionsApi.Translation;

/// <summary>Where an aggregated tool call came from.</summary>
internal enum ToolCallSource
{
    /// <summary>A complete call from Codex (<see cref="ToolCallAggregator.IngestCall"/>).</summary>
    Native,

    /// <summary>OpenAI-style function deltas (<see cref="ToolCallAggregator.IngestDelta"/>).</summary>
    Delta,

    /// <summary>A textual block in an assistant message (<see cref="ToolCallAggregator.IngestMessage"/>).</summary>
    Textual,
}

/// <summary>
/// One tool call of a choice. <see cref="Index"/> is its position in the choice's list (0, 1, … in
/// order of first appearance: the index to give the client), not the index of an ingested delta.
/// </summary>
internal sealed record AggregatedToolCall(int Index, string Id, string Name, string Arguments, ToolCallSource Source);

/// <summary>The tool calls known at one moment, per choice (immutable: later ingestion never changes it).</summary>
internal sealed class ToolCallSnapshot
{
    public static readonly ToolCallSnapshot Empty = new(ImmutableSortedDictionary<int, ImmutableArray<AggregatedToolCall>>.Empty);

    public ToolCallSnapshot(ImmutableSortedDictionary<int, ImmutableArray<AggregatedToolCall>> choices)
    {
        Choices = choices;
        Count = choices.Values.Sum(c => c.Length);
    }

    /// <summary>Choices that have at least one call, by choice index.</summary>
    public ImmutableSortedDictionary<int, ImmutableArray<AggregatedToolCall>> Choices { get; }

    /// <summary>Calls of all choices.</summary>
    public int Count { get; }

    public bool IsEmpty => Count == 0;

    /// <summary>The calls of <paramref name="choice"/>, in order (empty when it has none).</summary>
    public ImmutableArray<AggregatedToolCall> For(int choice)
        => Choices.TryGetValue(choice, out var calls) ? calls : [];
}
