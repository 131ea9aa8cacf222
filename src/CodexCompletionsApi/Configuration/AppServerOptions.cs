using System.ComponentModel.DataAnnotations;

namespace CodexCompletionsApi.Configuration;

/// <summary>How the Codex <c>app-server</c> worker is found, launched, supervised and stopped.</summary>
public sealed class AppServerOptions
{
    public const string SectionName = "AppServer";

    /// <summary>The Codex CLI version this build is tested with; the worker refuses others unless allowed.</summary>
    public const string PinnedVersion = "0.169.0";

    /// <summary>
    /// Path of the native <c>codex</c> binary (<c>CODEX_BIN</c>). When empty, the binary inside the
    /// pinned npm package (<c>codex-cli/node_modules/@openai/codex-&lt;platform&gt;</c>) is used, searched
    /// from the application directory and the working directory upwards.
    /// </summary>
    /// <value>The default value is empty.</value>
    public string? CodexBinary { get; set; }

    /// <summary>
    /// Start even when <c>codex --version</c> is not <see cref="PinnedVersion"/>
    /// (<c>PROXY_ALLOW_CODEX_VERSION_MISMATCH</c>). Logged as a warning at every start.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowVersionMismatch { get; set; }

    /// <summary>
    /// Codex's own home (<c>PROXY_CODEX_HOME</c>): login, databases, generated model catalog.
    /// Persistent and dedicated to the service. Relative paths resolve against the data directory.
    /// </summary>
    /// <value>The default value is <c>.codex-api</c> in the data directory.</value>
    [Required]
    public string CodexHome { get; set; } = ".codex-api";

    /// <summary>Deadline for the <c>initialize</c> handshake of a new worker.</summary>
    /// <value>The default value is 20 seconds.</value>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Default deadline for one JSON-RPC call (<c>thread/start</c>, <c>turn/start</c>, ...).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First restart delay after the worker exits; doubles per consecutive failure (with jitter).</summary>
    /// <value>The default value is 250 milliseconds.</value>
    public TimeSpan RestartInitialDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Cap of the restart delay (<c>PROXY_WORKER_RESTART_MAX_MS</c>).</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RestartMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sliding window for crash-loop detection.</summary>
    /// <value>The default value is 2 minutes.</value>
    public TimeSpan CrashLoopWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Exits within <see cref="CrashLoopWindow"/> that count as a crash loop.</summary>
    /// <value>The default value is 5.</value>
    [Range(1, 1000)]
    public int CrashLoopThreshold { get; set; } = 5;

    /// <summary>
    /// A worker that stayed ready this long resets the backoff to <see cref="RestartInitialDelay"/>.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan StableAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>On shutdown, how long in-flight turns may finish before they are interrupted (<c>PROXY_SHUTDOWN_DRAIN_MS</c>).</summary>
    /// <value>The default value is 15 seconds.</value>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Turns after which the worker is replaced (<c>PROXY_WORKER_RECYCLE_TURNS</c>): a new worker is
    /// started beside it and takes every new turn once its handshake is done; the old one finishes its
    /// turns (each bounded by its own deadlines) and is then stopped. Codex 0.169.0's memory grows
    /// about 1 KB per turn without levelling off (ADR 15). Zero never recycles.
    /// </summary>
    /// <value>The default value is 50,000.</value>
    [Range(0, int.MaxValue)]
    public int RecycleAfterTurns { get; set; } = 50_000;

    /// <summary>After stdin is closed, how long the worker may take to exit before its process tree is killed.</summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan ExitTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How many stderr lines of the worker are kept for error reports and <c>/healthz</c>.</summary>
    /// <value>The default value is 50.</value>
    [Range(0, 10000)]
    public int StderrTailLines { get; set; } = 50;

    /// <summary>
    /// Extra environment variable names passed to the worker (comma separated,
    /// <c>PROXY_WORKER_PASS_ENV</c>). Everything else is scrubbed.
    /// </summary>
    /// <value>The default value is empty.</value>
    public string? PassEnvironment { get; set; }
}
