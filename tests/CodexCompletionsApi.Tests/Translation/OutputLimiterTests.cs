using System.Text;
using CodexCompletionsApi.Translation;
using Microsoft.ML.Tokenizers;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class OutputLimiterTests
{
    // An independent tokenizer instance: expectations never go through the code under test.
    private static readonly TiktokenTokenizer Reference = TiktokenTokenizer.CreateForEncoding("o200k_base");

    // Prose, contractions, numbers, code, CRLF, blank lines, CJK, accents and combining marks, emoji (with
    // modifiers and ZWJ), Indic and Thai combining marks, multi-token characters, special-token text and URLs: every kind of piece boundary.
    private const string MixedText =
        "Hello, world! It's a test: don't, we'll and they're fine. 12345 + 67.89 = 12413.89; x=3/4\n\n" +
        "    indented\tcode() { return a+b; } // ok\r\n" +
        "你好，世界。再见！ Ünïcödé café naïve cafe\u0301 a\u0300s \u0645\u0631\u062d\u0628\u0627 नमस्ते दुनिया สวัสดีครับ ಕನ್ನಡ 😀👍🏽 family 👩‍👩‍👧 𓀀𓀁 " +
        "<|endoftext|> <|endofprompt|> see http://example.com/a/b?c=d   trailing   \n\n\n/path\nEND.";

    private static readonly string[] Fragments =
    [
        "a", "b", "Z", "é", "e\u0301", "'", "'s", "'ll", "1", "23", "\u00b2", " ", "  ", "\t", "\n", "\r\n", "/", ".",
        "!", "-", "你", "，", "😀", "🏽", "\u200d", "𓀀", "<|endoftext|>", "<|", "|>", "endoftext", "<|endofprompt|",
        "\u0301", "Ⅻ", "x", "ll", "re",
    ];

    private static int ReferenceCount(string text) => Reference.CountTokens(text);

    private static string ReferencePrefix(string text, int tokens) => Reference.Decode(Reference.EncodeToIds(text).Take(tokens));

    private static List<string> Feed(OutputLimiter limiter, params string[] deltas) => [.. deltas.Select(limiter.Append)];

    private static List<string> RandomSplit(string text, Random random, int maxChunk)
    {
        var parts = new List<string>();
        for (var at = 0; at < text.Length;)
        {
            var length = Math.Min(random.Next(1, maxChunk + 1), text.Length - at);
            parts.Add(text.Substring(at, length));
            at += length;
        }

        return parts;
    }

    [Fact]
    public void Append_StopWithinOneDelta_CutsRightBeforeIt()
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], null);

        // Act
        var emitted = limiter.Append("Hello STOP world");

        // Assert
        Assert.Equal("Hello ", emitted);
        Assert.Equal("stop", limiter.FinishReason);
        Assert.True(limiter.IsFinished);
        Assert.Equal(ReferenceCount("Hello "), limiter.EmittedTokens);
    }

    [Fact]
    public void Append_StopAcrossTwoDeltas_HoldsPrefixThenStops()
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], null);

        // Act
        var parts = Feed(limiter, "Hello ST", "OP now");

        // Assert
        Assert.Equal(["Hello ", ""], parts);
        Assert.Equal("stop", limiter.FinishReason);
    }

    [Theory]
    [InlineData(new[] { "Hel", "lo ST", "OP now" }, new[] { "Hel", "lo ", "" })]
    [InlineData(new[] { "Hello S", "T", "OP now" }, new[] { "Hello ", "", "" })]
    [InlineData(new[] { "Hello S", "TO", "P" }, new[] { "Hello ", "", "" })]
    public void Append_StopAcrossThreeDeltas_EmitsTextBeforeItOnly(string[] deltas, string[] expected)
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], null);

        // Act
        var parts = Feed(limiter, deltas);

        // Assert
        Assert.Equal(expected, parts);
        Assert.Equal("Hello ", string.Concat(parts));
        Assert.Equal("stop", limiter.FinishReason);
    }

    [Fact]
    public void Append_FalseStart_ReleasesHeldText()
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], null);

        // Act
        var parts = Feed(limiter, "go ST", "ART now");

        // Assert
        Assert.Equal(["go ", "START now"], parts);
        Assert.Null(limiter.FinishReason);
        Assert.Equal(ReferenceCount("go START now"), limiter.EmittedTokens);
    }

    [Fact]
    public void Append_FalseStartAlone_ReleasedWhenDisambiguated()
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], null);

        // Act
        var parts = Feed(limiter, "ST", "ART");

        // Assert
        Assert.Equal(["", "START"], parts);
        Assert.Null(limiter.FinishReason);
    }

    [Fact]
    public void Append_MultipleStops_EarliestOccurrenceWins()
    {
        // Arrange
        var limiter = new OutputLimiter(["world", "lo"], null);

        // Act
        var emitted = limiter.Append("Hello world");

        // Assert
        Assert.Equal("Hel", emitted);
        Assert.Equal("stop", limiter.FinishReason);
    }

    [Fact]
    public void Append_ShorterStopCompletesInsideEarlierPartialOne_WaitsAndEarlierStartWins()
    {
        // Arrange: "bc" completes first in time, but "abcd" starts earlier in the text.
        var limiter = new OutputLimiter(["abcd", "bc"], null);

        // Act
        var parts = Feed(limiter, "xab", "c", "d", "more");

        // Assert
        Assert.Equal(["x", "", "", ""], parts);
        Assert.Equal("stop", limiter.FinishReason);
    }

    [Fact]
    public void Append_EarlierPartialStopFails_LaterCompleteStopCuts()
    {
        // Arrange
        var limiter = new OutputLimiter(["abcd", "bc"], null);

        // Act
        var parts = Feed(limiter, "xab", "c", "e");

        // Assert
        Assert.Equal(["x", "", "a"], parts);
        Assert.Equal("stop", limiter.FinishReason);
    }

    [Fact]
    public void Flush_CompleteStopWaitingOnPartialOne_CutsAtTheCompleteStop()
    {
        // Arrange
        var limiter = new OutputLimiter(["abcd", "bc"], null);
        var parts = Feed(limiter, "xab", "c");

        // Act
        var flushed = limiter.Flush();

        // Assert
        Assert.Equal(["x", ""], parts);
        Assert.Equal("a", flushed);
        Assert.Equal("stop", limiter.FinishReason);
    }

    [Theory]
    [InlineData("STOP and more")]
    [InlineData("ST", "OP and more")]
    [InlineData("S", "T", "O", "P")]
    public void Append_StopAtVeryBeginning_EmitsNothing(params string[] deltas)
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], null);

        // Act
        var parts = Feed(limiter, deltas);

        // Assert
        Assert.All(parts, part => Assert.Equal(string.Empty, part));
        Assert.Equal("stop", limiter.FinishReason);
        Assert.Equal(0, limiter.EmittedTokens);
        Assert.Equal(string.Empty, limiter.Flush());
    }

    [Fact]
    public void Append_CjkStop_CutsBeforeIt()
    {
        // Arrange
        var limiter = new OutputLimiter(["。"], null);

        // Act
        var parts = Feed(limiter, "你好，", "世界。再见");

        // Assert
        Assert.Equal(["你好，", "世界"], parts);
        Assert.Equal("stop", limiter.FinishReason);
        Assert.Equal(ReferenceCount("你好，世界"), limiter.EmittedTokens);
    }

    [Fact]
    public void Append_EmojiStopSplitBetweenSurrogates_StopsWithoutEmittingHalf()
    {
        // Arrange: "🛑" is U+1F6D1, the pair \uD83D\uDED1, split across the deltas.
        var limiter = new OutputLimiter(["🛑"], null);

        // Act
        var parts = Feed(limiter, "ok \uD83D", "\uDED1 more");

        // Assert
        Assert.Equal(["ok ", ""], parts);
        Assert.Equal("stop", limiter.FinishReason);
    }

    [Fact]
    public void Append_EmojiStopFalseStart_ReleasesWholeEmoji()
    {
        // Arrange
        var limiter = new OutputLimiter(["😀!"], null);

        // Act
        var parts = Feed(limiter, "x😀", "? 😀😀", "!");

        // Assert
        Assert.Equal(["x", "😀? 😀", ""], parts);
        Assert.Equal("stop", limiter.FinishReason);
    }

    [Fact]
    public void Append_DeltaEndsInsideSurrogatePair_HoldsHighHalfUntilPairCompletes()
    {
        // Arrange
        var limiter = new OutputLimiter([], null);

        // Act
        var parts = Feed(limiter, "a\uD83D", "\uDE00b");

        // Assert
        Assert.Equal(["a", "😀b"], parts);
        Assert.Equal(ReferenceCount("a😀b"), limiter.EmittedTokens);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(9)]
    public void Append_MaxTokensInOneDelta_CutsAtExactlyThatManyTokens(int maxTokens)
    {
        // Arrange
        const string text = "The quick brown fox jumps over the lazy dog.";
        var limiter = new OutputLimiter([], maxTokens);
        var expected = ReferencePrefix(text, maxTokens);

        // Act
        var emitted = limiter.Append(text);

        // Assert
        Assert.Equal(expected, emitted);
        Assert.Equal(maxTokens, ReferenceCount(emitted));
        Assert.Equal(maxTokens, limiter.EmittedTokens);
        Assert.Equal("length", limiter.FinishReason);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(8)]
    public void Append_MaxTokensAcrossWordDeltas_CutsAtExactlyThatManyTokens(int maxTokens)
    {
        // Arrange
        const string text = "The quick brown fox jumps over the lazy dog.";
        var limiter = new OutputLimiter([], maxTokens);
        var deltas = text.Split(' ').Select((word, i) => i == 0 ? word : " " + word).ToArray();

        // Act
        var emitted = string.Concat(Feed(limiter, deltas));

        // Assert
        Assert.Equal(ReferencePrefix(text, maxTokens), emitted);
        Assert.Equal(maxTokens, limiter.EmittedTokens);
        Assert.Equal("length", limiter.FinishReason);
    }

    [Theory]
    [InlineData(2, "x")]
    [InlineData(3, "x")]
    [InlineData(4, "x")]
    [InlineData(5, "x𓀀")]
    [InlineData(8, "x𓀀")]
    [InlineData(9, "x𓀀𓀁")]
    public void Append_MaxTokensCutInsideMultiTokenCharacter_NeverSplitsTheCharacter(int maxTokens, string expected)
    {
        // Arrange: "𓀀" (a surrogate pair) is four byte-level tokens, and its high surrogate alone would count as
        // three (U+FFFD), so a limit of 4 would fit "x" plus half a pair.
        const string text = "x𓀀𓀁y";
        Assert.Equal(10, ReferenceCount(text));
        Assert.Equal(4, ReferenceCount(text[..2]));
        var limiter = new OutputLimiter([], maxTokens);

        // Act
        var emitted = limiter.Append(text);

        // Assert
        Assert.Equal(expected, emitted);
        Assert.Equal(ReferenceCount(expected), limiter.EmittedTokens);
        Assert.Equal("length", limiter.FinishReason);
    }

    [Fact]
    public void Append_ManySingleCharacterDeltas_CountMatchesFullCountAtEveryStep()
    {
        // Arrange
        var limiter = new OutputLimiter([], null);
        var emitted = new StringBuilder();

        // Act / Assert
        foreach (var c in MixedText)
        {
            emitted.Append(limiter.Append(c.ToString()));
            Assert.Equal(ReferenceCount(emitted.ToString()), limiter.EmittedTokens);
        }

        emitted.Append(limiter.Flush());
        Assert.Equal(MixedText, emitted.ToString());
        Assert.Equal(ReferenceCount(MixedText), limiter.EmittedTokens);
        Assert.Null(limiter.FinishReason);
    }

    [Fact]
    public void Append_RandomSplitsOfFixedText_CountMatchesFullCountAtEveryStep()
    {
        // Arrange
        var random = new Random(20240611);

        for (var round = 0; round < 150; round++)
        {
            var limiter = new OutputLimiter([], null);
            var emitted = new StringBuilder();

            // Act / Assert
            foreach (var delta in RandomSplit(MixedText, random, round % 2 == 0 ? 4 : 12))
            {
                emitted.Append(limiter.Append(delta));
                Assert.Equal(ReferenceCount(emitted.ToString()), limiter.EmittedTokens);
            }

            emitted.Append(limiter.Flush());
            Assert.Equal(MixedText, emitted.ToString());
            Assert.Equal(ReferenceCount(MixedText), limiter.EmittedTokens);
        }
    }

    [Fact]
    public void Append_RandomTextsAndSplits_CountMatchesFullCountAtEveryStep()
    {
        // Arrange: random sequences of awkward fragments (marks, apostrophes, CRLF, '/', special-token parts).
        var random = new Random(7);

        for (var round = 0; round < 300; round++)
        {
            var text = string.Concat(Enumerable.Range(0, 40).Select(_ => Fragments[random.Next(Fragments.Length)]));
            var limiter = new OutputLimiter([], null);
            var emitted = new StringBuilder();

            // Act / Assert
            foreach (var delta in RandomSplit(text, random, 5))
            {
                emitted.Append(limiter.Append(delta));
                Assert.Equal(ReferenceCount(emitted.ToString()), limiter.EmittedTokens);
            }

            emitted.Append(limiter.Flush());
            Assert.Equal(text, emitted.ToString());
            Assert.Equal(ReferenceCount(text), limiter.EmittedTokens);
        }
    }

    [Fact]
    public void Append_RandomSplitsWithMaxTokens_CutFitsAndIsMaximal()
    {
        // Arrange
        var random = new Random(99);

        for (var round = 0; round < 150; round++)
        {
            var maxTokens = random.Next(1, ReferenceCount(MixedText));
            var limiter = new OutputLimiter([], maxTokens);
            var emitted = new StringBuilder();

            // Act
            foreach (var delta in RandomSplit(MixedText, random, 6))
            {
                emitted.Append(limiter.Append(delta));
                Assert.Equal(ReferenceCount(emitted.ToString()), limiter.EmittedTokens);
            }

            emitted.Append(limiter.Flush());

            // Assert: a prefix that fits, and one more character would not.
            var output = emitted.ToString();
            Assert.StartsWith(output, MixedText, StringComparison.Ordinal);
            Assert.Equal("length", limiter.FinishReason);
            Assert.True(limiter.EmittedTokens <= maxTokens);
            var next = char.IsHighSurrogate(MixedText[output.Length]) ? 2 : 1;
            Assert.True(ReferenceCount(MixedText[..(output.Length + next)]) > maxTokens, $"max {maxTokens}: '{output}' could be longer");
        }
    }

    [Fact]
    public void Append_WholeLongOutputInOneDelta_CutFitsAndIsMaximal()
    {
        // Arrange: the non-streaming path hands over the whole output at once.
        var text = string.Concat(Enumerable.Repeat(MixedText + "\n" + new string(' ', 60) + "x\n", 20));
        var total = ReferenceCount(text);

        foreach (var maxTokens in new[] { 1, 17, total / 3, total / 2, total - 1 })
        {
            var limiter = new OutputLimiter([], maxTokens);

            // Act
            var output = limiter.Append(text);

            // Assert
            Assert.StartsWith(output, text, StringComparison.Ordinal);
            Assert.Equal("length", limiter.FinishReason);
            Assert.Equal(ReferenceCount(output), limiter.EmittedTokens);
            Assert.True(limiter.EmittedTokens <= maxTokens);
            var next = char.IsHighSurrogate(text[output.Length]) ? 2 : 1;
            Assert.True(ReferenceCount(text[..(output.Length + next)]) > maxTokens, $"max {maxTokens}: cut at {output.Length} could be longer");
        }
    }

    [Fact]
    public void Append_LongOutputInSingleCharacters_UncommittedTailStaysSmall()
    {
        // Arrange
        var text = string.Concat(Enumerable.Repeat("The model writes, 42 times: it's fine.\n", 200));
        var limiter = new OutputLimiter([], null);
        var longestTail = 0;

        // Act
        foreach (var c in text)
        {
            limiter.Append(c.ToString());
            longestTail = Math.Max(longestTail, limiter.UncommittedLength);
        }

        // Assert
        Assert.True(longestTail <= 8, $"tail grew to {longestTail} characters");
        Assert.Equal(ReferenceCount(text), limiter.EmittedTokens);
    }

    [Theory]
    [InlineData("😀", 3000)]
    [InlineData("🫠", 1500)]
    [InlineData("-", 5000)]
    [InlineData(" ", 5000)]
    [InlineData("ha", 2500)]
    [InlineData("!?", 2500)]
    public void Append_LongRunWithoutStableBoundary_TailIsBoundedAndCountExact(string unit, int repeats)
    {
        // Arrange: one pre-tokenizer piece thousands of characters long, in 3-character deltas.
        var text = "Start: " + string.Concat(Enumerable.Repeat(unit, repeats)) + " end.";
        var limiter = new OutputLimiter([], null);
        var emitted = new StringBuilder();
        var longestTail = 0;

        // Act
        foreach (var delta in RandomSplit(text, new Random(3), 3))
        {
            emitted.Append(limiter.Append(delta));
            longestTail = Math.Max(longestTail, limiter.UncommittedLength);
        }

        emitted.Append(limiter.Flush());

        // Assert
        Assert.Equal(text, emitted.ToString());
        Assert.True(longestTail <= 512 + 3, $"tail grew to {longestTail} characters");
        Assert.Equal(ReferenceCount(text), limiter.EmittedTokens);
    }

    [Fact]
    public void Append_ExactlyMaxTokensThenModelEnds_FinishReasonStaysNull()
    {
        // Arrange
        var limiter = new OutputLimiter([], 2);

        // Act
        var emitted = limiter.Append("Hello world");
        var flushed = limiter.Flush();

        // Assert
        Assert.Equal("Hello world", emitted);
        Assert.Equal(string.Empty, flushed);
        Assert.Equal(2, limiter.EmittedTokens);
        Assert.Null(limiter.FinishReason);
    }

    [Fact]
    public void Append_ExactlyMaxTokensThenMoreText_FinishesWithLength()
    {
        // Arrange
        var limiter = new OutputLimiter([], 2);

        // Act
        var parts = Feed(limiter, "Hello world", " again");

        // Assert
        Assert.Equal(["Hello world", ""], parts);
        Assert.Equal("length", limiter.FinishReason);
        Assert.Equal(2, limiter.EmittedTokens);
    }

    [Fact]
    public void Append_AtMaxTokensNextDeltaMergesIntoLastToken_IsStillEmitted()
    {
        // Arrange: "Hel" and "Hello" are one token each, "Hello world" is two.
        var limiter = new OutputLimiter([], 1);

        // Act
        var parts = Feed(limiter, "Hel", "lo");
        var reasonAfterMerge = limiter.FinishReason;
        var last = limiter.Append(" world");

        // Assert
        Assert.Equal(["Hel", "lo"], parts);
        Assert.Null(reasonAfterMerge);
        Assert.Equal(string.Empty, last);
        Assert.Equal("length", limiter.FinishReason);
        Assert.Equal(1, limiter.EmittedTokens);
    }

    [Fact]
    public void Flush_HeldBackText_IsReturned()
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], null);
        var emitted = limiter.Append("Hello ST");

        // Act
        var flushed = limiter.Flush();

        // Assert
        Assert.Equal("Hello ", emitted);
        Assert.Equal("ST", flushed);
        Assert.Null(limiter.FinishReason);
        Assert.Equal(ReferenceCount("Hello ST"), limiter.EmittedTokens);
        Assert.Equal(string.Empty, limiter.Flush());
    }

    [Fact]
    public void Flush_HeldBackTextOverMaxTokens_IsCutWithLength()
    {
        // Arrange
        const string text = "Hi ABCDEFGHI";
        var limiter = new OutputLimiter(["ABCDEFGHIJ"], 3);
        var emitted = limiter.Append(text);

        // Act
        var flushed = limiter.Flush();

        // Assert: "Hi ABCDEF" is the longest prefix within 3 tokens ("Hi", " ABC", "DEF"), although the first
        // three tokens of the whole text only cover "Hi ABCDE" ("Hi", " ABC", "DE", "FG", "HI").
        Assert.Equal("Hi ", emitted);
        Assert.Equal("ABCDEF", flushed);
        Assert.Equal(3, ReferenceCount(emitted + flushed));
        Assert.True(ReferenceCount(text[..((emitted + flushed).Length + 1)]) > 3);
        Assert.Equal("length", limiter.FinishReason);
        Assert.Equal(3, limiter.EmittedTokens);
    }

    [Fact]
    public void Append_AfterStop_EmitsNothingAndKeepsState()
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], 100);
        limiter.Append("Hello STOP");
        var tokens = limiter.EmittedTokens;

        // Act
        var parts = Feed(limiter, "more", " text");
        var flushed = limiter.Flush();

        // Assert
        Assert.Equal(["", ""], parts);
        Assert.Equal(string.Empty, flushed);
        Assert.Equal("stop", limiter.FinishReason);
        Assert.Equal(tokens, limiter.EmittedTokens);
    }

    [Fact]
    public void Append_AfterLength_EmitsNothingAndKeepsState()
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP"], 1);
        limiter.Append("Hello world");

        // Act
        var parts = Feed(limiter, " more", " STOP");

        // Assert
        Assert.Equal(["", ""], parts);
        Assert.Equal("length", limiter.FinishReason);
        Assert.Equal(1, limiter.EmittedTokens);
    }

    [Fact]
    public void Append_DeltasWithoutStopPrefix_AreReturnedWholeImmediately()
    {
        // Arrange
        var limiter = new OutputLimiter(["STOP", "\n\n"], 1000);
        string[] deltas = ["Hello", " wor", "ld, s", "ome text.", "x", "!"];

        // Act
        var parts = Feed(limiter, deltas);

        // Assert
        Assert.Equal(deltas, parts);
        Assert.Null(limiter.FinishReason);
    }

    [Fact]
    public void Append_LengthBeforeStop_LengthWins()
    {
        // Arrange
        const string text = "Hello big world STOP";
        var limiter = new OutputLimiter(["STOP"], 2);

        // Act
        var emitted = limiter.Append(text);

        // Assert
        Assert.Equal(ReferencePrefix(text, 2), emitted);
        Assert.Equal("length", limiter.FinishReason);
    }

    [Fact]
    public void Append_StopBeforeLength_StopWins()
    {
        // Arrange: the text before the stop is exactly the limit.
        const string before = "Hello world ";
        var limiter = new OutputLimiter(["STOP"], ReferenceCount(before));

        // Act
        var emitted = limiter.Append(before + "STOP and much more text");

        // Assert
        Assert.Equal(before, emitted);
        Assert.Equal("stop", limiter.FinishReason);
        Assert.Equal(ReferenceCount(before), limiter.EmittedTokens);
    }

    [Theory]
    [InlineData("a b c", 2)]
    [InlineData("c then b", 0)]
    [InlineData("xxSTOPbb", 2)]
    public void TryFindStop_Found_ReturnsEarliestIndex(string text, int expected)
    {
        // Act
        var found = OutputLimiter.TryFindStop(text, ["c", "b", "STOP"], out var index);

        // Assert
        Assert.True(found);
        Assert.Equal(expected, index);
    }

    [Fact]
    public void TryFindStop_Absent_ReturnsFalse()
    {
        // Act
        var found = OutputLimiter.TryFindStop("nothing here", ["STOP", "end"], out var index);

        // Assert
        Assert.False(found);
        Assert.Equal(-1, index);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Hello world")]
    [InlineData("<|endoftext|>")]
    [InlineData("你好，世界。😀")]
    public void CountTokens_MatchesReferenceTokenizer(string text)
    {
        // Act / Assert
        Assert.Equal(ReferenceCount(text), OutputLimiter.CountTokens(text));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_NonPositiveMaxTokens_Throws(int maxTokens)
    {
        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => new OutputLimiter([], maxTokens));
    }
}
