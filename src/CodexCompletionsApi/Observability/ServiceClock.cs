namespace CodexCompletionsApi.Observability;

/// <summary>When the service started, for uptime.</summary>
public sealed class ServiceClock(TimeProvider timeProvider)
{
    public DateTimeOffset StartedAt { get; } = timeProvider.GetUtcNow();
}
