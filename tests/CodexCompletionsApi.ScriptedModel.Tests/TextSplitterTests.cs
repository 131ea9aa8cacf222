namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class TextSplitterTests
{
    [Theory]
    [InlineData("abcdefghij", 3, new[] { "abcd", "efg", "hij" })]
    [InlineData("abc", 1, new[] { "abc" })]
    [InlineData("abc", 5, new[] { "a", "b", "c" })]
    [InlineData("😀😀😀", 2, new[] { "😀😀", "😀" })]
    [InlineData("é😀x", 3, new[] { "é", "😀", "x" })]
    public void Split_GivesNearEqualRuneChunks(string text, int parts, string[] expected)
    {
        var chunks = TextSplitter.Split(text, parts).Select(r => text[r]).ToArray();

        Assert.Equal(expected, chunks);
    }

    [Fact]
    public void Split_EmptyText_GivesNoChunk() => Assert.Empty(TextSplitter.Split("", 4));

    [Fact]
    public void Split_ManyEmojis_NeverSplitsASurrogatePairAndConcatenatesBack()
    {
        var text = string.Concat(Enumerable.Repeat("a😀🎉bc", 7));
        for (var parts = 1; parts <= 40; parts++)
        {
            var chunks = TextSplitter.Split(text, parts).Select(r => text[r]).ToList();
            Assert.Equal(text, string.Concat(chunks));
            Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c[^1]) || char.IsLowSurrogate(c[0]), $"split pair with {parts} parts"));
        }
    }

    [Fact]
    public void Truncate_KeepsSurrogatePairsWhole()
    {
        Assert.Equal("ab…", TextSplitter.Truncate("ab😀", 3));
        Assert.Equal("abc", TextSplitter.Truncate("abc", 3));
        Assert.Equal("ab😀…", TextSplitter.Truncate("ab😀cd", 4));
    }
}
