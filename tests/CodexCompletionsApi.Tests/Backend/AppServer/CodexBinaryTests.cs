using CodexCompletionsApi.Backend.AppServer;

namespace CodexCompletionsApi.Tests.Backend.AppServer;

public sealed class CodexBinaryTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("codex-binary-tests-");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData("codex-cli 0.169.0\n", "0.169.0")]
    [InlineData("codex-cli 0.169.0", "0.169.0")]
    [InlineData("  codex-cli 1.2.3\r\nextra line\n", "1.2.3")]
    [InlineData("0.170.0\n", "0.170.0")]
    public void ParseVersion_CliOutput_ReturnsVersion(string output, string expected)
    {
        // Arrange / Act
        var version = CodexBinary.ParseVersion(output);

        // Assert
        Assert.Equal(expected, version);
    }

    [Fact]
    public void Resolve_PackageInstalledAboveSearchRoot_FindsNativeBinary()
    {
        // Arrange
        var (package, triple) = CodexBinary.Platform();
        var binDirectory = Path.Combine(_root.FullName, "codex-cli", "node_modules", "@openai", package, "vendor", triple, "bin");
        Directory.CreateDirectory(binDirectory);
        var binary = Path.Combine(binDirectory, "codex");
        File.WriteAllText(binary, "#!/bin/sh\n");
        var nested = Directory.CreateDirectory(Path.Combine(_root.FullName, "app", "bin", "Release")).FullName;

        // Act
        var resolved = CodexBinary.Resolve(null, [nested]);

        // Assert
        Assert.Equal(binary, resolved);
    }

    [Fact]
    public void Resolve_SecondSearchRootHasPackage_FindsNativeBinary()
    {
        // Arrange
        var (package, triple) = CodexBinary.Platform();
        var withPackage = Directory.CreateDirectory(Path.Combine(_root.FullName, "with")).FullName;
        var binDirectory = Path.Combine(withPackage, "codex-cli", "node_modules", "@openai", package, "vendor", triple, "bin");
        Directory.CreateDirectory(binDirectory);
        File.WriteAllText(Path.Combine(binDirectory, "codex"), string.Empty);
        var without = Directory.CreateDirectory(Path.Combine(_root.FullName, "without", "deep")).FullName;

        // Act
        var resolved = CodexBinary.Resolve("  ", [without, Path.Combine(withPackage, "sub")]);

        // Assert
        Assert.Equal(Path.Combine(binDirectory, "codex"), resolved);
    }

    [Fact]
    public void Resolve_ConfiguredPath_WinsOverPackage()
    {
        // Arrange
        var (package, triple) = CodexBinary.Platform();
        Directory.CreateDirectory(Path.Combine(_root.FullName, "codex-cli", "node_modules", "@openai", package, "vendor", triple, "bin"));
        File.WriteAllText(Path.Combine(_root.FullName, "codex-cli", "node_modules", "@openai", package, "vendor", triple, "bin", "codex"), string.Empty);
        var configured = Path.Combine(_root.FullName, "custom", "codex");

        // Act
        var resolved = CodexBinary.Resolve(configured, [_root.FullName]);

        // Assert
        Assert.Equal(configured, resolved);
    }

    [Fact]
    public void Resolve_NothingInstalled_ReturnsNull()
    {
        // Arrange
        var nested = Directory.CreateDirectory(Path.Combine(_root.FullName, "a", "b")).FullName;

        // Act
        var resolved = CodexBinary.Resolve(null, [nested]);

        // Assert
        Assert.Null(resolved);
    }
}
