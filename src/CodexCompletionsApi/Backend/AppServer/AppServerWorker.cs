namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>One running, initialized worker: its process, its connection and its in-flight turns.</summary>
internal sealed class AppServerWorker(AppServerProcess process, JsonRpcConnection connection, string cliVersion) : IAsyncDisposable
{
    private int _activeTurns;
    private TaskCompletionSource? _drained;

    public AppServerProcess Process { get; } = process;

    public JsonRpcConnection Connection { get; } = connection;

    public string CliVersion { get; } = cliVersion;

    public int ActiveTurns => Volatile.Read(ref _activeTurns);

    public void EnterTurn() => Interlocked.Increment(ref _activeTurns);

    public void ExitTurn()
    {
        if (Interlocked.Decrement(ref _activeTurns) == 0)
        {
            Volatile.Read(ref _drained)?.TrySetResult();
        }
    }

    /// <summary>Completes when no turn is running.</summary>
    public Task WhenDrainedAsync()
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        if (ActiveTurns == 0)
        {
            drained.TrySetResult();
        }

        return drained.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        await Process.DisposeAsync();
    }
}
