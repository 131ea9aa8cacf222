using System.Text.Json;
using System.Text.RegularExpressions;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// Client tools → Codex dynamic tools (pure). <c>tools</c> and the legacy <c>functions</c> are
/// validated (names, schemas) and registered on the thread; <c>tool_choice</c> <c>none</c> registers
/// none, a named function registers only that one, and what Codex cannot enforce (<c>required</c>,
/// that a named function is really called) is reported.
/// </summary>
public static partial class ToolTranslator
{
    public sealed record Result(IReadOnlyList<JsonElement> DynamicTools, IReadOnlyList<ToolDefinition> Tools, bool Legacy);

    public static Result Parse(JsonElement tools, JsonElement toolChoice, JsonElement functions, JsonElement functionCall, List<string> ignored)
    {
        var hasTools = tools.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
        var hasFunctions = functions.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
        if (hasTools && hasFunctions)
        {
            throw new InvalidRequestException("Use either 'tools' or the legacy 'functions', not both.", "functions", "invalid_value");
        }

        var legacy = hasFunctions;
        var specs = new List<(string Name, string? Description, JsonElement? Parameters)>();
        if (hasTools)
        {
            foreach (var (tool, param) in Elements(tools, "tools"))
            {
                if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("type", out var type) || !type.ValueEquals("function"))
                {
                    throw new InvalidRequestException("Only tools of type 'function' are supported.", $"{param}.type", "invalid_value");
                }

                if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidRequestException("Missing required parameter: 'function'.", $"{param}.function", "missing_required_parameter");
                }

                specs.Add(Spec(function, $"{param}.function", ignored));
            }
        }
        else if (hasFunctions)
        {
            foreach (var (function, param) in Elements(functions, "functions"))
            {
                if (function.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidRequestException("Each function must be an object with a 'name'.", param, "invalid_type");
                }

                specs.Add(Spec(function, param, ignored));
            }
        }

        CheckDuplicates(specs, legacy ? "functions" : "tools");
        var mismatched = legacy ? toolChoice : functionCall;
        if (mismatched.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw new InvalidRequestException(
                legacy ? "'tool_choice' goes with 'tools'; with the legacy 'functions' use 'function_call'." : "'function_call' goes with the legacy 'functions'; with 'tools' use 'tool_choice'.",
                legacy ? "tool_choice" : "function_call",
                "invalid_value");
        }

        var choiceParam = legacy ? "function_call" : "tool_choice";
        var choice = legacy ? functionCall : toolChoice;
        ApplyChoice(specs, choice, choiceParam, legacy ? ChoiceShape.Legacy : ChoiceShape.Chat, ignored);
        return ToResult(specs, legacy);
    }

    /// <summary>
    /// The Responses API's tools: <c>[{type:"function", name, description, parameters, strict}]</c> and
    /// <c>tool_choice</c> <c>"none" | "auto" | "required" | {type:"function", name}</c>. Other tool types
    /// (web search, file search, code interpreter, MCP, ...) are refused: Codex's built-in tools are off.
    /// </summary>
    public static Result ParseResponses(JsonElement tools, JsonElement toolChoice, List<string> ignored)
    {
        var specs = new List<(string Name, string? Description, JsonElement? Parameters)>();
        if (tools.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            foreach (var (tool, param) in Elements(tools, "tools"))
            {
                var type = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (type != "function")
                {
                    throw new InvalidRequestException(
                        $"Tool type '{type}' is not supported: only 'function' tools are, because this server switches Codex's built-in tools off.",
                        $"{param}.type",
                        "invalid_value");
                }

                specs.Add(Spec(tool, param, ignored));
            }
        }

        CheckDuplicates(specs, "tools");
        ApplyChoice(specs, toolChoice, "tool_choice", ChoiceShape.Responses, ignored);
        return ToResult(specs, legacy: false);
    }

    private enum ChoiceShape
    {
        Chat,
        Legacy,
        Responses,
    }

    private static IEnumerable<(JsonElement Element, string Param)> Elements(JsonElement array, string name)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException($"'{name}' must be an array.", name, "invalid_type");
        }

        var i = 0;
        foreach (var element in array.EnumerateArray())
        {
            yield return (element, $"{name}[{i++}]");
        }
    }

    private static void CheckDuplicates(List<(string Name, string? Description, JsonElement? Parameters)> specs, string param)
    {
        var duplicate = specs.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidRequestException($"Duplicate tool name '{duplicate.Key}'.", param, "invalid_value");
        }
    }

    private static Result ToResult(List<(string Name, string? Description, JsonElement? Parameters)> specs, bool legacy)
        => new(
            [.. specs.Select(s => DynamicTool(s.Name, s.Description, s.Parameters))],
            [.. specs.Select(s => new ToolDefinition(s.Name, ParameterOrder(s.Parameters)))],
            legacy);

    private static void ApplyChoice(List<(string Name, string? Description, JsonElement? Parameters)> specs, JsonElement choice, string choiceParam, ChoiceShape shape, List<string> ignored)
    {
        var legacy = shape == ChoiceShape.Legacy;
        if (choice.ValueKind is JsonValueKind.String)
        {
            switch (choice.GetString())
            {
                case "none":
                    specs.Clear(); // no tools reach the model
                    break;
                case "auto":
                    break;
                case "required" when !legacy:
                    ignored.Add(choiceParam); // Codex cannot force a call; the model may still answer in text
                    break;
                default:
                    throw new InvalidRequestException($"Invalid value for '{choiceParam}': '{choice.GetString()}'.", choiceParam, "invalid_value");
            }
        }
        else if (choice.ValueKind == JsonValueKind.Object)
        {
            var named = shape switch
            {
                ChoiceShape.Chat => choice.TryGetProperty("function", out var f) && f.ValueKind == JsonValueKind.Object && f.TryGetProperty("name", out var fn) && fn.ValueKind == JsonValueKind.String ? fn.GetString() : null,
                ChoiceShape.Responses when !choice.TryGetProperty("type", out var type) || !type.ValueEquals("function") => throw new InvalidRequestException(
                    "Only 'none', 'auto', 'required' and {\"type\":\"function\",\"name\":…} are supported for 'tool_choice'.", "tool_choice", "invalid_value"),
                _ => choice.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null,
            };
            if (named is null || specs.All(s => s.Name != named))
            {
                throw new InvalidRequestException($"'{choiceParam}' names a function that is not in '{(legacy ? "functions" : "tools")}'.", choiceParam, "invalid_value");
            }

            // Only the named tool is offered; that the model calls it cannot be forced through Codex.
            specs.RemoveAll(s => s.Name != named);
            ignored.Add(choiceParam);
        }
        else if (choice.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
        {
            throw new InvalidRequestException($"'{choiceParam}' must be a string or an object.", choiceParam, "invalid_type");
        }
    }

    private static (string Name, string? Description, JsonElement? Parameters) Spec(JsonElement function, string param, List<string> ignored)
    {
        if (function.TryGetProperty("strict", out var strict) && strict.ValueKind == JsonValueKind.True)
        {
            ignored.Add($"{param}.strict"); // Codex registers dynamic tools with strict: false
        }

        if (!function.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            throw new InvalidRequestException("Missing required parameter: 'name'.", $"{param}.name", "missing_required_parameter");
        }

        var value = name.GetString()!;
        if (!ValidName().IsMatch(value))
        {
            throw new InvalidRequestException($"Invalid function name '{value}': it must match ^[a-zA-Z0-9_-]{{1,64}}$.", $"{param}.name", "invalid_value");
        }

        string? description = null;
        if (function.TryGetProperty("description", out var d) && d.ValueKind != JsonValueKind.Null)
        {
            description = d.ValueKind == JsonValueKind.String ? d.GetString() : throw new InvalidRequestException("'description' must be a string.", $"{param}.description", "invalid_type");
        }

        JsonElement? parameters = null;
        if (function.TryGetProperty("parameters", out var p) && p.ValueKind != JsonValueKind.Null)
        {
            parameters = p.ValueKind == JsonValueKind.Object ? p : throw new InvalidRequestException("'parameters' must be a JSON Schema object.", $"{param}.parameters", "invalid_type");
        }

        return (value, description, parameters);
    }

    /// <summary>Codex's spec: <c>{"type":"function","name","description","inputSchema"}</c>.</summary>
    private static JsonElement DynamicTool(string name, string? description, JsonElement? parameters)
        => ResponsesItems.Build(w =>
        {
            w.WriteString("type", "function");
            w.WriteString("name", name);
            w.WriteString("description", description ?? string.Empty);
            w.WritePropertyName("inputSchema");
            if (parameters is { } schema)
            {
                schema.WriteTo(w);
            }
            else
            {
                w.WriteStartObject();
                w.WriteString("type", "object");
                w.WriteStartObject("properties");
                w.WriteEndObject();
                w.WriteEndObject();
            }
        });

    private static IReadOnlyList<string> ParameterOrder(JsonElement? parameters)
        => parameters is { } schema && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
            ? [.. properties.EnumerateObject().Select(p => p.Name)]
            : [];

    [GeneratedRegex(@"^[a-zA-Z0-9_-]{1,64}\z")]
    private static partial Regex ValidName();
}
