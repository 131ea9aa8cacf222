using System.Text.Json;
using CodexCompletionsApi.Backend;

namespace CodexCompletionsApi.Translation;

/// <summary>
/// Builds the Responses API items that <c>thread/inject_items</c> replays verbatim
/// (docs/app-server-protocol.md §8: messages, <c>function_call</c>, <c>function_call_output</c>).
/// </summary>
public static class ResponsesItems
{
    public static JsonElement Message(string role, string partType, string text)
        => Build(w =>
        {
            w.WriteString("type", "message");
            w.WriteString("role", role);
            w.WriteStartArray("content");
            WriteTextPart(w, partType, text);
            w.WriteEndArray();
        });

    /// <summary>A user message with <c>input_text</c> and <c>input_image</c> parts.</summary>
    public static JsonElement UserMessage(IReadOnlyList<TurnInputPart> parts)
        => Build(w =>
        {
            w.WriteString("type", "message");
            w.WriteString("role", "user");
            w.WriteStartArray("content");
            foreach (var part in parts)
            {
                if (part.ImageDataUrl is { } url)
                {
                    w.WriteStartObject();
                    w.WriteString("type", "input_image");
                    w.WriteString("image_url", url);
                    w.WriteString("detail", part.ImageDetail ?? "auto");
                    w.WriteEndObject();
                }
                else
                {
                    WriteTextPart(w, "input_text", part.Text ?? string.Empty);
                }
            }

            w.WriteEndArray();
        });

    public static JsonElement FunctionCall(string callId, string name, string arguments)
        => Build(w =>
        {
            w.WriteString("type", "function_call");
            w.WriteString("call_id", callId);
            w.WriteString("name", name);
            w.WriteString("arguments", arguments);
        });

    public static JsonElement FunctionCallOutput(string callId, string output)
        => Build(w =>
        {
            w.WriteString("type", "function_call_output");
            w.WriteString("call_id", callId);
            w.WriteString("output", output);
        });

    private static void WriteTextPart(Utf8JsonWriter w, string partType, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", partType);
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    /// <summary>A JSON object written by <paramref name="body"/> (between its braces), as a standalone element.</summary>
    internal static JsonElement Build(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }
}
