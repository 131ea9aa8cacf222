namespace CodexCompletionsApi.Backend;

/// <summary>
/// The port the HTTP API depends on: run one turn on a fresh Codex thread and observe its events.
/// The functional tests replace it with a fake; production uses the app-server adapter.
/// </summary>
public interface ICodexBackend
{
    /// <summary>
    /// Starts a turn and yields its events until <see cref="TurnCompletedEvent"/>. Cancelling
    /// <paramref name="cancellationToken"/> (the client disconnected) interrupts the turn.
    /// The thread is always released when the enumeration ends.
    /// </summary>
    /// <exception cref="BackendException">The turn could not be started or the worker failed.</exception>
    IAsyncEnumerable<TurnEvent> RunTurnAsync(TurnRequest request, CancellationToken cancellationToken);
}
