using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Infrastructure;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// A real client loop: Microsoft.Extensions.AI's function-invoking chat client over the OpenAI .NET SDK
/// completes a two-step tool conversation (the model calls a tool, the client runs it and sends the
/// result, the model answers), streaming and not, against the real CLI.
/// </summary>
public sealed class FunctionInvokingClientTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IChatClient CreateClient()
    {
        var http = service.CreateClient();
        http.DefaultRequestHeaders.Add("x-proxy-output-mode", "openai-json");
        var options = new OpenAIClientOptions { Endpoint = new Uri(http.BaseAddress!, "/v1"), Transport = new HttpClientPipelineTransport(http) };
        var chat = new OpenAI.Chat.ChatClient(Requests.Model, new ApiKeyCredential(ServiceFixture.ApiKey), options).AsIChatClient();
        return new ChatClientBuilder(chat).UseFunctionInvocation().Build();
    }

    private static string Directive() => ScriptDirective.ToolCalls(
        [new ScriptedToolCall("get_weather", new JsonObject { ["city"] = "Paris" })],
        text: null,
        afterToolText: null);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FunctionInvokingClient_TwoStepToolConversation_Completes(bool stream)
    {
        var marker = Requests.Marker();
        var invoked = new List<string>();
        var tool = AIFunctionFactory.Create((string city) =>
        {
            invoked.Add(city);
            return $"21C and sunny in {city}";
        }, "get_weather", "Gets the weather for a city");
        using var client = CreateClient();
        var options = new ChatOptions { Tools = [tool] };
        var messages = new List<ChatMessage> { new(ChatRole.User, $"Weather in Paris? {marker} {Directive()}") };

        string text;
        if (stream)
        {
            var updates = new List<ChatResponseUpdate>();
            await foreach (var update in client.GetStreamingResponseAsync(messages, options, Ct))
            {
                updates.Add(update);
            }

            text = updates.ToChatResponse().Text;
        }
        else
        {
            text = (await client.GetResponseAsync(messages, options, Ct)).Text;
        }

        Assert.Equal(["Paris"], invoked);
        Assert.Contains("21C and sunny in Paris", text, StringComparison.Ordinal);
        var requests = service.Model.Requests.Where(r => r.Body.Contains(marker, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, requests.Count);
        var last = requests[1].Json!.Value.GetProperty("input").EnumerateArray().Last();
        Assert.Equal("function_call_output", last.GetProperty("type").GetString());
    }
}
