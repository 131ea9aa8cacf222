using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Api;

/// <summary><c>POST /v1/chat/completions</c>.</summary>
public static class ChatCompletionsEndpoints
{
    /// <summary>Response header listing request fields that could not reach the model.</summary>
    public const string IgnoredParamsHeader = "x-proxy-ignored-params";

    public static RouteGroupBuilder MapChatCompletions(this RouteGroupBuilder v1)
    {
        v1.MapPost("/chat/completions", CreateAsync);
        return v1;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ICodexBackend backend, ModelCatalog catalog, TimeProvider timeProvider)
    {
        var cancellationToken = context.RequestAborted;
        if (!RequestBody.IsJson(context.Request))
        {
            return OpenAIErrors.Error(415, "Content-Type must be application/json.", "invalid_request_error", null, "unsupported_media_type");
        }

        ChatCompletionRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, OpenAIJsonContext.Web.ChatCompletionRequest, cancellationToken);
        }
        catch (JsonException ex)
        {
            return OpenAIErrors.FromJsonException(ex);
        }

        if (request is null)
        {
            return OpenAIErrors.Error(400, "The request body must be a JSON object.", "invalid_request_error", null, "invalid_json");
        }

        ChatCompletionTranslator.Translated translated;
        try
        {
            translated = ChatCompletionTranslator.ToTurnRequest(request, catalog);
        }
        catch (InvalidRequestException ex)
        {
            return OpenAIErrors.ToResult(ex);
        }

        if (translated.IgnoredParams.Count > 0)
        {
            context.Response.Headers[IgnoredParamsHeader] = string.Join(",", translated.IgnoredParams);
        }

        var messages = new List<string>();
        TokenUsage? usage = null;
        try
        {
            await foreach (var turnEvent in backend.RunTurnAsync(translated.Turn, cancellationToken))
            {
                switch (turnEvent)
                {
                    case MessageCompletedEvent message:
                        messages.Add(message.Text);
                        break;
                    case UsageEvent u:
                        usage = u.Usage;
                        break;
                    case TurnCompletedEvent { Status: TurnStatus.Failed, Error: { } error }:
                        return OpenAIErrors.ToResult(error, context);
                    case TurnCompletedEvent { Status: TurnStatus.Interrupted }:
                        return OpenAIErrors.ToResult(new BackendException(BackendErrorKind.Unavailable, "The turn was interrupted."), context);
                }
            }
        }
        catch (BackendException ex)
        {
            return OpenAIErrors.ToResult(ex, context);
        }

        var id = Ids.New("chatcmpl-");
        var created = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var completion = ChatCompletionTranslator.ToChatCompletion(id, created, translated.Model.Id, messages, usage);
        return TypedResults.Json(completion, OpenAIJsonContext.Web.ChatCompletion);
    }
}
