using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>
/// What the scripted model reads from a Responses request: the directive, the last user message and tool outputs.
/// Valid only while the request's <see cref="JsonDocument"/> is alive.
/// </summary>
internal sealed class InputView
{
    private readonly JsonElement _input;
    private readonly int _lastUser;

    private InputView(JsonElement root)
    {
        _input = root.TryGetProperty("input", out var input) ? input : default;
        InputBytes = _input.ValueKind == JsonValueKind.Undefined ? 0 : JsonMarshal.GetRawUtf8Value(_input).Length;
        _lastUser = -1;
        if (_input.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var item in _input.EnumerateArray())
            {
                if (RoleOf(item) == "user")
                {
                    _lastUser = index;
                }

                index++;
            }
        }

        Instructions = root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind == JsonValueKind.String
            ? instructions.GetString()
            : null;
    }

    /// <summary>Length in bytes of the <c>input</c> value exactly as sent (the basis of <c>input_tokens</c>).</summary>
    public int InputBytes { get; }

    private string? Instructions { get; }

    public static InputView Read(JsonElement root) => new(root);

    /// <summary>
    /// Finds the directive: the first <c>SCRIPT:</c> in the last user message; when that message has none, the
    /// last developer/system message (or <c>instructions</c>) that has one.
    /// </summary>
    /// <exception cref="DirectiveException">The directive found cannot be parsed.</exception>
    public Directive FindDirective()
    {
        if (_input.ValueKind == JsonValueKind.String)
        {
            return ParseIn(_input.GetString()!, "the input string") ?? ParseIn(Instructions, "instructions") ?? Directive.None;
        }

        if (_input.ValueKind != JsonValueKind.Array)
        {
            return ParseIn(Instructions, "instructions") ?? Directive.None;
        }

        if (_lastUser >= 0)
        {
            foreach (var text in TextsOf(_input[_lastUser]))
            {
                if (ParseIn(text, "the last user message") is { } fromUser)
                {
                    return fromUser;
                }
            }
        }

        // No directive from the user: the last developer/system message that has one wins.
        (string Text, int Index)? found = null;
        var source = "instructions";
        var inInstructions = Instructions?.IndexOf(DirectiveParser.Marker, StringComparison.Ordinal) ?? -1;
        if (inInstructions >= 0)
        {
            found = (Instructions!, inInstructions);
        }

        foreach (var item in _input.EnumerateArray())
        {
            if (RoleOf(item) is "developer" or "system")
            {
                foreach (var text in TextsOf(item))
                {
                    var at = text.IndexOf(DirectiveParser.Marker, StringComparison.Ordinal);
                    if (at >= 0)
                    {
                        found = (text, at);
                        source = $"a {RoleOf(item)} message";
                        break;
                    }
                }
            }
        }

        return found is { } f ? Parse(f.Text, f.Index, source) : Directive.None;
    }

    /// <summary>The text of the last user message (parts joined by new lines), or <see langword="null"/> if there is none.</summary>
    public string? LastUserText()
    {
        if (_input.ValueKind == JsonValueKind.String)
        {
            return _input.GetString();
        }

        return _lastUser < 0 ? null : string.Join("\n", TextsOf(_input[_lastUser]));
    }

    /// <summary>The outputs of <c>function_call_output</c> items after the last user message, in order.</summary>
    public List<string> ToolOutputsAfterLastUser()
    {
        var outputs = new List<string>();
        if (_input.ValueKind != JsonValueKind.Array)
        {
            return outputs;
        }

        var index = 0;
        foreach (var item in _input.EnumerateArray())
        {
            if (index++ > _lastUser
                && item.ValueKind == JsonValueKind.Object
                && item.TryGetProperty("type", out var type)
                && type.ValueKind == JsonValueKind.String
                && (type.ValueEquals("function_call_output") || type.ValueEquals("custom_tool_call_output")))
            {
                outputs.Add(item.TryGetProperty("output", out var output) ? OutputText(output) : "");
            }
        }

        return outputs;
    }

    private static Directive? ParseIn(string? text, string source)
    {
        var at = text?.IndexOf(DirectiveParser.Marker, StringComparison.Ordinal) ?? -1;
        return at < 0 ? null : Parse(text!, at, source);
    }

    private static Directive Parse(string text, int at, string source)
    {
        try
        {
            return DirectiveParser.Parse(text, at);
        }
        catch (DirectiveException ex)
        {
            throw new DirectiveException($"Invalid {DirectiveParser.Marker} directive in {source}: {ex.Message}");
        }
    }

    private static string? RoleOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String
            ? role.GetString()
            : null;

    private static IEnumerable<string> TextsOf(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            yield break;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            yield return content.GetString()!;
            yield break;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object
                && part.TryGetProperty("text", out var text)
                && text.ValueKind == JsonValueKind.String
                && (!part.TryGetProperty("type", out var type) || type.ValueEquals("input_text") || type.ValueEquals("text")))
            {
                yield return text.GetString()!;
            }
        }
    }

    // function_call_output.output is a string, or an array of content items ({type:"input_text",text} …).
    private static string OutputText(JsonElement output)
    {
        switch (output.ValueKind)
        {
            case JsonValueKind.String:
                return output.GetString()!;
            case JsonValueKind.Array:
                var builder = new StringBuilder();
                foreach (var part in output.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                    {
                        builder.Append(text.GetString());
                    }
                }

                return builder.ToString();
            default:
                return output.GetRawText();
        }
    }
}
