using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>
/// A Kestrel server that answers <c>POST /v1/responses</c> like the OpenAI Responses API (streaming SSE), with the
/// behaviour chosen per request by a <c>SCRIPT:{…}</c> directive (see README.md). Point Codex's <c>base_url</c> at <see cref="BaseUrl"/>.
/// </summary>
public sealed class ScriptedModelServer : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly TimeProvider _timeProvider;
    private readonly RequestRecorder _recorder;
    private readonly CancellationTokenSource _stopping;
    private int _disposed;

    private ScriptedModelServer(WebApplication app, TimeProvider timeProvider, RequestRecorder recorder, CancellationTokenSource stopping, Uri baseUrl, int port)
    {
        _app = app;
        _timeProvider = timeProvider;
        _recorder = recorder;
        _stopping = stopping;
        BaseUrl = baseUrl;
        Port = port;
    }

    /// <summary>The OpenAI base URL, e.g. <c>http://127.0.0.1:39211/v1</c> (no trailing slash, as Codex's <c>base_url</c> wants it).</summary>
    public Uri BaseUrl { get; }

    /// <summary><c>{BaseUrl}/responses</c>.</summary>
    public Uri ResponsesUrl => new(BaseUrl + "/responses");

    public int Port { get; }

    /// <summary>A snapshot of the recorded requests, oldest first (empty when <see cref="ScriptedModelOptions.RecordRequests"/> is off).</summary>
    public IReadOnlyList<RecordedRequest> Requests => _recorder.Snapshot();

    public static async Task<ScriptedModelServer> StartAsync(ScriptedModelOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ScriptedModelOptions();
        options.Validate();
        var address = ParseHost(options.Host);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ScriptedModelServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Listen(address, options.Port, listen => listen.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var recorder = new RequestRecorder(options);
        var stopping = new CancellationTokenSource();
        var handler = new ScriptedModelHandler(options, recorder, stopping.Token);
        app.Run(handler.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            stopping.Dispose();
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var port = new Uri(bound).Port;
        var host = IPAddress.Any.Equals(address) ? "127.0.0.1" : IPAddress.IPv6Any.Equals(address) ? "[::1]" : new Uri(bound).Host;
        return new ScriptedModelServer(app, options.TimeProvider, recorder, stopping, new Uri($"http://{host}:{port}/v1"), port);
    }

    public void ClearRequests() => _recorder.Clear();

    /// <summary>Waits for the first recorded request (oldest first, including those already recorded) that matches.</summary>
    /// <exception cref="TimeoutException">None matched within <paramref name="timeout"/>.</exception>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _recorder.WaitAsync(predicate, timeout, "matching request", cancellationToken);

    /// <summary>Waits until request number <paramref name="sequence"/> has an outcome (it may not have arrived yet).</summary>
    /// <exception cref="TimeoutException">It did not finish within <paramref name="timeout"/>.</exception>
    public Task<RecordedRequest> WaitForOutcomeAsync(int sequence, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _recorder.WaitAsync(
            r => r.Sequence == sequence && r.Outcome != RequestOutcome.Pending,
            timeout,
            $"outcome for request #{sequence}",
            cancellationToken);

    /// <summary>Ends stalled and paced streams (their connections are aborted) and stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync();
        using (var timeout = new CancellationTokenSource(StopTimeout, _timeProvider))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private static IPAddress ParseHost(string host) =>
        host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "+" => IPAddress.Any,
            _ when IPAddress.TryParse(host.Trim('[', ']'), out var ip) => ip,
            _ => throw new ArgumentException($"Host must be an IP address or 'localhost', not '{host}'.", nameof(host)),
        };
}
