using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Observability;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Api;

/// <summary>Response helpers shared by the completion endpoints.</summary>
internal static class Respond
{
    public static void IgnoredParams(HttpContext context, IReadOnlyList<string> ignored)
    {
        if (ignored.Count > 0)
        {
            context.Response.Headers[ChatCompletionsEndpoints.IgnoredParamsHeader] = string.Join(",", ignored.Distinct(StringComparer.Ordinal));
        }
    }

    /// <summary>Runs a non-streaming plan: the JSON body, or the mapped error, or nothing when the client left.</summary>
    public static async Task<IResult> CollectAsync(HttpContext context, string route, CompletionPlan plan, Func<ChoiceCollector.Collected, IResult> toResult)
    {
        var cancellationToken = context.RequestAborted;
        try
        {
            var collected = await ChoiceCollector.CollectAsync(context.RequestServices.GetRequiredService<ChoiceRunner>(), plan, cancellationToken);
            return toResult(collected);
        }
        catch (BackendException ex)
        {
            return OpenAIErrors.ToResult(ex, context);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.RequestServices.GetRequiredService<GatewayMetrics>().ClientDisconnected(route, "non_streaming");
            return Results.Empty;
        }
    }
}
