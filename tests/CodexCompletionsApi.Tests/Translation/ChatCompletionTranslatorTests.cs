using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ChatCompletionTranslatorTests
{
    private const string DataUrl = "data:image/png;base64,iVBORw0KGgo=";

    private static readonly ModelCatalog Catalog = new(
        [
            new CatalogModel { Id = "public-model", UpstreamModel = "upstream-slug", DefaultReasoningEffort = "low", ReasoningEfforts = ["low", "high"] },
            new CatalogModel { Id = "other", UpstreamModel = "other-slug" },
        ],
        null);

    private static readonly RequestLimits Limits = new(MaxChoices: 4);

    private static ChatCompletionRequest Parse(string json)
        => JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.ChatCompletionRequest)!;

    private static CompletionPlan Plan(string json, IReadOnlyDictionary<string, string>? images = null)
        => ChatCompletionTranslator.ToPlan(Parse(json), Catalog, Limits, images);

    private static InvalidRequestException Reject(string json, IReadOnlyDictionary<string, string>? images = null)
        => Assert.Throws<InvalidRequestException>(() => Plan(json, images));

    /// <summary>A minimal valid request (model public-model, one user message) plus <paramref name="fields"/>.</summary>
    private static string Chat(string fields = "")
        => fields.Length == 0
            ? """{"model":"public-model","messages":[{"role":"user","content":"hi"}]}"""
            : $$"""{"model":"public-model","messages":[{"role":"user","content":"hi"}],{{fields}} }""";

    /// <summary>A request with the given messages array.</summary>
    private static string WithMessages(string messages, string fields = "")
        => fields.Length == 0
            ? $$"""{"model":"public-model","messages":{{messages}} }"""
            : $$"""{"model":"public-model","messages":{{messages}},{{fields}} }""";

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    // ---- model ----

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":null,"messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("""{"model":"  ","messages":[{"role":"user","content":"hi"}]}""")]
    public void ToPlan_MissingModel_Rejects400NamingModel(string json)
    {
        // Arrange / Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("model", error.Param);
        Assert.Equal("missing_required_parameter", error.Code);
    }

    [Fact]
    public void ToPlan_UnknownModel_Returns404ModelNotFound()
    {
        // Arrange
        const string json = """{"model":"gpt-nope","messages":[{"role":"user","content":"hi"}]}""";

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(404, error.Status);
        Assert.Equal("model_not_found", error.Code);
        Assert.Equal("model", error.Param);
        Assert.Contains("gpt-nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToPlan_KnownModel_UsesUpstreamSlugAndEchoesRequestedId()
    {
        // Arrange
        var json = Chat();

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("upstream-slug", plan.Turn.Model);
        Assert.Equal("public-model", plan.Model.Id);
        Assert.Equal("public-model", plan.ResponseModel);
        Assert.Null(plan.Turn.Effort);
    }

    [Fact]
    public void ToPlan_EffortSuffix_ResolvesBaseModelAndKeepsSuffixInResponseModel()
    {
        // Arrange
        const string json = """{"model":"public-model-high","messages":[{"role":"user","content":"hi"}]}""";

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("public-model", plan.Model.Id);
        Assert.Equal("upstream-slug", plan.Turn.Model);
        Assert.Equal("high", plan.Turn.Effort);
        Assert.Equal("public-model-high", plan.ResponseModel);
    }

    [Theory]
    [InlineData("public-model-medium")]
    [InlineData("public-model-HIGH")]
    [InlineData("other-high")]
    public void ToPlan_SuffixNotAmongModelEfforts_Returns404(string model)
    {
        // Arrange
        var json = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"hi"}]}""";

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(404, error.Status);
        Assert.Equal("model_not_found", error.Code);
        Assert.Equal("model", error.Param);
    }

    [Fact]
    public void ToPlan_ReasoningEffort_SetsEffort()
    {
        // Arrange
        var json = Chat(""" "reasoning_effort":"high" """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("high", plan.Turn.Effort);
        Assert.Equal("public-model", plan.ResponseModel);
    }

    [Fact]
    public void ToPlan_ReasoningEffortAndSuffix_ReasoningEffortWins()
    {
        // Arrange
        const string json = """{"model":"public-model-high","reasoning_effort":"low","messages":[{"role":"user","content":"hi"}]}""";

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("low", plan.Turn.Effort);
        Assert.Equal("public-model", plan.Model.Id);
        Assert.Equal("public-model-high", plan.ResponseModel);
    }

    [Theory]
    [InlineData("public-model", "medium")]
    [InlineData("public-model", "")]
    [InlineData("public-model-high", "xhigh")]
    [InlineData("other", "low")]
    public void ToPlan_InvalidReasoningEffort_Rejects400NamingReasoningEffort(string model, string effort)
    {
        // Arrange
        var json = $$"""{"model":"{{model}}","reasoning_effort":"{{effort}}","messages":[{"role":"user","content":"hi"}]}""";

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("reasoning_effort", error.Param);
        Assert.Equal("unsupported_value", error.Code);
    }

    // ---- stream / stream_options ----

    [Theory]
    [InlineData(""" "stream":true """, true)]
    [InlineData(""" "stream":false """, false)]
    [InlineData(""" "stream":null """, false)]
    public void ToPlan_Stream_SetsStream(string fields, bool expected)
    {
        // Arrange
        var json = Chat(fields);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(expected, plan.Stream);
        Assert.False(plan.IncludeUsage);
    }

    [Fact]
    public void ToPlan_NoStreamField_DoesNotStream()
    {
        // Arrange
        var json = Chat();

        // Act
        var plan = Plan(json);

        // Assert
        Assert.False(plan.Stream);
    }

    [Theory]
    [InlineData(""" "stream_options":{"include_usage":true} """)]
    [InlineData(""" "stream":false,"stream_options":{"include_usage":true} """)]
    [InlineData(""" "stream":false,"stream_options":{} """)]
    public void ToPlan_StreamOptionsWithoutStream_Rejects400NamingStreamOptions(string fields)
    {
        // Arrange
        var json = Chat(fields);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("stream_options", error.Param);
    }

    [Theory]
    [InlineData("""{"include_usage":true}""", true)]
    [InlineData("""{"include_usage":false}""", false)]
    [InlineData("""{}""", false)]
    [InlineData("""{"include_usage":true,"include_obfuscation":false}""", true)]
    public void ToPlan_StreamOptionsWithStream_SetsIncludeUsage(string options, bool expected)
    {
        // Arrange
        var json = Chat($$""" "stream":true,"stream_options":{{options}} """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.True(plan.Stream);
        Assert.Equal(expected, plan.IncludeUsage);
    }

    [Fact]
    public void ToPlan_UnknownStreamOptionsField_Rejects400NamingIt()
    {
        // Arrange
        var json = Chat(""" "stream":true,"stream_options":{"include_usage":true,"chunk_size":5} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("stream_options.chunk_size", error.Param);
        Assert.Equal("unknown_parameter", error.Code);
    }

    // ---- n ----

    [Fact]
    public void ToPlan_NoN_DefaultsToOneChoice()
    {
        // Arrange
        var json = Chat();

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(1, plan.Choices);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void ToPlan_NWithinLimit_SetsChoices(int n)
    {
        // Arrange
        var json = Chat($$""" "n":{{n}} """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(n, plan.Choices);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(5)]
    public void ToPlan_NOutOfRange_Rejects400NamingN(int n)
    {
        // Arrange
        var json = Chat($$""" "n":{{n}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("n", error.Param);
        Assert.Contains(Limits.MaxChoices.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }

    // ---- stop ----

    [Fact]
    public void ToPlan_StopString_IsSingleSequence()
    {
        // Arrange
        var json = Chat(""" "stop":"END" """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(["END"], plan.Stop);
    }

    [Fact]
    public void ToPlan_StopArrayOfFour_KeepsOrder()
    {
        // Arrange
        var json = Chat(""" "stop":["a","b","\n\n","d"] """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(["a", "b", "\n\n", "d"], plan.Stop);
    }

    [Theory]
    [InlineData(""" "stop":null """)]
    [InlineData(""" "stop":[] """)]
    public void ToPlan_StopNullOrEmptyArray_HasNoStopSequences(string fields)
    {
        // Arrange
        var json = Chat(fields);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Empty(plan.Stop);
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("""["a","b","c","d","e"]""")]
    [InlineData("""["a",1]""")]
    [InlineData("""["a",""]""")]
    [InlineData("""[null]""")]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("""{"s":"x"}""")]
    public void ToPlan_InvalidStop_Rejects400NamingStop(string stop)
    {
        // Arrange
        var json = Chat($$""" "stop":{{stop}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("stop", error.Param);
    }

    // ---- max tokens ----

    [Theory]
    [InlineData(""" "max_tokens":100 """, 100)]
    [InlineData(""" "max_completion_tokens":50 """, 50)]
    [InlineData(""" "max_tokens":100,"max_completion_tokens":50 """, 50)]
    [InlineData(""" "max_tokens":30,"max_completion_tokens":50 """, 30)]
    [InlineData(""" "max_tokens":1 """, 1)]
    public void ToPlan_MaxTokens_UsesSmallestLimit(string fields, int expected)
    {
        // Arrange
        var json = Chat(fields);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(expected, plan.MaxTokens);
    }

    [Fact]
    public void ToPlan_NoMaxTokens_LeavesMaxTokensNull()
    {
        // Arrange
        var json = Chat(""" "max_tokens":null,"max_completion_tokens":null """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Null(plan.MaxTokens);
    }

    [Theory]
    [InlineData("max_tokens", 0)]
    [InlineData("max_tokens", -3)]
    [InlineData("max_completion_tokens", 0)]
    [InlineData("max_completion_tokens", -1)]
    public void ToPlan_NonPositiveMaxTokens_Rejects400NamingParam(string param, int value)
    {
        // Arrange
        var json = Chat($$""" "{{param}}":{{value}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal("invalid_value", error.Code);
    }

    // ---- logprobs ----

    [Fact]
    public void ToPlan_LogprobsTrue_Rejects400NamingLogprobs()
    {
        // Arrange
        var json = Chat(""" "logprobs":true """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("logprobs", error.Param);
        Assert.Equal("unsupported_value", error.Code);
    }

    [Theory]
    [InlineData(""" "logprobs":true,"top_logprobs":2 """, "logprobs")]
    [InlineData(""" "top_logprobs":1 """, "top_logprobs")]
    public void ToPlan_TopLogprobsAboveZero_Rejects400(string fields, string param)
    {
        // Arrange
        var json = Chat(fields);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public void ToPlan_LogprobsFalseAndTopLogprobsZero_AreAccepted()
    {
        // Arrange
        var json = Chat(""" "logprobs":false,"top_logprobs":0 """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("hi", Assert.Single(plan.Turn.Input).Text);
        Assert.Empty(plan.IgnoredParams);
    }

    // ---- unknown / ignored top-level fields ----

    [Fact]
    public void ToPlan_IgnorableFields_AreListedInIgnoredParams()
    {
        // Arrange
        var json = Chat("""
            "temperature":0.2,"top_p":1,"user":"u-1","seed":7,"metadata":{"a":"b"},"presence_penalty":0,
            "frequency_penalty":0.5,"logit_bias":{"50256":-100},"store":false,"service_tier":"auto"
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(
            ["frequency_penalty", "logit_bias", "metadata", "presence_penalty", "seed", "service_tier", "store", "temperature", "top_p", "user"],
            plan.IgnoredParams.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ToPlan_NullValuedFields_AreAcceptedSilently()
    {
        // Arrange
        var json = Chat(""" "temperature":null,"tools":null,"tool_choice":null,"frobnicate":null """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Empty(plan.IgnoredParams);
        Assert.Equal("hi", Assert.Single(plan.Turn.Input).Text);
    }

    [Theory]
    [InlineData("frobnicate", "true")]
    [InlineData("tool_resources", "{}")]
    public void ToPlan_UnknownNonNullField_Rejects400NamingIt(string field, string value)
    {
        // Arrange
        var json = Chat($$""" "{{field}}":{{value}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(field, error.Param);
        Assert.Equal("unknown_parameter", error.Code);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    // ---- messages: structure ----

    [Theory]
    [InlineData("""{"model":"public-model","messages":[]}""")]
    [InlineData("""{"model":"public-model","messages":null}""")]
    [InlineData("""{"model":"public-model"}""")]
    public void ToPlan_NoMessages_Rejects400NamingMessages(string json)
    {
        // Arrange / Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("messages", error.Param);
    }

    [Theory]
    [InlineData("system")]
    [InlineData("developer")]
    public void ToPlan_FirstSystemOrDeveloperMessage_BecomesBaseInstructions(string role)
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"{{role}}","content":"Be terse."},{"role":"user","content":"hi"}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("Be terse.", plan.Turn.BaseInstructions);
        Assert.Empty(plan.Turn.History);
        Assert.Equal("hi", Assert.Single(plan.Turn.Input).Text);
    }

    [Fact]
    public void ToPlan_SystemMessageAsTextParts_ConcatenatesBaseInstructions()
    {
        // Arrange
        var json = WithMessages("""[{"role":"system","content":[{"type":"text","text":"Be "},{"type":"text","text":"terse."}]},{"role":"user","content":"hi"}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("Be terse.", plan.Turn.BaseInstructions);
    }

    [Fact]
    public void ToPlan_NoSystemMessage_BaseInstructionsEmpty()
    {
        // Arrange
        var json = Chat();

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(string.Empty, plan.Turn.BaseInstructions);
        Assert.Empty(plan.Turn.History);
        Assert.Empty(plan.IgnoredParams);
        Assert.Null(plan.Turn.OutputSchema);
        Assert.Null(plan.EchoPrefix);
    }

    [Fact]
    public void ToPlan_EarlierMessages_BecomeResponsesHistoryItemsAndLastUserIsInput()
    {
        // Arrange
        var json = WithMessages("""
            [
              {"role":"system","content":"sys"},
              {"role":"user","content":"first question"},
              {"role":"assistant","content":"first answer"},
              {"role":"developer","content":"dev note"},
              {"role":"system","content":"late system"},
              {"role":"user","content":"second question"}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("sys", plan.Turn.BaseInstructions);
        Assert.Equal(
            [
                """{"type":"message","role":"user","content":[{"type":"input_text","text":"first question"}]}""",
                """{"type":"message","role":"assistant","content":[{"type":"output_text","text":"first answer"}]}""",
                """{"type":"message","role":"developer","content":[{"type":"input_text","text":"dev note"}]}""",
                """{"type":"message","role":"developer","content":[{"type":"input_text","text":"late system"}]}""",
            ],
            plan.Turn.History.Select(item => item.GetRawText()));
        Assert.Equal("second question", Assert.Single(plan.Turn.Input).Text);
    }

    [Fact]
    public void ToPlan_LastUserMessage_IsNotRepeatedInHistory()
    {
        // Arrange
        var json = WithMessages("""[{"role":"user","content":"same"},{"role":"user","content":"same"}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Single(plan.Turn.History);
        Assert.Equal("same", Assert.Single(plan.Turn.Input).Text);
    }

    [Fact]
    public void ToPlan_LastMessageAssistant_InputEmptyAndAssistantInHistory()
    {
        // Arrange
        var json = WithMessages("""[{"role":"user","content":"q"},{"role":"assistant","content":"partial"}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Empty(plan.Turn.Input);
        Assert.Equal(
            [
                """{"type":"message","role":"user","content":[{"type":"input_text","text":"q"}]}""",
                """{"type":"message","role":"assistant","content":[{"type":"output_text","text":"partial"}]}""",
            ],
            plan.Turn.History.Select(item => item.GetRawText()));
    }

    [Fact]
    public void ToPlan_HistoryEndingWithToolMessage_InputEmptyAndToolOutputLast()
    {
        // Arrange
        var json = WithMessages("""
            [
              {"role":"system","content":"sys"},
              {"role":"user","content":"weather?"},
              {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"sunny"}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Empty(plan.Turn.Input);
        Assert.Equal(
            [
                """{"type":"message","role":"user","content":[{"type":"input_text","text":"weather?"}]}""",
                """{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"}""",
                """{"type":"function_call_output","call_id":"call_1","output":"sunny"}""",
            ],
            plan.Turn.History.Select(item => item.GetRawText()));
    }

    [Fact]
    public void ToPlan_ToolMessageWithTextParts_ConcatenatesOutput()
    {
        // Arrange
        var json = WithMessages("""
            [
              {"role":"user","content":"q"},
              {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]},
              {"role":"tool","tool_call_id":"c","content":[{"type":"text","text":"part1 "},{"type":"text","text":"part2"}]}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        var output = plan.Turn.History[^1];
        Assert.Equal("function_call_output", output.GetProperty("type").GetString());
        Assert.Equal("part1 part2", output.GetProperty("output").GetString());
    }

    [Fact]
    public void ToPlan_AssistantWithTextAndToolCalls_MessageThenOneFunctionCallPerCall()
    {
        // Arrange
        var json = WithMessages("""
            [
              {"role":"user","content":"q"},
              {"role":"assistant","content":"Let me check.","tool_calls":[
                {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{\"tz\":\"CET\"}"}}]},
              {"role":"tool","tool_call_id":"call_a","content":"sunny"},
              {"role":"tool","tool_call_id":"call_b","content":"noon"}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        var history = plan.Turn.History;
        Assert.Equal(6, history.Count);
        Assert.Equal("""{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Let me check."}]}""", history[1].GetRawText());
        Assert.Equal(
            [("function_call", "call_a", "get_weather", "{\"city\":\"Paris\"}"), ("function_call", "call_b", "get_time", "{\"tz\":\"CET\"}")],
            history.Skip(2).Take(2).Select(i => (
                i.GetProperty("type").GetString(),
                i.GetProperty("call_id").GetString(),
                i.GetProperty("name").GetString(),
                i.GetProperty("arguments").GetString())));
        Assert.Equal(
            [("call_a", "sunny"), ("call_b", "noon")],
            history.Skip(4).Select(i => (i.GetProperty("call_id").GetString(), i.GetProperty("output").GetString())));
    }

    [Theory]
    [InlineData(""" "content":null, """)]
    [InlineData(""" "content":"", """)]
    [InlineData("")]
    public void ToPlan_AssistantToolCallsWithoutText_OmitsTextMessage(string content)
    {
        // Arrange
        var json = WithMessages($$"""
            [
              {"role":"user","content":"q"},
              {"role":"assistant",{{content}}"tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{ }"} }]},
              {"role":"tool","tool_call_id":"call_1","content":"r"}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(
            ["message", "function_call", "function_call_output"],
            plan.Turn.History.Select(i => i.GetProperty("type").GetString()));
    }

    [Fact]
    public void ToPlan_ToolCallWithoutArguments_UsesEmptyObjectArguments()
    {
        // Arrange
        var json = WithMessages("""
            [
              {"role":"user","content":"q"},
              {"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"f"}}]},
              {"role":"tool","tool_call_id":"call_1","content":"r"}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal("{}", plan.Turn.History[1].GetProperty("arguments").GetString());
    }

    [Theory]
    [InlineData("""[{"type":"function","function":{"name":"f"}}]""", "messages[1].tool_calls[0]")]
    [InlineData("""[{"id":"a","type":"function","function":{"name":"f"}},{"id":"b","type":"function"}]""", "messages[1].tool_calls[1]")]
    [InlineData("""[{"id":"a","type":"function","function":{"arguments":"{}"}}]""", "messages[1].tool_calls[0]")]
    [InlineData("""["call"]""", "messages[1].tool_calls[0]")]
    [InlineData("""{"id":"a"}""", "messages[1].tool_calls")]
    public void ToPlan_MalformedToolCalls_Rejects400NamingThem(string toolCalls, string param)
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"user","content":"q"},{"role":"assistant","tool_calls":{{toolCalls}} },{"role":"user","content":"next"}]""");

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData("""{"role":"tool","content":"r"}""")]
    [InlineData("""{"role":"tool","tool_call_id":"","content":"r"}""")]
    [InlineData("""{"role":"tool","tool_call_id":null,"content":"r"}""")]
    public void ToPlan_ToolMessageWithoutToolCallId_Rejects400NamingIt(string toolMessage)
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"user","content":"q"},{"role":"assistant","content":"a"},{{toolMessage}}]""");

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("messages[2].tool_call_id", error.Param);
        Assert.Equal("missing_required_parameter", error.Code);
    }

    [Fact]
    public void ToPlan_LegacyFunctionCallAndFunctionMessage_ShareCallId()
    {
        // Arrange
        var json = WithMessages("""
            [
              {"role":"user","content":"weather?"},
              {"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
              {"role":"function","name":"get_weather","content":"sunny"}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Empty(plan.Turn.Input);
        var history = plan.Turn.History;
        Assert.Equal(3, history.Count);
        var call = history[1];
        var output = history[2];
        Assert.Equal("function_call", call.GetProperty("type").GetString());
        Assert.Equal("get_weather", call.GetProperty("name").GetString());
        Assert.Equal("{\"city\":\"Paris\"}", call.GetProperty("arguments").GetString());
        Assert.Equal("function_call_output", output.GetProperty("type").GetString());
        Assert.Equal("sunny", output.GetProperty("output").GetString());
        var callId = call.GetProperty("call_id").GetString();
        Assert.False(string.IsNullOrEmpty(callId));
        Assert.Equal(callId, output.GetProperty("call_id").GetString());
    }

    [Fact]
    public void ToPlan_RepeatedLegacyFunctionCalls_EachOutputPairsWithItsOwnCall()
    {
        // Arrange
        var json = WithMessages("""
            [
              {"role":"user","content":"q"},
              {"role":"assistant","function_call":{"name":"f","arguments":"{\"n\":1}"}},
              {"role":"function","name":"f","content":"one"},
              {"role":"assistant","function_call":{"name":"f","arguments":"{\"n\":2}"}},
              {"role":"function","name":"f","content":"two"}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        var history = plan.Turn.History;
        var firstId = history[1].GetProperty("call_id").GetString();
        var secondId = history[3].GetProperty("call_id").GetString();
        Assert.NotEqual(firstId, secondId);
        Assert.Equal(firstId, history[2].GetProperty("call_id").GetString());
        Assert.Equal(secondId, history[4].GetProperty("call_id").GetString());
    }

    [Fact]
    public void ToPlan_FunctionMessageWithoutName_Rejects400NamingName()
    {
        // Arrange
        var json = WithMessages("""[{"role":"user","content":"q"},{"role":"function","content":"r"}]""");

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("messages[1].name", error.Param);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":"q"},{"role":"robot","content":"x"},{"role":"user","content":"q2"}]""", 1)]
    [InlineData("""[{"role":"user","content":"q"},{"role":"robot","content":"x"}]""", 1)]
    [InlineData("""[{"role":"User","content":"q"}]""", 0)]
    [InlineData("""[{"content":"q"}]""", 0)]
    public void ToPlan_UnknownRole_Rejects400NamingRole(string messages, int index)
    {
        // Arrange
        var json = WithMessages(messages);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal($"messages[{index}].role", error.Param);
        Assert.Equal("invalid_value", error.Code);
    }

    [Fact]
    public void ToPlan_MessageName_IsListedInIgnoredParams()
    {
        // Arrange
        var json = WithMessages("""[{"role":"system","content":"s","name":"ops"},{"role":"user","content":"q","name":"alice"}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(["messages[0].name", "messages[1].name"], plan.IgnoredParams);
        Assert.Equal("q", Assert.Single(plan.Turn.Input).Text);
    }

    [Fact]
    public void ToPlan_ReasoningContentAndCacheControlOnMessages_AreIgnoredAndListed()
    {
        // Arrange
        var json = WithMessages("""
            [
              {"role":"system","content":"s","cache_control":{"type":"ephemeral"}},
              {"role":"user","content":"q"},
              {"role":"assistant","content":"a","reasoning_content":"thinking..."},
              {"role":"user","content":"q2","cache_control":{"type":"ephemeral"}}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(
            ["messages[0].cache_control", "messages[2].reasoning_content", "messages[3].cache_control"],
            plan.IgnoredParams.Order(StringComparer.Ordinal));
        Assert.Equal(
            """{"type":"message","role":"assistant","content":[{"type":"output_text","text":"a"}]}""",
            plan.Turn.History[1].GetRawText());
    }

    [Theory]
    [InlineData("""[{"role":"user","content":"q","frobnicate":1}]""", "messages[0].frobnicate")]
    [InlineData("""[{"role":"system","content":"s","weight":2},{"role":"user","content":"q"}]""", "messages[0].weight")]
    [InlineData("""[{"role":"user","content":"q"},{"role":"assistant","content":"a","tone":"x"},{"role":"user","content":"q2"}]""", "messages[1].tone")]
    public void ToPlan_UnknownMessageField_Rejects400NamingIt(string messages, string param)
    {
        // Arrange
        var json = WithMessages(messages);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal("unknown_parameter", error.Code);
    }

    [Fact]
    public void ToPlan_UnknownMessageFieldWithNull_IsAcceptedSilently()
    {
        // Arrange
        var json = WithMessages("""[{"role":"user","content":"q","frobnicate":null}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Empty(plan.IgnoredParams);
        Assert.Equal("q", Assert.Single(plan.Turn.Input).Text);
    }

    [Theory]
    [InlineData("""[{"role":"user","content":42}]""", "messages[0].content")]
    [InlineData("""[{"role":"user","content":null}]""", "messages[0].content")]
    [InlineData("""[{"role":"system","content":null},{"role":"user","content":"q"}]""", "messages[0].content")]
    [InlineData("""[{"role":"user","content":"q"},{"role":"assistant","content":7},{"role":"user","content":"q"}]""", "messages[1].content")]
    public void ToPlan_ContentOfWrongType_Rejects400NamingContent(string messages, string param)
    {
        // Arrange
        var json = WithMessages(messages);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
    }

    // ---- user content parts and images ----

    [Fact]
    public void ToPlan_TextAndDataUrlImage_BecomeInputParts()
    {
        // Arrange
        var json = WithMessages($$"""
            [{"role":"user","content":[
              {"type":"text","text":"Describe this."},
              {"type":"image_url","image_url":{"url":"{{DataUrl}}","detail":"low"} }]}]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(
            [new TurnInputPart("Describe this."), new TurnInputPart(null, DataUrl, "auto")],
            plan.Turn.Input);

        // 'low' cannot reach the model through Codex 0.169.0; it is sent as 'auto' and reported.
        Assert.Contains("messages[0].content[1].image_url.detail", plan.IgnoredParams);
    }

    [Fact]
    public void ToPlan_ImageWithoutDetail_DefaultsToAuto()
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"{{DataUrl}}"} }]}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(new TurnInputPart(null, DataUrl, "auto"), Assert.Single(plan.Turn.Input));
    }

    [Theory]
    [InlineData("auto")]
    [InlineData("high")]
    public void ToPlan_ImageWithValidDetail_KeepsDetail(string detail)
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"{{DataUrl}}","detail":"{{detail}}"} }]}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(detail, Assert.Single(plan.Turn.Input).ImageDetail);
    }

    [Theory]
    [InlineData("ultra")]
    [InlineData("HIGH")]
    [InlineData("")]
    public void ToPlan_InvalidImageDetail_Rejects400NamingDetail(string detail)
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"user","content":[{"type":"text","text":"t"},{"type":"image_url","image_url":{"url":"{{DataUrl}}","detail":"{{detail}}"} }]}]""");

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("messages[0].content[1].image_url.detail", error.Param);
    }

    [Fact]
    public void ToPlan_RemoteImageUrl_UsesResolvedDataUrl()
    {
        // Arrange
        var json = WithMessages("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"high"}}]}]""");
        var resolved = new Dictionary<string, string> { ["https://example.com/cat.png"] = DataUrl };

        // Act
        var plan = Plan(json, resolved);

        // Assert
        Assert.Equal(new TurnInputPart(null, DataUrl, "high"), Assert.Single(plan.Turn.Input));
    }

    [Theory]
    [InlineData("https://example.com/missing.png")]
    [InlineData("http://example.com/cat.png")]
    [InlineData("ftp://example.com/cat.png")]
    [InlineData("cat.png")]
    public void ToPlan_ImageUrlNotResolved_Rejects400InvalidImageUrl(string url)
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"{{url}}"} }]}]""");
        var resolved = new Dictionary<string, string> { ["https://example.com/cat.png"] = DataUrl };

        // Act
        var error = Reject(json, resolved);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_image_url", error.Code);
        Assert.Equal("messages[0].content[0].image_url.url", error.Param);
    }

    [Fact]
    public void ToPlan_RemoteImageWithoutResolvedImages_Rejects400InvalidImageUrl()
    {
        // Arrange
        var json = WithMessages("""[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]""");

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal("invalid_image_url", error.Code);
    }

    [Theory]
    [InlineData("""{"type":"image_url"}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"type":"image_url","image_url":"https://example.com/a.png"}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"type":"image_url","image_url":{"detail":"low"}}""", "messages[0].content[0].image_url.url")]
    [InlineData("""{"type":"text"}""", "messages[0].content[0].text")]
    [InlineData("""{"type":"text","text":5}""", "messages[0].content[0].text")]
    public void ToPlan_MalformedUserPart_Rejects400NamingIt(string part, string param)
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"user","content":[{{part}}]}]""");

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
    }

    [Theory]
    [InlineData("""{"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}""")]
    [InlineData("""{"type":"file","file":{"file_id":"f"}}""")]
    [InlineData("""{"text":"no type"}""")]
    [InlineData("\"plain string\"")]
    public void ToPlan_UnsupportedUserPartType_Rejects400NamingType(string part)
    {
        // Arrange
        var json = WithMessages($$"""[{"role":"user","content":[{"type":"text","text":"t"},{{part}}]}]""");

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("messages[0].content[1].type", error.Param);
        Assert.Equal("invalid_value", error.Code);
    }

    [Fact]
    public void ToPlan_NonStringPartType_Rejects400NamingType()
    {
        // Arrange
        var json = WithMessages("""[{"role":"user","content":[{"type":1}]}]""");

        // Act
        var error = Record.Exception(() => Plan(json));

        // Assert
        var invalid = Assert.IsType<InvalidRequestException>(error);
        Assert.Equal("messages[0].content[0].type", invalid.Param);
    }

    [Fact]
    public void ToPlan_ImageInHistoryUserMessage_BecomesInputImageItem()
    {
        // Arrange
        var json = WithMessages($$"""
            [
              {"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"{{DataUrl}}"} }]},
              {"role":"assistant","content":"a cat"},
              {"role":"user","content":"sure?"}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(
            $$"""{"type":"message","role":"user","content":[{"type":"input_text","text":"look"},{"type":"input_image","image_url":"{{DataUrl}}","detail":"auto"}]}""",
            plan.Turn.History[0].GetRawText());
    }

    [Theory]
    [InlineData("system", 0)]
    [InlineData("assistant", 1)]
    public void ToPlan_ImageInNonUserMessage_Rejects400NamingType(string role, int index)
    {
        // Arrange
        var image = $$"""{"role":"{{role}}","content":[{"type":"image_url","image_url":{"url":"{{DataUrl}}"} }]}""";
        var json = index == 0
            ? WithMessages($$"""[{{image}},{"role":"user","content":"q"}]""")
            : WithMessages($$"""[{"role":"user","content":"q"},{{image}},{"role":"user","content":"q2"}]""");

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal($"messages[{index}].content[0].type", error.Param);
    }

    [Fact]
    public void RemoteImages_Request_ListsExactlyHttpUrlsWithParamPaths()
    {
        // Arrange
        var request = Parse($$"""
            {"model":"public-model","messages":[
              {"role":"system","content":"s"},
              {"role":"user","content":[
                {"type":"text","text":"https://example.com/not-an-image.png"},
                {"type":"image_url","image_url":{"url":"https://example.com/a.png"} },
                {"type":"image_url","image_url":{"url":"{{DataUrl}}"} }]},
              {"role":"assistant","content":"ok"},
              {"role":"user","content":[
                {"type":"image_url","image_url":{"url":"ftp://example.com/c.png"} },
                {"type":"image_url","image_url":{"url":"HTTP://example.com/b.png","detail":"low"} }]}
            ]}
            """);

        // Act
        var images = ChatCompletionTranslator.RemoteImages(request).ToList();

        // Assert
        Assert.Equal(
            [
                ("https://example.com/a.png", "messages[1].content[1].image_url.url"),
                ("HTTP://example.com/b.png", "messages[3].content[1].image_url.url"),
            ],
            images);
    }

    [Theory]
    [InlineData("""{"model":"public-model"}""")]
    [InlineData("""{"model":"public-model","messages":[{"role":"user","content":"https://example.com/a.png"}]}""")]
    public void RemoteImages_NoImageParts_IsEmpty(string json)
    {
        // Arrange
        var request = Parse(json);

        // Act
        var images = ChatCompletionTranslator.RemoteImages(request);

        // Assert
        Assert.Empty(images);
    }

    // ---- response_format ----

    [Fact]
    public void ToPlan_ResponseFormatText_HasNoSchemaAndNoInstruction()
    {
        // Arrange
        var json = Chat(""" "response_format":{"type":"text"} """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Null(plan.Turn.OutputSchema);
        Assert.Empty(plan.Turn.History);
    }

    [Fact]
    public void ToPlan_ResponseFormatJsonObject_AppendsDeveloperInstructionToHistory()
    {
        // Arrange
        var json = WithMessages(
            """[{"role":"user","content":"q"},{"role":"assistant","content":"a"},{"role":"user","content":"q2"}]""",
            """ "response_format":{"type":"json_object"} """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Null(plan.Turn.OutputSchema);
        Assert.Equal(3, plan.Turn.History.Count);
        var last = plan.Turn.History[^1];
        Assert.Equal("message", last.GetProperty("type").GetString());
        Assert.Equal("developer", last.GetProperty("role").GetString());
        var part = Assert.Single(last.GetProperty("content").EnumerateArray());
        Assert.Equal("input_text", part.GetProperty("type").GetString());
        Assert.Equal(ResponseFormats.JsonObjectInstruction, part.GetProperty("text").GetString());
        Assert.Equal("q2", Assert.Single(plan.Turn.Input).Text);
    }

    [Fact]
    public void ToPlan_ResponseFormatJsonSchema_SetsOutputSchema()
    {
        // Arrange
        const string schema = """{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false}""";
        var json = Chat($$""" "response_format":{"type":"json_schema","json_schema":{"name":"a","strict":true,"schema":{{schema}} } } """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.NotNull(plan.Turn.OutputSchema);
        Assert.True(JsonElement.DeepEquals(Json(schema), plan.Turn.OutputSchema.Value));
        Assert.Empty(plan.Turn.History);
    }

    [Theory]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a"}}""", "response_format.json_schema.schema")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a","schema":null}}""", "response_format.json_schema.schema")]
    [InlineData("""{"type":"json_schema"}""", "response_format.json_schema")]
    [InlineData("""{"type":"xml"}""", "response_format.type")]
    [InlineData("\"json_object\"", "response_format")]
    public void ToPlan_InvalidResponseFormat_Rejects400NamingIt(string format, string param)
    {
        // Arrange
        var json = Chat($$""" "response_format":{{format}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
    }

    [Fact]
    public void ToPlan_NonStrictJsonSchema_Rejects400InvalidJsonSchema()
    {
        // Arrange
        var json = Chat(""" "response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{"type":"object","properties":{"x":{"type":"string"}}}}} """);

        // Act
        var error = Reject(json);

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_json_schema", error.Code);
        Assert.Equal("response_format.json_schema.schema", error.Param);
    }

    // ---- responses ----

    [Fact]
    public void ToChatCompletion_Choices_KeepsIndexOrderContentAndFinishReasons()
    {
        // Arrange
        ChoiceResult[] choices =
        [
            new(0, "first", null, "stop"),
            new(1, "second", "because", "length"),
            new(2, string.Empty, null, "content_filter"),
        ];

        // Act
        var completion = ChatCompletionTranslator.ToChatCompletion("chatcmpl-1", 1_767_225_600, "public-model-high", choices, null);

        // Assert
        Assert.Equal("chatcmpl-1", completion.Id);
        Assert.Equal(1_767_225_600, completion.Created);
        Assert.Equal("public-model-high", completion.Model);
        Assert.Equal("chat.completion", completion.Object);
        Assert.Null(completion.Usage);
        Assert.Equal(
            [(0, "assistant", "first", (string?)null, "stop"), (1, "assistant", "second", "because", "length"), (2, "assistant", string.Empty, null, "content_filter")],
            completion.Choices.Select(c => (c.Index, c.Message.Role, c.Message.Content, c.Message.ReasoningContent, c.FinishReason)));
    }

    [Fact]
    public void ToChatCompletion_WithUsage_MapsUsage()
    {
        // Arrange
        var usage = new TokenUsage(InputTokens: 100, CachedInputTokens: 40, OutputTokens: 25, ReasoningOutputTokens: 10, TotalTokens: 125);

        // Act
        var completion = ChatCompletionTranslator.ToChatCompletion("chatcmpl-2", 1, "m", [new(0, "x", null, "stop")], usage);

        // Assert
        Assert.Equal(new ChatUsage(100, 25, 125, new PromptTokensDetails(40), new CompletionTokensDetails(10)), completion.Usage);
    }

    [Fact]
    public void ToUsage_TokenUsage_MapsEveryCounter()
    {
        // Arrange
        var usage = new TokenUsage(InputTokens: 7, CachedInputTokens: 3, OutputTokens: 11, ReasoningOutputTokens: 5, TotalTokens: 18);

        // Act
        var mapped = ChatCompletionTranslator.ToUsage(usage);

        // Assert
        Assert.Equal(7, mapped.PromptTokens);
        Assert.Equal(11, mapped.CompletionTokens);
        Assert.Equal(18, mapped.TotalTokens);
        Assert.Equal(3, mapped.PromptTokensDetails.CachedTokens);
        Assert.Equal(5, mapped.CompletionTokensDetails.ReasoningTokens);
    }

    [Fact]
    public void ToChatCompletion_Serialized_UsesOpenAIShape()
    {
        // Arrange
        ChoiceResult[] choices = [new(0, "plain", null, "stop"), new(1, "thought", "why", "length")];
        var completion = ChatCompletionTranslator.ToChatCompletion("chatcmpl-3", 5, "m", choices, new TokenUsage(1, 0, 2, 1, 3));

        // Act
        var text = JsonSerializer.Serialize(completion, OpenAIJsonContext.Web.ChatCompletion);

        // Assert
        using var document = JsonDocument.Parse(text);
        var root = document.RootElement;
        Assert.Equal(
            ["id", "object", "created", "model", "choices", "usage", "system_fingerprint"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Contains("\"object\":\"chat.completion\"", text, StringComparison.Ordinal);
        Assert.Equal("chatcmpl-3", root.GetProperty("id").GetString());
        Assert.Equal(5, root.GetProperty("created").GetInt64());

        var first = root.GetProperty("choices")[0];
        Assert.Equal(["index", "message", "finish_reason", "logprobs"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("logprobs").ValueKind);
        Assert.Equal("stop", first.GetProperty("finish_reason").GetString());
        Assert.False(first.GetProperty("message").TryGetProperty("reasoning_content", out _));
        Assert.Equal("plain", first.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("assistant", first.GetProperty("message").GetProperty("role").GetString());

        var second = root.GetProperty("choices")[1];
        Assert.Equal(1, second.GetProperty("index").GetInt32());
        Assert.Equal("why", second.GetProperty("message").GetProperty("reasoning_content").GetString());
        Assert.Equal("length", second.GetProperty("finish_reason").GetString());

        var usage = root.GetProperty("usage");
        Assert.Equal(1, usage.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(2, usage.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(3, usage.GetProperty("total_tokens").GetInt64());
        Assert.Equal(0, usage.GetProperty("prompt_tokens_details").GetProperty("cached_tokens").GetInt64());
        Assert.Equal(1, usage.GetProperty("completion_tokens_details").GetProperty("reasoning_tokens").GetInt64());
        Assert.Contains("\"logprobs\":null", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ToChatCompletion_SerializedWithoutUsage_WritesUsageNull()
    {
        // Arrange
        var completion = ChatCompletionTranslator.ToChatCompletion("chatcmpl-4", 5, "m", [new(0, "it's <ok> & fine", null, "stop")], null);

        // Act
        var text = JsonSerializer.Serialize(completion, OpenAIJsonContext.Web.ChatCompletion);

        // Assert
        using var document = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("usage").ValueKind);
        Assert.Contains("\"content\":\"it's <ok> & fine\"", text, StringComparison.Ordinal);
    }
}
