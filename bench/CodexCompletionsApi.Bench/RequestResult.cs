using System.Diagnostics;

namespace CodexCompletionsApi.Bench;

/// <summary>
/// What one request observed. Timestamps are <see cref="Stopwatch"/> ticks. <see cref="Reply"/>
/// is the whole text received (for a stream: every content delta, in order).
/// </summary>
internal sealed class RequestResult
{
    public long Started { get; init; }

    /// <summary>The last byte of the answer (non-streaming body, <c>[DONE]</c>, or the unsubscribe reply).</summary>
    public long Finished { get; set; }

    /// <summary>The first content delta; 0 when none arrived (or the mode has none).</summary>
    public long FirstToken { get; set; }

    /// <summary>Direct driver only: when <c>turn/completed</c> arrived (before <c>thread/unsubscribe</c>).</summary>
    public long TurnCompleted { get; set; }

    /// <summary>Direct driver only: when the <c>thread/start</c> answer arrived (0 when it did not).</summary>
    public long ThreadStarted { get; set; }

    /// <summary>Time between consecutive content deltas, in milliseconds.</summary>
    public List<double> GapsMs { get; } = [];

    public string Reply { get; set; } = string.Empty;

    /// <summary>Why the request failed; <see langword="null"/> when it completed.</summary>
    public string? Error { get; set; }

    public int Deltas { get; set; }

    public double LatencyMs => Ms(Started, Finished);

    public double? TtftMs => FirstToken == 0 ? null : Ms(Started, FirstToken);

    public static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

    /// <summary>Records one content delta at <paramref name="at"/>.</summary>
    public void AddDelta(string text, long at, ref long previous)
    {
        if (text.Length == 0)
        {
            return;
        }

        if (FirstToken == 0)
        {
            FirstToken = at;
        }
        else
        {
            GapsMs.Add(Ms(previous, at));
        }

        previous = at;
        Deltas++;
    }
}

/// <summary>One way of sending a benchmark request: the direct driver or the service in one mode.</summary>
internal interface IBenchPath
{
    /// <summary><c>direct</c> or <c>service</c>.</summary>
    string Path { get; }

    /// <summary><c>rpc</c> (direct), <c>nonstream</c> or <c>stream</c> (service).</summary>
    string Mode { get; }

    Task<RequestResult> SendAsync(string prompt, TimeSpan timeout, CancellationToken cancellationToken);
}
