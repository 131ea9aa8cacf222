using System.Text;
using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// Pure mapping of <c>/v1/chat/completions</c> onto a Codex turn. No I/O: remote images are
/// fetched by the caller and passed in as <c>resolvedImages</c> (URL → data URL).
/// </summary>
/// <remarks>
/// Mapping (one fresh thread per request): the first <c>system</c>/<c>developer</c> message
/// becomes Codex's base instructions; every other message before the last user message is
/// replayed verbatim as a Responses item (<c>thread/inject_items</c>); the last message is the
/// turn input when it is a user message, otherwise the input is empty and the model continues
/// from the history (e.g. after tool results).
/// </remarks>
public static class ChatCompletionTranslator
{
    /// <summary>Message fields that cannot reach the model; reported as <c>messages[i].field</c>.</summary>
    private static readonly IReadOnlySet<string> IgnoredMessageFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "reasoning_content", "cache_control", "annotations", "audio", "prefix",
    };

    /// <summary>Chat-only fields accepted and reported as ignored (beyond <see cref="RequestRules.IgnoredFields"/>).</summary>
    private static readonly IReadOnlySet<string> IgnoredChatFields = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Pass as <c>resolvedImages</c> to validate a request before its remote images are fetched:
    /// http(s) image URLs are accepted as they are. The plan is then only good for validation.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> PendingImages = new Dictionary<string, string>();

    public static CompletionPlan ToPlan(
        ChatCompletionRequest request,
        ModelCatalog catalog,
        RequestLimits limits,
        IReadOnlyDictionary<string, string>? resolvedImages = null)
    {
        var common = RequestRules.Common(catalog, limits, request.Model, request.ReasoningEffort, "reasoning_effort", request.Stream, request.StreamOptions, request.N, request.Stop);
        var maxTokens = Min(RequestRules.MaxTokens(request.MaxCompletionTokens, "max_completion_tokens"), RequestRules.MaxTokens(request.MaxTokens, "max_tokens"));
        if (request.Logprobs == true)
        {
            throw new InvalidRequestException("logprobs are not available through Codex.", "logprobs", "unsupported_value");
        }

        var ignored = new List<string>();
        if (request.TopLogprobs is > 0)
        {
            throw new InvalidRequestException("top_logprobs requires logprobs, which are not available through Codex.", "top_logprobs", "unsupported_value");
        }

        RequestRules.CheckExtras(request.Extra, IgnoredChatFields, ignored);
        var format = ResponseFormats.Parse(request.ResponseFormat, "response_format", nested: true);
        var tools = ToolTranslator.Parse(request.Tools, request.ToolChoice, request.Functions, request.FunctionCall, ignored);

        if (request.Messages is not { Count: > 0 } messages)
        {
            throw new InvalidRequestException("'messages' must be a non-empty array.", "messages", "missing_required_parameter");
        }

        var images = resolvedImages ?? new Dictionary<string, string>();
        var baseInstructions = string.Empty;
        var start = 0;
        if (messages[0].Role is "system" or "developer")
        {
            CheckMessageExtras(messages[0], 0, ignored);
            baseInstructions = TextOf(messages[0].Content, 0, allowNull: false);
            start = 1;
        }

        var last = messages.Count - 1;
        var inputIsLast = last >= start && messages[last].Role == "user";
        var history = new List<JsonElement>();
        var legacyCalls = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = start; i < (inputIsLast ? last : messages.Count); i++)
        {
            AddHistory(messages[i], i, history, legacyCalls, images, ignored);
        }

        if (format.JsonObject)
        {
            history.Add(ResponsesItems.Message("developer", "input_text", ResponseFormats.JsonObjectInstruction));
        }

        IReadOnlyList<TurnInputPart> input = [];
        if (inputIsLast)
        {
            CheckMessageExtras(messages[last], last, ignored);
            input = UserParts(messages[last].Content, last, images, ignored);
            if (input.Count == 0)
            {
                throw new InvalidRequestException("The last user message has no content parts.", $"messages[{last}].content", "invalid_value");
            }
        }
        else if (history.Count == 0)
        {
            throw new InvalidRequestException("'messages' must contain at least one message besides the system prompt.", "messages", "invalid_value");
        }

        var turn = new TurnRequest
        {
            Model = common.Model.UpstreamModel,
            BaseInstructions = baseInstructions,
            History = history,
            Input = input,
            Effort = common.Effort,
            OutputSchema = format.Schema,
            DynamicTools = tools.DynamicTools,
        };
        return CompletionPlan.Create(common, turn, maxTokens, ignored) with
        {
            Tools = tools.Tools,
            LegacyFunctions = tools.Legacy,
            ParallelToolCalls = request.ParallelToolCalls != false,
        };
    }

    /// <summary>Every http(s) image URL of the request, with its parameter path, for the caller to fetch.</summary>
    public static IEnumerable<(string Url, string Param)> RemoteImages(ChatCompletionRequest request)
    {
        if (request.Messages is null)
        {
            yield break;
        }

        for (var i = 0; i < request.Messages.Count; i++)
        {
            var content = request.Messages[i].Content;
            if (request.Messages[i].Role != "user" || content.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var j = 0;
            foreach (var part in content.EnumerateArray())
            {
                if (ImageUrlOf(part) is { } url && IsRemote(url))
                {
                    yield return (url, $"messages[{i}].content[{j}].image_url.url");
                }

                j++;
            }
        }
    }

    private static void AddHistory(ChatMessage message, int i, List<JsonElement> history, Dictionary<string, string> legacyCalls, IReadOnlyDictionary<string, string> images, List<string> ignored)
    {
        CheckMessageExtras(message, i, ignored);
        switch (message.Role)
        {
            case "system" or "developer":
                history.Add(ResponsesItems.Message("developer", "input_text", TextOf(message.Content, i, allowNull: false)));
                break;
            case "user":
                history.Add(ResponsesItems.UserMessage(UserParts(message.Content, i, images, ignored)));
                break;
            case "assistant":
                var text = TextOf(message.Content, i, allowNull: true);
                if (text.Length > 0)
                {
                    history.Add(ResponsesItems.Message("assistant", "output_text", text));
                }

                AddToolCalls(message, i, history, legacyCalls);
                break;
            case "tool":
                if (string.IsNullOrEmpty(message.ToolCallId))
                {
                    throw new InvalidRequestException("Messages with role 'tool' must have a 'tool_call_id'.", $"messages[{i}].tool_call_id", "missing_required_parameter");
                }

                history.Add(ResponsesItems.FunctionCallOutput(message.ToolCallId, TextOf(message.Content, i, allowNull: false)));
                break;
            case "function":
                var name = message.Name ?? throw new InvalidRequestException("Messages with role 'function' must have a 'name'.", $"messages[{i}].name", "missing_required_parameter");
                var callId = legacyCalls.TryGetValue(name, out var id) ? id : LegacyCallId(name, i);
                history.Add(ResponsesItems.FunctionCallOutput(callId, TextOf(message.Content, i, allowNull: false)));
                break;
            default:
                throw new InvalidRequestException($"Invalid value: '{message.Role}'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool' and 'function'.", $"messages[{i}].role", "invalid_value");
        }
    }

    private static void AddToolCalls(ChatMessage message, int i, List<JsonElement> history, Dictionary<string, string> legacyCalls)
    {
        if (message.ToolCalls.ValueKind == JsonValueKind.Array)
        {
            var j = 0;
            foreach (var call in message.ToolCalls.EnumerateArray())
            {
                var param = $"messages[{i}].tool_calls[{j++}]";
                if (call.ValueKind != JsonValueKind.Object
                    || !call.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                    || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object
                    || !function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidRequestException("Each tool call needs an 'id' and a 'function' with a 'name'.", param, "invalid_value");
                }

                var arguments = function.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "{}";
                history.Add(ResponsesItems.FunctionCall(id.GetString()!, name.GetString()!, arguments));
            }
        }
        else if (message.ToolCalls.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw new InvalidRequestException("'tool_calls' must be an array.", $"messages[{i}].tool_calls", "invalid_type");
        }

        if (message.FunctionCall.ValueKind == JsonValueKind.Object)
        {
            if (!message.FunctionCall.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
            {
                throw new InvalidRequestException("'function_call' needs a 'name'.", $"messages[{i}].function_call", "invalid_value");
            }

            var callId = LegacyCallId(name.GetString()!, i);
            legacyCalls[name.GetString()!] = callId;
            var arguments = message.FunctionCall.TryGetProperty("arguments", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "{}";
            history.Add(ResponsesItems.FunctionCall(callId, name.GetString()!, arguments));
        }
    }

    /// <summary>Legacy <c>function_call</c>s have no id; pair calls and results by name and position.</summary>
    private static string LegacyCallId(string name, int index) => $"call_legacy_{index}_{name}";

    private static void CheckMessageExtras(ChatMessage message, int i, List<string> ignored)
    {
        if (message.ToolCallId is not null && message.Role != "tool")
        {
            throw new InvalidRequestException("'tool_call_id' is only valid on messages with role 'tool'.", $"messages[{i}].tool_call_id", "invalid_value");
        }

        if (message.Role != "assistant")
        {
            if (message.ToolCalls.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
            {
                throw new InvalidRequestException("'tool_calls' is only valid on messages with role 'assistant'.", $"messages[{i}].tool_calls", "invalid_value");
            }

            if (message.FunctionCall.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
            {
                throw new InvalidRequestException("'function_call' is only valid on messages with role 'assistant'.", $"messages[{i}].function_call", "invalid_value");
            }
        }

        if (message.Name is not null && message.Role != "function")
        {
            // Participant names cannot be passed through Codex's Responses items.
            ignored.Add($"messages[{i}].name");
        }

        if (message.Refusal is not null)
        {
            ignored.Add($"messages[{i}].refusal");
        }

        foreach (var (name, value) in message.Extra ?? [])
        {
            if (IgnoredMessageFields.Contains(name))
            {
                ignored.Add($"messages[{i}].{name}");
                continue;
            }

            if (value.ValueKind != JsonValueKind.Null)
            {
                throw new InvalidRequestException($"Unrecognized message field: '{name}'.", $"messages[{i}].{name}", "unknown_parameter");
            }
        }
    }

    private static IReadOnlyList<TurnInputPart> UserParts(JsonElement content, int i, IReadOnlyDictionary<string, string> images, List<string> ignored)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return [TurnInputPart.FromText(content.GetString()!)];
            case JsonValueKind.Array:
                var parts = new List<TurnInputPart>();
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    var param = $"messages[{i}].content[{j++}]";
                    var type = StringOf(part, "type");
                    switch (type)
                    {
                        case "text":
                            parts.Add(TurnInputPart.FromText(PartText(part, param)));
                            break;
                        case "image_url":
                            parts.Add(ImagePart(part, param, images, ignored));
                            break;
                        default:
                            throw new InvalidRequestException($"Unsupported content part type '{type}'. Supported: 'text', 'image_url'.", $"{param}.type", "invalid_value");
                    }
                }

                return parts;
            default:
                throw new InvalidRequestException("Message content must be a string or an array of content parts.", $"messages[{i}].content", "invalid_type");
        }
    }

    private static bool IsRemote(string url)
        => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    private static TurnInputPart ImagePart(JsonElement part, string param, IReadOnlyDictionary<string, string> images, List<string> ignored)
    {
        var url = ImageUrlOf(part) ?? throw new InvalidRequestException("An image_url part needs 'image_url.url'.", $"{param}.image_url.url", "missing_required_parameter");
        var detail = "auto"; // OpenAI's default; Codex's own default would be "high"
        if (part.GetProperty("image_url").TryGetProperty("detail", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            detail = d.ValueKind == JsonValueKind.String ? d.GetString() : d.GetRawText();
            if (detail is not ("auto" or "low" or "high"))
            {
                throw new InvalidRequestException($"Invalid image detail '{detail}'. Supported: 'auto', 'low', 'high'.", $"{param}.image_url.detail", "invalid_value");
            }

            if (detail == "low")
            {
                // Codex 0.169.0 replaces a 'low' image with a text placeholder; send it as 'auto' and say so.
                detail = "auto";
                ignored.Add($"{param}.image_url.detail");
            }
        }

        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return new TurnInputPart(null, url, detail);
        }

        if (images.TryGetValue(url, out var inline))
        {
            return new TurnInputPart(null, inline, detail);
        }

        return IsRemote(url) && ReferenceEquals(images, PendingImages)
            ? new TurnInputPart(null, url, detail) // validation pass: fetched after the request is known to be valid
            : throw new InvalidRequestException("Image URLs must be data: URLs or http(s) URLs.", $"{param}.image_url.url", "invalid_image_url");
    }

    private static string? ImageUrlOf(JsonElement part)
    {
        if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || !type.ValueEquals("image_url")
            || !part.TryGetProperty("image_url", out var image) || image.ValueKind != JsonValueKind.Object
            || !image.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return url.GetString();
    }

    /// <summary>Text of a non-user message: a string, null (when allowed) or text/refusal parts.</summary>
    private static string TextOf(JsonElement content, int i, bool allowNull)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Null or JsonValueKind.Undefined when allowNull:
                return string.Empty;
            case JsonValueKind.Array:
                var text = new StringBuilder();
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    var param = $"messages[{i}].content[{j++}]";
                    var type = StringOf(part, "type");
                    if (type is not ("text" or "refusal"))
                    {
                        throw new InvalidRequestException($"Unsupported content part type '{type}' for this role. Supported: 'text'.", $"{param}.type", "invalid_value");
                    }

                    text.Append(type == "text" ? PartText(part, param) : StringOf(part, "refusal") ?? string.Empty);
                }

                return text.ToString();
            default:
                throw new InvalidRequestException("Message content must be a string or an array of text parts.", $"messages[{i}].content", "invalid_type");
        }
    }

    /// <summary>A string property, or null when it is absent or not a string.</summary>
    private static string? StringOf(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string PartText(JsonElement part, string param)
        => part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new InvalidRequestException("A text part needs a string 'text'.", $"{param}.text", "invalid_value");

    private static int? Min(int? a, int? b) => a is null ? b : b is null ? a : Math.Min(a.Value, b.Value);

    /// <summary>Builds the non-streaming <c>chat.completion</c>.</summary>
    public static ChatCompletion ToChatCompletion(string id, long created, string model, IReadOnlyList<ChoiceResult> choices, TokenUsage? usage)
        => new(
            id,
            created,
            model,
            [.. choices.Select(c => new ChatChoice(c.Index, new ChatResponseMessage("assistant", c.Content) { ReasoningContent = c.ReasoningContent, ToolCalls = c.ToolCalls, FunctionCall = c.FunctionCall }, c.FinishReason))],
            usage is null ? null : ToUsage(usage));

    public static ChatUsage ToUsage(TokenUsage usage)
        => new(
            usage.InputTokens,
            usage.OutputTokens,
            usage.TotalTokens,
            new PromptTokensDetails(usage.CachedInputTokens),
            new CompletionTokensDetails(usage.ReasoningOutputTokens));
}

/// <summary>The finished output of one choice.</summary>
public sealed record ChoiceResult(int Index, string? Content, string? ReasoningContent, string FinishReason)
{
    public IReadOnlyList<ToolCall>? ToolCalls { get; init; }

    public FunctionCall? FunctionCall { get; init; }
}
