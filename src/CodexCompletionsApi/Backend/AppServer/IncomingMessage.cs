using System.Text.Json;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>
/// A notification or a server→client request read from the app-server.
/// <see cref="RequestId"/> is set for requests, which must be answered.
/// </summary>
internal sealed record IncomingMessage(string Method, JsonElement Params, JsonElement? RequestId)
{
    public bool IsRequest => RequestId is not null;
}
