using System.Runtime.CompilerServices;

// WebApplicationFactory finds the host of a top-level program through a process-wide diagnostic
// hook; creating several factories at once can hand one factory another's host. Each class
// starts its own real worker anyway, so the classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

internal static class AssemblySetup
{
    /// <summary>
    /// Process environment for every test host, set before any of them starts: the API key goes
    /// through the real PROXY_API_KEY alias, and a host secret lets the worker-environment test
    /// prove that nothing of the service's environment leaks into the child.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("PROXY_API_KEY", ServiceFixture.ApiKey);
        Environment.SetEnvironmentVariable("PROXY_TEST_HOST_SECRET", "host-secret-value-7d1e");
    }
}
