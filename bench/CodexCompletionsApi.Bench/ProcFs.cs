using System.Diagnostics;
using System.Globalization;

namespace CodexCompletionsApi.Bench;

/// <summary>
/// Reads Linux <c>/proc</c>: CPU times and RSS from <c>/proc/&lt;pid&gt;/stat</c>, peak RSS from
/// <c>/proc/&lt;pid&gt;/status</c>, open descriptors from <c>/proc/&lt;pid&gt;/fd</c>, children from
/// <c>/proc/&lt;pid&gt;/task/*/children</c>. Every reader tolerates a process that just exited.
/// </summary>
internal static class ProcFs
{
    public static bool Available { get; } = OperatingSystem.IsLinux() && Directory.Exists("/proc/self");

    /// <summary>Kernel clock ticks per second (<c>getconf CLK_TCK</c>; 100 on every common Linux).</summary>
    public static double ClockTicks { get; } = ReadClockTicks();

    private static readonly long PageSize = Environment.SystemPageSize;

    /// <summary>One <c>stat</c> line: own CPU, CPU of reaped children, resident set.</summary>
    public readonly record struct StatReading(double OwnCpuSeconds, double ChildrenCpuSeconds, long RssBytes);

    public static bool TryReadStat(int pid, out StatReading reading)
    {
        reading = default;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 22)
        {
            return false;
        }

        // Field numbers of proc(5), minus 3: utime 14, stime 15, cutime 16, cstime 17, rss 24 (pages).
        static long Field(string[] f, int number) => long.Parse(f[number - 3], NumberStyles.Integer, CultureInfo.InvariantCulture);
        var own = (Field(fields, 14) + Field(fields, 15)) / ClockTicks;
        var children = (Field(fields, 16) + Field(fields, 17)) / ClockTicks;
        reading = new StatReading(own, children, Field(fields, 24) * PageSize);
        return true;
    }

    /// <summary>A <c>kB</c> line of <c>/proc/&lt;pid&gt;/status</c> (e.g. <c>VmHWM</c>), in bytes.</summary>
    public static long? ReadStatusBytes(int pid, string key)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal) && line.Length > key.Length && line[key.Length] == ':')
                {
                    var value = line[(key.Length + 1)..].Trim();
                    var space = value.IndexOf(' ', StringComparison.Ordinal);
                    var number = space < 0 ? value : value[..space];
                    return long.Parse(number, NumberStyles.Integer, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }

        return null;
    }

    /// <summary>Open file descriptors of a process; <see langword="null"/> when it is gone.</summary>
    public static int? CountOpenFiles(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd").Count();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Total size of the files under <paramref name="path"/>; <see langword="null"/> when it does not exist.</summary>
    public static long? DirectoryBytes(string? path)
    {
        if (path is null || !Directory.Exists(path))
        {
            return null;
        }

        long total = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in new DirectoryInfo(path).EnumerateFiles("*", options))
        {
            try
            {
                total += file.Length;
            }
            catch (FileNotFoundException)
            {
                // Deleted between listing and reading (a SQLite journal, say).
            }
        }

        return total;
    }

    /// <summary>Every live descendant of <paramref name="pid"/> (children, grandchildren, …).</summary>
    public static List<int> Descendants(int pid)
    {
        var result = new List<int>();
        var pending = new Stack<int>();
        pending.Push(pid);
        while (pending.Count > 0 && result.Count < 10_000)
        {
            var current = pending.Pop();
            foreach (var child in Children(current))
            {
                result.Add(child);
                pending.Push(child);
            }
        }

        return result;
    }

    public static bool IsAlive(int pid) => Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");

    private static IEnumerable<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/task");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var task in tasks)
        {
            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var child))
                {
                    yield return child;
                }
            }
        }
    }

    private static double ReadClockTicks()
    {
        try
        {
            var psi = new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(psi);
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit(5000);
                if (double.TryParse(output.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
                {
                    return ticks;
                }
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
        {
            // No getconf: fall through to the Linux default.
        }

        return 100;
    }
}
