using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.Backend.AppServer.Protocol;
using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Observability;

/// <summary>
/// Probes and metrics, unauthenticated so orchestrators can reach them:
/// <c>/livez</c> (the service and its supervisor loop are alive), <c>/readyz</c> (the worker finished
/// its handshake and its process is alive), <c>/healthz</c> (details), <c>/metrics</c> (Prometheus).
/// All read cached state: no JSON-RPC round trip per probe, except <c>/healthz?loaded_threads=true</c>,
/// which asks the worker how many threads it holds (<c>thread/loaded/list</c>, for capacity checks and the
/// benchmark's endurance run).
/// </summary>
public static class ObservabilityEndpoints
{
    public static IEndpointRouteBuilder MapObservabilityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/livez", Live);
        app.MapGet("/readyz", Ready);
        app.MapGet("/healthz", Health);
        app.MapGet("/metrics", (PrometheusExporter exporter) => TypedResults.Text(exporter.Scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        _ = app.ServiceProvider.GetRequiredService<ServiceClock>(); // uptime counts from startup
        _ = app.ServiceProvider.GetRequiredService<PrometheusExporter>(); // listen before the worker starts
        return app;
    }

    private static IResult Live(HttpContext context, AppServerSupervisor supervisor)
    {
        NoCache(context);
        var loop = supervisor.ExecuteTask;
        var alive = loop is null || !loop.IsCompleted || supervisor.Status.State is WorkerState.Stopping or WorkerState.Stopped;
        return alive
            ? TypedResults.Json(new LiveResponse("ok"), ProbeJsonContext.Default.LiveResponse)
            : TypedResults.Json(new LiveResponse("supervisor_stopped"), ProbeJsonContext.Default.LiveResponse, statusCode: 503);
    }

    private static IResult Ready(HttpContext context, AppServerSupervisor supervisor)
    {
        NoCache(context);
        var status = supervisor.Status;
        if (status.State == WorkerState.Ready)
        {
            return TypedResults.Json(new ReadyResponse("ready", null), ProbeJsonContext.Default.ReadyResponse);
        }

        var reason = status.State switch
        {
            WorkerState.Starting => "worker_starting",
            WorkerState.Restarting when status.CrashLoop => "worker_crash_loop",
            WorkerState.Restarting => "worker_restarting",
            WorkerState.Stopping => "shutting_down",
            _ => "worker_stopped",
        };
        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Json(new ReadyResponse("not_ready", reason), ProbeJsonContext.Default.ReadyResponse, statusCode: 503);
    }

    private static async Task<IResult> Health(HttpContext context, AppServerSupervisor supervisor, TimeProvider timeProvider, ServiceClock clock)
    {
        NoCache(context);
        var s = supervisor.Status;
        var worker = new WorkerHealth(
            s.State.ToString().ToLowerInvariant(), s.Pid, s.Restarts, s.Recycles, supervisor.RetiringWorkers, s.CrashLoop, s.RecentExits, s.CliVersion,
            s.ReadySince, s.NextStartAt, s.LastExitCode, s.LastError)
        {
            LoadedThreads = context.Request.Query["loaded_threads"] == "true" ? await LoadedThreadsAsync(supervisor, context.RequestAborted) : null,
        };
        var status = s.State == WorkerState.Ready ? "ok" : "degraded";
        var body = new HealthResponse(status, worker, (timeProvider.GetUtcNow() - clock.StartedAt).TotalSeconds, AppServerOptions.PinnedVersion);
        return TypedResults.Json(body, ProbeJsonContext.Default.HealthResponse, statusCode: s.State == WorkerState.Ready ? 200 : 503);
    }

    /// <summary>The worker's loaded threads, or -1 when it cannot say (not ready, or no answer within 2 s).</summary>
    private static async Task<int> LoadedThreadsAsync(AppServerSupervisor supervisor, CancellationToken cancellationToken)
    {
        if (supervisor.CurrentConnection is not { } connection || supervisor.Status.State != WorkerState.Ready)
        {
            return -1;
        }

        try
        {
            var result = await connection.CallRawAsync(CodexMethods.ThreadLoadedList, new EmptyResult(), CodexJsonContext.Default.EmptyResult, TimeSpan.FromSeconds(2), cancellationToken);
            return result.TryGetProperty("data", out var data) && data.ValueKind == System.Text.Json.JsonValueKind.Array ? data.GetArrayLength() : -1;
        }
        catch (BackendException)
        {
            return -1;
        }
    }

    private static void NoCache(HttpContext context) => context.Response.Headers.CacheControl = "no-store, no-cache";
}
