namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>Everything needed to start one worker process: binary, arguments, environment, directory.</summary>
internal sealed record AppServerLaunchPlan(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory);
