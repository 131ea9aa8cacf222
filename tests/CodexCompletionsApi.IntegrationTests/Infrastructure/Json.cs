using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

internal static class Json
{
    public static StringContent Raw(string json, string contentType = "application/json") => new(json, Encoding.UTF8, contentType);

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public static StringContent Chat(string model, params (string Role, string Content)[] messages)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray([.. messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]),
        };
        return Raw(body.ToJsonString());
    }

    public static Task<HttpResponseMessage> PostChatAsync(this HttpClient client, string userMessage, CancellationToken cancellationToken, string model = "gpt-5.5")
        => client.PostAsync("/v1/chat/completions", Chat(model, ("user", userMessage)), cancellationToken);
}
