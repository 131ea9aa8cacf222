using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.IntegrationTests.Golden;
using CodexCompletionsApi.IntegrationTests.Infrastructure;

namespace CodexCompletionsApi.IntegrationTests;

/// <summary>
/// The Open Responses schema validators themselves (<see cref="ResponseResourceSchema"/>,
/// <see cref="StreamingEventSchema"/>, <see cref="OpenResponsesHarness.ParseSse"/>) on hand-written JSON: a valid
/// object passes, and each rule the compliance suite enforces is shown to fail; and every response and event of the
/// recorded <c>/v1/responses</c> golden transcripts against them. No service is started.
/// </summary>
public sealed class OpenResponsesSchemaTests
{
    /// <summary>A complete, valid response: a reasoning item, a message and a function call, a function tool, usage.</summary>
    private static JsonObject Valid() => (JsonObject)JsonNode.Parse("""
        {"id":"resp_1","object":"response","created_at":1741476777,"completed_at":1741476778,"status":"completed",
         "incomplete_details":null,"model":"gpt-5.5","previous_response_id":null,"instructions":null,
         "output":[
           {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"Plan"}],"content":[{"type":"reasoning_text","text":"raw"}]},
           {"type":"message","id":"msg_1","status":"completed","role":"assistant",
            "content":[{"type":"output_text","text":"Hello there, friend!","annotations":[],"logprobs":[]}]},
           {"type":"function_call","id":"fc_1","call_id":"call_1","name":"get_weather","arguments":"{\"location\":\"SF\"}","status":"completed"}],
         "error":null,
         "tools":[{"type":"function","name":"get_weather","description":null,"parameters":{"type":"object"},"strict":false}],
         "tool_choice":"auto","truncation":"disabled","parallel_tool_calls":true,
         "text":{"format":{"type":"text"},"verbosity":"medium"},"top_p":1,"presence_penalty":0,"frequency_penalty":0,"top_logprobs":0,
         "temperature":1,"reasoning":{"effort":null,"summary":null},
         "usage":{"input_tokens":12,"input_tokens_details":{"cached_tokens":0},"output_tokens":5,
                  "output_tokens_details":{"reasoning_tokens":0},"total_tokens":17},
         "max_output_tokens":null,"max_tool_calls":null,"store":true,"background":false,"service_tier":"default",
         "metadata":{},"safety_identifier":null,"prompt_cache_key":null,"output_text":"Hello there, friend!","user":null}
        """)!;

    private static IReadOnlyList<string> Issues(JsonObject response) => ResponseResourceSchema.Validate(response.ToJsonString());

    private static void AssertOnlyIssue(JsonObject response, string path, string containing)
    {
        var issues = Issues(response);
        var issue = Assert.Single(issues);
        Assert.StartsWith(path + ": ", issue, StringComparison.Ordinal);
        Assert.Contains(containing, issue, StringComparison.Ordinal);
    }

    // ---- ResponseResource ----------------------------------------------------------------------------------------

    [Fact]
    public void Valid_Passes()
    {
        Assert.Empty(Issues(Valid()));
    }

    [Fact]
    public void MissingCompletedAt_Fails()
    {
        var r = Valid();
        r.Remove("completed_at");

        AssertOnlyIssue(r, "completed_at", "Required");
    }

    [Fact]
    public void NullCompletedAt_Passes()
    {
        var r = Valid();
        r["completed_at"] = null;

        Assert.Empty(Issues(r));
    }

    [Fact]
    public void MissingErrorKey_Fails()
    {
        var r = Valid();
        r.Remove("error");

        AssertOnlyIssue(r, "error", "Required");
    }

    [Fact]
    public void ErrorWithNullCode_Fails()
    {
        var r = Valid();
        r["status"] = "failed";
        r["error"] = new JsonObject { ["code"] = null, ["message"] = "boom" };

        AssertOnlyIssue(r, "error.code", "Expected string, received null");
    }

    [Fact]
    public void ErrorWithCodeAndMessage_Passes()
    {
        var r = Valid();
        r["status"] = "failed";
        r["error"] = new JsonObject { ["code"] = "server_error", ["message"] = "boom" };

        Assert.Empty(Issues(r));
    }

    [Fact]
    public void FractionalCreatedAt_Fails()
    {
        var r = Valid();
        r["created_at"] = 1.5;

        AssertOnlyIssue(r, "created_at", "Expected integer");
    }

    [Fact]
    public void WholeNumberWrittenWithAFraction_PassesAsZodDoes()
    {
        Assert.Empty(ResponseResourceSchema.Validate(Valid().ToJsonString().Replace("\"created_at\":1741476777", "\"created_at\":1741476777.0", StringComparison.Ordinal)));
    }

    [Fact]
    public void FunctionToolWithoutStrict_Fails()
    {
        var r = Valid();
        r["tools"]![0]!.AsObject().Remove("strict");

        AssertOnlyIssue(r, "tools.0.strict", "Required");
    }

    [Fact]
    public void FunctionToolWithoutDescriptionKey_Fails()
    {
        var r = Valid();
        r["tools"]![0]!.AsObject().Remove("description");

        AssertOnlyIssue(r, "tools.0.description", "Required");
    }

    [Fact]
    public void OutputTextPartWithoutLogprobs_Fails()
    {
        var r = Valid();
        r["output"]![1]!["content"]![0]!.AsObject().Remove("logprobs");

        AssertOnlyIssue(r, "output.1.content.0.logprobs", "Required");
    }

    [Fact]
    public void OutputTextPartWithoutAnnotations_Fails()
    {
        var r = Valid();
        r["output"]![1]!["content"]![0]!.AsObject().Remove("annotations");

        AssertOnlyIssue(r, "output.1.content.0.annotations", "Required");
    }

    [Theory]
    [InlineData("status", "weird", "Invalid enum value")]
    [InlineData("truncation", "sometimes", "Invalid enum value")]
    [InlineData("tool_choice", "always", "Invalid enum value")]
    [InlineData("object", "chat.completion", "Invalid enum value")]
    public void BadEnumValue_Fails(string field, string value, string message)
    {
        var r = Valid();
        r[field] = value;

        AssertOnlyIssue(r, field, message);
    }

    [Theory]
    [InlineData("parallel_tool_calls")]
    [InlineData("output")]
    [InlineData("truncation")]
    [InlineData("text")]
    [InlineData("top_p")]
    [InlineData("temperature")]
    [InlineData("store")]
    [InlineData("service_tier")]
    public void NullInANonNullableField_Fails(string field)
    {
        var r = Valid();
        r[field] = null;

        AssertOnlyIssue(r, field, "received null");
    }

    [Theory]
    [InlineData("incomplete_details")]
    [InlineData("previous_response_id")]
    [InlineData("instructions")]
    [InlineData("reasoning")]
    [InlineData("usage")]
    [InlineData("max_output_tokens")]
    [InlineData("max_tool_calls")]
    [InlineData("safety_identifier")]
    [InlineData("prompt_cache_key")]
    [InlineData("metadata")]
    [InlineData("top_logprobs")]
    [InlineData("presence_penalty")]
    [InlineData("service_tier")]
    public void MissingRequiredKey_Fails(string field)
    {
        var r = Valid();
        r.Remove(field);

        AssertOnlyIssue(r, field, "Required");
    }

    [Fact]
    public void MessageItem_BadStatusOrRole_Fails()
    {
        var r = Valid();
        r["output"]![1]!["status"] = "done";
        r["output"]![1]!["role"] = "critic";

        var issues = Issues(r);
        Assert.Equal(2, issues.Count);
        Assert.StartsWith("output.1.status: Invalid enum value", issues[0], StringComparison.Ordinal);
        Assert.StartsWith("output.1.role: Invalid enum value", issues[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("call_id")]
    [InlineData("name")]
    [InlineData("arguments")]
    [InlineData("status")]
    public void FunctionCallItem_WithoutARequiredKey_Fails(string key)
    {
        var r = Valid();
        r["output"]![2]!.AsObject().Remove(key);

        AssertOnlyIssue(r, "output.2." + key, "Required");
    }

    [Fact]
    public void ReasoningItem_NeedsIdAndSummary_AndEncryptedContentMayNotBeNull()
    {
        var r = Valid();
        var reasoning = r["output"]![0]!.AsObject();
        reasoning.Remove("summary");
        reasoning["encrypted_content"] = null;

        var issues = Issues(r);
        Assert.Equal(["output.0.summary: Required (the key is missing)", "output.0.encrypted_content: Expected string, received null"], issues);
    }

    [Fact]
    public void UnknownOutputItemType_Fails()
    {
        var r = Valid();
        r["output"]!.AsArray().Add(new JsonObject { ["type"] = "compaction", ["id"] = "cmp_1", ["encrypted_content"] = "x" });

        AssertOnlyIssue(r, "output.3", "'compaction' is not an output item type");
    }

    [Fact]
    public void ReasoningEcho_NeedsBothKeys_FromTheEnums()
    {
        var r = Valid();
        r["reasoning"] = new JsonObject { ["effort"] = "turbo" };

        var issues = Issues(r);
        Assert.Equal(2, issues.Count);
        Assert.StartsWith("reasoning.effort: Invalid enum value", issues[0], StringComparison.Ordinal);
        Assert.Equal("reasoning.summary: Required (the key is missing)", issues[1]);
    }

    [Fact]
    public void Usage_NeedsEveryCount_AsIntegers()
    {
        var r = Valid();
        r["usage"]!.AsObject().Remove("output_tokens_details");
        r["usage"]!["input_tokens"] = 1.25;

        var issues = Issues(r);
        Assert.Equal(2, issues.Count);
        Assert.StartsWith("usage.input_tokens: Expected integer", issues[0], StringComparison.Ordinal);
        Assert.Equal("usage.output_tokens_details: Required (the key is missing)", issues[1]);
    }

    [Fact]
    public void JsonSchemaFormat_NeedsNameDescriptionSchemaAndANonNullStrict()
    {
        var r = Valid();
        r["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["name"] = "person", ["schema"] = new JsonObject(), ["strict"] = null } };

        var issues = Issues(r);
        Assert.Equal(["text.format.description: Required (the key is missing)", "text.format.strict: Expected boolean, received null"], issues);

        r["text"] = new JsonObject { ["format"] = new JsonObject { ["type"] = "json_schema", ["name"] = "person", ["description"] = null, ["schema"] = new JsonObject(), ["strict"] = true } };
        Assert.Empty(Issues(r));
    }

    [Fact]
    public void ToolChoice_ObjectForms()
    {
        var r = Valid();
        r["tool_choice"] = new JsonObject { ["type"] = "function", ["name"] = "get_weather" };
        Assert.Empty(Issues(r));

        r["tool_choice"] = new JsonObject { ["type"] = "allowed_tools", ["mode"] = "auto", ["tools"] = new JsonArray(new JsonObject { ["type"] = "function", ["name"] = "get_weather" }) };
        Assert.Empty(Issues(r));

        r["tool_choice"] = new JsonObject { ["type"] = "allowed_tools", ["tools"] = new JsonArray() };
        AssertOnlyIssue(r, "tool_choice.mode", "Required");
    }

    [Fact]
    public void AssertValid_ReportsEveryIssue()
    {
        var r = Valid();
        r.Remove("completed_at");
        r["created_at"] = 1.5;
        using var document = JsonDocument.Parse(r.ToJsonString());

        var failure = Assert.ThrowsAny<Exception>(() => ResponseResourceSchema.AssertValid(document.RootElement));
        Assert.Contains("created_at: Expected integer", failure.Message, StringComparison.Ordinal);
        Assert.Contains("completed_at: Required", failure.Message, StringComparison.Ordinal);
    }

    // ---- streaming events ----------------------------------------------------------------------------------------

    private static IReadOnlyList<string> EventIssues(string json) => StreamingEventSchema.Validate(json);

    [Theory]
    [InlineData("""{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_1","status":"in_progress","role":"assistant","content":[]}}""")]
    [InlineData("""{"type":"response.output_item.done","sequence_number":9,"output_index":0,"item":null}""")]
    [InlineData("""{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[],"logprobs":[]}}""")]
    [InlineData("""{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}""")]
    [InlineData("""{"type":"response.output_text.done","sequence_number":5,"item_id":"msg_1","output_index":0,"content_index":0,"text":"Hi","logprobs":[]}""")]
    [InlineData("""{"type":"response.refusal.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"No"}""")]
    [InlineData("""{"type":"response.refusal.done","sequence_number":5,"item_id":"msg_1","output_index":0,"content_index":0,"refusal":"No"}""")]
    [InlineData("""{"type":"response.function_call_arguments.delta","sequence_number":4,"item_id":"fc_1","output_index":1,"delta":"{}"}""")]
    [InlineData("""{"type":"response.function_call_arguments.done","sequence_number":5,"item_id":"fc_1","output_index":1,"arguments":"{}"}""")]
    [InlineData("""{"type":"response.reasoning_summary_part.added","sequence_number":3,"item_id":"rs_1","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":""}}""")]
    [InlineData("""{"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"Pl"}""")]
    [InlineData("""{"type":"response.reasoning_summary_text.done","sequence_number":5,"item_id":"rs_1","output_index":0,"summary_index":0,"text":"Plan"}""")]
    [InlineData("""{"type":"response.reasoning_summary_part.done","sequence_number":6,"item_id":"rs_1","output_index":0,"summary_index":0,"part":{"type":"summary_text","text":"Plan"}}""")]
    [InlineData("""{"type":"response.reasoning.delta","sequence_number":7,"item_id":"rs_1","output_index":0,"content_index":0,"delta":"r"}""")]
    [InlineData("""{"type":"response.reasoning.done","sequence_number":8,"item_id":"rs_1","output_index":0,"content_index":0,"text":"raw"}""")]
    [InlineData("""{"type":"response.output_text.annotation.added","sequence_number":8,"item_id":"msg_1","output_index":0,"content_index":0,"annotation_index":0,"annotation":{"type":"url_citation","url":"https://example.com","start_index":0,"end_index":3,"title":"Ex"}}""")]
    [InlineData("""{"type":"error","sequence_number":1,"code":"server_error","message":"boom","param":null,"error":{"type":"server_error","code":"server_error","message":"boom","param":null}}""")]
    public void ValidEvent_Passes(string json)
    {
        Assert.Empty(EventIssues(json));
    }

    [Fact]
    public void LifecycleEvent_NeedsAFullResponseResource()
    {
        var created = new JsonObject { ["type"] = "response.created", ["sequence_number"] = 0, ["response"] = Valid() };
        Assert.Empty(EventIssues(created.ToJsonString()));

        created["response"]!.AsObject().Remove("usage");
        var issue = Assert.Single(EventIssues(created.ToJsonString()));
        Assert.StartsWith("response.usage: Required", issue, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}""", "logprobs: Required")]
    [InlineData("""{"type":"response.output_text.done","sequence_number":5,"item_id":"msg_1","output_index":0,"content_index":0,"text":"Hi"}""", "logprobs: Required")]
    [InlineData("""{"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}""", "sequence_number: Required")]
    [InlineData("""{"type":"response.output_text.delta","sequence_number":4.5,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi","logprobs":[]}""", "sequence_number: Expected integer")]
    [InlineData("""{"type":"response.function_call_arguments.done","sequence_number":5,"item_id":"fc_1","output_index":1,"name":"f"}""", "arguments: Required")]
    [InlineData("""{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}""", "part.logprobs: Required")]
    [InlineData("""{"type":"response.reasoning_text.delta","sequence_number":7,"item_id":"rs_1","output_index":0,"content_index":0,"delta":"r"}""", "type: Invalid input: 'response.reasoning_text.delta' is not an event type")]
    [InlineData("""{"type":"response.something_new","sequence_number":7}""", "type: Invalid input")]
    [InlineData("""{"type":"error","sequence_number":1,"code":"server_error","message":"boom","param":null}""", "error: Required")]
    [InlineData("""{"type":"error","sequence_number":1,"error":{"type":"server_error","message":"boom"}}""", "error.code: Required")]
    [InlineData("""{"sequence_number":1}""", "type: Required")]
    public void InvalidEvent_Fails(string json, string issue)
    {
        var issues = EventIssues(json);

        Assert.Contains(issues, i => i.Contains(issue, StringComparison.Ordinal));
    }

    // ---- the suite's SSE reading ---------------------------------------------------------------------------------

    [Fact]
    public void ParseSse_TakesTheLastTerminalResponse_SkipsDone_AndCollectsEventErrors()
    {
        var completed = new JsonObject { ["type"] = "response.completed", ["sequence_number"] = 2, ["response"] = Valid() };
        var body = "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"sequence_number\":0,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,\"delta\":\"Hi\"}\n\n"
            + ": keepalive\n\n"
            + "data: not json\n\n"
            + $"event: response.completed\ndata: {completed.ToJsonString()}\n\n"
            + "data: [DONE]\n\n";

        var stream = OpenResponsesHarness.ParseSse(body);

        Assert.Equal(2, stream.Events.Count);
        Assert.Equal(2, stream.Errors.Count);
        Assert.StartsWith("Event validation failed for response.output_text.delta: logprobs: Required", stream.Errors[0], StringComparison.Ordinal);
        Assert.Equal("Failed to parse event data: not json", stream.Errors[1]);
        Assert.Equal("resp_1", stream.FinalResponse!.Value.GetProperty("id").GetString());
    }

    [Fact]
    public void ParseSse_WithCrLf_SeesNoEvents_AsTheSuiteDoes()
    {
        var completed = new JsonObject { ["type"] = "response.completed", ["sequence_number"] = 0, ["response"] = Valid() };

        var stream = OpenResponsesHarness.ParseSse($"event: response.completed\r\ndata: {completed.ToJsonString()}\r\n\r\n");

        Assert.Empty(stream.Events);
        Assert.Null(stream.FinalResponse);
        Assert.Equal(["No streaming events received"], OpenResponsesHarness.StreamingEvents(stream));
    }

    // ---- the recorded golden transcripts ------------------------------------------------------------------------

    public static TheoryData<string> ResponsesTranscripts => new(GoldenScenarios.All.Where(s => s.Path == "/v1/responses").Select(s => s.Name));

    [Theory]
    [MemberData(nameof(ResponsesTranscripts))]
    public void GoldenResponsesTranscript_EveryResponseAndEventPassesTheSchema(string scenario)
    {
        var transcript = GoldenFiles.ReadOrNull(GoldenFiles.TranscriptPath(scenario));
        Assert.NotNull(transcript);
        var checkedBodies = 0;
        foreach (var section in new[] { "=== setup response\n", "=== response\n" })
        {
            var start = transcript.IndexOf(section, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var end = transcript.IndexOf("\n=== ", start + section.Length, StringComparison.Ordinal);
            var lines = transcript[(start + section.Length)..end].Split('\n').SkipWhile(l => l.Length > 0 && !l.StartsWith('{') && !l.StartsWith("event: ", StringComparison.Ordinal)).Where(l => l.Length > 0);
            foreach (var line in lines)
            {
                // Timestamps are placeholders in the transcript: put numbers back (ids stay valid strings).
                var text = line.Replace("<created_at>", "1741476777", StringComparison.Ordinal).Replace("<completed_at>", "1741476778", StringComparison.Ordinal);
                if (text.StartsWith("event: ", StringComparison.Ordinal))
                {
                    var data = text[(text.IndexOf("\\ndata: ", StringComparison.Ordinal) + "\\ndata: ".Length)..];
                    using var document = JsonDocument.Parse(data);
                    var type = document.RootElement.GetProperty("type").GetString();
                    var issues = StreamingEventSchema.Validate(document.RootElement);
                    Assert.True(issues.Count == 0, $"{scenario}: {type} fails the Open Responses union:\n  - {string.Join("\n  - ", issues)}\n{data}");
                }
                else
                {
                    using var document = JsonDocument.Parse(text);
                    ResponseResourceSchema.AssertValid(document.RootElement, $"{scenario}: the response");
                }

                checkedBodies++;
            }
        }

        Assert.True(checkedBodies > 0, $"{scenario}: no response body found in the transcript");
    }

    [Fact]
    public void Validators_UseTheSuitesMessages()
    {
        using var empty = JsonDocument.Parse("""{"output":[],"status":"incomplete"}""");

        Assert.Equal(["Response has no output items"], OpenResponsesHarness.HasOutput(empty.RootElement));
        Assert.Equal(["Expected output item of type \"function_call\" but none found"], OpenResponsesHarness.HasOutputType(empty.RootElement, "function_call"));
        Assert.Equal(["Expected status \"completed\" but got \"incomplete\""], OpenResponsesHarness.CompletedStatus(empty.RootElement));
    }
}
