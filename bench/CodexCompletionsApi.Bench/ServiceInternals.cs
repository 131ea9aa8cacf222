using System.Reflection;
using CodexCompletionsApi.Configuration;

namespace CodexCompletionsApi.Bench;

/// <summary>The worker launch the service would make: binary, arguments, environment, directory.</summary>
internal sealed record LaunchPlan(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory);

/// <summary>
/// Asks the service assembly itself how it launches and greets its Codex worker, so the direct
/// driver's <c>codex app-server</c> runs with exactly the same flags, environment and handshake:
/// <c>AppServerLaunch.Create</c>, <c>CodexBinary.Resolve</c> and <c>CodexMethods.OptOutNotifications</c>
/// are internal, and src/ is not changed for the benchmark, so they are reached by reflection.
/// A renamed member fails loudly here instead of silently drifting from the service.
/// </summary>
internal static class ServiceInternals
{
    private const string AppServerNamespace = "CodexCompletionsApi.Backend.AppServer";

    private static readonly Assembly ServiceAssembly = typeof(ProxyOptions).Assembly;

    /// <summary><c>CodexBinary.Resolve(configured, searchRoots)</c>.</summary>
    public static string? ResolveCodexBinary(string? configured, IEnumerable<string> searchRoots)
    {
        var method = StaticMethod($"{AppServerNamespace}.CodexBinary", "Resolve", typeof(string), typeof(IEnumerable<string>));
        return (string?)Invoke(method, configured, searchRoots);
    }

    /// <summary><c>AppServerLaunch.Create(…)</c>, unpacked from the internal plan record.</summary>
    public static LaunchPlan CreateLaunchPlan(
        string codexBinary,
        AppServerOptions options,
        UpstreamOptions upstream,
        string codexHome,
        string workingDirectory,
        string catalogPath,
        string defaultModel,
        IReadOnlyDictionary<string, string> hostEnvironment)
    {
        var method = StaticMethod(
            $"{AppServerNamespace}.AppServerLaunch",
            "Create",
            typeof(string), typeof(AppServerOptions), typeof(UpstreamOptions), typeof(string), typeof(string), typeof(string), typeof(string), typeof(IReadOnlyDictionary<string, string>));
        var plan = Invoke(method, codexBinary, options, upstream, codexHome, workingDirectory, catalogPath, defaultModel, hostEnvironment)
            ?? throw Drift("AppServerLaunch.Create returned null");
        return new LaunchPlan(
            Property<string>(plan, "FileName"),
            Property<IReadOnlyList<string>>(plan, "Arguments"),
            Property<IReadOnlyDictionary<string, string>>(plan, "Environment"),
            Property<string>(plan, "WorkingDirectory"));
    }

    /// <summary><c>CodexMethods.OptOutNotifications</c>: what the service's <c>initialize</c> opts out of.</summary>
    public static IReadOnlyList<string> OptOutNotifications()
    {
        var type = ServiceType($"{AppServerNamespace}.Protocol.CodexMethods");
        var field = type.GetField("OptOutNotifications", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw Drift("CodexMethods.OptOutNotifications is gone");
        return field.GetValue(null) as IReadOnlyList<string> ?? throw Drift("CodexMethods.OptOutNotifications changed type");
    }

    /// <summary>Whether the service assembly was compiled with optimizations (a Release build).</summary>
    public static bool ServiceIsOptimized()
        => ServiceAssembly.GetCustomAttribute<System.Diagnostics.DebuggableAttribute>() is not { IsJITOptimizerDisabled: true };

    private static Type ServiceType(string fullName)
        => ServiceAssembly.GetType(fullName, throwOnError: false) ?? throw Drift($"type {fullName} is gone");

    private static MethodInfo StaticMethod(string typeName, string name, params Type[] parameters)
        => ServiceType(typeName).GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, parameters)
           ?? throw Drift($"{typeName}.{name}({string.Join(", ", parameters.Select(p => p.Name))}) is gone");

    private static object? Invoke(MethodInfo method, params object?[] arguments)
    {
        try
        {
            return method.Invoke(null, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private static T Property<T>(object instance, string name)
        => instance.GetType().GetProperty(name)?.GetValue(instance) is T value ? value : throw Drift($"the launch plan's {name} is gone or changed type");

    private static InvalidOperationException Drift(string what)
        => new($"The benchmark mirrors the service's worker launch by reflection, and {what}. Update bench/CodexCompletionsApi.Bench/ServiceInternals.cs to match src/CodexCompletionsApi/Backend/AppServer.");
}
