using System.Globalization;

namespace CodexCompletionsApi.Bench;

/// <summary>What the benchmark runs.</summary>
internal enum BenchMode
{
    /// <summary>Direct and service paths, both service modes, at each concurrency level.</summary>
    Matrix,

    /// <summary>Many requests through the service at one concurrency, sampled over time.</summary>
    Endurance,

    /// <summary>Many slow streams held open at once through the service.</summary>
    OpenStreams,
}

/// <summary>The command line (see <see cref="Usage"/> and docs/performance.md).</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        codex-completions-api benchmark (docs/performance.md)

        usage: dotnet run --project bench/CodexCompletionsApi.Bench -c Release -- [mode] [options]

        modes (default: the matrix):
          --quick                  smoke run: concurrency 1,4, few requests
          --endurance N            N requests at concurrency 16 through the service, sampled over time
          --open-streams N         hold N slow streams open through the service

        matrix options:
          --concurrency LIST       concurrency levels (default 1,4,16,64; --quick 1,4)
          --requests N             measured requests per cell (default 600; --quick 40)
          --duration S             time cap per cell in seconds (default 40; --quick 10)
          --warmup N               warm-up requests per path and mode before the cells (default 300;
                                   --quick 100: fewer leaves the JIT's tier-up in the measured cells)
          --direct-only            measure only the direct path (the service still starts, for the launch check)

        direct worker experiments (docs/performance.md "Codex's own cost"):
          --direct-config K=V      append -c K=V to the direct worker only (repeatable; reported as a
                                   deliberate launch difference)
          --direct-env K=V         set K=V in the direct worker's environment only (repeatable)
          --direct-workers N       N direct app-servers, each with its own home (default 1)
          --direct-routing R       least-loaded (default) or round-robin across the direct workers

        scripted model:
          --deltas N               text deltas per reply (default 8)
          --delay-ms M             pause between deltas in ms (default 5)

        endurance options:
          --concurrency N          (default 16)
          --sample-every S         seconds between samples (default 5)
          --settle S               samples before S seconds are left out of the slopes (default 75:
                                   Codex unloads an unsubscribed thread about 60 s later)
          --cooldown S             keep sampling S seconds after the last request (default 0)

        open-streams options:
          --stream-delay-ms M      pause between deltas of each stream (default 500)
          --ramp-per-second R      streams opened per second (default 25)
          --window S               measurement window once all streams are open (default 10)

        general:
          --route chat|responses   the service endpoint: /v1/chat/completions (default) or /v1/responses
          --out PATH               JSON results (default /tmp/codex-completions-bench/<timestamp>-<mode>.json)
          --timeout S              per-request deadline in seconds (default 120)
          --service-dll PATH       the service build to run (default: the Release build beside this tool)
          --codex-bin PATH         the native codex binary (default: CODEX_BIN or the pinned package)
          --service-env K=V        extra environment for the service process (repeatable)
          --data-dir PATH          working directory for both Codex homes (default /tmp/codex-completions-bench/run-…)
          --keep-data              keep the data directory afterwards
          -h, --help               this text

        exit codes: 0 ok; 1 a reply was misdelivered; 2 bad arguments; 3 requests failed
        (matrix and endurance); 4 the benchmark could not start.
        """;

    public BenchMode Mode { get; private set; } = BenchMode.Matrix;

    public bool Quick { get; private set; }

    public IReadOnlyList<int> Concurrency { get; private set; } = [1, 4, 16, 64];

    public int Requests { get; private set; } = 600;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(40);

    public int Warmup { get; private set; } = 300;

    public int Deltas { get; private set; } = 8;

    public int DelayMs { get; private set; } = 5;

    public int EnduranceRequests { get; private set; }

    public TimeSpan SampleEvery { get; private set; } = TimeSpan.FromSeconds(5);

    public TimeSpan Settle { get; private set; } = TimeSpan.FromSeconds(75);

    public TimeSpan Cooldown { get; private set; } = TimeSpan.Zero;

    public int OpenStreams { get; private set; }

    public int StreamDelayMs { get; private set; } = 500;

    public double RampPerSecond { get; private set; } = 25;

    public TimeSpan Window { get; private set; } = TimeSpan.FromSeconds(10);

    public string? Out { get; private set; }

    /// <summary>The service endpoint the requests go to: <c>chat</c> or <c>responses</c>.</summary>
    public string Route { get; private set; } = "chat";

    public TimeSpan Timeout { get; private set; } = TimeSpan.FromSeconds(120);

    public string? ServiceDll { get; private set; }

    public string? CodexBinary { get; private set; }

    public IReadOnlyDictionary<string, string> ServiceEnvironment => _serviceEnvironment;

    public string? DataDirectory { get; private set; }

    public bool KeepData { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Matrix: run only the direct cells.</summary>
    public bool DirectOnly { get; private set; }

    /// <summary><c>-c key=value</c> entries appended to the direct worker's command line only.</summary>
    public IReadOnlyList<string> DirectConfig => _directConfig;

    /// <summary>Variables set in the direct worker's environment only.</summary>
    public IReadOnlyDictionary<string, string> DirectEnvironment => _directEnvironment;

    public int DirectWorkers { get; private set; } = 1;

    /// <summary><c>least-loaded</c> or <c>round-robin</c>.</summary>
    public string DirectRouting { get; private set; } = "least-loaded";

    private readonly Dictionary<string, string> _serviceEnvironment = new(StringComparer.Ordinal);
    private readonly List<string> _directConfig = [];
    private readonly Dictionary<string, string> _directEnvironment = new(StringComparer.Ordinal);

    /// <summary>Parses the arguments.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad value.</exception>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        var o = new BenchOptions();
        var explicitConcurrency = false;
        var explicitRequests = false;
        var explicitDuration = false;
        var explicitWarmup = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{arg} needs a value.");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    o.Help = true;
                    break;
                case "--quick":
                    o.Quick = true;
                    break;
                case "--route":
                    o.Route = Value();
                    if (o.Route is not ("chat" or "responses"))
                    {
                        throw new ArgumentException("--route is 'chat' or 'responses'.");
                    }

                    break;
                case "--endurance":
                    o.Mode = BenchMode.Endurance;
                    o.EnduranceRequests = PositiveInt(arg, Value());
                    break;
                case "--open-streams":
                    o.Mode = BenchMode.OpenStreams;
                    o.OpenStreams = PositiveInt(arg, Value());
                    break;
                case "--concurrency":
                    o.Concurrency = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => PositiveInt(arg, v))];
                    if (o.Concurrency.Count == 0)
                    {
                        throw new ArgumentException("--concurrency needs at least one level.");
                    }

                    explicitConcurrency = true;
                    break;
                case "--requests":
                    o.Requests = PositiveInt(arg, Value());
                    explicitRequests = true;
                    break;
                case "--duration":
                    o.Duration = Seconds(arg, Value());
                    explicitDuration = true;
                    break;
                case "--warmup":
                    o.Warmup = NonNegativeInt(arg, Value());
                    explicitWarmup = true;
                    break;
                case "--deltas":
                    o.Deltas = PositiveInt(arg, Value());
                    break;
                case "--delay-ms":
                    o.DelayMs = NonNegativeInt(arg, Value());
                    break;
                case "--sample-every":
                    o.SampleEvery = Seconds(arg, Value());
                    break;
                case "--settle":
                    o.Settle = TimeSpan.FromSeconds(NonNegativeInt(arg, Value()));
                    break;
                case "--cooldown":
                    o.Cooldown = TimeSpan.FromSeconds(NonNegativeInt(arg, Value()));
                    break;
                case "--stream-delay-ms":
                    o.StreamDelayMs = PositiveInt(arg, Value());
                    break;
                case "--ramp-per-second":
                    o.RampPerSecond = PositiveNumber(arg, Value());
                    break;
                case "--window":
                    o.Window = Seconds(arg, Value());
                    break;
                case "--out":
                    o.Out = Value();
                    break;
                case "--timeout":
                    o.Timeout = Seconds(arg, Value());
                    break;
                case "--service-dll":
                    o.ServiceDll = Value();
                    break;
                case "--codex-bin":
                    o.CodexBinary = Value();
                    break;
                case "--service-env":
                    var (key, value) = KeyValue(arg, Value());
                    o._serviceEnvironment[key] = value;
                    break;
                case "--direct-env":
                    var (envKey, envValue) = KeyValue(arg, Value());
                    o._directEnvironment[envKey] = envValue;
                    break;
                case "--direct-config":
                    var entry = Value();
                    _ = KeyValue(arg, entry);
                    o._directConfig.Add(entry);
                    break;
                case "--direct-only":
                    o.DirectOnly = true;
                    break;
                case "--direct-workers":
                    o.DirectWorkers = PositiveInt(arg, Value());
                    break;
                case "--direct-routing":
                    o.DirectRouting = Value();
                    if (o.DirectRouting is not ("least-loaded" or "round-robin"))
                    {
                        throw new ArgumentException("--direct-routing is 'least-loaded' or 'round-robin'.");
                    }

                    break;
                case "--data-dir":
                    o.DataDirectory = Value();
                    break;
                case "--keep-data":
                    o.KeepData = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown argument '{arg}' (try --help).");
            }
        }

        if (o.Quick && o.Mode == BenchMode.Matrix)
        {
            o.Concurrency = explicitConcurrency ? o.Concurrency : [1, 4];
            o.Requests = explicitRequests ? o.Requests : 40;
            o.Duration = explicitDuration ? o.Duration : TimeSpan.FromSeconds(10);
            o.Warmup = explicitWarmup ? o.Warmup : 100;
        }

        if (o.Mode == BenchMode.Endurance && !explicitConcurrency)
        {
            o.Concurrency = [16];
        }

        if (o.Mode == BenchMode.Endurance && o.Concurrency.Count != 1)
        {
            throw new ArgumentException("--endurance runs at one concurrency level.");
        }

        return o;
    }

    private static (string Key, string Value) KeyValue(string name, string pair)
    {
        var eq = pair.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 ? (pair[..eq], pair[(eq + 1)..]) : throw new ArgumentException($"{name} expects KEY=VALUE, not '{pair}'.");
    }

    private static int PositiveInt(string name, string value)
    {
        var parsed = NonNegativeInt(name, value);
        return parsed > 0 ? parsed : throw new ArgumentException($"{name} must be positive, not '{value}'.");
    }

    private static int NonNegativeInt(string name, string value)
        => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new ArgumentException($"{name} expects a non-negative whole number, not '{value}'.");

    private static TimeSpan Seconds(string name, string value) => TimeSpan.FromSeconds(PositiveNumber(name, value));

    private static double PositiveNumber(string name, string value)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && parsed > 0 && double.IsFinite(parsed)
            ? parsed
            : throw new ArgumentException($"{name} expects a positive number, not '{value}'.");
}
