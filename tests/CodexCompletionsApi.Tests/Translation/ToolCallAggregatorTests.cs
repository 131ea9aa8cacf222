using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed partial class ToolCallAggregatorTests
{
    public static TheoryData<string> AggregatorFixtures => ToolCallFixtures.Names("aggregator-");

    private static AggregatedToolCall Call(int index, string id, string name, string arguments, ToolCallSource source)
        => new(index, id, name, arguments, source);

    private static JsonObject Describe(ToolCallSnapshot snapshot)
    {
        var choices = new JsonObject();
        foreach (var (choice, calls) in snapshot.Choices)
        {
            choices[choice.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
            {
                ["index"] = c.Index,
                ["id"] = c.Id,
                ["name"] = c.Name,
                ["arguments"] = c.Arguments,
                ["source"] = c.Source.ToString().ToLowerInvariant(),
            })]);
        }

        return choices;
    }

    private static void Replay(ToolCallAggregator aggregator, JsonNode events)
    {
        foreach (var e in events.AsArray())
        {
            if (e!["delta"] is { } d)
            {
                aggregator.IngestDelta(d["choice"]!.GetValue<int>(), d["index"]!.GetValue<int>(), d["id"]?.GetValue<string>(), d["name"]?.GetValue<string>(), d["arguments"]?.GetValue<string>());
            }
            else if (e["call"] is { } c)
            {
                aggregator.IngestCall(c["choice"]!.GetValue<int>(), c["id"]!.GetValue<string>(), c["name"]!.GetValue<string>(), c["arguments"]!.GetValue<string>());
            }
            else if (e["message"] is { } m)
            {
                aggregator.IngestMessage(m["choice"]!.GetValue<int>(), m["text"]!.GetValue<string>());
            }
            else
            {
                throw new InvalidOperationException($"Unknown fixture event {e.ToJsonString()}.");
            }
        }
    }

    // ---- fixtures ----

    [Theory]
    [MemberData(nameof(AggregatorFixtures))]
    public void Fixture_Events_GiveTheExpectedSnapshot(string fixture)
    {
        // Arrange
        var data = ToolCallFixtures.Load(fixture);
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = data["synthesizeTextualCalls"]!.GetValue<bool>() };

        // Act
        Replay(aggregator, data["events"]!);
        var snapshot = aggregator.Snapshot();

        // Assert
        var actual = Describe(snapshot);
        Assert.True(JsonNode.DeepEquals(data["expected"], actual), $"{fixture}\nexpected {ToolCallFixtures.Show(data["expected"])}\nactual   {ToolCallFixtures.Show(actual)}");
    }

    [Theory]
    [MemberData(nameof(AggregatorFixtures))]
    public void Fixture_ReplayedOnAFreshAggregator_GivesAnEqualSnapshot(string fixture)
    {
        // Arrange
        var data = ToolCallFixtures.Load(fixture);
        var first = new ToolCallAggregator { SynthesizeTextualCalls = true };
        var second = new ToolCallAggregator { SynthesizeTextualCalls = true };

        // Act
        Replay(first, data["events"]!);
        Replay(second, data["events"]!);

        // Assert
        var a = first.Snapshot();
        Assert.False(a.IsEmpty);
        Assert.Equal(Describe(a).ToJsonString(), Describe(second.Snapshot()).ToJsonString());
    }

    // ---- native calls ----

    [Fact]
    public void IngestCall_NewCall_IsAddedAsNative()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act
        var added = aggregator.IngestCall(0, "call_1", "lookup", """{"q":"a"}""");

        // Assert
        Assert.True(added);
        Assert.Equal([Call(0, "call_1", "lookup", """{"q":"a"}""", ToolCallSource.Native)], aggregator.Snapshot().For(0));
    }

    [Fact]
    public void IngestCall_SameIdAgain_IsIgnoredAndTheFirstKept()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestCall(0, "call_1", "lookup", """{"q":"a"}""");

        // Act
        var again = aggregator.IngestCall(0, "call_1", "lookup", """{"q":"a"}""");
        var changed = aggregator.IngestCall(0, "call_1", "other", """{"q":"b"}""");

        // Assert
        Assert.False(again);
        Assert.False(changed);
        Assert.Equal([Call(0, "call_1", "lookup", """{"q":"a"}""", ToolCallSource.Native)], aggregator.Snapshot().For(0));
    }

    [Fact]
    public void IngestCall_SameIdOnAnotherChoice_IsAnotherCall()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestCall(0, "call_1", "a", "{}");

        // Act
        var added = aggregator.IngestCall(1, "call_1", "b", "{}");

        // Assert
        Assert.True(added);
        var snapshot = aggregator.Snapshot();
        Assert.Equal("a", Assert.Single(snapshot.For(0)).Name);
        Assert.Equal("b", Assert.Single(snapshot.For(1)).Name);
        Assert.Equal(2, snapshot.Count);
    }

    [Fact]
    public void IngestCall_SeveralCalls_KeepTheirOrderWithDenseIndexes()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act
        aggregator.IngestCall(3, "c", "third", "{}");
        aggregator.IngestCall(3, "a", "first", "{}");
        aggregator.IngestCall(3, "b", "second", "{}");

        // Assert
        Assert.Equal([(0, "c"), (1, "a"), (2, "b")], aggregator.Snapshot().For(3).Select(c => (c.Index, c.Id)));
    }

    // ---- deltas ----

    [Fact]
    public void IngestDelta_FirstDeltaCarriesIdAndName_FragmentsAppend()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act
        aggregator.IngestDelta(0, 0, "call_a", "lookup", string.Empty);
        aggregator.IngestDelta(0, 0, null, null, """{"q":""");
        aggregator.IngestDelta(0, 0, null, null, "\"日本 🙂\"}");

        // Assert
        Assert.Equal([Call(0, "call_a", "lookup", """{"q":"日本 🙂"}""", ToolCallSource.Delta)], aggregator.Snapshot().For(0));
    }

    [Fact]
    public void IngestDelta_RepeatedIdAndName_AreNotDuplicated()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestDelta(0, 0, "call_a", "lookup", string.Empty);

        // Act
        aggregator.IngestDelta(0, 0, "call_a", "lookup", string.Empty);
        aggregator.IngestDelta(0, 0, "call_a", "lookup", "{}");

        // Assert
        var only = Assert.Single(aggregator.Snapshot().For(0));
        Assert.Equal(("call_a", "lookup", "{}"), (only.Id, only.Name, only.Arguments));
    }

    [Fact]
    public void IngestDelta_RepeatedFragment_IsAppendedAgain()
    {
        // Arrange: deltas carry no offset, so a repeat cannot be told from new text
        var aggregator = new ToolCallAggregator();
        aggregator.IngestDelta(0, 0, "call_a", "t", "ab");

        // Act
        aggregator.IngestDelta(0, 0, null, null, "ab");

        // Assert
        Assert.Equal("abab", Assert.Single(aggregator.Snapshot().For(0)).Arguments);
    }

    [Fact]
    public void IngestDelta_LaterDifferentIdOrName_IsIgnored()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestDelta(0, 0, "call_a", "lookup", "{");

        // Act
        aggregator.IngestDelta(0, 0, "call_z", "other", "}");

        // Assert
        Assert.Equal([Call(0, "call_a", "lookup", "{}", ToolCallSource.Delta)], aggregator.Snapshot().For(0));
    }

    [Fact]
    public void IngestDelta_NoIdYet_HasASyntheticIdUntilTheRealOneArrives()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act
        aggregator.IngestDelta(2, 5, null, null, "{");
        var before = aggregator.Snapshot();
        aggregator.IngestDelta(2, 5, "call_real", "late_name", "}");
        var after = aggregator.Snapshot();

        // Assert
        Assert.Equal([Call(0, "call_delta_2_5", string.Empty, "{", ToolCallSource.Delta)], before.For(2));
        Assert.Equal([Call(0, "call_real", "late_name", "{}", ToolCallSource.Delta)], after.For(2));
    }

    [Fact]
    public void IngestDelta_IndexesInterleaved_BindFragmentsToTheirOwnCall()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act
        aggregator.IngestDelta(0, 1, "call_b", "b", "[");
        aggregator.IngestDelta(0, 0, "call_a", "a", "(");
        aggregator.IngestDelta(0, 1, null, null, "]");
        aggregator.IngestDelta(0, 0, null, null, ")");

        // Assert
        Assert.Equal(
            [Call(0, "call_b", "b", "[]", ToolCallSource.Delta), Call(1, "call_a", "a", "()", ToolCallSource.Delta)],
            aggregator.Snapshot().For(0));
    }

    [Fact]
    public void IngestDelta_SameIndexOnTwoChoices_IsIsolated()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act
        aggregator.IngestDelta(0, 0, "call_x", "t", "{\"c\":");
        aggregator.IngestDelta(1, 0, "call_y", "t", "{\"c\":");
        aggregator.IngestDelta(1, 0, null, null, "1}");
        aggregator.IngestDelta(0, 0, null, null, "0}");

        // Assert
        var snapshot = aggregator.Snapshot();
        Assert.Equal("""{"c":0}""", Assert.Single(snapshot.For(0)).Arguments);
        Assert.Equal("""{"c":1}""", Assert.Single(snapshot.For(1)).Arguments);
    }

    [Fact]
    public void IngestDelta_IdOfAKnownCall_DropsTheIndexAndItsFragments()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestCall(0, "call_1", "lookup", """{"q":"a"}""");

        // Act
        aggregator.IngestDelta(0, 0, "call_1", "lookup", """{"q":""");
        aggregator.IngestDelta(0, 0, null, null, "\"a\"}");
        aggregator.IngestDelta(0, 1, "call_2", "write", "{}");

        // Assert
        Assert.Equal(
            [Call(0, "call_1", "lookup", """{"q":"a"}""", ToolCallSource.Native), Call(1, "call_2", "write", "{}", ToolCallSource.Delta)],
            aggregator.Snapshot().For(0));
    }

    [Fact]
    public void IngestDelta_LateIdOfAKnownCall_RemovesTheProvisionalCall()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestCall(0, "call_1", "lookup", "{}");
        aggregator.IngestDelta(0, 0, null, "lookup", "{");

        // Act
        aggregator.IngestDelta(0, 0, "call_1", null, "}");
        aggregator.IngestDelta(0, 0, null, null, "more");

        // Assert
        Assert.Equal([Call(0, "call_1", "lookup", "{}", ToolCallSource.Native)], aggregator.Snapshot().For(0));
    }

    [Fact]
    public void IngestCall_AfterTheSameCallStreamedAsDeltas_IsIgnored()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestDelta(0, 0, "call_1", "lookup", """{"q":"streamed"}""");

        // Act
        var added = aggregator.IngestCall(0, "call_1", "lookup", """{"q":"native"}""");

        // Assert
        Assert.False(added);
        Assert.Equal([Call(0, "call_1", "lookup", """{"q":"streamed"}""", ToolCallSource.Delta)], aggregator.Snapshot().For(0));
    }

    [Fact]
    public void IngestCall_WithTheSyntheticIdOfAnUnidentifiedDelta_IsAnotherCall()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestDelta(0, 0, null, "a", "{}");

        // Act
        var added = aggregator.IngestCall(0, "call_delta_0_0", "b", "{}");

        // Assert
        Assert.True(added);
        Assert.Equal(["a", "b"], aggregator.Snapshot().For(0).Select(c => c.Name));
    }

    // ---- textual calls ----

    [Fact]
    public void IngestMessage_SynthesisOff_AddsNothing()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act
        var added = aggregator.IngestMessage(0, "<use_tool><name>ping</name></use_tool>");

        // Assert
        Assert.False(aggregator.SynthesizeTextualCalls);
        Assert.Empty(added);
        Assert.True(aggregator.Snapshot().IsEmpty);
    }

    [Fact]
    public void IngestMessage_SynthesisOn_AddsEachBlockWithDeterministicIds()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        const string text = "Reading.\n<use_tool>\n<name>readNote</name>\n<path>a.md</path>\n<lines>[1, 5]</lines>\n</use_tool>\n<use_tool><name>ping</name></use_tool>";

        // Act
        var added = aggregator.IngestMessage(1, text);

        // Assert
        IReadOnlyList<AggregatedToolCall> expected =
        [
            Call(0, "call_text_1_0", "readNote", """{"path":"a.md","lines":[1,5]}""", ToolCallSource.Textual),
            Call(1, "call_text_1_1", "ping", "{}", ToolCallSource.Textual),
        ];
        Assert.Equal(expected, added);
        Assert.Equal(expected, aggregator.Snapshot().For(1));
    }

    [Fact]
    public void IngestMessage_NumbersContinueAcrossMessagesAfterOtherCalls()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        aggregator.IngestMessage(0, "<use_tool><name>a</name></use_tool>");
        aggregator.IngestCall(0, "call_n", "native", "{}");

        // Act
        var added = aggregator.IngestMessage(0, "then <use_tool><name>b</name></use_tool>");

        // Assert
        Assert.Equal([Call(2, "call_text_0_1", "b", "{}", ToolCallSource.Textual)], added);
    }

    [Fact]
    public void IngestMessage_SameTextAgain_IsIgnored()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        const string text = "<use_tool><name>a</name></use_tool>";
        aggregator.IngestMessage(0, text);

        // Act
        var again = aggregator.IngestMessage(0, text);
        var otherChoice = aggregator.IngestMessage(1, text);

        // Assert
        Assert.Empty(again);
        Assert.Single(aggregator.Snapshot().For(0));
        Assert.Equal("call_text_1_0", Assert.Single(otherChoice).Id);
    }

    [Fact]
    public void IngestMessage_MalformedAndNestedBlocks_YieldOnlyTheWellFormedOnes()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        const string text = "<use_tool><q>no name</q></use_tool> <use_tool><name>outer</name><use_tool><name>inner</name></use_tool> <use_tool><name>open";

        // Act
        var added = aggregator.IngestMessage(0, text);

        // Assert
        Assert.Equal([("call_text_0_0", "inner")], added.Select(c => (c.Id, c.Name)));
    }

    [Fact]
    public void IngestMessage_IdTakenByANativeCall_IsSkipped()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        aggregator.IngestCall(0, "call_text_0_0", "native", "{}");

        // Act
        var added = aggregator.IngestMessage(0, "<use_tool><name>t</name></use_tool>");

        // Assert
        Assert.Equal("call_text_0_1", Assert.Single(added).Id);
    }

    [Fact]
    public void IngestMessage_NoBlocks_AddsNothing()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };

        // Act
        var added = aggregator.IngestMessage(0, "Just text about <use_tools> and </use_tool>.");

        // Assert
        Assert.Empty(added);
        Assert.True(aggregator.Snapshot().IsEmpty);
    }

    // ---- registered formats ----

    [GeneratedRegex(@"\[\[call ")]
    private static partial Regex BracketStart();

    [GeneratedRegex(@"^\[\[call (?<name>[a-z_]+) (?<args>\{.*?\})\]\]", RegexOptions.Singleline)]
    private static partial Regex BracketCall();

    private static ToolCallParse? ParseBracket(string text)
        => BracketCall().Match(text) is { Success: true } m ? new ToolCallParse(m.Groups["name"].Value, m.Groups["args"].Value, m.Length) : null;

    [Fact]
    public void RegisterTextPattern_AnotherFormat_IsRecognizedInTextOrderWithUseTool()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        aggregator.RegisterTextPattern(BracketStart(), ParseBracket);
        const string text = "[[call first {\"a\":1}]] then <use_tool><name>second</name></use_tool> and [[call third {}]] [[call broken";

        // Act
        var added = aggregator.IngestMessage(0, text);

        // Assert
        Assert.Equal(
            [("call_text_0_0", "first", """{"a":1}"""), ("call_text_0_1", "second", "{}"), ("call_text_0_2", "third", "{}")],
            added.Select(c => (c.Id, c.Name, c.Arguments)));
    }

    [Fact]
    public void RegisterTextPattern_NotRegistered_FormatIsNotRecognized()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };

        // Act
        var added = aggregator.IngestMessage(0, "[[call first {\"a\":1}]]");

        // Assert
        Assert.Empty(added);
    }

    [Fact]
    public void RegisterTextPattern_SameOffset_EarlierRegistrationWinsAndANullParseFallsThrough()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        var seen = new List<string>();
        aggregator.RegisterTextPattern(UseToolStartForTest(), t =>
        {
            seen.Add("late");
            return new ToolCallParse("late", "{}", t.Length);
        });

        // Act
        var wellFormed = aggregator.IngestMessage(0, "<use_tool><name>builtin</name></use_tool>");
        var malformed = aggregator.IngestMessage(0, "<use_tool><q>x</q></use_tool>");

        // Assert
        Assert.Equal("builtin", Assert.Single(wellFormed).Name);
        Assert.Equal("late", Assert.Single(malformed).Name);
        Assert.Equal(["late"], seen);
    }

    [GeneratedRegex("<use_tool>")]
    private static partial Regex UseToolStartForTest();

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100)]
    public void RegisterTextPattern_ParserReturnsAnInvalidLength_Throws(int length)
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        aggregator.RegisterTextPattern(BracketStart(), _ => new ToolCallParse("t", "{}", length));

        // Act / Assert
        Assert.Throws<InvalidOperationException>(() => aggregator.IngestMessage(0, "[[call x {}]]"));
    }

    [Fact]
    public void RegisterTextPattern_Registrations_SurviveResetTurn()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        aggregator.RegisterTextPattern(BracketStart(), ParseBracket);
        aggregator.IngestMessage(0, "[[call a {}]]");

        // Act
        aggregator.ResetTurn();
        var added = aggregator.IngestMessage(0, "[[call b {}]]");

        // Assert
        Assert.Equal([("call_text_0_0", "b")], added.Select(c => (c.Id, c.Name)));
    }

    // ---- snapshot ----

    [Fact]
    public void Snapshot_IsNotChangedByLaterIngestionOrReset()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        aggregator.IngestDelta(0, 0, "call_a", "lookup", "{\"q\":");
        aggregator.IngestCall(1, "call_n", "native", "{}");
        var snapshot = aggregator.Snapshot();
        var before = Describe(snapshot).ToJsonString();

        // Act
        aggregator.IngestDelta(0, 0, null, null, "\"x\"}");
        aggregator.IngestDelta(0, 1, "call_b", "other", "{}");
        aggregator.IngestCall(2, "call_m", "more", "{}");
        aggregator.IngestMessage(1, "<use_tool><name>t</name></use_tool>");
        var later = aggregator.Snapshot();
        aggregator.ResetTurn();

        // Assert
        Assert.Equal(before, Describe(snapshot).ToJsonString());
        Assert.Equal("{\"q\":", snapshot.For(0)[0].Arguments);
        Assert.Equal(2, snapshot.Count);
        Assert.Equal(5, later.Count);
        Assert.Equal("{\"q\":\"x\"}", later.For(0)[0].Arguments);
    }

    [Fact]
    public void Snapshot_NothingIngested_IsEmpty()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act
        var snapshot = aggregator.Snapshot();

        // Assert
        Assert.True(snapshot.IsEmpty);
        Assert.Equal(0, snapshot.Count);
        Assert.Empty(snapshot.Choices);
        Assert.True(snapshot.For(0).IsEmpty);
    }

    [Fact]
    public void Snapshot_ChoicesAreSortedAndOnlyThoseWithCalls()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();
        aggregator.IngestCall(2, "c", "t", "{}");
        aggregator.IngestCall(0, "a", "t", "{}");
        aggregator.IngestDelta(1, 0, "a", "t", "{}");
        aggregator.IngestDelta(1, 0, "a", "t", null);

        // Act
        var snapshot = aggregator.Snapshot();

        // Assert
        Assert.Equal([0, 1, 2], snapshot.Choices.Keys);
        Assert.True(snapshot.For(7).IsEmpty);
    }

    // ---- reset ----

    [Fact]
    public void ResetTurn_ForgetsCallsBindingsMessagesAndCounters()
    {
        // Arrange
        var aggregator = new ToolCallAggregator { SynthesizeTextualCalls = true };
        const string message = "<use_tool><name>t</name></use_tool>";
        aggregator.IngestCall(0, "call_1", "native", "{}");
        aggregator.IngestDelta(0, 0, "call_d", "delta", "{\"a\":");
        aggregator.IngestMessage(0, message);

        // Act
        aggregator.ResetTurn();
        var empty = aggregator.Snapshot();
        var readded = aggregator.IngestCall(0, "call_1", "native", "{}");
        aggregator.IngestDelta(0, 0, null, null, "fresh");
        var text = aggregator.IngestMessage(0, message);

        // Assert
        Assert.True(empty.IsEmpty);
        Assert.True(readded);
        Assert.True(aggregator.SynthesizeTextualCalls);
        Assert.Equal(
            [
                Call(0, "call_1", "native", "{}", ToolCallSource.Native),
                Call(1, "call_delta_0_0", string.Empty, "fresh", ToolCallSource.Delta),
                Call(2, "call_text_0_0", "t", "{}", ToolCallSource.Textual),
            ],
            aggregator.Snapshot().For(0));
        Assert.Single(text);
    }

    // ---- arguments ----

    [Fact]
    public void Ingest_InvalidArguments_Throw()
    {
        // Arrange
        var aggregator = new ToolCallAggregator();

        // Act / Assert
        Assert.Throws<ArgumentOutOfRangeException>(() => aggregator.IngestCall(-1, "id", "n", "{}"));
        Assert.Throws<ArgumentException>(() => aggregator.IngestCall(0, string.Empty, "n", "{}"));
        Assert.Throws<ArgumentNullException>(() => aggregator.IngestCall(0, "id", null!, "{}"));
        Assert.Throws<ArgumentNullException>(() => aggregator.IngestCall(0, "id", "n", null!));
        Assert.Throws<ArgumentOutOfRangeException>(() => aggregator.IngestDelta(-1, 0, null, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => aggregator.IngestDelta(0, -1, null, null, null));
        Assert.Throws<ArgumentOutOfRangeException>(() => aggregator.IngestMessage(-1, "x"));
        Assert.Throws<ArgumentNullException>(() => aggregator.IngestMessage(0, null!));
        Assert.Throws<ArgumentNullException>(() => aggregator.RegisterTextPattern(null!, _ => null));
        Assert.Throws<ArgumentNullException>(() => aggregator.RegisterTextPattern(BracketStart(), null!));
        Assert.True(aggregator.Snapshot().IsEmpty);
    }
}
