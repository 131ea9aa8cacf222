using System.Diagnostics;

namespace CodexCompletionsApi.Bench;

/// <summary>One reading of a process group: cumulative CPU seconds, resident set, process count.</summary>
internal readonly record struct ResourceReading(long Timestamp, double CpuSeconds, long RssBytes, int Processes);

/// <summary>CPU and peak RSS of a group over a window of time.</summary>
internal readonly record struct ResourceWindow(double CpuSeconds, long PeakRssBytes, long EndRssBytes);

/// <summary>
/// A process and, optionally, all its descendants (a Codex worker and anything it spawns), measured
/// together. With descendants, CPU includes the reaped children's time (<c>cutime</c>/<c>cstime</c>);
/// without, only the root's own time counts (the service's reaped children are its Codex workers,
/// which are measured separately).
/// </summary>
internal sealed class ProcessGroup(string name, int pid, bool includeDescendants)
{
    private readonly List<ResourceReading> _samples = [];
    private int[] _members = [];
    private int[] _extraRoots = [];
    private long _membersRefreshed;
    private volatile int _pid = pid;

    public string Name { get; } = name;

    public int Pid => _pid;

    public bool IncludeDescendants { get; } = includeDescendants;

    /// <summary>Points the group at a new root (a restarted worker).</summary>
    public void Retarget(int newPid)
    {
        _pid = newPid;
        Volatile.Write(ref _membersRefreshed, 0);
    }

    /// <summary>Adds another root measured with this group (several direct workers as one figure).</summary>
    public void AddRoot(int root)
    {
        _extraRoots = [.. _extraRoots, root];
        Volatile.Write(ref _membersRefreshed, 0);
    }

    /// <summary>Reads the group now. Descendants are rediscovered at most once a second.</summary>
    public ResourceReading Read()
    {
        var now = Stopwatch.GetTimestamp();
        int[] roots = [_pid, .. _extraRoots];
        if (IncludeDescendants && Stopwatch.GetElapsedTime(Volatile.Read(ref _membersRefreshed), now) > TimeSpan.FromSeconds(1))
        {
            _members = [.. roots.SelectMany(ProcFs.Descendants)];
            Volatile.Write(ref _membersRefreshed, now);
        }

        double cpu = 0;
        long rss = 0;
        var processes = 0;
        foreach (var root in roots)
        {
            if (ProcFs.TryReadStat(root, out var r))
            {
                cpu += r.OwnCpuSeconds + (IncludeDescendants ? r.ChildrenCpuSeconds : 0);
                rss += r.RssBytes;
                processes++;
            }
        }

        if (IncludeDescendants)
        {
            foreach (var member in _members)
            {
                if (ProcFs.TryReadStat(member, out var m))
                {
                    cpu += m.OwnCpuSeconds + m.ChildrenCpuSeconds;
                    rss += m.RssBytes;
                    processes++;
                }
            }
        }

        return new ResourceReading(now, cpu, rss, processes);
    }

    public void Record(ResourceReading reading)
    {
        lock (_samples)
        {
            _samples.Add(reading);
        }
    }

    /// <summary>CPU used and the highest RSS seen between two readings (sampled in between every ~100 ms).</summary>
    public ResourceWindow Window(ResourceReading start, ResourceReading end)
    {
        var peak = Math.Max(start.RssBytes, end.RssBytes);
        lock (_samples)
        {
            foreach (var sample in _samples)
            {
                if (sample.Timestamp >= start.Timestamp && sample.Timestamp <= end.Timestamp)
                {
                    peak = Math.Max(peak, sample.RssBytes);
                }
            }
        }

        return new ResourceWindow(Math.Max(0, end.CpuSeconds - start.CpuSeconds), peak, end.RssBytes);
    }

    /// <summary>The mean RSS of the samples between two readings (the end reading when none fell in between).</summary>
    public long MeanRss(ResourceReading start, ResourceReading end)
    {
        long sum = 0;
        var count = 0;
        lock (_samples)
        {
            foreach (var sample in _samples)
            {
                if (sample.Timestamp >= start.Timestamp && sample.Timestamp <= end.Timestamp)
                {
                    sum += sample.RssBytes;
                    count++;
                }
            }
        }

        return count == 0 ? end.RssBytes : sum / count;
    }
}

/// <summary>
/// Samples every registered group on its own thread (not the thread pool, which the load shares)
/// every ~100 ms, so windows can report peak RSS.
/// </summary>
internal sealed class ResourceSampler : IDisposable
{
    private readonly List<ProcessGroup> _groups = [];
    private readonly TimeSpan _interval;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ResourceSampler(TimeSpan interval)
    {
        _interval = interval;
        _thread = new Thread(Run) { IsBackground = true, Name = "resource-sampler" };
    }

    public ProcessGroup Add(string name, int pid, bool includeDescendants)
    {
        var group = new ProcessGroup(name, pid, includeDescendants);
        lock (_groups)
        {
            _groups.Add(group);
        }

        return group;
    }

    public void Start()
    {
        if (ProcFs.Available)
        {
            _thread.Start();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    private void Run()
    {
        var next = Stopwatch.GetTimestamp();
        var step = (long)(_interval.TotalSeconds * Stopwatch.Frequency);
        while (!_stopping)
        {
            ProcessGroup[] groups;
            lock (_groups)
            {
                groups = [.. _groups];
            }

            foreach (var group in groups)
            {
                group.Record(group.Read());
            }

            next += step;
            var wait = next - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }
            else
            {
                next = Stopwatch.GetTimestamp();
            }
        }
    }
}
