using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ObsidianXmlTests
{
    private static string Block(string name, params string[] elements)
        => $"<use_tool>\n<name>{name}</name>\n{string.Concat(elements.Select(e => e + "\n"))}</use_tool>";

    // ---- value kinds ----

    [Fact]
    public void ToBlock_StringArgument_WritesUnquotedText()
    {
        // Arrange
        const string arguments = """{"query":"hello world"}""";

        // Act
        var block = ObsidianXml.ToBlock("search", arguments, []);

        // Assert
        Assert.Equal("<use_tool>\n<name>search</name>\n<query>hello world</query>\n</use_tool>", block);
    }

    [Fact]
    public void ToBlock_StringWithJsonEscapes_WritesDecodedText()
    {
        // Arrange
        const string arguments = """{"text":"line1\nline2 \"q\" \u00e9"}""";

        // Act
        var block = ObsidianXml.ToBlock("write", arguments, []);

        // Assert
        Assert.Equal(Block("write", "<text>line1\nline2 \"q\" é</text>"), block);
    }

    [Theory]
    [InlineData("42", "42")]
    [InlineData("-1.50", "-1.50")]
    [InlineData("1e3", "1e3")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("null", "null")]
    public void ToBlock_ScalarArgument_WritesJsonAsWritten(string value, string expected)
    {
        // Arrange
        var arguments = $$"""{"v":{{value}}}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Assert
        Assert.Equal(Block("t", $"<v>{expected}</v>"), block);
    }

    [Fact]
    public void ToBlock_ArrayArgument_WritesEscapedJson()
    {
        // Arrange
        const string arguments = """{"tags":[1,"a<b",true]}""";

        // Act
        var block = ObsidianXml.ToBlock("tag", arguments, []);

        // Assert
        Assert.Equal(Block("tag", "<tags>[1,\"a&lt;b\",true]</tags>"), block);
    }

    [Fact]
    public void ToBlock_ObjectArgument_WritesEscapedJson()
    {
        // Arrange
        const string arguments = """{"filter":{"path":"a&b","depth":2}}""";

        // Act
        var block = ObsidianXml.ToBlock("list", arguments, []);

        // Assert
        Assert.Equal(Block("list", "<filter>{\"path\":\"a&amp;b\",\"depth\":2}</filter>"), block);
    }

    [Fact]
    public void ToBlock_StringWithMarkup_EscapesLessThanGreaterThanAndAmpersand()
    {
        // Arrange
        const string arguments = """{"html":"<b>Tom & Jerry</b>"}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Assert
        Assert.Equal(Block("t", "<html>&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;</html>"), block);
    }

    [Fact]
    public void ToBlock_StringThatLooksLikeAClosingTag_CannotCloseTheBlock()
    {
        // Arrange
        const string arguments = """{"a":"</a></use_tool>"}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Assert
        Assert.Equal(Block("t", "<a>&lt;/a&gt;&lt;/use_tool&gt;</a>"), block);
        Assert.EndsWith("</use_tool>", block, StringComparison.Ordinal);
        Assert.Equal(1, block.Split("</use_tool>").Length - 1);
    }

    [Fact]
    public void ToBlock_Name_IsEscaped()
    {
        // Arrange / Act
        var block = ObsidianXml.ToBlock("a<b&c", "{}", []);

        // Assert
        Assert.Equal("<use_tool>\n<name>a&lt;b&amp;c</name>\n</use_tool>", block);
    }

    // ---- order ----

    [Fact]
    public void ToBlock_ParameterOrder_FollowsSchemaOrder()
    {
        // Arrange
        const string arguments = """{"c":3,"a":1,"b":2}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, ["a", "b", "c"]);

        // Assert
        Assert.Equal(Block("t", "<a>1</a>", "<b>2</b>", "<c>3</c>"), block);
    }

    [Fact]
    public void ToBlock_ArgumentsNotInSchema_FollowInModelOrder()
    {
        // Arrange
        const string arguments = """{"z":1,"known":"k","y":2,"x":3}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, ["known"]);

        // Assert
        Assert.Equal(Block("t", "<known>k</known>", "<z>1</z>", "<y>2</y>", "<x>3</x>"), block);
    }

    [Fact]
    public void ToBlock_SchemaParameterMissingFromArguments_IsNotWritten()
    {
        // Arrange
        const string arguments = """{"b":2}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, ["a", "b"]);

        // Assert
        Assert.Equal(Block("t", "<b>2</b>"), block);
    }

    [Fact]
    public void ToBlock_NoParameterOrder_KeepsModelOrder()
    {
        // Arrange
        const string arguments = """{"second":2,"first":1}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Assert
        Assert.Equal(Block("t", "<second>2</second>", "<first>1</first>"), block);
    }

    // ---- arguments that are not a JSON object ----

    [Fact]
    public void ToBlock_InvalidJson_WritesOneEscapedArgumentsElement()
    {
        // Arrange
        const string arguments = """{"path":"a<b" & more""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, ["path"]);

        // Assert
        Assert.Equal(Block("t", "<arguments>{\"path\":\"a&lt;b\" &amp; more</arguments>"), block);
    }

    [Fact]
    public void ToBlock_TruncatedJson_WritesTheTextVerbatim()
    {
        // Arrange
        const string arguments = """{"a":""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Assert
        Assert.Equal(Block("t", "<arguments>{\"a\":</arguments>"), block);
    }

    [Theory]
    [InlineData("[1,2]", "[1,2]")]
    [InlineData("\"a<b\"", "\"a&lt;b\"")]
    [InlineData("42", "42")]
    [InlineData("true", "true")]
    public void ToBlock_NonObjectJson_WritesArgumentsElement(string arguments, string expected)
    {
        // Arrange / Act
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Assert
        Assert.Equal(Block("t", $"<arguments>{expected}</arguments>"), block);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{}")]
    [InlineData(" { } ")]
    public void ToBlock_EmptyArguments_WritesNoParameterElements(string arguments)
    {
        // Arrange / Act
        var block = ObsidianXml.ToBlock("ping", arguments, ["a"]);

        // Assert
        Assert.Equal("<use_tool>\n<name>ping</name>\n</use_tool>", block);
    }

    // ---- element names ----

    [Theory]
    [InlineData("my key", "my_key")]
    [InlineData("1st", "_st")]
    [InlineData("-x", "_x")]
    [InlineData(".x", "_x")]
    [InlineData("a:b", "a_b")]
    [InlineData("a<b>", "a_b_")]
    [InlineData("ключ", "____")]
    [InlineData("", "_")]
    public void ToBlock_KeyNotAValidXmlName_IsSanitized(string key, string tag)
    {
        // Arrange
        var arguments = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, int> { [key] = 1 });

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Assert
        Assert.Equal(Block("t", $"<{tag}>1</{tag}>"), block);
    }

    [Theory]
    [InlineData("file_path")]
    [InlineData("_private")]
    [InlineData("a1-b.c")]
    [InlineData("CamelCase")]
    public void ToBlock_ValidXmlKey_IsKept(string key)
    {
        // Arrange
        var arguments = $$"""{"{{key}}":"v"}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Assert
        Assert.Equal(Block("t", $"<{key}>v</{key}>"), block);
    }

    [Fact]
    public void ToBlock_SanitizedKeyInSchemaOrder_IsOrderedByItsOriginalName()
    {
        // Arrange
        const string arguments = """{"b":2,"file path":"x"}""";

        // Act
        var block = ObsidianXml.ToBlock("t", arguments, ["file path", "b"]);

        // Assert
        Assert.Equal(Block("t", "<file_path>x</file_path>", "<b>2</b>"), block);
    }

    // ---- full block ----

    [Fact]
    public void ToBlock_MixedArguments_ReturnsExactCanonicalBlock()
    {
        // Arrange
        const string arguments = """{"limit":5,"query":"a & b","recursive":false,"folders":["x","y"]}""";

        // Act
        var block = ObsidianXml.ToBlock("localSearch", arguments, ["query", "limit"]);

        // Assert
        Assert.Equal(
            "<use_tool>\n<name>localSearch</name>\n<query>a &amp; b</query>\n<limit>5</limit>\n<recursive>false</recursive>\n<folders>[\"x\",\"y\"]</folders>\n</use_tool>",
            block);
    }

    [Fact]
    public void BlockSeparator_IsABlankLine()
    {
        // Arrange / Act
        const string separator = ObsidianXml.BlockSeparator;

        // Assert
        Assert.Equal("\n\n", separator);
    }

    // ---- Escape ----

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData("<", "&lt;")]
    [InlineData(">", "&gt;")]
    [InlineData("&", "&amp;")]
    [InlineData("a<b>&c", "a&lt;b&gt;&amp;c")]
    [InlineData("&lt;", "&amp;lt;")]
    [InlineData("\"quotes\" and 'apostrophes'", "\"quotes\" and 'apostrophes'")]
    public void Escape_Text_EscapesOnlyMarkupCharacters(string value, string expected)
    {
        // Arrange / Act
        var escaped = ObsidianXml.Escape(value);

        // Assert
        Assert.Equal(expected, escaped);
    }
}
