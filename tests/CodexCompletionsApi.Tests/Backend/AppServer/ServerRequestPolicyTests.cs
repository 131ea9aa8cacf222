using System.Buffers;
using System.Text;
using System.Text.Json;
using CodexCompletionsApi.Backend.AppServer;
using Microsoft.Extensions.Time.Testing;

namespace CodexCompletionsApi.Tests.Backend.AppServer;

public sealed class ServerRequestPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static ServerRequestAnswer Answer(string method)
    {
        using var document = JsonDocument.Parse("""{"threadId":"thr_1","turnId":"t","itemId":"i"}""");
        var request = new IncomingMessage(method, document.RootElement.Clone(), JsonSerializer.SerializeToElement(1));
        return ServerRequestPolicy.Answer(request, new FakeTimeProvider(Now));
    }

    private static string ResultJson(ServerRequestAnswer answer)
    {
        Assert.False(answer.IsError);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            answer.WriteResult!(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData("item/commandExecution/requestApproval", """{"decision":"decline"}""")]
    [InlineData("item/fileChange/requestApproval", """{"decision":"decline"}""")]
    [InlineData("applyPatchApproval", """{"decision":"denied"}""")]
    [InlineData("execCommandApproval", """{"decision":"denied"}""")]
    [InlineData("item/tool/requestUserInput", """{"answers":{}}""")]
    [InlineData("mcpServer/elicitation/request", """{"action":"decline"}""")]
    public void Answer_KnownRequest_ReturnsDecliningResult(string method, string expectedJson)
    {
        // Arrange / Act
        var answer = Answer(method);

        // Assert
        Assert.Equal(expectedJson, ResultJson(answer));
    }

    [Fact]
    public void Answer_DynamicToolCall_ReturnsUnsuccessfulToolResult()
    {
        // Arrange / Act
        var answer = Answer("item/tool/call");

        // Assert
        using var document = JsonDocument.Parse(ResultJson(answer));
        var root = document.RootElement;
        Assert.False(root.GetProperty("success").GetBoolean());
        var item = Assert.Single(root.GetProperty("contentItems").EnumerateArray());
        Assert.Equal("inputText", item.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(item.GetProperty("text").GetString()));
    }

    [Fact]
    public void Answer_CurrentTimeRead_UsesTimeProvider()
    {
        // Arrange / Act
        var answer = Answer("currentTime/read");

        // Assert
        Assert.Equal($$"""{"currentTimeAt":{{Now.ToUnixTimeSeconds()}}}""", ResultJson(answer));
    }

    [Theory]
    [InlineData("attestation/generate")]
    [InlineData("some/unknown/method")]
    public void Answer_UnknownMethod_ReturnsMethodNotFoundError(string method)
    {
        // Arrange / Act
        var answer = Answer(method);

        // Assert
        Assert.True(answer.IsError);
        Assert.Null(answer.WriteResult);
        Assert.Equal(-32601, answer.ErrorCode);
        Assert.Contains(method, answer.ErrorMessage, StringComparison.Ordinal);
    }
}
