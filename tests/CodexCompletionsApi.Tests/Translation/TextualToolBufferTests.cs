using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.Tests.TestSupport;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class TextualToolBufferTests
{
    private const string Marker = "<use_tool";

    public static TheoryData<string> TextualFixtures => ToolCallFixtures.Names("textual-");

    // ---- helpers (independent of the code under test) ----

    private static List<TextualToolOutput> Feed(TextualToolBuffer buffer, IEnumerable<string> deltas, bool flush = true)
    {
        var outputs = new List<TextualToolOutput>();
        foreach (var delta in deltas)
        {
            outputs.AddRange(buffer.Append(delta));
        }

        if (flush)
        {
            outputs.AddRange(buffer.Flush());
        }

        return outputs;
    }

    /// <summary>Adjacent Text outputs merged (how text is cut into outputs depends on the deltas).</summary>
    private static List<TextualToolOutput> Normalize(IEnumerable<TextualToolOutput> outputs)
    {
        var merged = new List<TextualToolOutput>();
        foreach (var output in outputs)
        {
            if (output is TextualToolOutput.Text next && merged.Count > 0 && merged[^1] is TextualToolOutput.Text previous)
            {
                merged[^1] = new TextualToolOutput.Text(previous.Value + next.Value);
            }
            else
            {
                merged.Add(output);
            }
        }

        return merged;
    }

    private static string Texts(IEnumerable<TextualToolOutput> outputs)
        => string.Concat(outputs.OfType<TextualToolOutput.Text>().Select(t => t.Value));

    /// <summary>The stream rebuilt: text as is, each block replaced by the original slice it came from.</summary>
    private static string Rebuild(string input, IEnumerable<TextualToolOutput> outputs)
        => string.Concat(outputs.Select(o => o switch
        {
            TextualToolOutput.Text t => t.Value,
            TextualToolOutput.Block b => input[b.Canonical.Start..b.Canonical.End],
            _ => string.Empty,
        }));

    /// <summary>How much of <paramref name="text"/> may be held: its longest suffix that is a prefix of the marker.</summary>
    private static int HoldableSuffix(string text)
    {
        for (var n = Math.Min(Marker.Length, text.Length); n > 0; n--)
        {
            if (Marker.StartsWith(text[^n..], StringComparison.Ordinal))
            {
                return n;
            }
        }

        return 0;
    }

    private static List<string> RandomSplit(string text, Random random, int maxChunk)
    {
        var parts = new List<string>();
        for (var at = 0; at < text.Length;)
        {
            var length = Math.Min(random.Next(1, maxChunk + 1), text.Length - at);
            if (char.IsHighSurrogate(text[at + length - 1]) && at + length < text.Length)
            {
                length++; // keep surrogate pairs whole, as a real stream does
            }

            parts.Add(text.Substring(at, length));
            at += length;
        }

        return parts;
    }

    private static JsonArray Describe(IEnumerable<TextualToolOutput> outputs)
        => [.. Normalize(outputs).Select(o => (JsonNode)(o switch
        {
            TextualToolOutput.Text t => new JsonObject { ["text"] = t.Value },
            TextualToolOutput.Malformed m => new JsonObject { ["malformed"] = m.Reason },
            TextualToolOutput.Block b => new JsonObject
            {
                ["block"] = new JsonObject
                {
                    ["start"] = b.Canonical.Start,
                    ["end"] = b.Canonical.End,
                    ["name"] = b.Canonical.Name,
                    ["parameters"] = new JsonArray([.. b.Canonical.Parameters.Select(p => (JsonNode)new JsonArray(p.Key, p.Value))]),
                    ["arguments"] = JsonNode.Parse(b.Canonical.ToArgumentsJson()),
                    ["xml"] = b.CanonicalXml,
                },
            },
            _ => throw new InvalidOperationException(o.GetType().Name),
        }))];

    // ---- fixtures ----

    [Theory]
    [MemberData(nameof(TextualFixtures))]
    public void Fixture_DeltasThenFlush_GiveTheExpectedOutputsAndCounters(string fixture)
    {
        // Arrange
        var data = ToolCallFixtures.Load(fixture);
        var deltas = data["deltas"]!.AsArray().Select(d => d!.GetValue<string>()).ToList();
        var expected = data["expected"]!;
        var buffer = new TextualToolBuffer();

        // Act
        var outputs = Feed(buffer, deltas);

        // Assert
        var actual = Describe(outputs);
        Assert.True(JsonNode.DeepEquals(expected["outputs"], actual), $"{fixture}\nexpected {ToolCallFixtures.Show(expected["outputs"])}\nactual   {ToolCallFixtures.Show(actual)}");
        Assert.Equal(expected["started"]!.GetValue<int>(), buffer.BuffersStarted);
        Assert.Equal(expected["flushed"]!.GetValue<int>(), buffer.BuffersFlushed);
        Assert.Equal(expected["aborted"]!.GetValue<int>(), buffer.BuffersAborted);
        Assert.Equal(0, buffer.BufferedLength);
    }

    [Theory]
    [MemberData(nameof(TextualFixtures))]
    public void Fixture_AsOneDelta_GivesTheSameOutputsAsSplit(string fixture)
    {
        // Arrange
        var deltas = ToolCallFixtures.Load(fixture)["deltas"]!.AsArray().Select(d => d!.GetValue<string>()).ToList();

        // Act
        var split = Describe(Feed(new TextualToolBuffer(), deltas));
        var whole = Describe(Feed(new TextualToolBuffer(), [string.Concat(deltas)]));

        // Assert
        Assert.True(JsonNode.DeepEquals(split, whole), $"split {ToolCallFixtures.Show(split)}\nwhole {ToolCallFixtures.Show(whole)}");
    }

    [Fact]
    public void Fixture_SplitBlock_IsReallySplitIntoOneToThreeCharacterDeltas()
    {
        // Arrange
        var deltas = ToolCallFixtures.Load("textual-split-1-3.json")["deltas"]!.AsArray().Select(d => d!.GetValue<string>()).ToList();

        // Act
        var lengths = deltas.Select(d => new StringInfo(d).LengthInTextElements).ToList();

        // Assert
        Assert.True(deltas.Count > 100, $"only {deltas.Count} deltas");
        Assert.All(lengths, l => Assert.InRange(l, 1, 3));
        Assert.Contains(deltas, d => d.Contains('<', StringComparison.Ordinal) && d.Length < Marker.Length);
    }

    // ---- pass-through ----

    [Fact]
    public void Append_TextWithoutMarker_IsEmittedAtOnce()
    {
        // Arrange
        var buffer = new TextualToolBuffer();

        // Act
        var outputs = buffer.Append("plain <b>text</b> a < b, 日本 🙂");

        // Assert
        Assert.Equal([new TextualToolOutput.Text("plain <b>text</b> a < b, 日本 🙂")], outputs);
        Assert.Equal(0, buffer.BufferedLength);
    }

    [Theory]
    [InlineData("Hello < world <use_tools> and <use_too")]
    [InlineData("x<u<us<use<use_<use_t<use_to<use_too<use_tool_x")]
    [InlineData("日本<use_t語 🙂<use_toolbox> < use_tool")]
    [InlineData("<<<<<use_tool!")]
    [InlineData("trailing <use_tool")]
    public void Append_CharByChar_TextIsNeverHeldBeyondAPossibleMarkerPrefix(string text)
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        var emitted = new StringBuilder();

        // Act / Assert
        for (var i = 1; i <= text.Length; i++)
        {
            emitted.Append(Texts(buffer.Append(text[(i - 1)..i])));
            var prefix = text[..i];
            var held = HoldableSuffix(prefix);
            Assert.Equal(prefix[..^held], emitted.ToString());
            Assert.Equal(held, buffer.BufferedLength);
            Assert.False(buffer.IsBuffering);
        }

        emitted.Append(Texts(buffer.Flush()));
        Assert.Equal(text, emitted.ToString());
        Assert.Equal(0, buffer.BuffersStarted);
    }

    [Fact]
    public void Append_HeldPrefixThenContinuation_ReleasesTheHeldText()
    {
        // Arrange
        var buffer = new TextualToolBuffer();

        // Act
        var first = buffer.Append("a used <use");
        var second = buffer.Append("d car");

        // Assert
        Assert.Equal([new TextualToolOutput.Text("a used ")], first);
        Assert.Equal([new TextualToolOutput.Text("<used car")], second);
    }

    [Fact]
    public void Append_FullMarkerAtTheEnd_IsHeldUntilTheNextCharDecides()
    {
        // Arrange
        var buffer = new TextualToolBuffer();

        // Act
        var held = buffer.Append("x<use_tool");
        var heldIsBuffering = buffer.IsBuffering;
        var opened = buffer.Append(">");

        // Assert
        Assert.Equal([new TextualToolOutput.Text("x")], held);
        Assert.False(heldIsBuffering);
        Assert.Empty(opened);
        Assert.True(buffer.IsBuffering);
        Assert.Equal(1, buffer.BuffersStarted);
    }

    // ---- blocks ----

    [Fact]
    public void Append_BlockWithTextAroundInOneDelta_EmitsTextBlockTextInOrder()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        const string block = "<use_tool><name>ping</name></use_tool>";

        // Act
        var outputs = buffer.Append("before " + block + " after");

        // Assert
        Assert.Equal(3, outputs.Count);
        Assert.Equal(new TextualToolOutput.Text("before "), outputs[0]);
        var emitted = Assert.IsType<TextualToolOutput.Block>(outputs[1]);
        Assert.Equal("<use_tool>\n<name>ping</name>\n</use_tool>", emitted.CanonicalXml);
        Assert.Equal((7, 7 + block.Length), (emitted.Canonical.Start, emitted.Canonical.End));
        Assert.Equal(new TextualToolOutput.Text(" after"), outputs[2]);
        Assert.Equal((1, 1, 0), (buffer.BuffersStarted, buffer.BuffersFlushed, buffer.BuffersAborted));
    }

    [Fact]
    public void Append_Block_IsHeldUntilTheClosingTagAndEmittedOnce()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        string[] deltas = ["<use_tool>\n<name>search</name>\n", "<q>x</q>\n</use_to", "ol>"];

        // Act
        var perDelta = deltas.Select(d => buffer.Append(d)).ToList();
        var flushed = buffer.Flush();

        // Assert
        Assert.Empty(perDelta[0]);
        Assert.Empty(perDelta[1]);
        var block = Assert.IsType<TextualToolOutput.Block>(Assert.Single(perDelta[2]));
        Assert.Equal("<use_tool>\n<name>search</name>\n<q>x</q>\n</use_tool>", block.CanonicalXml);
        Assert.Empty(flushed);
    }

    [Fact]
    public void Append_CanonicalXml_KeepsTheModelsParameterOrderAndFormatsLikeObsidianXml()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        const string model = "<use_tool>\n    <name>localSearch</name>\n    <limit>5</limit>\n    <query>a &amp; b</query>\n    <deep> true </deep>\n</use_tool>";

        // Act
        var block = Assert.IsType<TextualToolOutput.Block>(Assert.Single(buffer.Append(model)));

        // Assert
        Assert.Equal("<use_tool>\n<name>localSearch</name>\n<limit>5</limit>\n<query>a &amp; b</query>\n<deep>true</deep>\n</use_tool>", block.CanonicalXml);
        Assert.Equal(ObsidianXml.ToBlock("localSearch", """{"limit":5,"query":"a & b","deep":true}""", ["limit", "query", "deep"]), block.CanonicalXml);
    }

    [Fact]
    public void Append_BlockOffsets_CountTheWholeStream()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        const string first = "🙂 <use_tool><name>a</name></use_tool>";
        const string second = " x <use_tool><name>b</name></use_tool>";

        // Act
        var outputs = Feed(buffer, [first, second]);

        // Assert
        var blocks = outputs.OfType<TextualToolOutput.Block>().Select(b => (b.Canonical.Start, b.Canonical.End)).ToList();
        Assert.Equal([(3, first.Length), (first.Length + 3, first.Length + second.Length)], blocks);
    }

    // ---- malformed ----

    [Theory]
    [InlineData("<use_tool><path>a</path></use_tool>", "missing <name>")]
    [InlineData("<use_tool>\n</use_tool>", "missing <name>")]
    [InlineData("<use_tool><name> </name></use_tool>", "empty <name>")]
    [InlineData("<use_tool><name>t</name><q>1</use_tool>", "unterminated <q>")]
    [InlineData("<use_tool><name>t</name>hm<q>1</q></use_tool>", "unexpected text in <use_tool> block")]
    [InlineData("<use_tool attr<x>><name>t</name></use_tool>", "malformed <use_tool> tag")]
    public void Append_ClosedMalformedBlock_WarnsAndFlushesItVerbatimThenScansOn(string malformed, string reason)
    {
        // Arrange
        var buffer = new TextualToolBuffer();

        // Act
        var outputs = Normalize(Feed(buffer, ["a ", malformed, " b <use_tool><name>ok</name></use_tool> c"]));

        // Assert
        Assert.Equal(5, outputs.Count);
        Assert.Equal(new TextualToolOutput.Text("a "), outputs[0]);
        Assert.Equal(new TextualToolOutput.Malformed(reason), outputs[1]);
        Assert.Equal(new TextualToolOutput.Text(malformed + " b "), outputs[2]);
        Assert.Equal("ok", Assert.IsType<TextualToolOutput.Block>(outputs[3]).Canonical.Name);
        Assert.Equal(new TextualToolOutput.Text(" c"), outputs[4]);
        Assert.Equal((2, 1, 1), (buffer.BuffersStarted, buffer.BuffersFlushed, buffer.BuffersAborted));
    }

    [Fact]
    public void Append_NestedMarker_FlushesTheOuterVerbatimAndOpensTheInner()
    {
        // Arrange
        var buffer = new TextualToolBuffer();

        // Act
        var outputs = buffer.Append("<use_tool><name>a</name><q>x<use_tool>");
        var buffering = buffer.IsBuffering;
        var buffered = buffer.BufferedLength;

        // Assert
        Assert.Equal([new TextualToolOutput.Malformed(TextualToolBuffer.NestedReason), new TextualToolOutput.Text("<use_tool><name>a</name><q>x")], outputs);
        Assert.True(buffering);
        Assert.Equal("<use_tool>".Length, buffered);
        Assert.Equal((2, 0, 1), (buffer.BuffersStarted, buffer.BuffersFlushed, buffer.BuffersAborted));
    }

    [Fact]
    public void Append_NestedMarkerSplitAcrossDeltas_IsStillDetected()
    {
        // Arrange
        var buffer = new TextualToolBuffer();

        // Act
        var outputs = Normalize(Feed(buffer, ["<use_tool><name>a</name>", "<use", "_too", "l", " ", "x"]));

        // Assert
        Assert.Equal(
            [
                new TextualToolOutput.Malformed(TextualToolBuffer.NestedReason),
                new TextualToolOutput.Text("<use_tool><name>a</name>"),
                new TextualToolOutput.Malformed(TextualToolBuffer.UnterminatedReason),
                new TextualToolOutput.Text("<use_tool x"),
            ],
            outputs);
    }

    [Fact]
    public void Append_ClosingTagSplitAcrossDeltas_IsFound()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        var deltas = "<use_tool><name>a</name></use_tool>".Select(c => c.ToString()).ToList();

        // Act
        var outputs = Feed(buffer, deltas, flush: false);

        // Assert
        Assert.Equal("a", Assert.IsType<TextualToolOutput.Block>(Assert.Single(outputs)).Canonical.Name);
        Assert.False(buffer.IsBuffering);
    }

    // ---- size cap ----

    [Fact]
    public void Append_BlockLongerThanTheCap_IsFlushedVerbatimAsTooLong()
    {
        // Arrange
        var buffer = new TextualToolBuffer(maxBlockLength: 40);
        const string block = "<use_tool><name>t</name><q>0123456789</q></use_tool>"; // 52 chars

        // Act
        var outputs = Normalize(Feed(buffer, ["a", .. block.Chunk(3).Select(c => new string(c)), "z"]));

        // Assert
        Assert.Equal(
            [new TextualToolOutput.Text("a"), new TextualToolOutput.Malformed(TextualToolBuffer.TooLongReason), new TextualToolOutput.Text(block + "z")],
            outputs);
        Assert.Equal((1, 0, 1), (buffer.BuffersStarted, buffer.BuffersFlushed, buffer.BuffersAborted));
    }

    [Theory]
    [InlineData(38, true)]
    [InlineData(37, false)]
    public void Append_BlockOfExactlyTheCap_Completes(int cap, bool completes)
    {
        // Arrange
        const string block = "<use_tool><name>ping</name></use_tool>"; // 38 chars
        var buffer = new TextualToolBuffer(cap);

        // Act
        var outputs = Feed(buffer, block.Select(c => c.ToString()));

        // Assert
        Assert.Equal(completes, outputs.Any(o => o is TextualToolOutput.Block));
        Assert.Equal(completes, !outputs.Any(o => o is TextualToolOutput.Malformed));
        Assert.Equal(block, Rebuild(block, outputs));
    }

    [Fact]
    public void Append_TooLong_TextAfterTheCapIsScannedAgain()
    {
        // Arrange: the inner marker starts after the cap, so the outer block is too long (not nested)
        var buffer = new TextualToolBuffer(maxBlockLength: 40);
        const string outer = "<use_tool><name>t</name><q>0123456789abc"; // 40 chars
        const string inner = "<use_tool><name>u</name></use_tool>";

        // Act
        var outputs = Normalize(Feed(buffer, [outer, "x", inner]));

        // Assert
        Assert.Equal(3, outputs.Count);
        Assert.Equal(new TextualToolOutput.Malformed(TextualToolBuffer.TooLongReason), outputs[0]);
        Assert.Equal(new TextualToolOutput.Text(outer + "x"), outputs[1]);
        Assert.Equal("u", Assert.IsType<TextualToolOutput.Block>(outputs[2]).Canonical.Name);
        Assert.Equal((2, 1, 1), (buffer.BuffersStarted, buffer.BuffersFlushed, buffer.BuffersAborted));
    }

    [Fact]
    public void Append_NestedMarkerWithinTheCap_IsNestedNotTooLong()
    {
        // Arrange
        var buffer = new TextualToolBuffer(maxBlockLength: 40);
        const string outer = "<use_tool><name>t</name><q>0123456789abc"; // 40 chars: the inner marker starts at the cap

        // Act
        var outputs = Normalize(Feed(buffer, [outer + "<use_tool><name>u</name></use_tool>"]));

        // Assert
        Assert.Equal(new TextualToolOutput.Malformed(TextualToolBuffer.NestedReason), outputs[0]);
        Assert.Equal(new TextualToolOutput.Text(outer), outputs[1]);
        Assert.Equal("u", Assert.IsType<TextualToolOutput.Block>(outputs[2]).Canonical.Name);
    }

    [Fact]
    public void DefaultCap_Is256KiBAndAnUnclosedHugeBlockIsReleased()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        var chunk = new string('x', 1000);

        // Act
        var outputs = new List<TextualToolOutput>(buffer.Append("<use_tool><name>t</name><q>"));
        for (var i = 0; i < 300; i++)
        {
            outputs.AddRange(buffer.Append(chunk));
        }

        // Assert
        Assert.Equal(256 * 1024, TextualToolBuffer.DefaultMaxBlockLength);
        Assert.Equal(256 * 1024, buffer.MaxBlockLength);
        Assert.Contains(new TextualToolOutput.Malformed(TextualToolBuffer.TooLongReason), outputs);
        Assert.False(buffer.IsBuffering);
        Assert.Equal(0, buffer.BufferedLength);
        Assert.Equal(27 + 300_000, Texts(outputs).Length);
    }

    [Fact]
    public void Append_LargeBlockInOneCharDeltas_CompletesWithItsWholeValue()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        var value = string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26))));
        var text = $"<use_tool><name>write</name><content>{value}</content></use_tool>";

        // Act
        var outputs = Feed(buffer, text.Select(c => c.ToString()), flush: false);

        // Assert
        var block = Assert.IsType<TextualToolOutput.Block>(Assert.Single(outputs));
        Assert.Equal(value, Assert.Single(block.Canonical.Parameters).Value);
    }

    // ---- flush ----

    [Fact]
    public void Flush_InsideABlock_ReturnsTheExactPartialTextAndCountsAnAbort()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        buffer.Append("hi <use_tool>\n<name>a</name>\n<q>café &amp; 🙂");

        // Act
        var flushed = buffer.Flush();

        // Assert
        Assert.Equal(
            [new TextualToolOutput.Malformed(TextualToolBuffer.UnterminatedReason), new TextualToolOutput.Text("<use_tool>\n<name>a</name>\n<q>café &amp; 🙂")],
            flushed);
        Assert.Equal((1, 0, 1), (buffer.BuffersStarted, buffer.BuffersFlushed, buffer.BuffersAborted));
        Assert.False(buffer.IsBuffering);
        Assert.Equal(0, buffer.BufferedLength);
    }

    [Fact]
    public void Flush_HeldMarkerPrefix_ReturnsItAsTextWithoutAnAbort()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        buffer.Append("the end <use_to");

        // Act
        var flushed = buffer.Flush();

        // Assert
        Assert.Equal([new TextualToolOutput.Text("<use_to")], flushed);
        Assert.Equal((0, 0, 0), (buffer.BuffersStarted, buffer.BuffersFlushed, buffer.BuffersAborted));
    }

    [Fact]
    public void Flush_NothingHeld_ReturnsNothing()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        buffer.Append("all sent");

        // Act
        var flushed = buffer.Flush();

        // Assert
        Assert.Empty(flushed);
    }

    [Fact]
    public void Flush_ThenAppend_StartsCleanly()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        buffer.Append("<use_tool><name>a");
        buffer.Flush();

        // Act
        var outputs = buffer.Append("</name> plain");

        // Assert
        Assert.Equal([new TextualToolOutput.Text("</name> plain")], outputs);
    }

    // ---- invariants ----

    [Fact]
    public void Append_RandomSplits_LoseNoTextAndAgreeWithOneDelta()
    {
        // Arrange
        const string text = "Intro 日本 🙂 <use_t <use_tool>\n<name>a</name>\n<p>1</p>\n</use_tool>"
            + " mid <use_tool><k>no name</k></use_tool> <use_tool><name>outer</name><use_tool><name>inner</name><x>&lt;y&gt;</x></use_tool>"
            + " <use_toolbox> tail <use_tool><name>last</name><v>[1, 2]</v></use_tool><use_tool><name>cut";
        var reference = Describe(Feed(new TextualToolBuffer(), [text]));
        var random = new Random(20240601);

        for (var round = 0; round < 200; round++)
        {
            var buffer = new TextualToolBuffer();
            var deltas = RandomSplit(text, random, 1 + (round % 12));

            // Act
            var outputs = Feed(buffer, deltas);

            // Assert
            Assert.Equal(text, Rebuild(text, outputs));
            Assert.True(JsonNode.DeepEquals(reference, Describe(outputs)), $"round {round}: {string.Join("|", deltas)}");
            Assert.Equal(buffer.BuffersStarted, buffer.BuffersFlushed + buffer.BuffersAborted);
        }

        Assert.Equal(["a", "inner", "last"], reference.Select(o => o!["block"]?["name"]?.GetValue<string>()).OfType<string>());
    }

    [Fact]
    public void Append_NullDelta_Throws()
    {
        // Arrange
        var buffer = new TextualToolBuffer();

        // Act / Assert
        Assert.Throws<ArgumentNullException>(() => buffer.Append(null!));
    }

    [Fact]
    public void Append_EmptyDelta_ReturnsNothingAndKeepsTheState()
    {
        // Arrange
        var buffer = new TextualToolBuffer();
        buffer.Append("<use_");

        // Act
        var outputs = buffer.Append(string.Empty);

        // Assert
        Assert.Empty(outputs);
        Assert.Equal(5, buffer.BufferedLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(20)]
    public void Constructor_CapTooSmallForAnyBlock_Throws(int cap)
    {
        // Arrange / Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => new TextualToolBuffer(cap));
    }
}

/// <summary>The deterministic cases in <c>tests/fixtures/tool-calls</c>, read from the source tree.</summary>
internal static class ToolCallFixtures
{
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Directory => Path.Combine(RepoPaths.Root, "tests", "fixtures", "tool-calls");

    public static TheoryData<string> Names(string prefix)
    {
        var names = System.IO.Directory.GetFiles(Directory, prefix + "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
        {
            throw new InvalidOperationException($"No {prefix}*.json fixtures in {Directory}.");
        }

        return [.. names.Select(n => n!)];
    }

    public static JsonNode Load(string name)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(Directory, name))) ?? throw new InvalidOperationException($"{name} is empty.");

    public static string Show(JsonNode? node) => node?.ToJsonString(Readable) ?? "null";
}
