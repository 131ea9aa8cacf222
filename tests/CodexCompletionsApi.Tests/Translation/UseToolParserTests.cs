using System.Text.Json.Nodes;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class UseToolParserTests
{
    private static (string Key, string Value)[] Pairs(params string[] keyValues)
        => [.. keyValues.Chunk(2).Select(p => (p[0], p[1]))];

    // ---- ExtractUseToolBlocks ----

    [Fact]
    public void ExtractUseToolBlocks_CanonicalBlock_ReturnsNameParametersAndOffsets()
    {
        // Arrange
        const string block = "<use_tool>\n<name>lookup</name>\n<q>a &lt;b&gt; &amp; c</q>\n<n>2</n>\n</use_tool>";
        const string text = "Sure.\n" + block + "\nThanks";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        var only = Assert.Single(blocks);
        Assert.Equal("lookup", only.Name);
        Assert.Equal(Pairs("q", "a <b> & c", "n", "2"), only.Parameters);
        Assert.Equal(6, only.Start);
        Assert.Equal(6 + block.Length, only.End);
        Assert.Equal(block, text[only.Start..only.End]);
        Assert.Equal(block.Length, only.Length);
    }

    [Fact]
    public void ExtractUseToolBlocks_TwoBlocks_ReturnsBothInOrderWithTheirOffsets()
    {
        // Arrange
        const string first = "<use_tool><name>a</name><x>1</x></use_tool>";
        const string second = "<use_tool>\n<name>b</name>\n</use_tool>";
        const string text = "one " + first + " two " + second + " three";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        Assert.Equal(["a", "b"], blocks.Select(b => b.Name));
        Assert.Equal(first, text[blocks[0].Start..blocks[0].End]);
        Assert.Equal(second, text[blocks[1].Start..blocks[1].End]);
        Assert.Equal(Pairs("x", "1"), blocks[0].Parameters);
        Assert.Empty(blocks[1].Parameters);
    }

    [Theory]
    [InlineData("&lt;", "<")]
    [InlineData("&gt;", ">")]
    [InlineData("&amp;", "&")]
    [InlineData("&quot;", "\"")]
    [InlineData("&apos;", "'")]
    [InlineData("&amp;lt;", "&lt;")]
    [InlineData("a &amp;&amp; b &lt;= c", "a && b <= c")]
    [InlineData("&nbsp;&#60;", "&nbsp;&#60;")]
    [InlineData("Tom & Jerry", "Tom & Jerry")]
    [InlineData("trailing &", "trailing &")]
    [InlineData("&lt", "&lt")]
    public void ExtractUseToolBlocks_Value_IsUnescapedInOnePass(string raw, string expected)
    {
        // Arrange
        var text = $"<use_tool><name>t</name><v>{raw}</v></use_tool>";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        Assert.Equal(expected, Assert.Single(Assert.Single(blocks).Parameters).Value);
    }

    [Fact]
    public void ExtractUseToolBlocks_Values_KeepWhitespaceNewlinesAndRawMarkup()
    {
        // Arrange
        const string text = "<use_tool>\n<name>write</name>\n<content>\n# Title <b>bold</b>\n  indented\n</content>\n<pad>  x  </pad>\n</use_tool>";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        Assert.Equal(Pairs("content", "\n# Title <b>bold</b>\n  indented\n", "pad", "  x  "), Assert.Single(blocks).Parameters);
    }

    [Fact]
    public void ExtractUseToolBlocks_Name_IsTrimmedAndUnescaped()
    {
        // Arrange
        const string text = "<use_tool><name>\n  my&amp;tool \n</name></use_tool>";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        Assert.Equal("my&tool", Assert.Single(blocks).Name);
    }

    [Fact]
    public void ExtractUseToolBlocks_ParameterCalledName_AfterTheToolName_IsAParameter()
    {
        // Arrange
        const string text = "<use_tool><name>rename</name><name>new title</name><path>a.md</path></use_tool>";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        var only = Assert.Single(blocks);
        Assert.Equal("rename", only.Name);
        Assert.Equal(Pairs("name", "new title", "path", "a.md"), only.Parameters);
    }

    [Theory]
    [InlineData("<use_tool >\n<name>t</name></use_tool>")]
    [InlineData("<use_tool\n><name>t</name></use_tool>")]
    [InlineData("<use_tool id=\"1\"><name>t</name></use_tool>")]
    [InlineData("<use_tool>\r\n\t<name>t</name>\r\n</use_tool>")]
    public void ExtractUseToolBlocks_OpeningTagVariants_AreAccepted(string text)
    {
        // Arrange / Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        Assert.Equal("t", Assert.Single(blocks).Name);
    }

    [Theory]
    [InlineData("<use_tools><name>t</name></use_tools>")]
    [InlineData("<use_toolbox><name>t</name></use_tool>")]
    [InlineData("< use_tool><name>t</name></use_tool>")]
    [InlineData("<USE_TOOL><name>t</name></USE_TOOL>")]
    [InlineData("use_tool><name>t</name></use_tool>")]
    public void ExtractUseToolBlocks_NotAnOpeningMarker_FindsNothing(string text)
    {
        // Arrange / Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        Assert.Empty(blocks);
    }

    [Theory]
    [InlineData("<use_tool><path>a</path></use_tool>", "missing <name>")]
    [InlineData("<use_tool>\n</use_tool>", "missing <name>")]
    [InlineData("<use_tool><path>a</path><name>t</name></use_tool>", "missing <name>")]
    [InlineData("<use_tool><name>  </name></use_tool>", "empty <name>")]
    [InlineData("<use_tool><name>t</name><q>open</use_tool>", "unterminated <q>")]
    [InlineData("<use_tool><name>t</name>stray text<q>1</q></use_tool>", "unexpected text in <use_tool> block")]
    [InlineData("<use_tool><name>t</name><flag/></use_tool>", "malformed element in <use_tool> block")]
    [InlineData("<use_tool><name>t</name><q a=\"1\">x</q></use_tool>", "malformed element in <use_tool> block")]
    [InlineData("<use_tool><name>t</name></q></use_tool>", "malformed element in <use_tool> block")]
    [InlineData("<use_tool><name>t</name><>x</></use_tool>", "malformed element in <use_tool> block")]
    [InlineData("<use_tool x<y><name>t</name></use_tool>", "malformed <use_tool> tag")]
    [InlineData("<use_tool </use_tool>", "malformed <use_tool> tag")]
    public void TryParseBlock_Malformed_FailsWithTheReason(string block, string reason)
    {
        // Arrange / Act
        var parsed = UseToolParser.TryParseBlock(block, 0, out var result, out var error);

        // Assert
        Assert.False(parsed);
        Assert.Null(result);
        Assert.Equal(reason, error);
    }

    [Theory]
    [InlineData("<use_tool><path>a</path></use_tool>")]
    [InlineData("<use_tool><name></name></use_tool>")]
    [InlineData("<use_tool><name>t</name><q>open</use_tool>")]
    [InlineData("<use_tool><name>t</name>stray<q>1</q></use_tool>")]
    public void ExtractUseToolBlocks_MalformedBlock_IsSkippedAndTheNextOneFound(string malformed)
    {
        // Arrange
        var text = malformed + " then <use_tool><name>ok</name></use_tool>";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        var only = Assert.Single(blocks);
        Assert.Equal("ok", only.Name);
        Assert.Equal(text.LastIndexOf("<use_tool>", StringComparison.Ordinal), only.Start);
    }

    [Fact]
    public void ExtractUseToolBlocks_NestedMarker_SkipsTheOuterAndReturnsTheInner()
    {
        // Arrange
        const string inner = "<use_tool><name>inner</name></use_tool>";
        const string text = "<use_tool><name>outer</name>" + inner;

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        var only = Assert.Single(blocks);
        Assert.Equal("inner", only.Name);
        Assert.Equal(text.Length - inner.Length, only.Start);
    }

    [Fact]
    public void ExtractUseToolBlocks_UnclosedBlock_ReturnsOnlyTheBlocksBeforeIt()
    {
        // Arrange
        const string text = "<use_tool><name>a</name></use_tool> and <use_tool><name>b</name><q>1</q>";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        Assert.Equal("a", Assert.Single(blocks).Name);
    }

    [Fact]
    public void ExtractUseToolBlocks_ClosingTagInsideAValue_EndsTheBlockWhichIsThenMalformed()
    {
        // Arrange
        const string text = "<use_tool><name>t</name><q>see </use_tool> here</q></use_tool>";

        // Act
        var blocks = UseToolParser.ExtractUseToolBlocks(text);

        // Assert
        Assert.Empty(blocks);
    }

    [Fact]
    public void ExtractUseToolBlocks_NoBlocks_ReturnsEmpty()
    {
        // Arrange / Act
        var blocks = UseToolParser.ExtractUseToolBlocks("plain text with a < b and </use_tool>");

        // Assert
        Assert.Empty(blocks);
    }

    // ---- TryParseBlockAt ----

    [Fact]
    public void TryParseBlockAt_BlockAtTheOffset_ParsesItWithAbsoluteOffsets()
    {
        // Arrange
        const string text = "abc<use_tool><name>t</name><k>v</k></use_tool>xyz";

        // Act
        var parsed = UseToolParser.TryParseBlockAt(text, 3, out var block);

        // Assert
        Assert.True(parsed);
        Assert.Equal(3, block!.Start);
        Assert.Equal(text.Length - 3, block.End);
        Assert.Equal(Pairs("k", "v"), block.Parameters);
    }

    [Theory]
    [InlineData("abc<use_tool><name>t</name></use_tool>", 0)]
    [InlineData("abc<use_tool><name>t</name></use_tool>", 4)]
    [InlineData("<use_tool><name>t</name>", 0)]
    [InlineData("<use_tool><name>t</name><use_tool><name>u</name></use_tool>", 0)]
    [InlineData("<use_tool><k>v</k></use_tool>", 0)]
    public void TryParseBlockAt_NoCompleteBlockAtTheOffset_ReturnsFalse(string text, int start)
    {
        // Arrange / Act
        var parsed = UseToolParser.TryParseBlockAt(text, start, out _);

        // Assert
        Assert.False(parsed);
    }

    // ---- ToArgumentsJson ----

    [Theory]
    [InlineData("42", "42")]
    [InlineData("-1.5e3", "-1.5e3")]
    [InlineData(" 7 \n", "7")]
    [InlineData("0", "0")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("[1, \"a\", {\"b\": null}]", "[1,\"a\",{\"b\":null}]")]
    [InlineData("{\"a\": {\"b\": [true]}}", "{\"a\":{\"b\":[true]}}")]
    [InlineData("null", "\"null\"")]
    [InlineData("\"quoted\"", "\"\\\"quoted\\\"\"")]
    [InlineData("007", "\"007\"")]
    [InlineData("1 2", "\"1 2\"")]
    [InlineData("tru", "\"tru\"")]
    [InlineData("True", "\"True\"")]
    [InlineData("{bad", "\"{bad\"")]
    [InlineData("[1,]", "\"[1,]\"")]
    [InlineData("-", "\"-\"")]
    [InlineData("hello", "\"hello\"")]
    [InlineData("", "\"\"")]
    [InlineData(" padded ", "\" padded \"")]
    public void ToArgumentsJson_Value_StaysJsonOnlyForArraysObjectsNumbersAndBooleans(string value, string expectedJson)
    {
        // Arrange
        var pairs = Pairs("v", value);

        // Act
        var json = UseToolParser.ToArgumentsJson(pairs);

        // Assert
        Assert.Equal($$"""{"v":{{expectedJson}}}""", json);
    }

    [Fact]
    public void ToArgumentsJson_Keys_KeepTheirOrder()
    {
        // Arrange
        var pairs = Pairs("z", "1", "a", "x", "m", "true");

        // Act
        var json = UseToolParser.ToArgumentsJson(pairs);

        // Assert
        Assert.Equal("""{"z":1,"a":"x","m":true}""", json);
    }

    [Fact]
    public void ToArgumentsJson_RepeatedKey_KeepsTheFirstPositionAndTheLastValue()
    {
        // Arrange
        var pairs = Pairs("a", "1", "b", "2", "a", "3");

        // Act
        var json = UseToolParser.ToArgumentsJson(pairs);

        // Assert
        Assert.Equal("""{"a":3,"b":2}""", json);
    }

    [Fact]
    public void ToArgumentsJson_NoPairs_IsAnEmptyObject()
    {
        // Arrange / Act
        var json = UseToolParser.ToArgumentsJson([]);

        // Assert
        Assert.Equal("{}", json);
    }

    [Fact]
    public void ToArgumentsJson_NonAsciiAndMarkup_AreWrittenReadably()
    {
        // Arrange
        var pairs = Pairs("q", "café <b> & \"x\" 🙂\n");

        // Act
        var json = UseToolParser.ToArgumentsJson(pairs);

        // Assert: only quotes, control characters and characters outside the BMP are escaped
        Assert.Equal("{\"q\":\"café <b> & \\\"x\\\" \\uD83D\\uDE42\\n\"}", json);
        Assert.Equal("café <b> & \"x\" 🙂\n", JsonNode.Parse(json)!["q"]!.GetValue<string>());
    }

    // ---- round trip with ObsidianXml ----

    public static TheoryData<string, string[]> RoundTripArguments => new()
    {
        { """{"query":"hello world"}""", [] },
        { """{"text":"line1\nline2\ttab  ","empty":""}""", [] },
        { """{"limit":5,"ratio":-0.25,"big":1e21,"zero":0}""", [] },
        { """{"recursive":true,"dryRun":false}""", [] },
        { """{"tags":["a","b<c",1,true,null,{"k":"&"}]}""", [] },
        { """{"filter":{"path":"a&b","depth":2,"nested":{"x":[]}}}""", [] },
        { """{"html":"<b>Tom & Jerry</b> \"quoted\" 'single' &amp; </use_tool>"}""", [] },
        { """{"note":"café 日本語 🙂 — ok"}""", [] },
        { """{"c":3,"a":"x","b":[1]}""", ["a", "b", "c"] },
        { """{"localPath":"notes/a.md","query":"x","limit":10,"folders":["p","q"],"opts":{"deep":true}}""", ["query", "limit"] },
        { "{}", [] },
    };

    [Theory]
    [MemberData(nameof(RoundTripArguments))]
    public void RoundTrip_ToBlockThenExtractThenToArgumentsJson_GivesTheOriginalArguments(string arguments, string[] parameterOrder)
    {
        // Arrange
        var block = ObsidianXml.ToBlock("tool_1", arguments, parameterOrder);

        // Act
        var parsed = Assert.Single(UseToolParser.ExtractUseToolBlocks("before " + block + " after"));
        var json = UseToolParser.ToArgumentsJson(parsed.Parameters);

        // Assert
        Assert.Equal("tool_1", parsed.Name);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(arguments), JsonNode.Parse(json)), $"{arguments} became {json}");
    }

    [Theory]
    [InlineData("""{"v":"42"}""", """{"v":42}""")]
    [InlineData("""{"v":"true"}""", """{"v":true}""")]
    [InlineData("""{"v":"[1]"}""", """{"v":[1]}""")]
    [InlineData("""{"v":null}""", """{"v":"null"}""")]
    public void RoundTrip_ValueWhoseTextLooksLikeAnotherKind_ComesBackAsThatKind(string arguments, string expected)
    {
        // Arrange: the block format writes strings unquoted, so these are indistinguishable
        var block = ObsidianXml.ToBlock("t", arguments, []);

        // Act
        var json = Assert.Single(UseToolParser.ExtractUseToolBlocks(block)).ToArgumentsJson();

        // Assert
        Assert.Equal(expected, json);
    }

    [Fact]
    public void ToCanonicalXml_KeepsTheModelsParameterOrderAndNormalizesTheLayout()
    {
        // Arrange
        const string text = "<use_tool>\n  <name> search </name>\n  <limit> 3 </limit>\n  <query>a &amp; b</query>\n  <list>[1, 2]</list>\n</use_tool>";
        var block = Assert.Single(UseToolParser.ExtractUseToolBlocks(text));

        // Act
        var xml = block.ToCanonicalXml();

        // Assert
        Assert.Equal("<use_tool>\n<name>search</name>\n<limit>3</limit>\n<query>a &amp; b</query>\n<list>[1,2]</list>\n</use_tool>", xml);
    }

    // ---- helpers used by the buffer ----

    [Theory]
    [InlineData("", 0)]
    [InlineData("abc", 0)]
    [InlineData("abc<", 1)]
    [InlineData("abc<use", 4)]
    [InlineData("abc<use_tool", 9)]
    [InlineData("<use_tool>", 0)]
    [InlineData("x<use_tool<us", 3)]
    [InlineData("<u<", 1)]
    public void MarkerPrefixSuffixLength_ReturnsTheLongestSuffixThatCouldStartAMarker(string text, int expected)
    {
        // Arrange / Act
        var length = UseToolParser.MarkerPrefixSuffixLength(text);

        // Assert
        Assert.Equal(expected, length);
    }

    [Theory]
    [InlineData("<", "Partial")]
    [InlineData("<use_to", "Partial")]
    [InlineData("<use_tool", "Partial")]
    [InlineData("<use_tool>", "Open")]
    [InlineData("<use_tool ", "Open")]
    [InlineData("<use_tool\n", "Open")]
    [InlineData("<use_tools", "None")]
    [InlineData("<use_x", "None")]
    [InlineData("<b>", "None")]
    [InlineData("", "None")]
    public void MatchOpenMarker_ClassifiesTheText(string text, string expected)
    {
        // Arrange / Act
        var match = UseToolParser.MatchOpenMarker(text);

        // Assert
        Assert.Equal(expected, match.ToString());
    }
}
