using CodexCompletionsApi.Backend.AppServer.Protocol;
using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// The three deadlines of a running turn: first output, silence between events, and total time.
/// <see cref="Next"/> tells how long the next wait may take and what to report when it expires.
/// </summary>
internal sealed class TurnDeadlines(TurnOptions options, TimeProvider timeProvider)
{
    private readonly long _started = timeProvider.GetTimestamp();
    private bool _sawOutput;

    public (TimeSpan Budget, string Reason) Next()
    {
        var total = options.TotalTimeout - timeProvider.GetElapsedTime(_started);
        var step = _sawOutput ? options.IdleTimeout : options.FirstTokenTimeout;
        if (total <= step)
        {
            return (total > TimeSpan.Zero ? total : TimeSpan.Zero, $"The turn exceeded the total time limit of {Seconds(options.TotalTimeout)}.");
        }

        return _sawOutput
            ? (step, $"The model sent nothing for {Seconds(step)} (idle timeout).")
            : (step, $"The model produced no output within {Seconds(step)} (first-token timeout).");
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
