using System.Globalization;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>Command line of the scripted model executable.</summary>
internal static class CommandLine
{
    public const string Usage = """
        usage: CodexCompletionsApi.ScriptedModel [options]
          --port N          TCP port (default 0: ephemeral)
          --host ADDR       IP address to listen on (default 127.0.0.1)
          --deltas N        default number of text deltas (default 4)
          --delay-ms N      default pause between deltas in ms (default 0)
          --no-record       do not record requests (for benchmarks)
          --max-recorded N  recorded requests kept (default 10000)
          --help            show this text
        """;

    /// <returns>The options, or <see langword="null"/> options with a null error for <c>--help</c>.</returns>
    public static (ScriptedModelOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new ScriptedModelOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "--help" or "-h":
                    return (null, null);
                case "--no-record":
                    options = options with { RecordRequests = false };
                    break;
                case "--host":
                    if (Value(out var host) is { } hostError)
                    {
                        return (null, hostError);
                    }

                    options = options with { Host = host };
                    break;
                case "--port" or "--deltas" or "--delay-ms" or "--max-recorded":
                    if (Value(out var text) is { } valueError)
                    {
                        return (null, valueError);
                    }

                    var (min, max) = arg switch
                    {
                        "--port" => (0, 65535),
                        "--deltas" => (1, 100_000),
                        "--max-recorded" => (1, int.MaxValue),
                        _ => (0, 600_000),
                    };
                    if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
                    {
                        return (null, $"{arg} needs an integer from {min} to {max}, not '{text}'.");
                    }

                    options = arg switch
                    {
                        "--port" => options with { Port = n },
                        "--deltas" => options with { DefaultDeltas = n },
                        "--max-recorded" => options with { MaxRecorded = n },
                        _ => options with { DefaultDelayMs = n },
                    };
                    break;
                default:
                    return (null, $"unknown argument '{args[i]}'.");
            }

            string? Value(out string value)
            {
                if (inlineValue is not null)
                {
                    value = inlineValue;
                    return null;
                }

                if (i + 1 < args.Count)
                {
                    value = args[++i];
                    return null;
                }

                value = "";
                return $"{arg} needs a value.";
            }
        }

        return (options, null);
    }
}
