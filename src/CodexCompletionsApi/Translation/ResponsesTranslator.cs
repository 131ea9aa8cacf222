using System.Text;
using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// Pure mapping of <c>POST /v1/responses</c> onto a Codex turn. No I/O: the stored conversation of
/// <c>previous_response_id</c> and the fetched remote images are passed in.
/// </summary>
/// <remarks>
/// Every input item is validated into a typed <see cref="ResponseItem"/> (what is stored and listed by
/// <c>input_items</c>), then replayed through <c>thread/inject_items</c> after the stored conversation;
/// a final user message is the turn's input, otherwise the model continues from the history (after
/// <c>function_call_output</c> items, for example). <c>instructions</c> become Codex's base instructions.
/// </remarks>
public static class ResponsesTranslator
{
    /// <summary>Values of <c>include</c> accepted and reported: none of them can be produced through Codex.</summary>
    private static readonly IReadOnlySet<string> KnownIncludes = new HashSet<string>(StringComparer.Ordinal)
    {
        "reasoning.encrypted_content", "message.output_text.logprobs", "message.input_image.image_url", "file_search_call.results",
        "web_search_call.results", "web_search_call.action.sources", "computer_call_output.output.image_url", "code_interpreter_call.outputs",
    };

    /// <summary>Responses-only fields accepted and reported as ignored (beyond <see cref="RequestRules.IgnoredFields"/>).</summary>
    private static readonly IReadOnlySet<string> IgnoredResponseFields = new HashSet<string>(StringComparer.Ordinal) { "prompt_cache_retention" };

    /// <summary>A validated request: the plan to run, the items to store, and the response to fill in.</summary>
    public sealed record Result(CompletionPlan Plan, IReadOnlyList<ResponseItem> InputItems, ResponseObject Template);

    /// <param name="request">The request body.</param>
    /// <param name="catalog">The model catalog.</param>
    /// <param name="prior">The conversation of <c>previous_response_id</c> (its inputs and outputs), or empty.</param>
    /// <param name="resolvedImages">Remote image URL → data URL; <see cref="ChatCompletionTranslator.PendingImages"/> to validate first.</param>
    /// <param name="id">The new response's id.</param>
    /// <param name="createdAt">The new response's creation time (Unix seconds).</param>
    /// <param name="newId">Makes a new item id from a prefix (<c>msg_</c>).</param>
    public static Result ToPlan(
        ResponseCreateRequest request,
        ModelCatalog catalog,
        IReadOnlyList<ResponseItem> prior,
        IReadOnlyDictionary<string, string> resolvedImages,
        string id,
        long createdAt,
        Func<string, string> newId)
    {
        var requested = RequestRules.RequireModel(request.Model);
        var reasoning = request.Reasoning;
        var (model, effort) = RequestRules.ResolveModel(catalog, requested, reasoning?.Effort, "reasoning.effort");
        var ignored = new List<string>();
        RequestRules.CheckExtras(request.Extra, IgnoredResponseFields, ignored, "See docs/responses.md for the supported fields.", sharedIgnorable: false);
        CheckUnsupported(request, ignored);
        var summary = Summary(reasoning);
        var maxTokens = RequestRules.MaxTokens(request.MaxOutputTokens, "max_output_tokens");
        var metadata = Metadata(request.Metadata);
        var format = TextFormat(request.Text, ignored);
        var tools = ToolTranslator.ParseResponses(request.Tools, request.ToolChoice, ignored);

        var input = InputItems(request.Input, resolvedImages, newId, ignored);
        if (input.Count == 0)
        {
            throw new InvalidRequestException("'input' must be a non-empty string or a non-empty array of items.", "input", "invalid_value");
        }

        var conversation = prior.Concat(input).ToList();
        var last = conversation[^1];
        var inputIsLast = last is { Type: "message", Role: "user" };
        var history = new List<JsonElement>();
        foreach (var item in inputIsLast ? conversation[..^1] : conversation)
        {
            if (ToCodexItem(item) is { } codexItem)
            {
                history.Add(codexItem);
            }
        }

        if (format.JsonObject)
        {
            history.Add(ResponsesItems.Message("developer", "input_text", ResponseFormats.JsonObjectInstruction));
        }

        var turn = new TurnRequest
        {
            Model = model.UpstreamModel,
            BaseInstructions = request.Instructions ?? string.Empty,
            History = history,
            Input = inputIsLast ? TurnParts(last) : [],
            Effort = effort,
            Summary = summary ?? "none",
            OutputSchema = format.Schema,
            DynamicTools = tools.DynamicTools,
        };
        var common = new RequestRules.CommonFields(requested, model, effort, request.Stream == true, IncludeUsage: false, Choices: 1, Stop: []);
        var plan = CompletionPlan.Create(common, turn, maxTokens, ignored) with
        {
            Tools = tools.Tools,
            ParallelToolCalls = request.ParallelToolCalls != false,
            SeparateOutputItems = true,
        };

        var template = new ResponseObject
        {
            Id = id,
            CreatedAt = createdAt,
            Status = "in_progress",
            Model = requested,
            Instructions = request.Instructions,
            MaxOutputTokens = request.MaxOutputTokens,
            MaxToolCalls = request.MaxToolCalls,
            ParallelToolCalls = plan.ParallelToolCalls,
            PreviousResponseId = request.PreviousResponseId,
            Reasoning = new ResponseReasoningEcho(effort, summary),
            Store = request.Store != false,
            Temperature = request.Temperature ?? 1.0,
            TopP = request.TopP ?? 1.0,
            Text = new ResponseTextEcho(FormatEcho(request.Text?.Format ?? default), request.Text?.Verbosity ?? "medium"),
            ToolChoice = request.ToolChoice.ValueKind is JsonValueKind.String or JsonValueKind.Object ? request.ToolChoice.Clone() : ResponseObject.AutoToolChoice,
            Tools = ToolsEcho(request.Tools),
            Truncation = request.Truncation ?? "disabled",
            User = request.User,
            Metadata = metadata,
            PromptCacheKey = request.PromptCacheKey,
            SafetyIdentifier = request.SafetyIdentifier,
        };
        return new Result(plan, input, template);
    }

    /// <summary>
    /// The tools as the response reports them: every function tool with all five keys. <c>strict</c> is
    /// what was sent, or <see langword="false"/>: Codex registers client tools without strict mode.
    /// </summary>
    private static JsonElement ToolsEcho(JsonElement tools)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (var tool in tools.ValueKind == JsonValueKind.Array ? [.. tools.EnumerateArray()] : Array.Empty<JsonElement>())
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteString("name", StringOf(tool, "name"));
                WriteOrNull(w, tool, "description");
                WriteOrNull(w, tool, "parameters");
                if (tool.TryGetProperty("strict", out var strict) && strict.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    w.WriteBoolean("strict", strict.ValueKind == JsonValueKind.True);
                }
                else
                {
                    w.WriteBoolean("strict", false);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>
    /// <c>text.format</c> as the response reports it; a JSON schema with all of <c>name</c>,
    /// <c>description</c>, <c>schema</c> and <c>strict</c> (always true: the schema is enforced in strict mode).
    /// </summary>
    private static JsonElement FormatEcho(JsonElement format)
    {
        var type = StringOf(format, "type") ?? "text";
        return ResponsesItems.Build(w =>
        {
            w.WriteString("type", type);
            if (type == "json_schema")
            {
                w.WriteString("name", StringOf(format, "name") ?? "response");
                WriteOrNull(w, format, "description");
                WriteOrNull(w, format, "schema");
                w.WriteBoolean("strict", true);
            }
        });
    }

    private static void WriteOrNull(Utf8JsonWriter w, JsonElement element, string name)
    {
        w.WritePropertyName(name);
        if (element.TryGetProperty(name, out var value))
        {
            value.WriteTo(w);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    /// <summary>Every http(s) image URL of the input, with its parameter path, for the caller to fetch.</summary>
    public static IEnumerable<(string Url, string Param)> RemoteImages(ResponseCreateRequest request)
    {
        if (request.Input.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        var i = 0;
        foreach (var item in request.Input.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
            {
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && StringOf(part, "type") == "input_image" && StringOf(part, "image_url") is { } url && IsRemote(url))
                    {
                        yield return (url, $"input[{i}].content[{j}].image_url");
                    }

                    j++;
                }
            }

            i++;
        }
    }

    /// <summary>A stored item as Codex replays it, or null for items that cannot be replayed (reasoning).</summary>
    public static JsonElement? ToCodexItem(ResponseItem item)
        => item.Type switch
        {
            "message" when item.Role == "user" => ResponsesItems.UserMessage(TurnParts(item)),
            "message" when item.Role == "assistant" => ResponsesItems.Message("assistant", "output_text", string.Concat((item.Content ?? []).Select(p => p.Text ?? p.Refusal))),
            "message" => ResponsesItems.Message("developer", "input_text", string.Concat((item.Content ?? []).Select(p => p.Text))),
            "function_call" => ResponsesItems.FunctionCall(item.CallId!, item.Name!, item.Arguments ?? "{}"),
            "function_call_output" => ResponsesItems.FunctionCallOutput(item.CallId!, item.Output ?? string.Empty),
            _ => null,
        };

    private static IReadOnlyList<TurnInputPart> TurnParts(ResponseItem message)
        => [.. (message.Content ?? []).Select(p => p.Type == "input_image" ? new TurnInputPart(null, p.ImageUrl, p.Detail ?? "auto") : TurnInputPart.FromText(p.Text ?? string.Empty))];

    private static void CheckUnsupported(ResponseCreateRequest request, List<string> ignored)
    {
        if (request.Background == true)
        {
            throw new InvalidRequestException("Background responses are not supported by this server.", "background", "unsupported_value");
        }

        if (request.TopLogprobs is > 0)
        {
            throw new InvalidRequestException("top_logprobs are not available through Codex.", "top_logprobs", "unsupported_value");
        }

        if (request.Truncation is not (null or "disabled" or "auto"))
        {
            throw new InvalidRequestException($"Invalid value for 'truncation': '{request.Truncation}'. Supported: 'auto', 'disabled'.", "truncation", "invalid_value");
        }

        if (request.Truncation == "auto")
        {
            ignored.Add("truncation"); // the conversation is never truncated: the model sees all of it
        }

        if (request.MaxToolCalls is < 1)
        {
            throw new InvalidRequestException($"Invalid 'max_tool_calls': {request.MaxToolCalls}. It must be a positive integer.", "max_tool_calls", "invalid_value");
        }

        foreach (var (name, value) in new (string, object?)[]
        {
            ("temperature", request.Temperature), ("top_p", request.TopP), ("user", request.User), ("service_tier", request.ServiceTier),
            ("prompt_cache_key", request.PromptCacheKey), ("safety_identifier", request.SafetyIdentifier),
        })
        {
            if (value is not null)
            {
                ignored.Add(name);
            }
        }

        if (request.StreamOptions.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            if (request.Stream != true)
            {
                throw new InvalidRequestException("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", "invalid_value");
            }

            if (request.StreamOptions.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException("'stream_options' must be an object.", "stream_options", "invalid_type");
            }

            foreach (var option in request.StreamOptions.EnumerateObject())
            {
                if (option.Name != "include_obfuscation")
                {
                    throw new InvalidRequestException($"Unknown parameter: 'stream_options.{option.Name}'.", $"stream_options.{option.Name}", "unknown_parameter");
                }
            }
        }

        if (request.Include.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            if (request.Include.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidRequestException("'include' must be an array of strings.", "include", "invalid_type");
            }

            foreach (var value in request.Include.EnumerateArray())
            {
                if (value.ValueKind != JsonValueKind.String || !KnownIncludes.Contains(value.GetString()!))
                {
                    throw new InvalidRequestException($"Invalid value in 'include': {value.GetRawText()}.", "include", "invalid_value");
                }

                ignored.Add("include"); // none of them can be produced through Codex
            }
        }
    }

    private static string? Summary(ResponseReasoningConfig? reasoning)
    {
        if (reasoning is null)
        {
            return null;
        }

        foreach (var (name, extra) in reasoning.Extra ?? [])
        {
            if (extra.ValueKind != JsonValueKind.Null)
            {
                throw new InvalidRequestException($"Unknown parameter: 'reasoning.{name}'.", $"reasoning.{name}", "unknown_parameter");
            }
        }

        var (value, param) = reasoning.Summary is not null ? (reasoning.Summary, "reasoning.summary") : (reasoning.GenerateSummary, "reasoning.generate_summary");
        return value switch
        {
            null or "none" => null,
            "auto" or "concise" or "detailed" => value,
            _ => throw new InvalidRequestException($"Invalid value for '{param}': '{value}'. Supported: 'auto', 'concise', 'detailed'.", param, "invalid_value"),
        };
    }

    private static ResponseFormats.Format TextFormat(ResponseTextConfig? text, List<string> ignored)
    {
        if (text is null)
        {
            return new ResponseFormats.Format(null, false);
        }

        foreach (var (name, value) in text.Extra ?? [])
        {
            if (value.ValueKind != JsonValueKind.Null)
            {
                throw new InvalidRequestException($"Unknown parameter: 'text.{name}'.", $"text.{name}", "unknown_parameter");
            }
        }

        switch (text.Verbosity)
        {
            case null or "medium":
                break;
            case "low" or "high":
                ignored.Add("text.verbosity"); // not settable per turn through Codex
                break;
            default:
                throw new InvalidRequestException($"Invalid value for 'text.verbosity': '{text.Verbosity}'. Supported: 'low', 'medium', 'high'.", "text.verbosity", "invalid_value");
        }

        return ResponseFormats.Parse(text.Format, "text.format", nested: false);
    }

    private static IReadOnlyDictionary<string, string> Metadata(JsonElement metadata)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return result;
        }

        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("'metadata' must be an object of string values.", "metadata", "invalid_type");
        }

        foreach (var pair in metadata.EnumerateObject())
        {
            if (pair.Value.ValueKind != JsonValueKind.String)
            {
                throw new InvalidRequestException($"Invalid 'metadata.{pair.Name}': values must be strings.", $"metadata.{pair.Name}", "invalid_type");
            }

            if (pair.Name.Length > 64 || pair.Value.GetString()!.Length > 512)
            {
                throw new InvalidRequestException("'metadata' keys are at most 64 characters and values at most 512.", $"metadata.{pair.Name}", "invalid_value");
            }

            result[pair.Name] = pair.Value.GetString()!;
        }

        return result.Count > 16
            ? throw new InvalidRequestException("'metadata' holds at most 16 pairs.", "metadata", "invalid_value")
            : result;
    }

    private static List<ResponseItem> InputItems(JsonElement input, IReadOnlyDictionary<string, string> images, Func<string, string> newId, List<string> ignored)
    {
        switch (input.ValueKind)
        {
            case JsonValueKind.String:
                return input.GetString()!.Length == 0 ? [] : [UserText(input.GetString()!, newId)];
            case JsonValueKind.Array:
                var items = new List<ResponseItem>();
                var i = 0;
                foreach (var element in input.EnumerateArray())
                {
                    if (InputItem(element, $"input[{i++}]", images, newId, ignored) is { } item)
                    {
                        items.Add(item);
                    }
                }

                return items;
            case JsonValueKind.Undefined or JsonValueKind.Null:
                throw new InvalidRequestException("Missing required parameter: 'input'.", "input", "missing_required_parameter");
            default:
                throw new InvalidRequestException("'input' must be a string or an array of items.", "input", "invalid_type");
        }
    }

    private static ResponseItem UserText(string text, Func<string, string> newId)
        => new() { Type = "message", Id = newId("msg_"), Status = "completed", Role = "user", Content = [new ResponseContentPart { Type = "input_text", Text = text }] };

    private static ResponseItem? InputItem(JsonElement element, string param, IReadOnlyDictionary<string, string> images, Func<string, string> newId, List<string> ignored)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidRequestException("Each input item must be an object.", param, "invalid_type");
        }

        var type = StringOf(element, "type") ?? (element.TryGetProperty("role", out _) ? "message" : null);
        var id = StringOf(element, "id");
        switch (type)
        {
            case "message":
                CheckFields(element, param, "type", "id", "status", "role", "content");
                var role = StringOf(element, "role");
                if (role is not ("user" or "assistant" or "system" or "developer"))
                {
                    throw new InvalidRequestException($"Invalid value for 'role': '{role}'. Supported: 'user', 'assistant', 'system', 'developer'.", $"{param}.role", "invalid_value");
                }

                return new ResponseItem
                {
                    Type = "message",
                    Id = id ?? newId("msg_"),
                    Status = "completed",
                    Role = role,
                    Content = Parts(element, role, param, images, ignored),
                };
            case "function_call":
                CheckFields(element, param, "type", "id", "status", "call_id", "name", "arguments");
                return new ResponseItem
                {
                    Type = "function_call",
                    Id = id ?? newId("fc_"),
                    Status = "completed",
                    CallId = RequiredString(element, "call_id", param),
                    Name = RequiredString(element, "name", param),
                    Arguments = RequiredString(element, "arguments", param),
                };
            case "function_call_output":
                CheckFields(element, param, "type", "id", "status", "call_id", "output");
                return new ResponseItem
                {
                    Type = "function_call_output",
                    Id = id ?? newId("fco_"),
                    Status = "completed",
                    CallId = RequiredString(element, "call_id", param),
                    Output = CallOutput(element, param),
                };
            case "reasoning":
                // A reasoning item cannot be replayed without the upstream's encrypted content: reported, not sent.
                ignored.Add(param);
                return null;
            default:
                throw new InvalidRequestException(
                    $"Input items of type '{type}' are not supported. Supported: 'message', 'function_call', 'function_call_output', 'reasoning'.",
                    $"{param}.type",
                    "invalid_value");
        }
    }

    private static IReadOnlyList<ResponseContentPart> Parts(JsonElement message, string role, string param, IReadOnlyDictionary<string, string> images, List<string> ignored)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            throw new InvalidRequestException("Missing required parameter: 'content'.", $"{param}.content", "missing_required_parameter");
        }

        var textType = role == "assistant" ? "output_text" : "input_text";
        if (content.ValueKind == JsonValueKind.String)
        {
            return [Text(textType, content.GetString()!)];
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException("'content' must be a string or an array of content parts.", $"{param}.content", "invalid_type");
        }

        var parts = new List<ResponseContentPart>();
        var j = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partParam = $"{param}.content[{j++}]";
            var type = part.ValueKind == JsonValueKind.Object ? StringOf(part, "type") : null;
            switch (type)
            {
                case "input_text" when role != "assistant":
                case "output_text" when role == "assistant":
                    // Output annotations and logprobs come back when clients replay an output item; they say nothing to the model.
                    CheckFields(part, partParam, "type", "text", "annotations", "logprobs");
                    parts.Add(Text(textType, RequiredString(part, "text", partParam)));
                    break;
                case "refusal" when role == "assistant":
                    CheckFields(part, partParam, "type", "refusal");
                    parts.Add(new ResponseContentPart { Type = "refusal", Refusal = RequiredString(part, "refusal", partParam) });
                    break;
                case "input_image" when role == "user":
                    CheckFields(part, partParam, "type", "image_url", "detail", "file_id");
                    parts.Add(Image(part, partParam, images, ignored));
                    break;
                default:
                    var supported = role switch
                    {
                        "assistant" => "'output_text', 'refusal'",
                        "user" => "'input_text', 'input_image'",
                        _ => "'input_text'",
                    };
                    throw new InvalidRequestException($"Content part type '{type}' is not supported for role '{role}'. Supported: {supported}.", $"{partParam}.type", "invalid_value");
            }
        }

        return parts.Count > 0
            ? parts
            : throw new InvalidRequestException("A message needs at least one content part.", $"{param}.content", "invalid_value");
    }

    private static ResponseContentPart Text(string type, string text)
        => type == "output_text" ? ResponseContentPart.OutputText(text) : new ResponseContentPart { Type = type, Text = text };

    private static ResponseContentPart Image(JsonElement part, string param, IReadOnlyDictionary<string, string> images, List<string> ignored)
    {
        if (StringOf(part, "file_id") is not null)
        {
            throw new InvalidRequestException("Images by 'file_id' are not supported (there is no Files API on this server); send 'image_url'.", $"{param}.file_id", "unsupported_value");
        }

        var url = StringOf(part, "image_url") ?? throw new InvalidRequestException("An input_image part needs 'image_url'.", $"{param}.image_url", "missing_required_parameter");
        var detail = StringOf(part, "detail") ?? "auto";
        if (detail is not ("auto" or "low" or "high" or "original"))
        {
            throw new InvalidRequestException($"Invalid image detail '{detail}'. Supported: 'auto', 'low', 'high', 'original'.", $"{param}.detail", "invalid_value");
        }

        if (detail is "low" or "original")
        {
            // Codex 0.169.0 replaces a 'low' image with a text placeholder; the catalog has no 'original' detail.
            detail = "auto";
            ignored.Add($"{param}.detail");
        }

        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return new ResponseContentPart { Type = "input_image", ImageUrl = url, Detail = detail };
        }

        if (images.TryGetValue(url, out var inline))
        {
            return new ResponseContentPart { Type = "input_image", ImageUrl = inline, Detail = detail };
        }

        return IsRemote(url) && ReferenceEquals(images, ChatCompletionTranslator.PendingImages)
            ? new ResponseContentPart { Type = "input_image", ImageUrl = url, Detail = detail }
            : throw new InvalidRequestException("Image URLs must be data: URLs or http(s) URLs.", $"{param}.image_url", "invalid_image_url");
    }

    /// <summary>A tool's output: a string, or an array of <c>input_text</c> parts (joined).</summary>
    private static string CallOutput(JsonElement item, string param)
    {
        if (!item.TryGetProperty("output", out var output))
        {
            throw new InvalidRequestException("Missing required parameter: 'output'.", $"{param}.output", "missing_required_parameter");
        }

        if (output.ValueKind == JsonValueKind.String)
        {
            return output.GetString()!;
        }

        if (output.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException("'output' must be a string or an array of input_text parts.", $"{param}.output", "invalid_type");
        }

        var text = new StringBuilder();
        var j = 0;
        foreach (var part in output.EnumerateArray())
        {
            var partParam = $"{param}.output[{j++}]";
            if (part.ValueKind != JsonValueKind.Object || StringOf(part, "type") != "input_text")
            {
                throw new InvalidRequestException("Only 'input_text' parts are supported in a function_call_output.", $"{partParam}.type", "invalid_value");
            }

            text.Append(RequiredString(part, "text", partParam));
        }

        return text.ToString();
    }

    private static void CheckFields(JsonElement element, string param, params string[] known)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0 && property.Value.ValueKind != JsonValueKind.Null)
            {
                throw new InvalidRequestException($"Unknown parameter: '{param}.{property.Name}'.", $"{param}.{property.Name}", "unknown_parameter");
            }
        }
    }

    private static string RequiredString(JsonElement element, string name, string param)
        => StringOf(element, name) ?? throw new InvalidRequestException($"Missing required parameter: '{param}.{name}' (a string).", $"{param}.{name}", "missing_required_parameter");

    private static string? StringOf(JsonElement element, string name)
        => element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool IsRemote(string url)
        => url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
