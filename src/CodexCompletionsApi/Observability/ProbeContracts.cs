using System.Text.Json.Serialization;
using CodexCompletionsApi.Backend.AppServer;

namespace CodexCompletionsApi.Observability;

internal sealed record LiveResponse(string Status);

internal sealed record ReadyResponse(string Status, string? Reason);

internal sealed record HealthResponse(
    string Status,
    WorkerHealth Worker,
    double UptimeSeconds,
    string PinnedCliVersion);

internal sealed record WorkerHealth(
    string State,
    int? Pid,
    int Restarts,
    int Recycles,
    int Retiring,
    bool CrashLoop,
    int RecentExits,
    string? CliVersion,
    DateTimeOffset? ReadySince,
    DateTimeOffset? NextStartAt,
    int? LastExitCode,
    string? LastError)
{
    /// <summary>Threads the worker holds in memory, only with <c>/healthz?loaded_threads=true</c> (one JSON-RPC round trip).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? LoadedThreads { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(LiveResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(HealthResponse))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
