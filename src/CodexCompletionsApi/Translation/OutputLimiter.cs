namespace CodexCompletionsApi.Translation;

/// <summary>
/// Enforces <c>stop</c> and a maximum output token count on one choice's streamed text, since neither can be passed
/// to the model through Codex. Sits between the model's text deltas and the client; one instance per choice, single
/// consumer, not thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Stop sequences.</b> The output is cut right before the first (earliest-starting) occurrence of any stop
/// sequence in the concatenated output, wherever the deltas split it. Only text that could still begin an occurrence
/// is held back: the longest suffix that is a proper prefix of a stop sequence. A complete occurrence found while an
/// earlier-starting partial one is still pending waits for it to resolve, so the result never depends on how the
/// output was split into deltas. A delta that ends in the first half of a surrogate pair also holds that half back
/// until the rest arrives.</para>
/// <para><b>Token counting.</b> Emitted text is counted with o200k_base without re-tokenizing the whole output: the
/// count is <c>committed + Count(tail)</c>, where <c>committed</c> is the exact count of the emitted text before the
/// last <see cref="TokenCounter.IsStableBoundary"/> and <c>tail</c> is the emitted text after it. Each delta
/// re-tokenizes only <c>tail + delta</c>, then commits up to the last stable boundary in it (typically the start of
/// the last word or punctuation mark), so the tail stays a few characters long in prose, code and CJK text. A
/// boundary is stable only where no continuation can move a token across it, so the count is exact after every
/// delta: it always equals <see cref="CountTokens"/> of everything emitted so far, never an estimate. The one
/// exception bounds the cost of text with no stable boundary for over 512 characters (one pre-tokenizer piece: a
/// run of emoji or symbols, of whitespace, or of letters with no separator), which would otherwise be re-tokenized
/// whole with every delta: such a tail is split at a token boundary at least 128 characters from its end, and only
/// where both sides, counted alone, add up to the count of the whole at that moment. BPE merges inside one piece
/// are local, so text arriving later does not reach that far back in practice, but that is not proven; the count
/// could then drift by a token per split, and only inside such runs.</para>
/// <para><b>Token limit.</b> When emitting a delta would take the count past the limit, the output is cut at the
/// longest prefix that fits and <see cref="FinishReason"/> becomes <c>length</c>: from where the first
/// <c>maxTokens</c> tokens of the output end (moved back to a character boundary if that token ends inside a
/// character, since byte-level tokens can split one), extended one character at a time while the prefix still
/// counts at most <c>maxTokens</c> (a word cut short can tokenize into fewer pieces than its first tokens). For
/// ordinary text that equals decoding the first <c>maxTokens</c> token ids. Reaching exactly the limit does not
/// finish: the next delta may merge into the last token without adding one, so <c>length</c> is set only once text
/// arrives that does not fit. If the model ends right at the limit, <see cref="FinishReason"/> stays null and the
/// caller reports a normal stop. Whichever limit cuts the text first decides the reason.</para>
/// </remarks>
internal sealed class OutputLimiter
{
    public const string Stop = "stop";
    public const string Length = "length";

    // Past this many uncommitted characters without a stable boundary, split the tail at a verified token boundary
    // that keeps the last KeptTailLength characters uncommitted (see the remarks).
    private const int LongTailLength = 512;
    private const int KeptTailLength = 128;

    private readonly string[] _stops;
    private readonly int _longestStop;
    private readonly int? _maxTokens;

    // Text received but not emitted yet: a possible start of a stop sequence (or half a surrogate pair).
    private string _pending = string.Empty;

    // Emitted text after the last stable boundary, its token count, and the exact count of the emitted text before it.
    private string _tail = string.Empty;
    private int _tailTokens;
    private int _committedTokens;

    public OutputLimiter(IReadOnlyList<string> stopSequences, int? maxTokens)
    {
        ArgumentNullException.ThrowIfNull(stopSequences);
        if (maxTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "The token limit must be positive.");
        }

        foreach (var stop in stopSequences)
        {
            if (string.IsNullOrEmpty(stop))
            {
                throw new ArgumentException("Stop sequences must be non-empty.", nameof(stopSequences));
            }
        }

        _stops = [.. stopSequences];
        _longestStop = _stops.Length == 0 ? 0 : _stops.Max(stop => stop.Length);
        _maxTokens = maxTokens;
    }

    /// <summary>
    /// Set once a limit triggered: <c>stop</c> (a stop sequence matched; output is cut right before it) or
    /// <c>length</c> (the token limit was reached; output is cut at exactly that many tokens). Null while running.
    /// </summary>
    public string? FinishReason { get; private set; }

    public bool IsFinished => FinishReason is not null;

    /// <summary>Tokens emitted so far: the o200k_base count of all text returned by this instance.</summary>
    public int EmittedTokens => _committedTokens + _tailTokens;

    /// <summary>Emitted characters not yet behind a stable boundary (re-tokenized with each delta).</summary>
    internal int UncommittedLength => _tail.Length;

    /// <summary>o200k_base token count of <paramref name="text"/>.</summary>
    public static int CountTokens(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TokenCounter.Count(text);
    }

    /// <summary>Finds the earliest occurrence of any of <paramref name="stops"/> (ordinal) in <paramref name="text"/>.</summary>
    public static bool TryFindStop(string text, IReadOnlyList<string> stops, out int index)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(stops);
        index = -1;
        foreach (var stop in stops)
        {
            if (string.IsNullOrEmpty(stop))
            {
                continue;
            }

            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (index < 0 || at < index))
            {
                index = at;
            }
        }

        return index >= 0;
    }

    /// <summary>
    /// Feeds one text delta; returns the text that may be emitted now (possibly empty). Text that could be the start
    /// of a stop sequence is held back until disambiguated; everything else is returned at once.
    /// </summary>
    public string Append(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (IsFinished || delta.Length == 0)
        {
            return string.Empty;
        }

        return Release(_pending + delta, endOfOutput: false);
    }

    /// <summary>The model's output ended normally: returns the held-back text that may still be emitted.</summary>
    /// <remarks>
    /// Usually that is all of it and <see cref="FinishReason"/> stays null; it is still cut (and the reason set) when
    /// it holds a stop sequence that was waiting on an earlier partial match, or does not fit the token limit.
    /// </remarks>
    public string Flush()
    {
        if (IsFinished || _pending.Length == 0)
        {
            return string.Empty;
        }

        return Release(_pending, endOfOutput: true);
    }

    private string Release(string buffer, bool endOfOutput)
    {
        var stopAt = TryFindStop(buffer, _stops, out var found) ? found : buffer.Length;
        var partialAt = endOfOutput ? buffer.Length : EarliestPartialStop(buffer);
        if (stopAt < buffer.Length && stopAt <= partialAt)
        {
            _pending = string.Empty;
            var emitted = Emit(buffer[..stopAt]);
            FinishReason ??= Stop;
            return emitted;
        }

        var releaseTo = Math.Min(partialAt, stopAt);
        if (!endOfOutput && releaseTo > 0 && char.IsHighSurrogate(buffer[releaseTo - 1]))
        {
            releaseTo--;
        }

        _pending = buffer[releaseTo..];
        return Emit(buffer[..releaseTo]);
    }

    // Start of the longest suffix of the buffer that is a proper prefix of a stop sequence; buffer.Length if none.
    private int EarliestPartialStop(string buffer)
    {
        for (var start = Math.Max(0, buffer.Length - _longestStop + 1); start < buffer.Length; start++)
        {
            var suffix = buffer.AsSpan(start);
            foreach (var stop in _stops)
            {
                if (stop.Length > suffix.Length && stop.AsSpan().StartsWith(suffix, StringComparison.Ordinal))
                {
                    return start;
                }
            }
        }

        return buffer.Length;
    }

    // Emits as much of text as the token limit allows, keeping the count; sets "length" when it has to cut.
    private string Emit(string text)
    {
        if (text.Length == 0)
        {
            return string.Empty;
        }

        var window = _tail + text;
        var windowTokens = TokenCounter.Count(window);
        if (_maxTokens is not { } maxTokens || _committedTokens + windowTokens <= maxTokens)
        {
            Commit(window, windowTokens, _tail.Length);
            return text;
        }

        var cut = Cut(window, maxTokens - _committedTokens, _tail.Length);
        var emitted = window[_tail.Length..cut];
        _tail = window[..cut];
        _tailTokens = TokenCounter.Count(_tail);
        _pending = string.Empty;
        FinishReason = Length;
        return emitted;
    }

    // Makes window the emitted tail, then moves everything before its last stable boundary into the committed count.
    // Boundaries before previousLength were rejected on an earlier call (their neighbours have not changed).
    private void Commit(string window, int windowTokens, int previousLength)
    {
        for (var index = window.Length - 1; index >= Math.Max(1, previousLength); index--)
        {
            if (TokenCounter.IsStableBoundary(window, index))
            {
                _tail = window[index..];
                _tailTokens = TokenCounter.Count(_tail);
                _committedTokens += windowTokens - _tailTokens;
                return;
            }
        }

        if (window.Length > LongTailLength
            && TokenCounter.TryFindVerifiedSplit(window, windowTokens, window.Length - KeptTailLength, out var split, out var splitTokens))
        {
            _tail = window[split..];
            _tailTokens = windowTokens - splitTokens;
            _committedTokens += splitTokens;
            return;
        }

        _tail = window;
        _tailTokens = windowTokens;
    }

    // Where to cut window so that it holds at most `budget` tokens: start from the end of its first `budget` tokens,
    // never before `emitted` (already sent, and known to fit) and never inside a surrogate pair, verified against a
    // fresh count; then extend one character at a time while the prefix still fits (the window's last piece may be
    // cut short by the delta boundary, and a longer prefix can tokenize into no more tokens, e.g. "<|endof" + "t").
    // The extension re-counts only from the last stable boundary before the cut, so a large window stays cheap.
    private static int Cut(string window, int budget, int emitted)
    {
        var cut = Math.Max(TokenCounter.PrefixLengthForTokens(window, budget), emitted);
        while (cut > emitted && (SplitsPair(window, cut) || TokenCounter.Count(window.AsSpan(0, cut)) > budget))
        {
            cut--;
        }

        var origin = cut;
        while (origin > 0 && !TokenCounter.IsStableBoundary(window, origin))
        {
            origin--;
        }

        var originTokens = TokenCounter.Count(window.AsSpan(0, origin));
        while (cut < window.Length)
        {
            var next = cut + (SplitsPair(window, cut + 1) ? 2 : 1);
            if (originTokens + TokenCounter.Count(window.AsSpan(origin, next - origin)) > budget)
            {
                break;
            }

            cut = next;
        }

        return cut;
    }

    private static bool SplitsPair(string text, int index)
        => index > 0 && index < text.Length && char.IsHighSurrogate(text[index - 1]) && char.IsLowSurrogate(text[index]);
}
