using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// One complete <c>&lt;use_tool&gt;…&lt;/use_tool&gt;</c> block: where it is (<see cref="Start"/> is the
/// offset of its <c>&lt;</c>, <see cref="End"/> the offset just after <c>&lt;/use_tool&gt;</c>), the
/// tool name and the parameters in the order the text wrote them (values unescaped, not trimmed).
/// </summary>
internal sealed record UseToolBlock(int Start, int End, string Name, IReadOnlyList<(string Key, string Value)> Parameters)
{
    public int Length => End - Start;

    /// <summary>The parameters as a JSON object (see <see cref="UseToolParser.ToArgumentsJson"/>).</summary>
    public string ToArgumentsJson() => UseToolParser.ToArgumentsJson(Parameters);

    /// <summary>The canonical block (<see cref="ObsidianXml.ToBlock"/>), keeping this block's parameter order.</summary>
    public string ToCanonicalXml() => ObsidianXml.ToBlock(Name, ToArgumentsJson(), [.. Parameters.Select(p => p.Key)]);
}

/// <summary>
/// Reads the inner-tag <c>&lt;use_tool&gt;</c> format that <see cref="ObsidianXml"/> writes (pure):
/// <c>&lt;use_tool&gt;&lt;name&gt;tool&lt;/name&gt;&lt;key&gt;value&lt;/key&gt;…&lt;/use_tool&gt;</c>.
/// A block opens with <c>&lt;use_tool</c> followed by <c>&gt;</c> or whitespace (attributes are
/// ignored), ends at the first <c>&lt;/use_tool&gt;</c>, and holds only whitespace between its
/// elements. The first element must be <c>&lt;name&gt;</c>. A value runs to the first closing tag of
/// its element, so raw <c>&lt;</c> in a value is tolerated.
/// </summary>
internal static class UseToolParser
{
    /// <summary>What opens a block (followed by <c>&gt;</c> or whitespace).</summary>
    public const string OpenMarker = "<use_tool";

    public const string CloseTag = "</use_tool>";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Every complete, well-formed block of <paramref name="text"/>, in order. A block interrupted by
    /// another <c>&lt;use_tool</c> is skipped (the inner one may still be complete); a closed but
    /// malformed block is skipped whole; an unclosed block ends the search.
    /// </summary>
    public static IReadOnlyList<UseToolBlock> ExtractUseToolBlocks(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var blocks = new List<UseToolBlock>();
        var position = 0;
        while (IndexOfOpenMarker(text.AsSpan(position)) is var found and >= 0)
        {
            var start = position + found;
            var scan = ScanBlock(text, start);
            switch (scan.Kind)
            {
                case BlockScanKind.Complete:
                    blocks.Add(scan.Block!);
                    position = scan.End;
                    break;
                case BlockScanKind.Malformed:
                    position = scan.End;
                    break;
                default:
                    return blocks; // incomplete: nothing after it can close
            }
        }

        return blocks;
    }

    /// <summary>
    /// Parses the block that starts exactly at <paramref name="start"/>: true when it is complete and
    /// well-formed (closed before any other <c>&lt;use_tool</c>).
    /// </summary>
    public static bool TryParseBlockAt(string text, int start, [NotNullWhen(true)] out UseToolBlock? block)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, text.Length);
        block = null;
        if (MatchOpenMarker(text.AsSpan(start)) != MarkerMatch.Open)
        {
            return false;
        }

        var scan = ScanBlock(text, start);
        block = scan.Block;
        return scan.Kind == BlockScanKind.Complete;
    }

    /// <summary>
    /// Parses one whole block, <paramref name="block"/> being exactly <c>&lt;use_tool…&lt;/use_tool&gt;</c>;
    /// on failure <paramref name="error"/> says why (e.g. <c>missing &lt;name&gt;</c>). Offsets are
    /// <paramref name="offset"/> plus the block's length.
    /// </summary>
    public static bool TryParseBlock(ReadOnlySpan<char> block, int offset, [NotNullWhen(true)] out UseToolBlock? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (block.Length < OpenMarker.Length + CloseTag.Length || !block.StartsWith(OpenMarker, StringComparison.Ordinal) || !block.EndsWith(CloseTag, StringComparison.Ordinal))
        {
            error = "not a <use_tool> block";
            return false;
        }

        // The opening tag: "<use_tool>" or "<use_tool" + whitespace + attributes (ignored) + ">".
        var afterMarker = block[OpenMarker.Length..^CloseTag.Length];
        var tagEnd = afterMarker.IndexOfAny('<', '>');
        if (tagEnd < 0 || afterMarker[tagEnd] == '<' || (tagEnd > 0 && !char.IsWhiteSpace(afterMarker[0])))
        {
            error = "malformed <use_tool> tag";
            return false;
        }

        var inner = afterMarker[(tagEnd + 1)..];
        var elements = new List<(string Key, string Value)>();
        while (true)
        {
            inner = inner.TrimStart();
            if (inner.IsEmpty)
            {
                break;
            }

            if (inner[0] != '<')
            {
                error = "unexpected text in <use_tool> block";
                return false;
            }

            var keyLength = inner[1..].IndexOfAny('>', '<', '/');
            if (keyLength <= 0 || inner[1 + keyLength] != '>' || ContainsWhiteSpace(inner.Slice(1, keyLength)))
            {
                error = "malformed element in <use_tool> block";
                return false;
            }

            var key = inner.Slice(1, keyLength).ToString();
            var close = $"</{key}>";
            var value = inner[(keyLength + 2)..];
            var valueEnd = value.IndexOf(close, StringComparison.Ordinal);
            if (valueEnd < 0)
            {
                error = $"unterminated <{key}>";
                return false;
            }

            elements.Add((key, Unescape(value[..valueEnd])));
            inner = value[(valueEnd + close.Length)..];
        }

        if (elements.Count == 0 || elements[0].Key != "name")
        {
            error = "missing <name>";
            return false;
        }

        var name = elements[0].Value.Trim();
        if (name.Length == 0)
        {
            error = "empty <name>";
            return false;
        }

        result = new UseToolBlock(offset, offset + block.Length, name, [.. elements.Skip(1)]);
        error = null;
        return true;
    }

    /// <summary>
    /// A JSON object of <paramref name="pairs"/> in order. A value that parses as a JSON array,
    /// object, number, <c>true</c> or <c>false</c> is kept as that JSON; anything else (including
    /// <c>null</c> and quoted text) is a string, verbatim. A repeated key keeps its first position and
    /// its last value. Escaping is relaxed: markup and accented text are written as is (characters
    /// outside the BMP as <c>\uXXXX</c> pairs).
    /// </summary>
    public static string ToArgumentsJson(IReadOnlyList<(string Key, string Value)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var order = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
        {
            if (!values.ContainsKey(key))
            {
                order.Add(key);
            }

            values[key] = value;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var key in order)
            {
                writer.WritePropertyName(key);
                WriteValue(writer, values[key]);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// Replaces <c>&amp;lt;</c>, <c>&amp;gt;</c>, <c>&amp;amp;</c>, <c>&amp;quot;</c> and
    /// <c>&amp;apos;</c> in one pass (so <c>&amp;amp;lt;</c> becomes <c>&amp;lt;</c>); any other
    /// <c>&amp;</c> is kept.
    /// </summary>
    public static string Unescape(ReadOnlySpan<char> value)
    {
        var amp = value.IndexOf('&');
        if (amp < 0)
        {
            return value.ToString();
        }

        var text = new StringBuilder(value.Length);
        while (amp >= 0)
        {
            text.Append(value[..amp]);
            value = value[amp..];
            var (replacement, length) = value switch
            {
                _ when value.StartsWith("&lt;", StringComparison.Ordinal) => ('<', 4),
                _ when value.StartsWith("&gt;", StringComparison.Ordinal) => ('>', 4),
                _ when value.StartsWith("&amp;", StringComparison.Ordinal) => ('&', 5),
                _ when value.StartsWith("&quot;", StringComparison.Ordinal) => ('"', 6),
                _ when value.StartsWith("&apos;", StringComparison.Ordinal) => ('\'', 6),
                _ => ('&', 1),
            };
            text.Append(replacement);
            value = value[length..];
            amp = value.IndexOf('&');
        }

        return text.Append(value).ToString();
    }

    /// <summary>
    /// Whether <paramref name="text"/> (starting at a <c>&lt;</c>) opens a block: <see cref="MarkerMatch.Open"/>
    /// for <c>&lt;use_tool</c> + <c>&gt;</c> or whitespace, <see cref="MarkerMatch.Partial"/> when it is
    /// all a prefix of <c>&lt;use_tool</c> (more text decides), else <see cref="MarkerMatch.None"/>.
    /// </summary>
    internal static MarkerMatch MatchOpenMarker(ReadOnlySpan<char> text)
    {
        if (text.Length <= OpenMarker.Length)
        {
            return text.Length > 0 && OpenMarker.AsSpan().StartsWith(text, StringComparison.Ordinal) ? MarkerMatch.Partial : MarkerMatch.None;
        }

        return text.StartsWith(OpenMarker, StringComparison.Ordinal) && IsMarkerDelimiter(text[OpenMarker.Length]) ? MarkerMatch.Open : MarkerMatch.None;
    }

    /// <summary>The offset of the first complete opening marker in <paramref name="text"/>, or -1.</summary>
    internal static int IndexOfOpenMarker(ReadOnlySpan<char> text)
    {
        var offset = 0;
        while (text[offset..].IndexOf(OpenMarker, StringComparison.Ordinal) is var found and >= 0)
        {
            var at = offset + found;
            if (at + OpenMarker.Length < text.Length && IsMarkerDelimiter(text[at + OpenMarker.Length]))
            {
                return at;
            }

            offset = at + 1;
        }

        return -1;
    }

    /// <summary>The length of the longest suffix of <paramref name="text"/> that is a prefix of <c>&lt;use_tool</c>.</summary>
    internal static int MarkerPrefixSuffixLength(ReadOnlySpan<char> text)
    {
        for (var length = Math.Min(OpenMarker.Length, text.Length); length > 0; length--)
        {
            if (OpenMarker.AsSpan().StartsWith(text[^length..], StringComparison.Ordinal))
            {
                return length;
            }
        }

        return 0;
    }

    /// <summary>
    /// Scans the block opening at <paramref name="start"/>: complete (parsed), malformed (closed but
    /// unparsable, or interrupted by another opening marker: <c>End</c> is where scanning resumes), or
    /// incomplete.
    /// </summary>
    internal static BlockScan ScanBlock(string text, int start)
    {
        var body = text.AsSpan(start);
        var close = body.IndexOf(CloseTag, StringComparison.Ordinal);
        var nested = IndexOfOpenMarker(body[1..]) is var n and >= 0 ? n + 1 : -1;
        if (nested >= 0 && (close < 0 || nested < close))
        {
            return new BlockScan(BlockScanKind.Malformed, start + nested, null, "nested <use_tool>");
        }

        if (close < 0)
        {
            return new BlockScan(BlockScanKind.Incomplete, text.Length, null, null);
        }

        var end = close + CloseTag.Length;
        return TryParseBlock(body[..end], start, out var block, out var error)
            ? new BlockScan(BlockScanKind.Complete, start + end, block, null)
            : new BlockScan(BlockScanKind.Malformed, start + end, null, error);
    }

    internal static bool IsMarkerDelimiter(char c) => c == '>' || char.IsWhiteSpace(c);

    private static bool ContainsWhiteSpace(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteValue(Utf8JsonWriter writer, string value)
    {
        var first = value.AsSpan().TrimStart();
        if (!first.IsEmpty && (first[0] is '{' or '[' or '-' or 't' or 'f' || char.IsAsciiDigit(first[0])))
        {
            try
            {
                using var document = JsonDocument.Parse(value);
                if (document.RootElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False)
                {
                    document.RootElement.WriteTo(writer);
                    return;
                }
            }
            catch (JsonException)
            {
                // Not JSON: a string.
            }
        }

        writer.WriteStringValue(value);
    }
}

internal enum MarkerMatch
{
    None,
    Partial,
    Open,
}

internal enum BlockScanKind
{
    Incomplete,
    Complete,
    Malformed,
}

/// <summary>The outcome of <see cref="UseToolParser.ScanBlock"/>; <c>End</c> is an absolute offset.</summary>
internal readonly record struct BlockScan(BlockScanKind Kind, int End, UseToolBlock? Block, string? Reason);
