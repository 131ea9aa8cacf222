using System.Runtime.CompilerServices;

namespace CodexCompletionsApi.Tests.TestSupport;

/// <summary>Locates files of the repository the tests were built from.</summary>
internal static class RepoPaths
{
    private const string SolutionFile = "CodexCompletionsApi.slnx";

    /// <summary>
    /// The directory holding the solution: searched upwards from the test binaries first, then from
    /// this source file (the build may place its artifacts outside the repository).
    /// </summary>
    public static string Root => FindRoot();

    public static string ModelCatalog => Path.Combine(Root, "catalog", "models.json");

    private static string FindRoot([CallerFilePath] string sourceFile = "")
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

        throw new DirectoryNotFoundException($"{SolutionFile} was not found above {AppContext.BaseDirectory} or {sourceFile}.");
    }
}
