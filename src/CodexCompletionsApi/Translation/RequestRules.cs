using System.Text.Json;
using CodexCompletionsApi.Catalog;

namespace CodexCompletionsApi.Translation;

/// <summary>Validation shared by the chat, completions and responses translators. Pure.</summary>
public static class RequestRules
{
    /// <summary>Fields that cannot reach the model through Codex; accepted and reported.</summary>
    public static readonly IReadOnlySet<string> IgnoredFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "temperature", "top_p", "frequency_penalty", "presence_penalty", "seed", "logit_bias", "user", "metadata",
        "store", "service_tier", "prompt_cache_key", "safety_identifier", "verbosity", "modalities", "prediction",
        "web_search_options", "audio",
    };

    /// <summary>The fields every completion endpoint validates the same way.</summary>
    public sealed record CommonFields(string Requested, CatalogModel Model, string? Effort, bool Stream, bool IncludeUsage, int Choices, IReadOnlyList<string> Stop);

    /// <summary>Validates model (and effort), stream options, <c>n</c> and <c>stop</c>, in that order.</summary>
    public static CommonFields Common(
        ModelCatalog catalog,
        RequestLimits limits,
        string? model,
        string? reasoningEffort,
        string effortParam,
        bool? stream,
        Contracts.OpenAI.StreamOptions? streamOptions,
        int? n,
        JsonElement stop)
    {
        var requested = RequireModel(model);
        var (resolved, effort) = ResolveModel(catalog, requested, reasoningEffort, effortParam);
        var streaming = stream == true;
        return new CommonFields(requested, resolved, effort, streaming, IncludeUsage(streaming, streamOptions), Choices(n, limits), Stop(stop));
    }

    public static string RequireModel(string? model)
        => string.IsNullOrWhiteSpace(model)
            ? throw new InvalidRequestException("You must provide a model parameter.", "model", "missing_required_parameter")
            : model;

    /// <summary>
    /// Resolves the model id, including an effort suffix (<c>gpt-5.5-high</c>), and the effort
    /// from <paramref name="reasoningEffort"/> (which wins over a suffix). Efforts are checked
    /// against the catalog.
    /// </summary>
    public static (CatalogModel Model, string? Effort) ResolveModel(ModelCatalog catalog, string requested, string? reasoningEffort, string effortParam)
    {
        CatalogModel? model = null;
        string? effort = null;
        if (catalog.TryGet(requested, out var exact))
        {
            model = exact;
        }
        else
        {
            var dash = requested.LastIndexOf('-');
            if (dash > 0 && catalog.TryGet(requested[..dash], out var baseModel) && baseModel.ReasoningEfforts.Contains(requested[(dash + 1)..]))
            {
                model = baseModel;
                effort = requested[(dash + 1)..];
            }
        }

        if (model is null)
        {
            throw new InvalidRequestException($"The model '{requested}' does not exist or you do not have access to it.", "model", "model_not_found", 404);
        }

        if (reasoningEffort is not null)
        {
            if (!model.ReasoningEfforts.Contains(reasoningEffort))
            {
                var allowed = model.ReasoningEfforts.Count == 0 ? "none (it is not a reasoning model)" : string.Join(", ", model.ReasoningEfforts);
                throw new InvalidRequestException($"Unsupported value: '{reasoningEffort}' is not a reasoning effort of model '{model.Id}'. Supported: {allowed}.", effortParam, "unsupported_value");
            }

            effort = reasoningEffort;
        }

        return (model, effort);
    }

    public static int Choices(int? n, RequestLimits limits)
    {
        var value = n ?? 1;
        if (value < 1 || value > limits.MaxChoices)
        {
            throw new InvalidRequestException($"Invalid 'n': {value}. It must be between 1 and {limits.MaxChoices} on this server.", "n", "invalid_value");
        }

        return value;
    }

    public static IReadOnlyList<string> Stop(JsonElement stop)
    {
        switch (stop.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return [];
            case JsonValueKind.String:
                var one = stop.GetString()!;
                return one.Length == 0 ? throw new InvalidRequestException("'stop' must not be empty.", "stop", "invalid_value") : [one];
            case JsonValueKind.Array:
                var list = new List<string>();
                foreach (var item in stop.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String || item.GetString()!.Length == 0)
                    {
                        throw new InvalidRequestException("'stop' must be a non-empty string or an array of non-empty strings.", "stop", "invalid_type");
                    }

                    list.Add(item.GetString()!);
                }

                return list.Count > 4
                    ? throw new InvalidRequestException("'stop' accepts at most 4 sequences.", "stop", "invalid_value")
                    : list;
            default:
                throw new InvalidRequestException("'stop' must be a string or an array of strings.", "stop", "invalid_type");
        }
    }

    public static int? MaxTokens(int? value, string param)
        => value is <= 0
            ? throw new InvalidRequestException($"Invalid '{param}': {value}. It must be a positive integer.", param, "invalid_value")
            : value;

    /// <summary><c>stream_options</c> is only valid with <c>stream: true</c>.</summary>
    public static bool IncludeUsage(bool stream, Contracts.OpenAI.StreamOptions? options)
    {
        if (options is null)
        {
            return false;
        }

        if (!stream)
        {
            throw new InvalidRequestException("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", "invalid_value");
        }

        foreach (var (name, value) in options.Extra ?? [])
        {
            if (name != "include_obfuscation" && value.ValueKind != JsonValueKind.Null)
            {
                throw new InvalidRequestException($"Unknown parameter: 'stream_options.{name}'.", $"stream_options.{name}", "unknown_parameter");
            }
        }

        return options.IncludeUsage == true;
    }

    /// <summary>
    /// Sorts top-level unknown fields into "ignored" (reported) or a 400 naming the first unknown one.
    /// <paramref name="sharedIgnorable"/>: the chat-style <see cref="IgnoredFields"/> count as ignorable too.
    /// </summary>
    public static void CheckExtras(Dictionary<string, JsonElement>? extra, IReadOnlySet<string> ignorable, List<string> ignored, string? unsupportedHint = null, bool sharedIgnorable = true)
    {
        foreach (var (name, value) in extra ?? [])
        {
            if (ignorable.Contains(name) || (sharedIgnorable && IgnoredFields.Contains(name)))
            {
                if (value.ValueKind != JsonValueKind.Null)
                {
                    ignored.Add(name);
                }

                continue;
            }

            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            throw new InvalidRequestException(
                unsupportedHint is null ? $"Unrecognized request argument supplied: {name}" : $"Unrecognized request argument supplied: {name}. {unsupportedHint}",
                name,
                "unknown_parameter");
        }
    }
}
