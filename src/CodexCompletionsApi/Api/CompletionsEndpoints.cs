using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Streaming;
using CodexCompletionsApi.Translation;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Api;

/// <summary><c>POST /v1/completions</c>: the legacy text-completion shim over a chat turn.</summary>
public static class CompletionsEndpoints
{
    private const string Route = "completions";

    public static RouteGroupBuilder MapCompletions(this RouteGroupBuilder v1)
    {
        v1.MapPost("/completions", CreateAsync);
        return v1;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ModelCatalog catalog, IOptions<ApiOptions> api, TimeProvider timeProvider)
    {
        var (request, error) = await RequestReader.ReadAsync(context, OpenAIJsonContext.Web.TextCompletionRequest);
        if (error is not null)
        {
            return error;
        }

        CompletionPlan plan;
        try
        {
            plan = TextCompletionTranslator.ToPlan(request!, catalog, new RequestLimits(api.Value.MaxChoices));
        }
        catch (InvalidRequestException ex)
        {
            return OpenAIErrors.ToResult(ex);
        }

        Respond.IgnoredParams(context, plan.IgnoredParams);
        var id = Ids.New("cmpl-");
        var created = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (plan.Stream)
        {
            return new StreamResult(Route, plan, new TextChunkRenderer(id, created, plan.ResponseModel, plan.IncludeUsage, plan.EchoPrefix));
        }

        return await Respond.CollectAsync(context, Route, plan, collected =>
        {
            var completion = new TextCompletion(id, created, plan.ResponseModel, [.. collected.Choices.Select(c => new TextChoice(c.Content, c.Index, c.FinishReason))])
            {
                Usage = UsageSlot.Of(ChatCompletionTranslator.ToUsage(collected.Usage)),
            };
            return TypedResults.Json(completion, OpenAIJsonContext.Web.TextCompletion);
        });
    }
}
