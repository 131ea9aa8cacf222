using System.Text;
using System.Text.Json;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// The canonical <c>&lt;use_tool&gt;</c> block that Obsidian Copilot and other prompt-described-tool
/// clients parse: inner-tag XML, the tool name first, then one element per argument in the order of
/// the tool's schema (then any others in the order the model wrote them). Strings are XML-escaped;
/// numbers, booleans, arrays and objects are written as JSON (escaped).
/// </summary>
public static class ObsidianXml
{
    /// <summary>Separator between two blocks of one message.</summary>
    public const string BlockSeparator = "\n\n";

    public static string ToBlock(string name, string arguments, IReadOnlyList<string> parameterOrder)
    {
        var text = new StringBuilder();
        text.Append("<use_tool>\n<name>").Append(Escape(name)).Append("</name>\n");
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments);
        }
        catch (JsonException)
        {
            // Not JSON: keep what the model wrote, as one element.
            text.Append("<arguments>").Append(Escape(arguments)).Append("</arguments>\n");
        }

        using (document)
        {
            if (document?.RootElement is { ValueKind: JsonValueKind.Object } root)
            {
                var properties = root.EnumerateObject().ToList();
                var ordered = parameterOrder.SelectMany(p => properties.Where(x => x.Name == p))
                    .Concat(properties.Where(x => !parameterOrder.Contains(x.Name)));
                foreach (var property in ordered)
                {
                    var tag = ElementName(property.Name);
                    text.Append('<').Append(tag).Append('>')
                        .Append(Escape(property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText()))
                        .Append("</").Append(tag).Append(">\n");
                }
            }
            else if (document is not null)
            {
                text.Append("<arguments>").Append(Escape(document.RootElement.GetRawText())).Append("</arguments>\n");
            }
        }

        return text.Append("</use_tool>").ToString();
    }

    public static string Escape(string value)
        => value.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>An XML element name for an argument key (invalid characters become '_').</summary>
    private static string ElementName(string key)
    {
        var chars = key.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var ok = char.IsAsciiLetter(chars[i]) || chars[i] == '_' || (i > 0 && (char.IsAsciiDigit(chars[i]) || chars[i] is '-' or '.'));
            chars[i] = ok ? chars[i] : '_';
        }

        return chars.Length == 0 ? "_" : new string(chars);
    }
}
