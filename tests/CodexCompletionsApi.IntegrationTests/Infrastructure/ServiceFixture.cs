using System.Net.Http.Headers;
using CodexCompletionsApi.Backend.AppServer;
using CodexCompletionsApi.ScriptedModel;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

/// <summary>
/// The service with a real, pinned Codex worker pointed at the project's scripted model on
/// 127.0.0.1. One instance per test class (xunit class fixture); each gets its own data directory
/// and so its own CODEX_HOME. <see cref="Client"/> checks every streamed response against the wire
/// contract (<see cref="WireInvariantHandler"/>); subclasses change settings in <see cref="ConfigureService"/>.
/// </summary>
public class ServiceFixture : IAsyncLifetime
{
    /// <summary>The API key every fixture enables, through the real PROXY_API_KEY variable.</summary>
    public const string ApiKey = "sk-fixture-proxy-key-3f9c2a";

    private WebApplicationFactory<CodexCompletionsApi.Configuration.ProxyOptions>? _factory;
    private Uri? _realAddress;

    public ScriptedModelServer Model { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "cca-it-" + Guid.NewGuid().ToString("N")[..12]);

    public IServiceProvider Services => _factory!.Services;

    internal AppServerSupervisor Supervisor => Services.GetRequiredService<AppServerSupervisor>();

    public const string UpstreamKey = "sk-upstream-fixture-key";

    public virtual async ValueTask InitializeAsync()
    {
        Model = await ScriptedModelServer.StartAsync(new ScriptedModelOptions());
        Directory.CreateDirectory(DataDirectory);
        _factory = new WebApplicationFactory<CodexCompletionsApi.Configuration.ProxyOptions>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Proxy:DataDirectory", DataDirectory);
            builder.UseSetting("Upstream:BaseUrl", Model.BaseUrl.ToString());
            builder.UseSetting("Upstream:ApiKey", UpstreamKey);
            builder.UseSetting("AppServer:RestartInitialDelay", "00:00:00.100");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            if (RealSockets)
            {
                builder.UseSetting("Proxy:Port", "0"); // a free port, so the fixture never meets a running service
            }

            ConfigureService(builder);
        });
        if (RealSockets)
        {
            _factory.UseKestrel();
            _factory.StartServer();
            var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            _realAddress = new Uri(addresses.Single());
        }

        Client = CreateClient();
        await Supervisor.FirstReady.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// A new client for the service. With <paramref name="checkWireInvariants"/> (the default, and how
    /// <see cref="Client"/> is made) every <c>text/event-stream</c> response is buffered and checked by
    /// <see cref="WireInvariantHandler"/>; without it the body streams, for tests that act mid-stream.
    /// <paramref name="apiKey"/> <see langword="null"/> sends no Authorization header. The caller disposes it.
    /// </summary>
    public HttpClient CreateClient(bool checkWireInvariants = true, string? apiKey = ApiKey)
    {
        var client = checkWireInvariants ? _factory!.CreateDefaultClient(new WireInvariantHandler()) : _factory!.CreateDefaultClient();
        if (_realAddress is not null)
        {
            client.BaseAddress = _realAddress;
        }

        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>
    /// Whether the service listens on a real loopback socket through Kestrel (and its clients connect
    /// to it) instead of the in-memory test server, so the socket transport's settings are exercised.
    /// </summary>
    protected virtual bool RealSockets => false;

    /// <summary>Settings of a fixture subclass; applied after (and so overriding) the defaults above.</summary>
    protected virtual void ConfigureService(IWebHostBuilder builder)
    {
    }

    private async Task TeardownAsync(string what, Func<ValueTask>? dispose)
    {
        if (dispose is null)
        {
            return;
        }

        try
        {
            await dispose();
        }
        catch (Exception ex)
        {
            await Console.Error.WriteLineAsync($"[{GetType().Name}] disposing the {what} failed: {ex}");
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        Client?.Dispose();

        // Teardown of a class's host and model must not turn a passed class red, but it must not be
        // silent either: a failure is written to stderr with its type. (Seen once in a full run, as a
        // class-cleanup failure of ResponsesTests; shutdown itself is asserted by ShutdownTests.)
        await TeardownAsync("service host", _factory is null ? null : _factory.DisposeAsync);
        await TeardownAsync("scripted model", Model is null ? null : Model.DisposeAsync);

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }

        GC.SuppressFinalize(this);
    }
}
