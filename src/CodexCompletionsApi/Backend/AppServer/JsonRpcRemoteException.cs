using System.Text.Json;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>A JSON-RPC error response from the app-server.</summary>
internal sealed class JsonRpcRemoteException(string method, int code, string message, JsonElement? data)
    : Exception($"{method} failed: {message} (code {code})")
{
    public string Method { get; } = method;

    public int Code { get; } = code;

    public string RemoteMessage { get; } = message;

    public JsonElement? ErrorData { get; } = data;
}
