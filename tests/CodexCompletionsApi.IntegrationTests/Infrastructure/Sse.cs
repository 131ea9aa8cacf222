using System.Runtime.CompilerServices;
using System.Text;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

/// <summary>One Server-Sent Event: its optional <c>event:</c> name and its data (several <c>data:</c> lines joined by LF).</summary>
/// <param name="Name">The <c>event:</c> field, or <see langword="null"/> when the event has none.</param>
/// <param name="Data">The data, lines joined with <c>\n</c> as the SSE specification says.</param>
/// <param name="DataLines">How many <c>data:</c> lines the event had.</param>
/// <param name="Line">The 1-based line on which the event started.</param>
public sealed record SseEvent(string? Name, string Data, int DataLines, int Line);

/// <summary>A comment line (<c>: text</c>), skipped by spec-following clients.</summary>
/// <param name="Text">The text after the colon, one leading space removed.</param>
/// <param name="Line">The 1-based line.</param>
/// <param name="EventsBefore">How many events were complete before it.</param>
public sealed record SseComment(string Text, int Line, int EventsBefore);

/// <summary>A whole parsed SSE body.</summary>
public sealed record SseStream(IReadOnlyList<SseEvent> Events, IReadOnlyList<SseComment> Comments, string Raw);

/// <summary>The body is not well-formed SSE in the strict sense this suite requires.</summary>
public sealed class SseFormatException(string message) : Exception(message);

/// <summary>
/// A strict SSE parser for the service's streams: LF line endings only, events made of <c>event:</c> and
/// <c>data:</c> lines and ended by one blank line (<c>\n\n</c> framing), comment lines counted and skipped.
/// Anything else (CR, other fields, a stray blank line, an event without data, a body that stops inside an
/// event) is a <see cref="SseFormatException"/>.
/// </summary>
public static class Sse
{
    /// <summary>Parses a complete body.</summary>
    /// <exception cref="SseFormatException">The body breaks the framing rules.</exception>
    public static SseStream Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var parser = new LineParser();
        var events = new List<SseEvent>();
        var comments = new List<SseComment>();
        if (body.Length > 0 && body[^1] != '\n')
        {
            throw new SseFormatException($"The body does not end with a line feed: it stops inside a line ({Excerpt(body[Math.Max(0, body.Length - 80)..])}).");
        }

        var lines = body.Split('\n');
        for (var i = 0; i < lines.Length - 1; i++)
        {
            switch (parser.Feed(lines[i]))
            {
                case SseEvent e:
                    events.Add(e);
                    break;
                case SseComment c:
                    comments.Add(c with { EventsBefore = events.Count });
                    break;
            }
        }

        parser.End();
        return new SseStream(events, comments, body);
    }

    internal static string Excerpt(string text, int max = 200)
    {
        var shown = text.Length > max ? text[..max] + "…" : text;
        return "\"" + shown.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
    }

    /// <summary>The per-line state machine shared by <see cref="Parse"/> and <see cref="SseReader"/>.</summary>
    internal sealed class LineParser
    {
        private readonly StringBuilder _data = new();
        private string? _name;
        private int _dataLines;
        private int _start;
        private bool _inBlock;
        private bool _previousBlank = true;
        private bool _afterComment;

        public int LineNumber { get; private set; }

        /// <summary>Feeds one line (without its LF); returns a completed event, a comment, or null.</summary>
        public object? Feed(string line)
        {
            LineNumber++;
            if (line.Contains('\r', StringComparison.Ordinal))
            {
                throw new SseFormatException($"Line {LineNumber} contains CR; the service must frame with LF only: {Excerpt(line)}.");
            }

            if (line.Length == 0)
            {
                if (_inBlock)
                {
                    return Dispatch();
                }

                if (_previousBlank || !_afterComment)
                {
                    throw new SseFormatException($"Line {LineNumber} is a stray blank line (no event or comment before it).");
                }

                _previousBlank = true;
                _afterComment = false;
                return null;
            }

            _previousBlank = false;
            if (line[0] == ':')
            {
                _afterComment = !_inBlock;
                var text = line.Length > 1 && line[1] == ' ' ? line[2..] : line[1..];
                return new SseComment(text, LineNumber, 0);
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..];
            if (value.StartsWith(' '))
            {
                value = value[1..];
            }

            if (!_inBlock)
            {
                _inBlock = true;
                _start = LineNumber;
            }

            switch (field)
            {
                case "data":
                    if (_dataLines++ > 0)
                    {
                        _data.Append('\n');
                    }

                    _data.Append(value);
                    break;
                case "event":
                    if (_name is not null)
                    {
                        throw new SseFormatException($"Line {LineNumber}: a second 'event:' field in one event.");
                    }

                    _name = value;
                    break;
                default:
                    throw new SseFormatException($"Line {LineNumber}: unexpected SSE field '{field}' (only 'event' and 'data' are used): {Excerpt(line)}.");
            }

            return null;
        }

        /// <summary>The body ended: nothing may be left half-written.</summary>
        public void End()
        {
            if (_inBlock)
            {
                throw new SseFormatException($"The body ends inside the event that starts on line {_start}: it was never terminated by a blank line.");
            }

            if (_afterComment && !_previousBlank)
            {
                throw new SseFormatException($"The body ends right after a comment on line {LineNumber} without the blank line that frames it.");
            }
        }

        private SseEvent Dispatch()
        {
            if (_dataLines == 0)
            {
                throw new SseFormatException($"The event starting on line {_start} has no 'data:' line.");
            }

            var result = new SseEvent(_name, _data.ToString(), _dataLines, _start);
            _data.Clear();
            _name = null;
            _dataLines = 0;
            _inBlock = false;
            _previousBlank = true;
            _afterComment = false;
            return result;
        }
    }
}

/// <summary>
/// Reads SSE events one at a time from a live response stream, with the rules of <see cref="Sse.Parse"/>
/// (except that <see cref="StreamReader"/> also ends lines at CR); for tests that must act in the middle of
/// a stream (disconnect, kill). The complete body is checked strictly by <see cref="WireInvariantHandler"/>.
/// </summary>
public sealed class SseReader(Stream stream) : IDisposable
{
    private readonly StreamReader _reader = new(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
    private readonly Sse.LineParser _parser = new();
    private readonly List<SseEvent> _events = [];

    /// <summary>Comment lines read so far.</summary>
    public int Comments { get; private set; }

    /// <summary>Every event read so far.</summary>
    public IReadOnlyList<SseEvent> Events => _events;

    /// <summary>The next event, or <see langword="null"/> at the end of the body.</summary>
    public async Task<SseEvent?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                _parser.End();
                return null;
            }

            switch (_parser.Feed(line))
            {
                case SseEvent e:
                    _events.Add(e);
                    return e;
                case SseComment:
                    Comments++;
                    break;
            }
        }
    }

    /// <summary>Reads until an event matches; throws when the body ends first.</summary>
    public async Task<SseEvent> ReadUntilAsync(Func<SseEvent, bool> predicate, CancellationToken cancellationToken)
    {
        while (await ReadAsync(cancellationToken) is { } e)
        {
            if (predicate(e))
            {
                return e;
            }
        }

        throw new InvalidOperationException($"The stream ended after {_events.Count} events without the expected one.");
    }

    /// <summary>All remaining events.</summary>
    public async IAsyncEnumerable<SseEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await ReadAsync(cancellationToken) is { } e)
        {
            yield return e;
        }
    }

    public void Dispose() => _reader.Dispose();
}
