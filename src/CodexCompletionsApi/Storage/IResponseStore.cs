namespace CodexCompletionsApi.Storage;

/// <summary>
/// Persistent storage of <c>/v1/responses</c> responses created with <c>store: true</c>, for
/// <c>previous_response_id</c>, <c>GET /v1/responses/{id}</c>, <c>GET /v1/responses/{id}/input_items</c>
/// and <c>DELETE /v1/responses/{id}</c>. Implementations are thread-safe and hold JSON text only.
/// </summary>
public interface IResponseStore
{
    /// <summary>Saves <paramref name="response"/>, replacing any stored response with the same id.</summary>
    /// <param name="response">The response to store.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task SaveAsync(StoredResponse response, CancellationToken cancellationToken);

    /// <summary>The stored response with <paramref name="id"/>, or <see langword="null"/> when it is absent or older than the retention.</summary>
    /// <param name="id">The response id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<StoredResponse?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the stored response with <paramref name="id"/>. Returns <see langword="false"/> when it is
    /// absent, or already older than the retention (it is deleted all the same).
    /// </summary>
    /// <param name="id">The response id.</param>
    /// <param name="cancellationToken">Cancels the operation.</param>
    Task<bool> DeleteAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes every stored response older than the retention; returns how many were deleted.</summary>
    /// <param name="cancellationToken">Cancels the operation; responses deleted before cancellation stay deleted.</param>
    Task<int> PurgeExpiredAsync(CancellationToken cancellationToken);
}
