namespace CodexCompletionsApi.Bench;

/// <summary>Percentiles of a sample, in milliseconds.</summary>
internal sealed record Distribution(int Count, double P50, double P95, double P99, double Mean, double Max)
{
    public static Distribution? Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        return new Distribution(
            sorted.Length,
            Round(Stats.Percentile(sorted, 0.50)),
            Round(Stats.Percentile(sorted, 0.95)),
            Round(Stats.Percentile(sorted, 0.99)),
            Round(sorted.Average()),
            Round(sorted[^1]));
    }

    private static double Round(double value) => Math.Round(value, 3);
}

/// <summary>A least-squares line through a series, for judging whether it stays flat.</summary>
internal sealed record Trend(int Points, double Mean, double First, double Last, double SlopePerMinute, double ChangeOverWindowPercent, string Verdict);

internal static class Stats
{
    /// <summary>Linear interpolation between closest ranks (the R-7 / Excel definition).</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 1)
        {
            return sorted[0];
        }

        var rank = p * (sorted.Length - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return sorted[lower] + ((rank - lower) * (sorted[upper] - sorted[lower]));
    }

    /// <summary>
    /// Slope of y over x (x in seconds) per minute, and the change it implies across the window as a
    /// share of the mean: within ±<paramref name="flatPercent"/> % is "flat".
    /// </summary>
    public static Trend? Fit(IReadOnlyList<(double X, double Y)> points, double flatPercent = 5)
    {
        if (points.Count < 3)
        {
            return null;
        }

        var meanX = points.Average(p => p.X);
        var meanY = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - meanX) * (p.X - meanX));
        var sxy = points.Sum(p => (p.X - meanX) * (p.Y - meanY));
        var slope = sxx == 0 ? 0 : sxy / sxx;
        var span = points[^1].X - points[0].X;
        var change = meanY == 0 ? 0 : slope * span / Math.Abs(meanY) * 100;
        var verdict = Math.Abs(change) <= flatPercent ? "flat" : change > 0 ? "rising" : "falling";
        return new Trend(points.Count, Math.Round(meanY, 3), Math.Round(points[0].Y, 3), Math.Round(points[^1].Y, 3), Math.Round(slope * 60, 4), Math.Round(change, 2), verdict);
    }

    public static double Mb(long bytes) => Math.Round(bytes / (1024.0 * 1024.0), 1);

    public static double? Ratio(double? service, double? direct)
        => service is { } s && direct is { } d && d > 0 ? Math.Round(s / d, 3) : null;

    public static double? Difference(double? service, double? direct)
        => service is { } s && direct is { } d ? Math.Round(s - d, 3) : null;
}
