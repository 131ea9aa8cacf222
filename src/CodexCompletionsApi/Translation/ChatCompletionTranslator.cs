using System.Text;
using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// Pure mapping between <c>/v1/chat/completions</c> and a Codex turn. No I/O.
/// </summary>
public static class ChatCompletionTranslator
{
    /// <summary>Request fields that cannot reach the model through Codex; reported, not rejected.</summary>
    public static readonly IReadOnlySet<string> IgnoredFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "temperature", "top_p", "frequency_penalty", "presence_penalty", "seed", "logit_bias", "user", "metadata",
        "store", "service_tier", "prompt_cache_key", "safety_identifier", "top_logprobs", "verbosity", "modalities",
    };

    /// <summary>The result of validating a request: the turn and the names of ignored fields.</summary>
    public sealed record Translated(TurnRequest Turn, CatalogModel Model, IReadOnlyList<string> IgnoredParams);

    public static Translated ToTurnRequest(ChatCompletionRequest request, ModelCatalog catalog)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw new InvalidRequestException("You must provide a model parameter.", "model", "missing_required_parameter");
        }

        if (!catalog.TryGet(request.Model, out var model))
        {
            throw new InvalidRequestException($"The model '{request.Model}' does not exist or you do not have access to it.", "model", "model_not_found", 404);
        }

        if (request.Stream == true)
        {
            throw new InvalidRequestException("stream=true is not supported by this version of the service; send stream=false.", "stream", "unsupported_value");
        }

        var ignored = new List<string>();
        foreach (var (name, value) in request.Extra ?? [])
        {
            if (IgnoredFields.Contains(name) || value.ValueKind == JsonValueKind.Null)
            {
                ignored.Add(name);
                continue;
            }

            throw new InvalidRequestException($"The parameter '{name}' is not supported by this version of the service.", name, "unsupported_parameter");
        }

        if (request.Messages is not { Count: > 0 } messages)
        {
            throw new InvalidRequestException("'messages' must be a non-empty array.", "messages", "missing_required_parameter");
        }

        var baseInstructions = string.Empty;
        var history = new List<JsonElement>();
        var start = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Name is not null)
            {
                // Participant names cannot be passed through Codex's Responses items.
                ignored.Add($"messages[{i}].name");
            }
        }

        if (messages[0].Role == "system")
        {
            RejectExtras(messages[0], 0);
            baseInstructions = TextOf(messages[0], 0);
            start = 1;
        }

        var last = messages.Count - 1;
        if (messages[last].Role != "user")
        {
            throw new InvalidRequestException("The last message must have role 'user'.", $"messages[{last}].role", "invalid_value");
        }

        for (var i = start; i < last; i++)
        {
            var message = messages[i];
            RejectExtras(message, i);
            var text = TextOf(message, i);
            history.Add(message.Role switch
            {
                "system" or "developer" => ResponsesItem("developer", "input_text", text),
                "user" => ResponsesItem("user", "input_text", text),
                "assistant" => ResponsesItem("assistant", "output_text", text),
                _ => throw new InvalidRequestException($"Role '{message.Role}' is not supported here.", $"messages[{i}].role", "invalid_value"),
            });
        }

        RejectExtras(messages[last], last);
        var input = TextOf(messages[last], last);
        var turn = new TurnRequest
        {
            Model = model.UpstreamModel,
            BaseInstructions = baseInstructions,
            History = history,
            Input = [TurnInputPart.FromText(input)],
        };
        return new Translated(turn, model, ignored);
    }

    /// <summary>Builds the <c>chat.completion</c> from the collected turn output.</summary>
    public static ChatCompletion ToChatCompletion(string id, long created, string model, IReadOnlyList<string> messages, TokenUsage? usage)
    {
        var content = string.Join("\n\n", messages);
        return new ChatCompletion(
            id,
            created,
            model,
            [new ChatChoice(0, new ChatResponseMessage("assistant", content), "stop")],
            usage is null ? null : ToUsage(usage));
    }

    public static ChatUsage ToUsage(TokenUsage usage)
        => new(
            usage.InputTokens,
            usage.OutputTokens,
            usage.TotalTokens,
            new PromptTokensDetails(usage.CachedInputTokens),
            new CompletionTokensDetails(usage.ReasoningOutputTokens));

    private static void RejectExtras(ChatMessage message, int index)
    {
        foreach (var (name, _) in message.Extra ?? [])
        {
            throw new InvalidRequestException($"The message field '{name}' is not supported by this version of the service.", $"messages[{index}].{name}", "unsupported_parameter");
        }
    }

    private static string TextOf(ChatMessage message, int index)
    {
        var content = message.Content;
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Array:
                var text = new StringBuilder();
                var part = 0;
                foreach (var element in content.EnumerateArray())
                {
                    if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("type", out var type) || !type.ValueEquals("text")
                        || !element.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                    {
                        throw new InvalidRequestException("Only text content parts are supported by this version of the service.", $"messages[{index}].content[{part}]", "invalid_value");
                    }

                    text.Append(value.GetString());
                    part++;
                }

                return text.ToString();
            default:
                throw new InvalidRequestException("Message content must be a string or an array of content parts.", $"messages[{index}].content", "invalid_type");
        }
    }

    private static JsonElement ResponsesItem(string role, string partType, string text)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "message");
            w.WriteString("role", role);
            w.WriteStartArray("content");
            w.WriteStartObject();
            w.WriteString("type", partType);
            w.WriteString("text", text);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
