using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Observability;
using CodexCompletionsApi.Streaming;
using CodexCompletionsApi.Translation;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Api;

/// <summary><c>POST /v1/chat/completions</c>, JSON and SSE.</summary>
public static class ChatCompletionsEndpoints
{
    /// <summary>Response header listing request fields that could not reach the model.</summary>
    public const string IgnoredParamsHeader = "x-proxy-ignored-params";

    private const string Route = "chat.completions";

    public static RouteGroupBuilder MapChatCompletions(this RouteGroupBuilder v1)
    {
        v1.MapPost("/chat/completions", CreateAsync);
        return v1;
    }

    private static async Task<IResult> CreateAsync(HttpContext context, ModelCatalog catalog, IOptions<ApiOptions> api, IOptions<ToolOptions> toolOptions, TimeProvider timeProvider)
    {
        var (request, error) = await RequestReader.ReadAsync(context, OpenAIJsonContext.Web.ChatCompletionRequest);
        if (error is not null)
        {
            return error;
        }

        CompletionPlan plan;
        try
        {
            var limits = new RequestLimits(api.Value.MaxChoices);
            var remote = ChatCompletionTranslator.RemoteImages(request!).ToList();
            if (remote.Count == 0)
            {
                plan = ChatCompletionTranslator.ToPlan(request!, catalog, limits);
            }
            else
            {
                // Validate first: never download images for a request that is going to be refused.
                ChatCompletionTranslator.ToPlan(request!, catalog, limits, ChatCompletionTranslator.PendingImages);
                plan = ChatCompletionTranslator.ToPlan(request!, catalog, limits, await ImageInlining.ResolveAsync(context, remote));
            }
        }
        catch (InvalidRequestException ex)
        {
            return OpenAIErrors.ToResult(ex);
        }

        var reasoning = ReasoningMode(context, api.Value);
        var configuredMode = ToolOutput.ParseMode(toolOptions.Value.OutputMode, ToolOutputMode.ObsidianXml);
        var tools = new ToolOutput(ToolOutput.ParseMode(context.Request.Headers[ToolOutput.Header], configuredMode), plan.LegacyFunctions, plan.Tools);
        plan = plan with { TextualTools = tools.Mode == ToolOutputMode.ObsidianXml && plan.Tools.Count == 0 };
        Respond.IgnoredParams(context, plan.IgnoredParams);
        var id = Ids.New("chatcmpl-");
        var created = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (plan.Stream)
        {
            return new StreamResult(Route, plan, new ChatChunkRenderer(id, created, plan.ResponseModel, plan.IncludeUsage, reasoning, tools));
        }

        return await Respond.CollectAsync(context, Route, plan, collected =>
        {
            var choices = collected.Choices.Select(c =>
            {
                var (content, reasoningContent) = ReasoningOutputs.Compose(reasoning, c.Content, c.Reasoning);
                return ToolCalls.Apply(new ChoiceResult(c.Index, content, reasoningContent, c.FinishReason), c.ToolCalls, tools);
            }).ToList();
            var completion = ChatCompletionTranslator.ToChatCompletion(id, created, plan.ResponseModel, choices, collected.Usage);
            return TypedResults.Json(completion, OpenAIJsonContext.Web.ChatCompletion);
        });
    }

    private static ReasoningOutput ReasoningMode(HttpContext context, ApiOptions options)
    {
        if (ReasoningOutputs.TryParse(context.Request.Headers[ReasoningOutputs.Header], out var fromHeader))
        {
            return fromHeader;
        }

        ReasoningOutputs.TryParse(options.ReasoningOutput, out var configured);
        return configured;
    }
}
