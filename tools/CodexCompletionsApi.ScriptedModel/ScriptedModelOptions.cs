namespace CodexCompletionsApi.ScriptedModel;

/// <summary>
/// Server-wide settings of the scripted model. A <c>SCRIPT:</c> directive overrides the per-response defaults.
/// </summary>
public sealed record ScriptedModelOptions
{
    /// <summary>TCP port to listen on.</summary>
    /// <value>The default value is 0: an ephemeral port chosen by the OS (read it from <see cref="ScriptedModelServer.Port"/>).</value>
    public int Port { get; init; }

    /// <summary>IP address (or <c>localhost</c>) to listen on.</summary>
    /// <value>The default value is <c>127.0.0.1</c>.</value>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Number of deltas a text is split into when the directive has no <c>deltas</c>.</summary>
    /// <value>The default value is 4.</value>
    public int DefaultDeltas { get; init; } = 4;

    /// <summary>Pause between two deltas, in milliseconds, when the directive has no <c>delay_ms</c>.</summary>
    /// <value>The default value is 0.</value>
    public int DefaultDelayMs { get; init; }

    /// <summary>Whether requests are recorded (see <see cref="ScriptedModelServer.Requests"/>).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool RecordRequests { get; init; } = true;

    /// <summary>How many recorded requests are kept; the oldest are dropped first.</summary>
    /// <value>The default value is 10,000.</value>
    public int MaxRecorded { get; init; } = 10_000;

    /// <summary>Clock for pacing delays and timestamps.</summary>
    /// <value>The default value is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65535);
        ArgumentException.ThrowIfNullOrWhiteSpace(Host);
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultDeltas, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(DefaultDelayMs);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecorded, 1);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
