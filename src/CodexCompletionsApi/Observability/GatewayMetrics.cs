using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CodexCompletionsApi.Observability;

/// <summary>
/// Every instrument of the service, built from <see cref="IMeterFactory"/>. Exported on
/// <c>/metrics</c> in Prometheus text format (docs/observability.md lists names and labels).
/// </summary>
public sealed class GatewayMetrics
{
    public const string MeterName = "CodexCompletionsApi";

    private readonly Counter<long> _workerRestarts;
    private readonly Counter<long> _workerExits;
    private readonly Counter<long> _workerRecycles;
    private readonly Counter<long> _turns;
    private readonly Counter<long> _malformedLines;
    private readonly Counter<long> _turnsRejected;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _disconnects;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _interDeltaGap;
    private readonly Histogram<long> _toolCalls;
    private readonly Counter<long> _toolBuffers;
    private readonly UpDownCounter<long> _activeTurns;
    private readonly Histogram<double> _turnDuration;
    private readonly Counter<long> _responsesStored;
    private readonly Counter<long> _responsesPurged;
    private int _workerReady;
    private int _crashLoop;

    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _workerRestarts = meter.CreateCounter<long>("codex_api.worker.restarts", description: "Worker processes started after the first.");
        _workerExits = meter.CreateCounter<long>("codex_api.worker.exits", description: "Worker processes that exited, by reason.");
        _workerRecycles = meter.CreateCounter<long>("codex_api.worker.recycles", description: "Workers replaced after PROXY_WORKER_RECYCLE_TURNS turns (not counted as restarts or exits).");
        _turns = meter.CreateCounter<long>("codex_api.turns", description: "Turns finished, by status.");
        _malformedLines = meter.CreateCounter<long>("codex_api.worker.malformed_lines", description: "Lines from the worker that were not JSON-RPC.");
        _activeTurns = meter.CreateUpDownCounter<long>("codex_api.turns.active", description: "Turns running now.");
        _turnDuration = meter.CreateHistogram<double>("codex_api.turn.duration", unit: "s", description: "Wall time of a turn, from thread start to completion.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] });
        _turnsRejected = meter.CreateCounter<long>("codex_api.turns.rejected", description: "Turns refused before they started, by reason.");
        _retries = meter.CreateCounter<long>("codex_api.turns.retries", description: "Turns retried after a retryable failure before any output, by error kind.");
        _disconnects = meter.CreateCounter<long>("codex_api.client.disconnects", description: "Requests whose client went away before the response finished, by stage.");
        _timeToFirstToken = meter.CreateHistogram<double>("codex_api.time_to_first_token", unit: "s", description: "From request start to the first content sent to the client.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
        _interDeltaGap = meter.CreateHistogram<double>("codex_api.inter_delta_gap", unit: "s", description: "Largest gap between two content deltas of a stream.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _toolCalls = meter.CreateHistogram<long>("codex_api.tool_calls_per_response", description: "Tool calls the model made in a response that ended with tool calls (before any limit).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 3, 5, 8, 13, 21] });
        _toolBuffers = meter.CreateCounter<long>("codex_api.tool_buffer", description: "Textual <use_tool> buffers: started, flushed (a complete block emitted once), aborted (malformed or partial, passed on verbatim).");
        _responsesStored = meter.CreateCounter<long>("codex_api.responses.stored", description: "Responses saved to the stored-responses database.");
        _responsesPurged = meter.CreateCounter<long>("codex_api.responses.purged", description: "Stored responses deleted because they outlived the retention.");
        meter.CreateObservableGauge("codex_api.worker.ready", () => Volatile.Read(ref _workerReady), description: "1 when the worker finished its handshake and is alive.");
        meter.CreateObservableGauge("codex_api.worker.crash_loop", () => Volatile.Read(ref _crashLoop), description: "1 while worker exits within the crash-loop window reach the threshold.");
    }

    public void WorkerRestarted() => _workerRestarts.Add(1);

    public void WorkerRecycled() => _workerRecycles.Add(1);

    public void WorkerExited(string reason) => _workerExits.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void SetWorkerReady(bool ready) => Volatile.Write(ref _workerReady, ready ? 1 : 0);

    public void SetCrashLoop(bool crashLoop) => Volatile.Write(ref _crashLoop, crashLoop ? 1 : 0);

    public void MalformedLines(long count)
    {
        if (count > 0)
        {
            _malformedLines.Add(count);
        }
    }

    public void TurnStarted() => _activeTurns.Add(1);

    public void ToolCalls(int made, int returned)
        => _toolCalls.Record(made, new KeyValuePair<string, object?>("limited", made > returned));

    public void ToolBuffers(int started, int flushed, int aborted)
    {
        Add(started, "started");
        Add(flushed, "flushed");
        Add(aborted, "aborted");

        void Add(int count, string state)
        {
            if (count > 0)
            {
                _toolBuffers.Add(count, new KeyValuePair<string, object?>("state", state));
            }
        }
    }

    public void ResponseStored() => _responsesStored.Add(1);

    public void ResponsesPurged(int count)
    {
        if (count > 0)
        {
            _responsesPurged.Add(count);
        }
    }

    public void TurnRejected(string reason) => _turnsRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void TurnRetried(string kind) => _retries.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void ClientDisconnected(string route, string stage)
        => _disconnects.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("stage", stage));

    public void StreamTimings(string route, TimeSpan? timeToFirstToken, TimeSpan? largestGap)
    {
        var tag = new KeyValuePair<string, object?>("route", route);
        if (timeToFirstToken is { } ttft)
        {
            _timeToFirstToken.Record(ttft.TotalSeconds, tag);
        }

        if (largestGap is { } gap)
        {
            _interDeltaGap.Record(gap.TotalSeconds, tag);
        }
    }

    public void TurnFinished(string status, TimeSpan duration)
    {
        _activeTurns.Add(-1);
        var tags = new TagList { { "status", status } };
        _turns.Add(1, tags);
        _turnDuration.Record(duration.TotalSeconds, tags);
    }
}
