using CodexCompletionsApi.Backend.AppServer.Protocol;
using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// The three deadlines of a running turn: first output, silence between events, and total time.
/// <see cref="Next"/> tells how long the next wait may take; <see cref="ExpiredReason"/> what to report when it expired.
/// </summary>
internal sealed class TurnDeadlines(TurnOptions options, TimeProvider timeProvider)
{
    private readonly long _started = timeProvider.GetTimestamp();
    private bool _sawOutput;
    private bool _totalBound;

    /// <summary>How long the next wait may take. Call <see cref="ExpiredReason"/> only when that wait expired.</summary>
    public TimeSpan Next()
    {
        var total = options.TotalTimeout - timeProvider.GetElapsedTime(_started);
        var step = _sawOutput ? options.IdleTimeout : options.FirstTokenTimeout;
        _totalBound = total <= step;
        return _totalBound ? (total > TimeSpan.Zero ? total : TimeSpan.Zero) : step;
    }

    /// <summary>What to report when the wait that <see cref="Next"/> last budgeted expired (built only then).</summary>
    public string ExpiredReason()
    {
        if (_totalBound)
        {
            return $"The turn exceeded the total time limit of {Seconds(options.TotalTimeout)}.";
        }

        return _sawOutput
            ? $"The model sent nothing for {Seconds(options.IdleTimeout)} (idle timeout)."
            : $"The model produced no output within {Seconds(options.FirstTokenTimeout)} (first-token timeout).";
    }

    /// <summary>Notes an event: output events end the first-token phase; any event restarts the idle clock.</summary>
    public void Observe(string method)
    {
        if (method is CodexMethods.AgentMessageDelta or CodexMethods.ReasoningSummaryTextDelta or CodexMethods.ReasoningTextDelta or CodexMethods.DynamicToolCall or CodexMethods.RawResponseItemCompleted)
        {
            _sawOutput = true;
        }
    }

    private static string Seconds(TimeSpan value) => $"{value.TotalSeconds:0.###} s";
}
