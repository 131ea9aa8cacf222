using System.Text;
using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// The legacy <c>/v1/completions</c> shim: <c>prompt</c> (a string, or an array of strings joined
/// by newlines) becomes one user message; the rest follows the chat rules. Pure.
/// </summary>
public static class TextCompletionTranslator
{
    private static readonly IReadOnlySet<string> IgnoredCompletionFields = new HashSet<string>(StringComparer.Ordinal);

    public static CompletionPlan ToPlan(TextCompletionRequest request, ModelCatalog catalog, RequestLimits limits)
    {
        var common = RequestRules.Common(catalog, limits, request.Model, null, "model", request.Stream, request.StreamOptions, request.N, request.Stop);
        var maxTokens = RequestRules.MaxTokens(request.MaxTokens, "max_tokens");
        if (request.Logprobs is > 0)
        {
            throw new InvalidRequestException("logprobs are not available through Codex.", "logprobs", "unsupported_value");
        }

        if (request.BestOf is > 1)
        {
            throw new InvalidRequestException("best_of > 1 is not supported; use n.", "best_of", "unsupported_value");
        }

        if (!string.IsNullOrEmpty(request.Suffix))
        {
            throw new InvalidRequestException("suffix (insertion) is not supported by the models behind this server.", "suffix", "unsupported_value");
        }

        var ignored = new List<string>();
        RequestRules.CheckExtras(request.Extra, IgnoredCompletionFields, ignored);
        var prompt = PromptText(request.Prompt);
        var turn = new TurnRequest { Model = common.Model.UpstreamModel, Input = [TurnInputPart.FromText(prompt)], Effort = common.Effort };
        return CompletionPlan.Create(common, turn, maxTokens, ignored) with { EchoPrefix = request.Echo == true ? prompt : null };
    }

    private static string PromptText(JsonElement prompt)
    {
        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                return prompt.GetString()!;
            case JsonValueKind.Array when prompt.GetArrayLength() > 0:
                var text = new StringBuilder();
                var i = 0;
                foreach (var item in prompt.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw new InvalidRequestException("Token-id prompts are not supported; send text.", $"prompt[{i}]", "invalid_type");
                    }

                    if (i++ > 0)
                    {
                        text.Append('\n');
                    }

                    text.Append(item.GetString());
                }

                return text.ToString();
            case JsonValueKind.Undefined or JsonValueKind.Null:
                throw new InvalidRequestException("You must provide a prompt parameter.", "prompt", "missing_required_parameter");
            default:
                throw new InvalidRequestException("'prompt' must be a string or an array of strings.", "prompt", "invalid_type");
        }
    }
}
