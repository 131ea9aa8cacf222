namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>One running, initialized worker: its process, its connection and its in-flight turns.</summary>
internal sealed class AppServerWorker(AppServerProcess process, JsonRpcConnection connection, string cliVersion) : IAsyncDisposable
{
    private TaskCompletionSource _recycleRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _activeTurns;
    private long _turnsStarted;
    private TaskCompletionSource? _drained;

    public AppServerProcess Process { get; } = process;

    public JsonRpcConnection Connection { get; } = connection;

    public string CliVersion { get; } = cliVersion;

    public int ActiveTurns => Volatile.Read(ref _activeTurns);

    /// <summary>Turns admitted to this worker since it started.</summary>
    public long TurnsStarted => Interlocked.Read(ref _turnsStarted);

    /// <summary>Completes when the supervisor should replace this worker (see <see cref="RequestRecycle"/>).</summary>
    public Task RecycleRequested => Volatile.Read(ref _recycleRequested).Task;

    /// <summary>Counts a turn in; returns the number of turns this worker has admitted, this one included.</summary>
    public long EnterTurn()
    {
        Interlocked.Increment(ref _activeTurns);
        return Interlocked.Increment(ref _turnsStarted);
    }

    /// <summary>Asks the supervisor to replace this worker; idempotent.</summary>
    public void RequestRecycle() => Volatile.Read(ref _recycleRequested).TrySetResult();

    /// <summary>After a failed replacement: the next admitted turn asks again.</summary>
    public void ResetRecycleRequest() => Volatile.Write(ref _recycleRequested, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public void ExitTurn()
    {
        if (Interlocked.Decrement(ref _activeTurns) == 0)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    /// <summary>Completes when no turn is running; callers waiting at the same time share one signal.</summary>
    public Task WhenDrainedAsync()
    {
        while (true)
        {
            var current = Volatile.Read(ref _drained);
            var signal = current is not null && !current.Task.IsCompleted ? current : new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (signal == current || Interlocked.CompareExchange(ref _drained, signal, current) == current)
            {
                if (ActiveTurns == 0)
                {
                    signal.TrySetResult();
                }

                return signal.Task;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Process.DisposeAsync();
    }
}
