using System.Globalization;
using Microsoft.ML.Tokenizers;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// The o200k_base tokenizer, created once and shared (it is thread-safe for counting), plus the boundary rule that
/// lets <see cref="OutputLimiter"/> count streamed text incrementally.
/// </summary>
internal static class TokenCounter
{
    private static readonly Lazy<TiktokenTokenizer> Instance = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    private static readonly Lazy<string[]> SpecialTokens = new(() => [.. Instance.Value.SpecialTokens?.Keys ?? []]);

    public static Tokenizer Tokenizer => Instance.Value;

    /// <summary>o200k_base token count of <paramref name="text"/> (special-token text such as
    /// <c>&lt;|endoftext|&gt;</c> counts as the one special token, as the tokenizer reads it).</summary>
    public static int Count(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : Instance.Value.CountTokens(text);

    /// <summary>
    /// The length of the prefix of <paramref name="text"/> covered by its first <paramref name="maxTokens"/> tokens,
    /// moved back to a character boundary when that token ends inside a character (byte-level tokens can split one).
    /// </summary>
    public static int PrefixLengthForTokens(ReadOnlySpan<char> text, int maxTokens)
        => maxTokens <= 0 || text.IsEmpty ? 0 : Instance.Value.GetIndexByTokenCount(text, maxTokens, out _, out _);

    /// <summary>
    /// True when <c>Count(text) == Count(text[..index]) + Count(text[index..])</c> holds for <paramref name="text"/>
    /// and for every text that starts with <paramref name="text"/>: no continuation can move a token across
    /// <paramref name="index"/>.
    /// </summary>
    /// <remarks>
    /// o200k_base splits text with one regex (letter runs with an optional leading non-letter and an optional
    /// <c>'s|'t|'re|'ve|'m|'ll|'d</c> suffix; <c>\p{N}{1,3}</c>; a punctuation run with optional trailing
    /// <c>[\r\n/]*</c>; whitespace runs) and then runs BPE inside each piece; special tokens are split out first. The
    /// regex has no look-behind, so a piece boundary at <c>index</c> is final once the pieces before it cannot depend
    /// on what follows. Where <c>p = text[index - 1]</c> and <c>q = text[index]</c> (both present), that holds when:
    /// <list type="bullet">
    /// <item><c>p</c> is a letter and <c>q</c> is neither a letter, a mark nor an apostrophe: every letter-run
    /// alternative stops at <c>q</c> and the contraction suffix needs an apostrophe;</item>
    /// <item><c>p</c> is a number and <c>q</c> is not: only <c>\p{N}{1,3}</c> matches <c>p</c>, and its chunk ends at
    /// <c>q</c>;</item>
    /// <item><c>p</c> is CR or LF and <c>q</c> is neither whitespace nor <c>/</c>: the whitespace (or trailing
    /// <c>[\r\n/]*</c>) piece holding <c>p</c> ends at <c>q</c>;</item>
    /// </list>
    /// and no special token could straddle <c>index</c> (no proper prefix of one ends there). In each case no
    /// alternative reads past <c>q</c> while matching a piece that starts before <c>index</c>, and seeing <c>q</c> or
    /// the end of the text makes no difference to them, so the text on each side tokenizes the same alone as in
    /// the whole. Characters are classified per UTF-16 unit, exactly as .NET's regex does (surrogates are neither
    /// letters nor numbers, so they never form the <c>p</c> side of a boundary).
    /// </remarks>
    public static bool IsStableBoundary(ReadOnlySpan<char> text, int index)
    {
        if (index <= 0 || index >= text.Length)
        {
            return false;
        }

        var p = text[index - 1];
        var q = text[index];
        var pieceEnds = char.IsLetter(p)
            ? !char.IsLetter(q) && !IsMark(q) && q != '\''
            : char.IsNumber(p)
                ? !char.IsNumber(q)
                : p is '\r' or '\n' && !char.IsWhiteSpace(q) && q != '/';
        if (!pieceEnds)
        {
            return false;
        }

        var before = text[..index];
        foreach (var special in SpecialTokens.Value)
        {
            for (var length = Math.Min(special.Length - 1, before.Length); length > 0; length--)
            {
                if (before.EndsWith(special.AsSpan(0, length), StringComparison.Ordinal))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// Fallback split for text with no stable boundary: the start of a token of <paramref name="text"/> at or
    /// before <paramref name="latestIndex"/>, on a character boundary, where the two sides counted alone add up to
    /// <paramref name="textTokens"/> (the count of the whole) right now. Returns false when the last few candidates
    /// all fail that check.
    /// </summary>
    public static bool TryFindVerifiedSplit(string text, int textTokens, int latestIndex, out int index, out int tokensBefore)
    {
        var tokens = Instance.Value.EncodeToTokens(text, out _);
        var attempts = 0;
        for (var i = tokens.Count - 1; i > 0 && attempts < 4; i--)
        {
            var start = tokens[i].Offset.Start.GetOffset(text.Length);
            if (start <= 0 || start > latestIndex || tokens[i - 1].Offset.End.GetOffset(text.Length) > start
                || (char.IsHighSurrogate(text[start - 1]) && char.IsLowSurrogate(text[start])))
            {
                continue;
            }

            attempts++;
            if (Count(text.AsSpan(0, start)) == i && Count(text.AsSpan(start)) == textTokens - i)
            {
                index = start;
                tokensBefore = i;
                return true;
            }
        }

        index = 0;
        tokensBefore = 0;
        return false;
    }

    private static bool IsMark(char c) => CharUnicodeInfo.GetUnicodeCategory(c)
        is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
}
