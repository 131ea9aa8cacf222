using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// A textual tool call found by a registered parser: the tool, its arguments (a JSON object as
/// text), and how many chars of the text given to the parser (which starts at the pattern's match)
/// the call spans; scanning resumes after them.
/// </summary>
internal sealed record ToolCallParse(string Name, string Arguments, int Length);

/// <summary>
/// Collects the tool calls of one request, per choice (pure; one instance per request, not
/// thread-safe). Three sources: complete calls from Codex (<see cref="IngestCall"/>), OpenAI-style
/// function deltas (<see cref="IngestDelta"/>), and textual blocks in whole assistant messages
/// (<see cref="IngestMessage"/>, when <see cref="SynthesizeTextualCalls"/> is on). Choices never see
/// each other's calls; within a choice a call id is taken by the first source that brings it, and
/// later ones with the same id are ignored. <see cref="Snapshot"/> copies the state out.
/// </summary>
internal sealed partial class ToolCallAggregator
{
    private readonly List<(Regex Start, Func<string, ToolCallParse?> Parser)> _patterns = [];
    private readonly Dictionary<int, ChoiceCalls> _choices = [];

    public ToolCallAggregator()
    {
        RegisterTextPattern(UseToolStart(), ParseUseTool);
    }

    /// <summary>Whether <see cref="IngestMessage"/> turns textual blocks into calls (off: it ignores messages).</summary>
    public bool SynthesizeTextualCalls { get; init; }

    /// <summary>
    /// A complete call. Ignored (false) when <paramref name="callId"/> is already a call of this
    /// choice, from any source: ingesting the same call twice is harmless.
    /// </summary>
    public bool IngestCall(int choice, string callId, string name, string arguments)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(choice);
        ArgumentException.ThrowIfNullOrEmpty(callId);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(arguments);
        var calls = Choice(choice);
        if (calls.HasId(callId))
        {
            return false;
        }

        calls.Calls.Add(new Call(callId, true, name, arguments, ToolCallSource.Native));
        return true;
    }

    /// <summary>
    /// One OpenAI-style function delta for the call at <paramref name="index"/> of this choice's
    /// delta stream. The first <paramref name="id"/> and <paramref name="name"/> seen for an index are
    /// kept (later ones are ignored, so a repeated first delta does not double the name); argument
    /// fragments are appended as they come (a repeated fragment is appended again: deltas carry no
    /// offset to tell a repeat from new text). Until an id arrives the call is
    /// <c>call_delta_&lt;choice&gt;_&lt;index&gt;</c>; an id that is already another call of the
    /// choice drops this index (it and its later fragments are ignored).
    /// </summary>
    public void IngestDelta(int choice, int index, string? id, string? name, string? argumentsFragment)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(choice);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var calls = Choice(choice);
        id = string.IsNullOrEmpty(id) ? null : id;
        if (!calls.DeltaIndexes.TryGetValue(index, out var call))
        {
            if (id is not null && calls.HasId(id))
            {
                calls.DeltaIndexes[index] = null;
                return;
            }

            call = new Call(id ?? $"call_delta_{choice}_{index}", id is not null, name ?? string.Empty, string.Empty, ToolCallSource.Delta);
            calls.DeltaIndexes[index] = call;
            calls.Calls.Add(call);
        }
        else if (call is null)
        {
            return; // dropped: its id belongs to another call
        }
        else
        {
            if (id is not null && !call.HasRealId)
            {
                if (calls.HasId(id))
                {
                    calls.Calls.Remove(call);
                    calls.DeltaIndexes[index] = null;
                    return;
                }

                call.Id = id;
                call.HasRealId = true;
            }

            if (call.Name.Length == 0 && !string.IsNullOrEmpty(name))
            {
                call.Name = name;
            }
        }

        call.Arguments.Append(argumentsFragment);
    }

    /// <summary>
    /// A whole assistant message: when <see cref="SynthesizeTextualCalls"/> is on, every textual call
    /// in it (a <c>&lt;use_tool&gt;</c> block, or a registered format) becomes a call with the id
    /// <c>call_text_&lt;choice&gt;_&lt;n&gt;</c> (n counts this choice's textual calls from 0). Returns the
    /// calls added. A message whose exact text was already ingested for the choice is ignored.
    /// </summary>
    public IReadOnlyList<AggregatedToolCall> IngestMessage(int choice, string text)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(choice);
        ArgumentNullException.ThrowIfNull(text);
        if (!SynthesizeTextualCalls)
        {
            return [];
        }

        var calls = Choice(choice);
        if (!calls.Messages.Add(text))
        {
            return [];
        }

        var added = new List<AggregatedToolCall>();
        foreach (var parse in ParseText(text))
        {
            string id;
            do
            {
                id = $"call_text_{choice}_{calls.TextualCount++}";
            }
            while (calls.HasId(id));

            calls.Calls.Add(new Call(id, true, parse.Name, parse.Arguments, ToolCallSource.Textual));
            added.Add(new AggregatedToolCall(calls.Calls.Count - 1, id, parse.Name, parse.Arguments, ToolCallSource.Textual));
        }

        return added;
    }

    /// <summary>
    /// Recognizes another textual call format in messages. <paramref name="startPattern"/> finds
    /// where a call may begin; <paramref name="parser"/> gets the text from that match to the end of
    /// the message and returns the call (with the chars it spans, at least 1) or null when it is not
    /// one. The earliest match in the message wins; at the same offset, formats are tried in
    /// registration order (<c>&lt;use_tool&gt;</c>, registered first, wins ties). Registrations survive
    /// <see cref="ResetTurn"/>.
    /// </summary>
    public void RegisterTextPattern(Regex startPattern, Func<string, ToolCallParse?> parser)
    {
        ArgumentNullException.ThrowIfNull(startPattern);
        ArgumentNullException.ThrowIfNull(parser);
        _patterns.Add((startPattern, parser));
    }

    /// <summary>The calls known now, per choice, in order of first appearance; never changed by later ingestion.</summary>
    public ToolCallSnapshot Snapshot()
    {
        var choices = ImmutableSortedDictionary.CreateBuilder<int, ImmutableArray<AggregatedToolCall>>();
        foreach (var (choice, calls) in _choices)
        {
            if (calls.Calls.Count > 0)
            {
                choices[choice] = [.. calls.Calls.Select((c, i) => new AggregatedToolCall(i, c.Id, c.Name, c.Arguments.ToString(), c.Source))];
            }
        }

        return choices.Count == 0 ? ToolCallSnapshot.Empty : new ToolCallSnapshot(choices.ToImmutable());
    }

    /// <summary>Forgets every call, delta binding, message and counter (registered formats and settings stay).</summary>
    public void ResetTurn() => _choices.Clear();

    private ChoiceCalls Choice(int choice)
    {
        if (!_choices.TryGetValue(choice, out var calls))
        {
            calls = new ChoiceCalls();
            _choices[choice] = calls;
        }

        return calls;
    }

    private List<ToolCallParse> ParseText(string text)
    {
        var found = new List<ToolCallParse>();
        var position = 0;
        while (position < text.Length)
        {
            var matches = _patterns.Select(p => (p.Parser, Match: p.Start.Match(text, position))).Where(m => m.Match.Success).ToList();
            if (matches.Count == 0)
            {
                break;
            }

            var start = matches.Min(m => m.Match.Index);
            var rest = text[start..];
            ToolCallParse? parse = null;
            foreach (var (parser, _) in matches.Where(m => m.Match.Index == start))
            {
                parse = parser(rest);
                if (parse is not null)
                {
                    break;
                }
            }

            if (parse is null)
            {
                position = start + 1;
                continue;
            }

            if (string.IsNullOrEmpty(parse.Name) || parse.Arguments is null || parse.Length < 1 || parse.Length > rest.Length)
            {
                throw new InvalidOperationException($"A textual tool-call parser returned an invalid result (name '{parse.Name}', length {parse.Length} of {rest.Length}).");
            }

            found.Add(parse);
            position = start + parse.Length;
        }

        return found;
    }

    private static ToolCallParse? ParseUseTool(string text)
        => UseToolParser.TryParseBlockAt(text, 0, out var block) ? new ToolCallParse(block.Name, block.ToArgumentsJson(), block.Length) : null;

    [GeneratedRegex(@"<use_tool[\s>]", RegexOptions.CultureInvariant)]
    private static partial Regex UseToolStart();

    private sealed class ChoiceCalls
    {
        public List<Call> Calls { get; } = [];

        /// <summary>Delta index → its call; null when the index was dropped.</summary>
        public Dictionary<int, Call?> DeltaIndexes { get; } = [];

        public HashSet<string> Messages { get; } = new(StringComparer.Ordinal);

        public int TextualCount { get; set; }

        public bool HasId(string id) => Calls.Exists(c => c.HasRealId && c.Id == id);
    }

    private sealed class Call(string id, bool hasRealId, string name, string arguments, ToolCallSource source)
    {
        public string Id { get; set; } = id;

        public bool HasRealId { get; set; } = hasRealId;

        public string Name { get; set; } = name;

        public StringBuilder Arguments { get; } = new(arguments);

        public ToolCallSource Source { get; } = source;
    }
}
