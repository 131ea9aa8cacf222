using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.Bench;

/// <summary>
/// Unique per-request tokens. The prompt is the scripted model's echo directive, so the reply must
/// be exactly <c>echo:&lt;token&gt;</c>; anything else was delivered to the wrong request.
/// </summary>
internal sealed class Tokens
{
    private readonly string _nonce = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())[..8];
    private long _sequence;

    /// <summary>A fresh token; <paramref name="minLength"/> pads it (longer echo replies for slow streams).</summary>
    public string Next(string tag, int minLength = 0)
    {
        var token = $"{_nonce}-{tag}-{Interlocked.Increment(ref _sequence).ToString("D7", CultureInfo.InvariantCulture)}";
        return token.Length >= minLength ? token : token + "-" + new string('x', minLength - token.Length - 1);
    }

    public static string Prompt(string token, int? deltas = null, int? delayMs = null) => ScriptDirective.Echo(token, deltas, delayMs);

    public static string Expected(string token) => "echo:" + token;
}

/// <summary>Counts and keeps the results of a batch of requests, checking every reply against its token.</summary>
internal sealed class Tally
{
    private readonly ConcurrentQueue<RequestResult> _results = new();
    private readonly ConcurrentQueue<string> _samples = new();
    private int _completed;
    private int _errors;
    private int _misdelivered;

    public int Completed => Volatile.Read(ref _completed);

    public int Errors => Volatile.Read(ref _errors);

    public int Misdelivered => Volatile.Read(ref _misdelivered);

    public IReadOnlyCollection<RequestResult> Results => _results;

    public IReadOnlyList<string> Samples => [.. _samples];

    /// <summary>
    /// Records a finished request. With <paramref name="prefixOnly"/> (a stream cut short on
    /// purpose) the reply must be a prefix of the expected text.
    /// </summary>
    public void Add(RequestResult result, string token, bool prefixOnly = false)
    {
        var expected = Tokens.Expected(token);
        if (result.Error is { } error)
        {
            Interlocked.Increment(ref _errors);
            Sample($"error: {error}");
        }
        else if (prefixOnly ? !expected.StartsWith(result.Reply, StringComparison.Ordinal) : result.Reply != expected)
        {
            Interlocked.Increment(ref _misdelivered);
            Sample($"MISDELIVERED: expected '{expected}', got '{(result.Reply.Length > 120 ? result.Reply[..120] + "…" : result.Reply)}'");
        }
        else
        {
            Interlocked.Increment(ref _completed);
            _results.Enqueue(result);
        }
    }

    private void Sample(string text)
    {
        if (_samples.Count < 5)
        {
            _samples.Enqueue(text);
        }
    }
}

/// <summary>Closed-loop load: <c>concurrency</c> workers, each sending its next request when the last one ends.</summary>
internal static class LoadRunner
{
    /// <summary>Runs up to <paramref name="requests"/> requests (or until <paramref name="duration"/> passes); returns the wall time.</summary>
    public static async Task<TimeSpan> RunAsync(
        IBenchPath path,
        Tokens tokens,
        Tally tally,
        int concurrency,
        int requests,
        TimeSpan duration,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        Func<int, IBenchPath>? pathForIndex = null)
    {
        var started = Stopwatch.GetTimestamp();
        var stopAt = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var next = 0;
        var tag = $"{path.Path[0]}{path.Mode[0]}{concurrency.ToString(CultureInfo.InvariantCulture)}";

        async Task Worker()
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref next);
                if (index > requests || Stopwatch.GetTimestamp() >= stopAt)
                {
                    return;
                }

                var target = pathForIndex is null ? path : pathForIndex(index);
                var token = tokens.Next(tag);
                var result = await target.SendAsync(Tokens.Prompt(token), timeout, cancellationToken);
                tally.Add(result, token);
            }
        }

        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        return Stopwatch.GetElapsedTime(started);
    }
}
