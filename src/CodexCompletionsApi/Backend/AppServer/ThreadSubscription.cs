using System.Threading.Channels;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>The messages of one Codex thread, in arrival order, until disposed.</summary>
internal sealed class ThreadSubscription(JsonRpcConnection connection, string threadId, ChannelReader<IncomingMessage> reader) : IDisposable
{
    public string ThreadId { get; } = threadId;

    public ChannelReader<IncomingMessage> Reader { get; } = reader;

    public void Dispose() => connection.Unsubscribe(ThreadId);
}
