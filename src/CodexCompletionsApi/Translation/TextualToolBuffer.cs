using System.Text;

namespace CodexCompletionsApi.Translation;

/// <summary>What <see cref="TextualToolBuffer"/> hands back, in stream order.</summary>
internal abstract record TextualToolOutput
{
    private TextualToolOutput()
    {
    }

    /// <summary>Text to send as it is (pass-through, or a flushed buffer, verbatim).</summary>
    internal sealed record Text(string Value) : TextualToolOutput;

    /// <summary>A completed block: the parsed block (stream offsets) and its canonical XML, to send instead of the model's text.</summary>
    internal sealed record Block(UseToolBlock Canonical, string CanonicalXml) : TextualToolOutput;

    /// <summary>A warning: a buffered block was given up; the <see cref="Text"/> that follows is its text, verbatim.</summary>
    internal sealed record Malformed(string Reason) : TextualToolOutput;
}

/// <summary>
/// Buffers textual <c>&lt;use_tool&gt;</c> blocks of one choice's streamed text (pure; one instance per
/// choice, not thread-safe). Text passes through at once, except a suffix that may still become
/// <c>&lt;use_tool</c>; from an opening marker to <c>&lt;/use_tool&gt;</c> everything is held, and a
/// complete block comes out once, canonical. Whatever cannot be a block (no <c>&lt;name&gt;</c>, a
/// nested <c>&lt;use_tool</c>, longer than <see cref="MaxBlockLength"/>, the stream ending) comes out
/// verbatim after a <see cref="TextualToolOutput.Malformed"/> warning, and scanning goes on after
/// it, so the stream never stalls and no text is lost.
/// </summary>
internal sealed class TextualToolBuffer
{
    /// <summary>Default cap on a block, in UTF-16 chars (256 KiB of ASCII).</summary>
    public const int DefaultMaxBlockLength = 256 * 1024;

    public const string NestedReason = "nested <use_tool>";
    public const string TooLongReason = "too long";
    public const string UnterminatedReason = "unterminated <use_tool> block";

    private char[] _chars = new char[64];
    private int _length;
    private int _offset; // stream offset of _chars[0]
    private bool _inBlock;
    private int _scanned; // chars of the open block already searched

    public TextualToolBuffer(int maxBlockLength = DefaultMaxBlockLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBlockLength, UseToolParser.OpenMarker.Length + UseToolParser.CloseTag.Length + 1);
        MaxBlockLength = maxBlockLength;
    }

    /// <summary>Most chars a block may span, from <c>&lt;use_tool</c> to the end of <c>&lt;/use_tool&gt;</c>.</summary>
    public int MaxBlockLength { get; }

    /// <summary>Blocks opened (an opening marker was seen).</summary>
    public int BuffersStarted { get; private set; }

    /// <summary>Blocks completed and emitted canonical.</summary>
    public int BuffersFlushed { get; private set; }

    /// <summary>Blocks given up and flushed verbatim: malformed, nested, too long, or open at <see cref="Flush"/>.</summary>
    public int BuffersAborted { get; private set; }

    /// <summary>Whether a block is open (its text is being held).</summary>
    public bool IsBuffering => _inBlock;

    /// <summary>Chars held back: an open block, or a suffix that may become <c>&lt;use_tool</c>.</summary>
    public int BufferedLength => _length;

    public IReadOnlyList<TextualToolOutput> Append(string delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (delta.Length == 0)
        {
            return [];
        }

        Add(delta);
        var outputs = new List<TextualToolOutput>();
        var text = new StringBuilder();
        Process(outputs, text);
        EmitText(outputs, text);
        return outputs;
    }

    /// <summary>At the end of the stream (or on abort): everything held, verbatim; an open block counts as aborted.</summary>
    public IReadOnlyList<TextualToolOutput> Flush()
    {
        if (_length == 0)
        {
            _inBlock = false;
            return [];
        }

        var outputs = new List<TextualToolOutput>();
        if (_inBlock)
        {
            BuffersAborted++;
            outputs.Add(new TextualToolOutput.Malformed(UnterminatedReason));
        }

        outputs.Add(new TextualToolOutput.Text(new string(_chars, 0, _length)));
        Consume(_length);
        _inBlock = false;
        return outputs;
    }

    private void Process(List<TextualToolOutput> outputs, StringBuilder text)
    {
        while (_length > 0)
        {
            if (!_inBlock)
            {
                if (!ScanText(text))
                {
                    return;
                }

                continue;
            }

            if (!ScanBlock(outputs, text))
            {
                return;
            }
        }
    }

    /// <summary>Passes text through up to an opening marker (true: a block opened) or a possible one (false: wait).</summary>
    private bool ScanText(StringBuilder text)
    {
        var span = _chars.AsSpan(0, _length);
        var from = 0;
        while (span[from..].IndexOf('<') is var found and >= 0)
        {
            var at = from + found;
            switch (UseToolParser.MatchOpenMarker(span[at..]))
            {
                case MarkerMatch.Partial:
                    text.Append(span[..at]);
                    Consume(at);
                    return false;
                case MarkerMatch.Open:
                    text.Append(span[..at]);
                    Consume(at);
                    _inBlock = true;
                    _scanned = 0;
                    BuffersStarted++;
                    return true;
                default:
                    from = at + 1;
                    break;
            }
        }

        text.Append(span);
        Consume(_length);
        return false;
    }

    /// <summary>Looks for the end of the open block (true: it ended, one way or another) or waits (false).</summary>
    private bool ScanBlock(List<TextualToolOutput> outputs, StringBuilder text)
    {
        var span = _chars.AsSpan(0, _length);
        var from = Math.Max(1, _scanned - UseToolParser.CloseTag.Length);
        var close = span[from..].IndexOf(UseToolParser.CloseTag, StringComparison.Ordinal) is var c and >= 0 ? from + c : -1;
        var nested = UseToolParser.IndexOfOpenMarker(span[from..]) is var n and >= 0 ? from + n : -1;
        _scanned = _length;

        if (nested >= 0 && (close < 0 || nested < close) && nested <= MaxBlockLength)
        {
            Abort(outputs, text, NestedReason, nested); // the inner marker opens the next block
            return true;
        }

        if (close >= 0 && close + UseToolParser.CloseTag.Length <= MaxBlockLength)
        {
            var end = close + UseToolParser.CloseTag.Length;
            if (UseToolParser.TryParseBlock(span[..end], _offset, out var block, out var error))
            {
                EmitText(outputs, text);
                outputs.Add(new TextualToolOutput.Block(block, block.ToCanonicalXml()));
                BuffersFlushed++;
                Consume(end);
                _inBlock = false;
            }
            else
            {
                Abort(outputs, text, error, end);
            }

            return true;
        }

        if (_length > MaxBlockLength)
        {
            // The rest is scanned again as text (into the same Text output unless a marker follows at
            // once, so the cut never splits a surrogate pair between outputs).
            Abort(outputs, text, TooLongReason, MaxBlockLength);
            return true;
        }

        return false;
    }

    private void Abort(List<TextualToolOutput> outputs, StringBuilder text, string reason, int length)
    {
        EmitText(outputs, text);
        outputs.Add(new TextualToolOutput.Malformed(reason));
        text.Append(_chars, 0, length);
        BuffersAborted++;
        Consume(length);
        _inBlock = false;
    }

    private static void EmitText(List<TextualToolOutput> outputs, StringBuilder text)
    {
        if (text.Length > 0)
        {
            outputs.Add(new TextualToolOutput.Text(text.ToString()));
            text.Clear();
        }
    }

    private void Add(string delta)
    {
        if (_length + delta.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + delta.Length));
        }

        delta.CopyTo(0, _chars, _length, delta.Length);
        _length += delta.Length;
    }

    private void Consume(int count)
    {
        Array.Copy(_chars, count, _chars, 0, _length - count);
        _length -= count;
        _offset += count;
        _scanned = Math.Max(0, _scanned - count);
    }
}
