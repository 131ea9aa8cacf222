using System.Text;
using System.Text.Json;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>Parses the JSON object that follows a <c>SCRIPT:</c> marker.</summary>
internal static class DirectiveParser
{
    public const string Marker = "SCRIPT:";

    private const int MaxDeltas = 100_000;
    private const int MaxDelayMs = 600_000;

    /// <summary>Parses the directive whose marker starts at <paramref name="markerIndex"/> in <paramref name="text"/>.</summary>
    /// <exception cref="DirectiveException">The directive is not a JSON object or has a bad field.</exception>
    public static Directive Parse(string text, int markerIndex)
    {
        var start = markerIndex + Marker.Length;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        if (start >= text.Length || text[start] != '{')
        {
            throw new DirectiveException($"{Marker} must be followed by a JSON object, e.g. {Marker}{{\"reply\":\"text\",\"text\":\"hi\"}}.");
        }

        var utf8 = Encoding.UTF8.GetBytes(text, start, text.Length - start);
        var reader = new Utf8JsonReader(utf8);
        Directive directive;
        string json;
        try
        {
            using var document = JsonDocument.ParseValue(ref reader);
            json = Encoding.UTF8.GetString(utf8, 0, (int)reader.BytesConsumed);
            directive = Parse(document.RootElement);
        }
        catch (JsonException ex)
        {
            throw new DirectiveException($"the JSON after {Marker} is not valid: {ex.Message}");
        }

        return directive with { Json = json, Source = text.Substring(markerIndex, start - markerIndex + json.Length) };
    }

    private static Directive Parse(JsonElement root)
    {
        var d = new Directive();
        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            d = property.Name switch
            {
                "reply" => d with { Reply = ParseReply(value) },
                "text" => d with { Text = String(property) },
                "deltas" => d with { Deltas = Int(property, 1, MaxDeltas) },
                "delay_ms" => d with { DelayMs = Int(property, 0, MaxDelayMs) },
                "first_delay_ms" => d with { FirstDelayMs = Int(property, 0, MaxDelayMs) },
                "token" => d with { Token = Scalar(property) },
                "summary" => d with { Summary = Strings(property) },
                "reasoning_text" => d with { ReasoningText = String(property) },
                "calls" => d with { Calls = Calls(property) },
                "arguments_deltas" => d with { ArgumentsDeltas = Int(property, 1, MaxDeltas) },
                "after_tool_text" => d with { AfterToolText = String(property) },
                "messages" => d with { Messages = Strings(property) },
                "status" => d with { Status = Int(property, 400, 599) },
                "code" => d with { Code = NullableString(property) },
                "message" => d with { Message = String(property) },
                "type" => d with { Type = NullableString(property) },
                "param" => d with { Param = NullableString(property) },
                "retry_after" => d with { RetryAfter = Int(property, 0, 86_400) },
                "after_deltas" => d with { AfterDeltas = Int(property, 0, MaxDeltas) },
                "usage" => d with { Usage = Usage(property) },
                _ => throw new DirectiveException(
                    $"unknown field '{property.Name}'. Known fields: reply, text, deltas, delay_ms, first_delay_ms, token, summary, "
                    + "reasoning_text, calls, arguments_deltas, after_tool_text, messages, status, code, message, type, param, "
                    + "retry_after, after_deltas, usage."),
            };
        }

        if (d.Reply == ReplyKind.Echo && d.Token is null)
        {
            throw new DirectiveException("reply 'echo' needs a 'token' field.");
        }

        return d;
    }

    private static ReplyKind ParseReply(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.String && ReplyKinds.TryParse(value.GetString()!, out var kind))
        {
            return kind;
        }

        throw new DirectiveException($"unknown reply {value.GetRawText()}; expected one of: {ReplyKinds.AllWireNames}.");
    }

    private static string String(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.String
            ? property.Value.GetString()!
            : throw Invalid(property, "a string");

    private static string? NullableString(JsonProperty property) =>
        property.Value.ValueKind == JsonValueKind.Null ? null : String(property);

    private static string Scalar(JsonProperty property) => property.Value.ValueKind switch
    {
        JsonValueKind.String => property.Value.GetString()!,
        JsonValueKind.Number => property.Value.GetRawText(),
        _ => throw Invalid(property, "a string or a number"),
    };

    private static int Int(JsonProperty property, int min, int max) =>
        property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var n) && n >= min && n <= max
            ? n
            : throw Invalid(property, $"an integer from {min} to {max}");

    private static string[] Strings(JsonProperty property)
    {
        if (property.Value.ValueKind != JsonValueKind.Array
            || property.Value.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw Invalid(property, "an array of strings");
        }

        return [.. property.Value.EnumerateArray().Select(e => e.GetString()!)];
    }

    private static ScriptedCall[] Calls(JsonProperty property)
    {
        if (property.Value.ValueKind != JsonValueKind.Array || property.Value.GetArrayLength() == 0)
        {
            throw Invalid(property, "a non-empty array of {\"name\",\"arguments\",\"call_id\"} objects");
        }

        var calls = new List<ScriptedCall>();
        foreach (var element in property.Value.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(property, "an array of objects");
            }

            string? name = null, callId = null, ns = null;
            var arguments = "{}";
            foreach (var field in element.EnumerateObject())
            {
                switch (field.Name)
                {
                    case "name":
                        name = String(field);
                        break;
                    case "call_id":
                        callId = String(field);
                        break;
                    case "namespace":
                        ns = String(field);
                        break;
                    case "arguments":
                        arguments = field.Value.ValueKind == JsonValueKind.String ? field.Value.GetString()! : field.Value.GetRawText();
                        break;
                    default:
                        throw new DirectiveException($"unknown field '{field.Name}' in a call; known: name, arguments, call_id, namespace.");
                }
            }

            calls.Add(new ScriptedCall(
                name ?? throw new DirectiveException("every entry of 'calls' needs a 'name'."),
                arguments,
                callId,
                ns));
        }

        return [.. calls];
    }

    private static UsageOverride Usage(JsonProperty property)
    {
        if (property.Value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(property, "an object");
        }

        int? input = null, output = null, cached = null, reasoning = null;
        foreach (var field in property.Value.EnumerateObject())
        {
            var n = Int(field, 0, int.MaxValue / 2);
            switch (field.Name)
            {
                case "input_tokens":
                    input = n;
                    break;
                case "output_tokens":
                    output = n;
                    break;
                case "cached_tokens":
                    cached = n;
                    break;
                case "reasoning_tokens":
                    reasoning = n;
                    break;
                default:
                    throw new DirectiveException(
                        $"unknown field '{field.Name}' in 'usage'; known: input_tokens, output_tokens, cached_tokens, reasoning_tokens.");
            }
        }

        return new UsageOverride(input, output, cached, reasoning);
    }

    private static DirectiveException Invalid(JsonProperty property, string expected) =>
        new($"'{property.Name}' must be {expected} (got {Shorten(property.Value.GetRawText())}).");

    private static string Shorten(string raw) => TextSplitter.Truncate(raw, 80);
}
