using System.Runtime.InteropServices;
using CodexCompletionsApi.ScriptedModel;

var (options, error) = CommandLine.Parse(args);
if (options is null)
{
    if (error is not null)
    {
        await Console.Error.WriteLineAsync("error: " + error);
    }

    await (error is null ? Console.Out : Console.Error).WriteLineAsync(CommandLine.Usage);
    return error is null ? 0 : 2;
}

var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
await using (var server = await ScriptedModelServer.StartAsync(options))
{
    // Scripts wait for this exact line.
    await Console.Out.WriteLineAsync($"scripted model listening on {server.BaseUrl}");
    await Console.Out.FlushAsync();
    await stop.Task;
}

return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.TrySetResult();
}
