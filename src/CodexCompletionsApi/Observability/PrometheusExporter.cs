using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace CodexCompletionsApi.Observability;

/// <summary>
/// Exports the host's <see cref="System.Diagnostics.Metrics"/> instruments in the Prometheus text
/// format (0.0.4). It listens only to meters created by this host's <see cref="IMeterFactory"/>
/// (ours, ASP.NET Core hosting, Kestrel), from the moment the host starts, and honours histogram
/// bucket advice. See docs/adr/0003-metrics-exporter.md for why this is not a library.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, Series> _series = new();

    public PrometheusExporter(IMeterFactory meterFactory)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                _series[instrument] = new Series(instrument);
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<int>((i, m, t, _) => Record(i, m, t));
        _listener.SetMeasurementEventCallback<double>((i, m, t, _) => Record(i, m, t));
        _listener.Start();
    }

    /// <summary>Writes every series; observable instruments are sampled now.</summary>
    public string Scrape()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder(8192);
        foreach (var series in _series.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            series.WriteTo(text);
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_series.TryGetValue(instrument, out var series))
        {
            series.Record(value, tags);
        }
    }

    /// <summary>All values of one instrument, by label set.</summary>
    private sealed class Series
    {
        private readonly Instrument _instrument;
        private readonly string _kind;
        private readonly double[] _buckets;
        private readonly ConcurrentDictionary<string, Cell> _cells = new(StringComparer.Ordinal);

        public Series(Instrument instrument)
        {
            _instrument = instrument;
            Name = MetricName(instrument);
            _kind = instrument switch
            {
                Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<double> => "counter",
                Histogram<double> or Histogram<long> or Histogram<int> => "histogram",
                _ => "gauge",
            };
            _buckets = instrument switch
            {
                Histogram<double> h when h.Advice?.HistogramBucketBoundaries is { } b => [.. b],
                Histogram<long> h when h.Advice?.HistogramBucketBoundaries is { } b => [.. b.Select(x => (double)x)],
                _ => DefaultBuckets,
            };
        }

        public string Name { get; }

        private bool IsObservable => _instrument.IsObservable;

        public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var labels = Labels(tags);
            var cell = _cells.GetOrAdd(labels, _ => new Cell(_buckets.Length));
            lock (cell)
            {
                switch (_kind)
                {
                    case "histogram":
                        cell.Count++;
                        cell.Sum += value;
                        for (var i = 0; i < _buckets.Length; i++)
                        {
                            if (value <= _buckets[i])
                            {
                                cell.Buckets[i]++;
                            }
                        }

                        break;
                    case "counter" when !IsObservable:
                        cell.Value += value;
                        break;
                    case "gauge" when _instrument is UpDownCounter<long> or UpDownCounter<int> or UpDownCounter<double>:
                        cell.Value += value;
                        break;
                    default:
                        cell.Value = value;
                        break;
                }
            }
        }

        public void WriteTo(StringBuilder text)
        {
            if (_cells.IsEmpty)
            {
                return;
            }

            var name = _kind == "counter" ? Name + "_total" : Name;
            if (!string.IsNullOrEmpty(_instrument.Description))
            {
                text.Append("# HELP ").Append(name).Append(' ').Append(_instrument.Description.Replace("\n", " ", StringComparison.Ordinal)).Append('\n');
            }

            text.Append("# TYPE ").Append(name).Append(' ').Append(_kind).Append('\n');
            foreach (var (labels, cell) in _cells.OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                lock (cell)
                {
                    if (_kind != "histogram")
                    {
                        Line(text, name, labels, cell.Value);
                        continue;
                    }

                    for (var i = 0; i < _buckets.Length; i++)
                    {
                        Line(text, name + "_bucket", Join(labels, $"le=\"{Number(_buckets[i])}\""), cell.Buckets[i]);
                    }

                    Line(text, name + "_bucket", Join(labels, "le=\"+Inf\""), cell.Count);
                    Line(text, name + "_sum", labels, cell.Sum);
                    Line(text, name + "_count", labels, cell.Count);
                }
            }
        }

        private static void Line(StringBuilder text, string name, string labels, double value)
        {
            text.Append(name);
            if (labels.Length > 0)
            {
                text.Append('{').Append(labels).Append('}');
            }

            text.Append(' ').Append(Number(value)).Append('\n');
        }

        private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (tags.Length == 0)
            {
                return string.Empty;
            }

            var pairs = new List<string>(tags.Length);
            foreach (var (key, value) in tags)
            {
                var text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
                text = text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
                pairs.Add($"{Sanitize(key)}=\"{text}\"");
            }

            pairs.Sort(StringComparer.Ordinal);
            return string.Join(',', pairs);
        }

        private static string MetricName(Instrument instrument)
        {
            var name = Sanitize(instrument.Name);
            return instrument.Unit switch
            {
                "s" => name + "_seconds",
                "By" => name + "_bytes",
                _ => name,
            };
        }

        private static string Sanitize(string name)
        {
            var chars = name.ToCharArray();
            for (var i = 0; i < chars.Length; i++)
            {
                if (!char.IsAsciiLetterOrDigit(chars[i]) && chars[i] != '_')
                {
                    chars[i] = '_';
                }
            }

            return new string(chars);
        }
    }

    private sealed class Cell(int buckets)
    {
        public double Value;
        public double Sum;
        public long Count;
        public readonly long[] Buckets = new long[buckets];
    }
}
