using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CodexCompletionsApi.Backend.AppServer;

/// <summary>Finds the native Codex binary of the pinned npm package and reads its version.</summary>
internal static class CodexBinary
{
    /// <summary>Relative location of the pinned package, as installed by scripts/setup.</summary>
    public const string PackageDirectory = "codex-cli/node_modules/@openai";

    /// <summary>The npm platform package and Rust target triple of this machine.</summary>
    public static (string Package, string Triple) Platform()
    {
        var arch = RuntimeInformation.OSArchitecture;
        if (OperatingSystem.IsLinux())
        {
            return arch == Architecture.Arm64 ? ("codex-linux-arm64", "aarch64-unknown-linux-musl") : ("codex-linux-x64", "x86_64-unknown-linux-musl");
        }

        if (OperatingSystem.IsMacOS())
        {
            return arch == Architecture.Arm64 ? ("codex-darwin-arm64", "aarch64-apple-darwin") : ("codex-darwin-x64", "x86_64-apple-darwin");
        }

        throw new PlatformNotSupportedException("The Codex worker is supported on Linux and macOS.");
    }

    /// <summary>
    /// The configured binary, or the native binary of the pinned package found by walking up from
    /// each of <paramref name="searchRoots"/>. Returns <see langword="null"/> when nothing is found.
    /// </summary>
    public static string? Resolve(string? configured, IEnumerable<string> searchRoots)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured);
        }

        var (package, triple) = Platform();
        var relative = Path.Combine(PackageDirectory, package, "vendor", triple, "bin", "codex");
        foreach (var root in searchRoots)
        {
            for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Runs <c>codex --version</c> and returns the version (e.g. <c>0.169.0</c>).</summary>
    public static async Task<string> ReadVersionAsync(string binary, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--version");
        psi.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            psi.Environment[key] = value;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {binary}.");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{binary} --version' exited with code {process.ExitCode}.");
        }

        return ParseVersion(output);
    }

    /// <summary>Parses <c>codex-cli 0.169.0</c> into <c>0.169.0</c>.</summary>
    public static string ParseVersion(string output)
    {
        var line = output.Trim().Split('\n')[0].Trim();
        var space = line.LastIndexOf(' ');
        return space >= 0 ? line[(space + 1)..] : line;
    }
}
