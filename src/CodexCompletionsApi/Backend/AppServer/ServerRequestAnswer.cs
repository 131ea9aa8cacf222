using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>The answer to a server→client request: a result writer or a JSON-RPC error.</summary>
internal sealed class ServerRequestAnswer
{
    private ServerRequestAnswer(Action<Utf8JsonWriter>? writeResult, int errorCode, string? errorMessage)
    {
        WriteResult = writeResult;
        ErrorCode = errorCode;
        ErrorMessage = errorMessage;
    }

    public Action<Utf8JsonWriter>? WriteResult { get; }

    public int ErrorCode { get; }

    public string? ErrorMessage { get; }

    public bool IsError => WriteResult is null;

    public static ServerRequestAnswer Result<T>(T value, JsonTypeInfo<T> type)
        => new(writer => JsonSerializer.Serialize(writer, value, type), 0, null);

    public static ServerRequestAnswer Error(int code, string message) => new(null, code, message);
}
