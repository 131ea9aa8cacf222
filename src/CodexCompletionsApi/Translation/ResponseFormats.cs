using System.Text.Json;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// Maps <c>response_format</c> (chat) and <c>text.format</c> (Responses) to Codex's turn
/// <c>outputSchema</c>. Codex always sends the schema upstream with <c>strict: true</c>, so a schema
/// strict mode cannot take is refused here with the reason, not failed upstream.
/// </summary>
public static class ResponseFormats
{
    /// <summary>Instruction added for <c>json_object</c>, which Codex has no native mode for.</summary>
    public const string JsonObjectInstruction =
        "Respond with a single valid JSON object and nothing else: no prose, no Markdown code fences.";

    public sealed record Format(JsonElement? Schema, bool JsonObject);

    /// <param name="format">The <c>response_format</c> value.</param>
    /// <param name="param">The parameter name used in errors (<c>response_format</c> or <c>text.format</c>).</param>
    /// <param name="nested">Chat nests the schema in <c>json_schema</c>; Responses puts it on the format itself.</param>
    public static Format Parse(JsonElement format, string param, bool nested)
    {
        if (format.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return new Format(null, false);
        }

        if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new InvalidRequestException($"'{param}' must be an object with a 'type'.", param, "invalid_type");
        }

        switch (type.GetString())
        {
            case "text":
                return new Format(null, false);
            case "json_object":
                return new Format(null, true);
            case "json_schema":
                var holder = format;
                var holderParam = param;
                if (nested)
                {
                    if (!format.TryGetProperty("json_schema", out holder) || holder.ValueKind != JsonValueKind.Object)
                    {
                        throw new InvalidRequestException($"Missing required parameter: '{param}.json_schema'.", $"{param}.json_schema", "missing_required_parameter");
                    }

                    holderParam = $"{param}.json_schema";
                }

                if (!holder.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidRequestException($"Missing required parameter: '{holderParam}.schema'.", $"{holderParam}.schema", "missing_required_parameter");
                }

                if (StrictModeProblem(schema, "schema") is { } problem)
                {
                    throw new InvalidRequestException(
                        $"Invalid schema for response_format: {problem} This server enforces structured output in strict mode only (every object needs 'additionalProperties': false and must list all of its properties in 'required').",
                        $"{holderParam}.schema",
                        "invalid_json_schema");
                }

                return new Format(schema.Clone(), false);
            default:
                throw new InvalidRequestException($"Invalid value for '{param}.type': '{type.GetString()}'. Supported: 'text', 'json_object', 'json_schema'.", $"{param}.type", "invalid_value");
        }
    }

    /// <summary>The first reason the schema is not valid in OpenAI strict mode, or null.</summary>
    public static string? StrictModeProblem(JsonElement schema, string path)
    {
        if (schema.ValueKind == JsonValueKind.True || schema.ValueKind == JsonValueKind.False)
        {
            return null;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return $"{path} must be an object.";
        }

        var isObject = (schema.TryGetProperty("type", out var type) && (type.ValueKind == JsonValueKind.String ? type.GetString() == "object" : type.ValueKind == JsonValueKind.Array && type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && t.GetString() == "object")))
            || schema.TryGetProperty("properties", out _);
        if (isObject)
        {
            if (!schema.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False)
            {
                return $"In context={path}, 'additionalProperties' is required to be supplied and to be false.";
            }

            var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToHashSet(StringComparer.Ordinal)
                : [];
            if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in properties.EnumerateObject())
                {
                    if (!required.Contains(property.Name))
                    {
                        return $"In context={path}, 'required' is required to be supplied and to be an array including every key in properties. Missing '{property.Name}'.";
                    }

                    if (StrictModeProblem(property.Value, $"{path}.properties.{property.Name}") is { } nested)
                    {
                        return nested;
                    }
                }
            }
        }

        foreach (var keyword in new[] { "items", "not" })
        {
            if (schema.TryGetProperty(keyword, out var sub) && StrictModeProblem(sub, $"{path}.{keyword}") is { } problem)
            {
                return problem;
            }
        }

        foreach (var keyword in new[] { "anyOf", "allOf", "oneOf", "prefixItems" })
        {
            if (schema.TryGetProperty(keyword, out var list) && list.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var sub in list.EnumerateArray())
                {
                    if (StrictModeProblem(sub, $"{path}.{keyword}[{i++}]") is { } problem)
                    {
                        return problem;
                    }
                }
            }
        }

        foreach (var keyword in new[] { "$defs", "definitions" })
        {
            if (schema.TryGetProperty(keyword, out var defs) && defs.ValueKind == JsonValueKind.Object)
            {
                foreach (var def in defs.EnumerateObject())
                {
                    if (StrictModeProblem(def.Value, $"{path}.{keyword}.{def.Name}") is { } problem)
                    {
                        return problem;
                    }
                }
            }
        }

        return null;
    }
}
