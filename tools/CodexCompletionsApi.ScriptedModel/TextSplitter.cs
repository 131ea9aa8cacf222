namespace CodexCompletionsApi.ScriptedModel;

/// <summary>Splits text into streaming deltas.</summary>
internal static class TextSplitter
{
    /// <summary>
    /// Splits <paramref name="text"/> into at most <paramref name="parts"/> non-empty chunks whose lengths in
    /// code points (runes) differ by at most one; a surrogate pair is never split. Empty text gives no chunk.
    /// </summary>
    public static Range[] Split(string text, int parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(parts, 1);
        if (text.Length == 0)
        {
            return [];
        }

        var runes = CountRunes(text);
        var count = Math.Min(parts, runes);
        var chunks = new Range[count];
        var smallest = runes / count;
        var larger = runes % count;
        var position = 0;
        for (var i = 0; i < count; i++)
        {
            var start = position;
            var take = smallest + (i < larger ? 1 : 0);
            for (var k = 0; k < take; k++)
            {
                position += RuneLength(text, position);
            }

            chunks[i] = start..position;
        }

        return chunks;
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxChars"/> UTF-16 chars without splitting a surrogate pair.</summary>
    public static string Truncate(string text, int maxChars, string ellipsis = "…")
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        var end = maxChars;
        if (char.IsLowSurrogate(text[end]) && char.IsHighSurrogate(text[end - 1]))
        {
            end--;
        }

        return string.Concat(text.AsSpan(0, end), ellipsis);
    }

    private static int CountRunes(string text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i += RuneLength(text, i))
        {
            count++;
        }

        return count;
    }

    // A lone surrogate counts as one rune of one char.
    private static int RuneLength(string text, int index) =>
        char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;
}
