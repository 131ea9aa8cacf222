namespace CodexCompletionsApi.Api;

public static class ApiEndpointRouteBuilderExtensions
{
    /// <summary>Maps <c>/v1/*</c> (authentication is the <see cref="ApiKeyMiddleware"/> in front of it).</summary>
    public static IEndpointRouteBuilder MapOpenAIApi(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1");
        v1.MapModels();
        v1.MapChatCompletions();
        v1.MapCompletions();
        v1.MapResponses();
        v1.MapFallback(() => OpenAIErrors.Error(404, "Unknown endpoint.", "invalid_request_error", null, "unknown_url"));
        return app;
    }
}
