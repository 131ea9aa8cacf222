using System.Runtime.CompilerServices;
using System.Text;

namespace CodexCompletionsApi.IntegrationTests.Golden;

/// <summary>
/// Where the golden transcripts live, record mode (<c>RECORD_GOLDEN=1</c>), the readable line diff shown on a
/// mismatch, and the generated docs/parity/transcripts.md.
/// </summary>
internal static class GoldenFiles
{
    public const string RecordVariable = "RECORD_GOLDEN";
    public const string ActualSuffix = ".actual.txt";

    private const string SolutionFile = "CodexCompletionsApi.slnx";
    private const string TranscriptsRelative = "tests/CodexCompletionsApi.IntegrationTests/Golden/transcripts";
    private const string MarkdownRelative = "docs/parity/transcripts.md";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static bool Recording => Environment.GetEnvironmentVariable(RecordVariable) == "1";

    /// <summary>
    /// The source tree: the directory holding the solution file, found by walking up from the test binaries (the
    /// default artifacts output sits inside the repository) or else from this source file's compile-time path
    /// (for builds with a private artifacts path). Null when neither leads to it.
    /// </summary>
    public static string? SourceRoot { get; } = FindSourceRoot();

    /// <summary>The transcripts directory of the source tree, or the copy next to the test binaries.</summary>
    public static string TranscriptsDirectory
        => SourceRoot is { } root ? Path.Combine(root, TranscriptsRelative) : Path.Combine(AppContext.BaseDirectory, "Golden", "transcripts");

    public static string MarkdownPath => Path.Combine(RequireSourceRoot(), MarkdownRelative);

    public static string TranscriptPath(string scenario) => Path.Combine(TranscriptsDirectory, scenario + ".txt");

    public static string ActualPath(string scenario) => Path.Combine(TranscriptsDirectory, scenario + ActualSuffix);

    public static string RequireSourceRoot()
        => SourceRoot ?? throw new InvalidOperationException($"Could not find the source tree ({SolutionFile}) above {AppContext.BaseDirectory}.");

    public static string? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllText(path, Utf8) : null;

    public static void Write(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, Utf8);
    }

    public static void DeleteIfExists(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }

    public static string Relative(string path) => SourceRoot is { } root ? Path.GetRelativePath(root, path) : path;

    /// <summary>The 1-based number of the first line that differs (a missing line counts as different).</summary>
    public static int FirstDifferentLine(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }

        return i + 1;
    }

    /// <summary>
    /// A unified-style diff of two texts by line (longest common subsequence): hunks with 2 lines of context,
    /// <c>-</c> expected, <c>+</c> actual, each hunk headed by its line numbers. At most <paramref name="maxLines"/>
    /// lines are shown.
    /// </summary>
    public static string Diff(string expected, string actual, int maxLines = 80)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        // The edit script: (kind, expected line index, actual line index).
        var script = new List<(char Kind, int A, int B)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                script.Add((' ', x++, y++));
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                script.Add(('-', x++, y));
            }
            else
            {
                script.Add(('+', x, y++));
            }
        }

        const int Context = 2;
        var changes = Enumerable.Range(0, script.Count).Where(i => script[i].Kind != ' ').ToList();
        var hunks = new List<(int First, int Last)>();
        foreach (var change in changes)
        {
            if (hunks.Count > 0 && change - hunks[^1].Last <= (2 * Context) + 1)
            {
                hunks[^1] = (hunks[^1].First, change);
            }
            else
            {
                hunks.Add((change, change));
            }
        }

        var output = new StringBuilder();
        var shown = 0;
        foreach (var (first, last) in hunks)
        {
            var from = Math.Max(0, first - Context);
            var to = Math.Min(script.Count - 1, last + Context);
            output.Append($"@@ expected line {script[from].A + 1}, actual line {script[from].B + 1} @@\n");
            for (var i = from; i <= to; i++)
            {
                if (shown++ == maxLines)
                {
                    return output.Append("… (diff truncated)\n").ToString();
                }

                var (kind, ai, bi) = script[i];
                output.Append(kind).Append(' ').Append(kind == '+' ? b[bi] : a[ai]).Append('\n');
            }
        }

        return output.ToString();
    }

    /// <summary>
    /// docs/parity/transcripts.md, generated from the golden transcripts of <paramref name="scenarios"/> (their
    /// header lines), so the table always shows what the last recorded run produced.
    /// </summary>
    public static string Markdown(IEnumerable<GoldenScenario> scenarios)
    {
        var text = new StringBuilder();
        text.Append("# Golden transcripts\n\n");
        text.Append("<!-- Generated by GoldenTranscriptTests from tests/CodexCompletionsApi.IntegrationTests/Golden/transcripts; do not edit. Re-record with scripts/record-golden. -->\n\n");
        var rows = new List<string>();
        string? codex = null;
        foreach (var scenario in scenarios)
        {
            var transcript = ReadOrNull(TranscriptPath(scenario.Name));
            string Field(string key) => transcript is null ? "(not recorded)" : Transcript.HeaderField(transcript, key) ?? "?";
            codex ??= transcript is null ? null : Transcript.HeaderField(transcript, Transcript.CodexKey);
            rows.Add($"| [{scenario.Name}](../../{TranscriptsRelative}/{scenario.Name}.txt) | {Cell(Field(Transcript.SummaryKey))} | {Cell(Field(Transcript.StatusKey))} | {Cell(Field(Transcript.FinishReasonKey))} | {Cell(Field(Transcript.UsageKey))} |");
        }

        text.Append($"Recorded against the real Codex CLI {codex ?? "?"} and the scripted model; each transcript holds the exact request, the response (ids and timestamps normalized) and the upstream Responses API requests Codex made.\n\n");
        text.Append("| scenario | request | status | finish_reason (chat) / response status (responses) | usage |\n");
        text.Append("| --- | --- | --- | --- | --- |\n");
        foreach (var row in rows)
        {
            text.Append(row).Append('\n');
        }

        return text.ToString();
    }

    private static string Cell(string value) => value.Replace("|", "\\|", StringComparison.Ordinal);

    private static string? FindSourceRoot([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }
}
