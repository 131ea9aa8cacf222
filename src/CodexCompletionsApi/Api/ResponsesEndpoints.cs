using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Observability;
using CodexCompletionsApi.Storage;
using CodexCompletionsApi.Streaming;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Api;

/// <summary>
/// <c>POST /v1/responses</c> (JSON and SSE), <c>GET</c> and <c>DELETE /v1/responses/{id}</c>,
/// <c>GET /v1/responses/{id}/input_items</c>. Stored responses (<c>store</c>, the default) live in the
/// response store; <c>previous_response_id</c> continues from one.
/// </summary>
public static partial class ResponsesEndpoints
{
    private const string Route = "responses";

    public static RouteGroupBuilder MapResponses(this RouteGroupBuilder v1)
    {
        var responses = v1.MapGroup("/responses").AddEndpointFilter(StoreFailuresAsync);
        responses.MapPost(string.Empty, CreateAsync);
        responses.MapGet("/{id}", GetAsync);
        responses.MapDelete("/{id}", DeleteAsync);
        responses.MapGet("/{id}/input_items", InputItemsAsync);
        return v1;
    }

    /// <summary>A store that cannot be read (disk, corruption) is a 503 <c>store_unavailable</c>, never a 500.</summary>
    private static async ValueTask<object?> StoreFailuresAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (System.Data.Common.DbException ex)
        {
            Log.StoreReadFailed(context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ResponsesEndpoints)), ex);
            return OpenAIErrors.ToResult(new BackendException(BackendErrorKind.StoreUnavailable, "The response store is unavailable."), context.HttpContext);
        }
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ModelCatalog catalog, IResponseStore store, TimeProvider timeProvider, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(ResponsesEndpoints));
        var (request, error) = await RequestReader.ReadAsync(context, OpenAIJsonContext.Web.ResponseCreateRequest);
        if (error is not null)
        {
            return error;
        }

        var cancellationToken = context.RequestAborted;
        var id = Ids.New("resp_");
        var createdAt = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        ResponsesTranslator.Result translated;
        IReadOnlyList<ResponseItem> prior = [];
        try
        {
            if (request!.PreviousResponseId is { } previousId)
            {
                var previous = await store.GetAsync(previousId, cancellationToken);
                if (previous is null)
                {
                    return OpenAIErrors.Error(404, $"Previous response with id '{previousId}' not found.", "invalid_request_error", "previous_response_id", "previous_response_not_found");
                }

                prior = Conversation(previous);
            }

            var remote = ResponsesTranslator.RemoteImages(request).ToList();
            translated = ResponsesTranslator.ToPlan(request, catalog, prior, ChatCompletionTranslator.PendingImages, id, createdAt, Ids.New);
            if (remote.Count > 0)
            {
                // Validated first: never download images for a request that is going to be refused.
                translated = ResponsesTranslator.ToPlan(request, catalog, prior, await ImageInlining.ResolveAsync(context, remote), id, createdAt, Ids.New);
            }
        }
        catch (InvalidRequestException ex)
        {
            return OpenAIErrors.ToResult(ex);
        }

        var plan = translated.Plan;
        var tools = new ToolOutput(ToolOutput.ParseMode(context.Request.Headers[ToolOutput.Header], ToolOutputMode.OpenAIJson), Legacy: false, plan.Tools);
        plan = plan with { TextualTools = tools.Mode == ToolOutputMode.ObsidianXml && plan.Tools.Count == 0 };
        Respond.IgnoredParams(context, plan.IgnoredParams);

        var builder = new ResponseOutputBuilder(translated.Template, Ids.New);
        var renderer = new ResponsesEventRenderer(builder, tools, timeProvider, final => SaveAsync(store, logger, final, translated.InputItems, prior));
        if (plan.Stream)
        {
            return new StreamResult(Route, plan, renderer);
        }

        try
        {
            await foreach (var choiceEvent in context.RequestServices.GetRequiredService<ChoiceRunner>().RunAsync(plan, cancellationToken))
            {
                if (choiceEvent is ChoiceFailed failed)
                {
                    return OpenAIErrors.ToResult(failed.Error, context);
                }

                renderer.Apply(choiceEvent);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.RequestServices.GetRequiredService<GatewayMetrics>().ClientDisconnected(Route, "non_streaming");
            return Results.Empty;
        }

        if (!builder.IsTerminal)
        {
            return OpenAIErrors.ToResult(new BackendException(BackendErrorKind.Unavailable, "The turn ended without completing."), context);
        }

        try
        {
            await SaveAsync(store, logger, builder.Current, translated.InputItems, prior);
        }
        catch (BackendException ex)
        {
            return OpenAIErrors.ToResult(ex, context);
        }

        return TypedResults.Json(builder.Current, OpenAIJsonContext.Web.ResponseObject);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IResponseStore store)
    {
        if (context.Request.Query.TryGetValue("stream", out var stream) && stream == "true")
        {
            return OpenAIErrors.Error(400, "Streaming a stored response again is not supported by this server.", "invalid_request_error", "stream", "unsupported_value");
        }

        var stored = await store.GetAsync(id, context.RequestAborted);
        return stored is null ? NotFound(id) : TypedResults.Text(stored.ResponseJson, "application/json");
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, IResponseStore store)
        => await store.DeleteAsync(id, context.RequestAborted)
            ? TypedResults.Json(new ResponseDeleted(id), OpenAIJsonContext.Web.ResponseDeleted)
            : NotFound(id);

    private static async Task<IResult> InputItemsAsync(string id, HttpContext context, IResponseStore store)
    {
        var query = context.Request.Query;
        var limit = 20;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, out limit) || limit is < 1 or > 100))
        {
            return OpenAIErrors.Error(400, "Invalid 'limit': it must be an integer between 1 and 100.", "invalid_request_error", "limit", "invalid_value");
        }

        var order = query.TryGetValue("order", out var orderText) ? orderText.ToString() : "desc";
        if (order is not ("asc" or "desc"))
        {
            return OpenAIErrors.Error(400, $"Invalid 'order': '{order}'. Supported: 'asc', 'desc'.", "invalid_request_error", "order", "invalid_value");
        }

        var stored = await store.GetAsync(id, context.RequestAborted);
        if (stored is null)
        {
            return NotFound(id);
        }

        IEnumerable<ResponseItem> items = Items(stored.InputItemsJson);
        if (order == "desc")
        {
            items = items.Reverse();
        }

        var list = items.ToList();
        foreach (var (param, keepAfter) in new[] { ("after", true), ("before", false) })
        {
            if (query.TryGetValue(param, out var value) && value.ToString() is { Length: > 0 } itemId)
            {
                var position = list.FindIndex(i => i.Id == itemId);
                if (position < 0)
                {
                    return OpenAIErrors.Error(400, $"Invalid '{param}': no input item '{itemId}' in this response.", "invalid_request_error", param, "invalid_value");
                }

                list = keepAfter ? list[(position + 1)..] : list[..position];
            }
        }

        var page = list.Take(limit).ToList();
        return TypedResults.Json(new ResponseItemList("list", page, page.FirstOrDefault()?.Id, page.LastOrDefault()?.Id, list.Count > page.Count), OpenAIJsonContext.Web.ResponseItemList);
    }

    private static IResult NotFound(string id)
        => OpenAIErrors.Error(404, $"Response with id '{id}' not found.", "invalid_request_error");

    /// <summary>What a continuation replays: the stored response's history, its input and its output.</summary>
    private static List<ResponseItem> Conversation(StoredResponse previous)
    {
        var response = JsonSerializer.Deserialize(previous.ResponseJson, OpenAIJsonContext.Web.ResponseObject)!;
        return [.. Items(previous.HistoryJson), .. Items(previous.InputItemsJson), .. response.Output];
    }

    private static List<ResponseItem> Items(string json) => JsonSerializer.Deserialize(json, OpenAIJsonContext.Web.ListResponseItem) ?? [];

    /// <exception cref="BackendException"><see cref="BackendErrorKind.StoreUnavailable"/>: the store failed.</exception>
    private static async Task SaveAsync(IResponseStore store, ILogger logger, ResponseObject response, IReadOnlyList<ResponseItem> input, IReadOnlyList<ResponseItem> prior)
    {
        if (!response.Store)
        {
            return;
        }

        try
        {
            // Off the caller's thread: SQLite's async API completes synchronously, and the caller may be
            // the thread that delivers every turn's events.
            await Task.Yield();
            await store.SaveAsync(
                new StoredResponse(
                    response.Id,
                    response.CreatedAt,
                    JsonSerializer.Serialize(response, OpenAIJsonContext.Web.ResponseObject),
                    JsonSerializer.Serialize([.. input], OpenAIJsonContext.Web.ListResponseItem),
                    JsonSerializer.Serialize([.. prior], OpenAIJsonContext.Web.ListResponseItem)),
                CancellationToken.None); // the response is final: keep it even if the client leaves now
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreFailed(logger, response.Id, ex);
            throw new BackendException(BackendErrorKind.StoreUnavailable, "The response could not be stored. Retry, or send store: false.");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(493, LogLevel.Error, "Response {ResponseId} could not be stored", EventName = "ResponseStoreFailed")]
        public static partial void StoreFailed(ILogger logger, string responseId, Exception exception);

        [LoggerMessage(494, LogLevel.Error, "The response store could not be read", EventName = "ResponseStoreReadFailed")]
        public static partial void StoreReadFailed(ILogger logger, Exception exception);
    }
}
