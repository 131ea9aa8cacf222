namespace CodexCompletionsApi.ScriptedModel;

/// <summary>Keeps the last <see cref="ScriptedModelOptions.MaxRecorded"/> requests and wakes waiters on every change.</summary>
internal sealed class RequestRecorder(ScriptedModelOptions options)
{
    private readonly Lock _lock = new();
    private readonly Queue<RecordedRequest> _requests = new();
    private readonly TimeProvider _timeProvider = options.TimeProvider;
    private TaskCompletionSource? _changed;

    public bool Enabled { get; } = options.RecordRequests;

    public void Add(RecordedRequest request)
    {
        if (!Enabled)
        {
            return;
        }

        lock (_lock)
        {
            _requests.Enqueue(request);
            while (_requests.Count > options.MaxRecorded)
            {
                _requests.Dequeue();
            }
        }

        Signal();
    }

    public void Finish(RecordedRequest request, RequestOutcome outcome, int statusCode, string? error = null)
    {
        if (request.TryFinish(outcome, statusCode, error, _timeProvider.GetUtcNow()))
        {
            Signal();
        }
    }

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (_lock)
        {
            return _requests.ToArray();
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _requests.Clear();
        }

        Signal();
    }

    public async Task<RecordedRequest> WaitAsync(
        Func<RecordedRequest, bool> predicate,
        TimeSpan timeout,
        string what,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        using var timeoutCts = new CancellationTokenSource(timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutCts.Token, cancellationToken);
        while (true)
        {
            Task changed;
            RecordedRequest[] snapshot;
            lock (_lock)
            {
                _changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = _changed.Task;
                snapshot = [.. _requests];
            }

            foreach (var request in snapshot)
            {
                if (predicate(request))
                {
                    return request;
                }
            }

            try
            {
                await changed.WaitAsync(linked.Token);
            }
            catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(
                    $"The scripted model saw no {what} within {timeout.TotalMilliseconds:0} ms "
                    + $"({snapshot.Length} recorded: {string.Join("; ", snapshot.TakeLast(5))}).");
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource? changed;
        lock (_lock)
        {
            changed = _changed;
            _changed = null;
        }

        changed?.TrySetResult();
    }
}
