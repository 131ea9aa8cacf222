using System.Text.Json;
using System.Text.Json.Serialization;

namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary>Writes a <see cref="UsageSlot"/> as its value or <c>null</c>; never read.</summary>
public sealed class UsageSlotConverter : JsonConverter<UsageSlot>
{
    public override UsageSlot Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => throw new NotSupportedException("UsageSlot is written only.");

    public override void Write(Utf8JsonWriter writer, UsageSlot value, JsonSerializerOptions options)
    {
        if (value.Value is null)
        {
            writer.WriteNullValue();
            return;
        }

        JsonSerializer.Serialize(writer, value.Value, OpenAIJsonContext.Web.ChatUsage);
    }
}
