namespace CodexCompletionsApi.Storage;

/// <summary>
/// One stored response: the response object as returned to the client, this request's input items
/// (each with an id), and the conversation items that preceded them (resolved from
/// <c>previous_response_id</c>). The store keeps the JSON text exactly as given and never parses it.
/// </summary>
/// <param name="Id">The response id (<c>resp_…</c>); the primary key.</param>
/// <param name="CreatedAt">
/// The response's <c>created_at</c> in Unix seconds. Retention is counted from it: a response older
/// than <see cref="Configuration.ResponsesOptions.Retention"/> is no longer returned.
/// </param>
/// <param name="ResponseJson">The response object as returned to the client.</param>
/// <param name="InputItemsJson">This request's input items, each with an id (what <c>GET /v1/responses/{id}/input_items</c> lists).</param>
/// <param name="HistoryJson">The conversation items that preceded this request's input, resolved from <c>previous_response_id</c>.</param>
public sealed record StoredResponse(string Id, long CreatedAt, string ResponseJson, string InputItemsJson, string HistoryJson);
