using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ResponsesTranslatorTests
{
    private const string DataUrl = "data:image/png;base64,iVBORw0KGgo=";

    private const string RemoteUrl = "https://example.com/cat.png";

    private const string ResponseId = "resp_test";

    private const long CreatedAt = 1_767_225_600;

    private const string WeatherTool = """
        {"type":"function","name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]},"strict":false}
        """;

    private const string TimeTool = """{"type":"function","name":"get_time"}""";

    private static readonly ModelCatalog Catalog = new(
        [
            new CatalogModel { Id = "gpt-5.5", UpstreamModel = "gpt-5.5-upstream", DefaultReasoningEffort = "medium", ReasoningEfforts = ["low", "medium", "high"] },
            new CatalogModel { Id = "plain", UpstreamModel = "plain-slug" },
        ],
        null);

    private static ResponseCreateRequest Parse(string json)
        => JsonSerializer.Deserialize(json, OpenAIJsonContext.Web.ResponseCreateRequest)!;

    /// <summary>Translates with a counter-based id factory: <c>msg_1</c>, <c>fc_2</c>, ...</summary>
    private static ResponsesTranslator.Result Translate(string json, IReadOnlyList<ResponseItem>? prior = null, IReadOnlyDictionary<string, string>? images = null)
    {
        var counter = 0;
        return ResponsesTranslator.ToPlan(
            Parse(json),
            Catalog,
            prior ?? [],
            images ?? ChatCompletionTranslator.PendingImages,
            ResponseId,
            CreatedAt,
            prefix => $"{prefix}{++counter}");
    }

    private static CompletionPlan Plan(string json) => Translate(json).Plan;

    private static InvalidRequestException Reject(string json, IReadOnlyDictionary<string, string>? images = null)
        => Assert.Throws<InvalidRequestException>(() => Translate(json, images: images));

    /// <summary>A minimal valid request (model gpt-5.5, input "hi") plus <paramref name="fields"/>.</summary>
    private static string Request(string fields = "")
        => fields.Length == 0
            ? """{"model":"gpt-5.5","input":"hi"}"""
            : $$"""{"model":"gpt-5.5","input":"hi",{{fields}} }""";

    /// <summary>A request with the given input array.</summary>
    private static string WithInput(string input, string fields = "")
        => fields.Length == 0
            ? $$"""{"model":"gpt-5.5","input":{{input}} }"""
            : $$"""{"model":"gpt-5.5","input":{{input}},{{fields}} }""";

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The element re-written with one encoder, so strings compare by value and properties by order.</summary>
    private static string Canonical(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string Canonical(string json) => Canonical(Json(json));

    private static string Serialize(ResponseItem item)
        => JsonSerializer.Serialize(item, OpenAIJsonContext.Web.ResponseItem);

    private static void AssertRejected(InvalidRequestException error, string param, string code, int status = 400)
    {
        Assert.Equal(status, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal(code, error.Code);
    }

    // ---- input: a string ----

    [Fact]
    public void ToPlan_StringInput_IsOneUserMessageAndTheTurnInput()
    {
        // Arrange
        const string json = """{"model":"gpt-5.5","input":"Hello there","instructions":"Be brief."}""";

        // Act
        var result = Translate(json);

        // Assert
        var item = Assert.Single(result.InputItems);
        Assert.Equal(
            """{"type":"message","id":"msg_1","status":"completed","role":"user","content":[{"type":"input_text","text":"Hello there"}]}""",
            Serialize(item));
        Assert.Equal([TurnInputPart.FromText("Hello there")], result.Plan.Turn.Input);
        Assert.Empty(result.Plan.Turn.History);
        Assert.Equal("Be brief.", result.Plan.Turn.BaseInstructions);
        Assert.Equal("gpt-5.5-upstream", result.Plan.Turn.Model);
        Assert.Empty(result.Plan.IgnoredParams);
    }

    [Fact]
    public void ToPlan_NoInstructions_BaseInstructionsAreEmpty()
    {
        // Arrange / Act
        var plan = Plan(Request());

        // Assert
        Assert.Equal(string.Empty, plan.Turn.BaseInstructions);
    }

    // ---- input: an array of items ----

    [Fact]
    public void ToPlan_ConversationArray_ReplaysEveryItemButTheFinalUserMessageAsHistory()
    {
        // Arrange
        var json = WithInput("""
            [
              {"type":"message","role":"system","content":"Sys rules."},
              {"type":"message","role":"developer","content":[{"type":"input_text","text":"Dev "},{"type":"input_text","text":"notes."}]},
              {"type":"message","role":"user","content":"What is the weather?"},
              {"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking.","annotations":[],"logprobs":[]}]},
              {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call_output","call_id":"call_1","output":"18C"},
              {"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"No."}]},
              {"type":"function_call","call_id":"call_2","name":"get_time","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_2","output":[{"type":"input_text","text":"part1 "},{"type":"input_text","text":"part2"}]},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"And tomorrow?"}]}
            ]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(
            [
                Canonical("""{"type":"message","role":"developer","content":[{"type":"input_text","text":"Sys rules."}]}"""),
                Canonical("""{"type":"message","role":"developer","content":[{"type":"input_text","text":"Dev notes."}]}"""),
                Canonical("""{"type":"message","role":"user","content":[{"type":"input_text","text":"What is the weather?"}]}"""),
                Canonical("""{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Checking."}]}"""),
                Canonical("""{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}"""),
                Canonical("""{"type":"function_call_output","call_id":"call_1","output":"18C"}"""),
                Canonical("""{"type":"message","role":"assistant","content":[{"type":"output_text","text":"No."}]}"""),
                Canonical("""{"type":"function_call","call_id":"call_2","name":"get_time","arguments":"{}"}"""),
                Canonical("""{"type":"function_call_output","call_id":"call_2","output":"part1 part2"}"""),
            ],
            plan.Turn.History.Select(Canonical));
        Assert.Equal([TurnInputPart.FromText("And tomorrow?")], plan.Turn.Input);
    }

    [Fact]
    public void ToPlan_ConversationArray_ReturnsTypedInputItemsWithGeneratedIds()
    {
        // Arrange
        var json = WithInput("""
            [
              {"type":"message","role":"system","content":"Sys rules."},
              {"type":"message","role":"assistant","content":[{"type":"refusal","refusal":"No."}]},
              {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
              {"type":"function_call_output","call_id":"call_1","output":[{"type":"input_text","text":"a"},{"type":"input_text","text":"b"}]},
              {"type":"message","role":"user","content":"Thanks"}
            ]
            """);

        // Act
        var items = Translate(json).InputItems;

        // Assert
        Assert.Equal(
            [
                """{"type":"message","id":"msg_1","status":"completed","role":"system","content":[{"type":"input_text","text":"Sys rules."}]}""",
                """{"type":"message","id":"msg_2","status":"completed","role":"assistant","content":[{"type":"refusal","refusal":"No."}]}""",
                """{"type":"function_call","id":"fc_3","status":"completed","call_id":"call_1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"}""",
                """{"type":"function_call_output","id":"fco_4","status":"completed","call_id":"call_1","output":"ab"}""",
                """{"type":"message","id":"msg_5","status":"completed","role":"user","content":[{"type":"input_text","text":"Thanks"}]}""",
            ],
            items.Select(Serialize));
    }

    [Fact]
    public void ToPlan_LastItemIsFunctionCallOutput_InputIsEmptyAndEveryItemIsHistory()
    {
        // Arrange
        var json = WithInput("""
            [
              {"role":"user","content":"Weather in Paris?"},
              {"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"},
              {"type":"function_call_output","call_id":"call_1","output":"18C"}
            ]
            """);

        // Act
        var result = Translate(json);

        // Assert
        Assert.Empty(result.Plan.Turn.Input);
        Assert.Equal(3, result.InputItems.Count);
        Assert.Equal(
            [
                Canonical("""{"type":"message","role":"user","content":[{"type":"input_text","text":"Weather in Paris?"}]}"""),
                Canonical("""{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"}"""),
                Canonical("""{"type":"function_call_output","call_id":"call_1","output":"18C"}"""),
            ],
            result.Plan.Turn.History.Select(Canonical));
    }

    [Fact]
    public void ToPlan_LastItemIsAssistantMessage_InputIsEmptyAndItIsHistory()
    {
        // Arrange
        var json = WithInput("""[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello"}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Empty(plan.Turn.Input);
        Assert.Equal(2, plan.Turn.History.Count);
        Assert.Equal(Canonical("""{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello"}]}"""), Canonical(plan.Turn.History[1]));
    }

    [Fact]
    public void ToPlan_ItemWithRoleButNoType_IsAMessage()
    {
        // Arrange
        var json = WithInput("""[{"role":"developer","content":"Rules."},{"role":"user","content":"Go"}]""");

        // Act
        var result = Translate(json);

        // Assert
        Assert.Equal(["message", "message"], result.InputItems.Select(i => i.Type));
        Assert.Equal(["developer", "user"], result.InputItems.Select(i => i.Role));
        Assert.Equal(Canonical("""{"type":"message","role":"developer","content":[{"type":"input_text","text":"Rules."}]}"""), Canonical(Assert.Single(result.Plan.Turn.History)));
        Assert.Equal([TurnInputPart.FromText("Go")], result.Plan.Turn.Input);
    }

    [Fact]
    public void ToPlan_ClientSuppliedItemIds_AreKeptAndOthersGenerated()
    {
        // Arrange
        var json = WithInput("""
            [
              {"id":"msg_client","type":"message","role":"user","content":"Q","status":"completed"},
              {"id":"fc_client","type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
              {"type":"function_call_output","call_id":"c1","output":"r"},
              {"id":"fco_client","type":"function_call_output","call_id":"c1","output":"r2"},
              {"role":"user","content":"Next"}
            ]
            """);

        // Act
        var items = Translate(json).InputItems;

        // Assert
        Assert.Equal(["msg_client", "fc_client", "fco_1", "fco_client", "msg_2"], items.Select(i => i.Id));
    }

    [Fact]
    public void ToPlan_NullValuedUnknownFieldOnItem_IsAccepted()
    {
        // Arrange
        var json = WithInput("""[{"role":"user","content":"hi","foo":null}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal([TurnInputPart.FromText("hi")], plan.Turn.Input);
    }

    // ---- previous_response_id ----

    [Fact]
    public void ToPlan_PriorConversation_IsReplayedBeforeTheNewInputWithoutReasoning()
    {
        // Arrange
        IReadOnlyList<ResponseItem> prior =
        [
            new() { Type = "message", Id = "msg_p1", Status = "completed", Role = "user", Content = [new ResponseContentPart { Type = "input_text", Text = "First question" }] },
            new() { Type = "reasoning", Id = "rs_p2", Summary = [new ResponseContentPart { Type = "summary_text", Text = "thinking" }] },
            new() { Type = "function_call", Id = "fc_p3", Status = "completed", CallId = "call_9", Name = "lookup", Arguments = """{"q":1}""" },
            new() { Type = "function_call_output", Id = "fco_p4", Status = "completed", CallId = "call_9", Output = "found" },
            new() { Type = "message", Id = "msg_p5", Status = "completed", Role = "assistant", Content = [ResponseContentPart.OutputText("First answer")] },
        ];
        const string json = """{"model":"gpt-5.5","input":"Second question","previous_response_id":"resp_prev"}""";

        // Act
        var result = Translate(json, prior);

        // Assert
        Assert.Equal(
            [
                Canonical("""{"type":"message","role":"user","content":[{"type":"input_text","text":"First question"}]}"""),
                Canonical("""{"type":"function_call","call_id":"call_9","name":"lookup","arguments":"{\"q\":1}"}"""),
                Canonical("""{"type":"function_call_output","call_id":"call_9","output":"found"}"""),
                Canonical("""{"type":"message","role":"assistant","content":[{"type":"output_text","text":"First answer"}]}"""),
            ],
            result.Plan.Turn.History.Select(Canonical));
        Assert.Equal([TurnInputPart.FromText("Second question")], result.Plan.Turn.Input);

        // Only the new input is stored as this response's input items.
        Assert.Equal("msg_1", Assert.Single(result.InputItems).Id);
        Assert.Equal("resp_prev", result.Template.PreviousResponseId);
    }

    [Fact]
    public void ToPlan_PriorConversationAndFunctionCallOutputInput_ContinuesFromHistory()
    {
        // Arrange
        IReadOnlyList<ResponseItem> prior =
        [
            new() { Type = "message", Id = "msg_p1", Status = "completed", Role = "user", Content = [new ResponseContentPart { Type = "input_text", Text = "Weather?" }] },
            new() { Type = "function_call", Id = "fc_p2", Status = "completed", CallId = "call_1", Name = "get_weather", Arguments = "{}" },
        ];
        var json = WithInput("""[{"type":"function_call_output","call_id":"call_1","output":"sunny"}]""", "\"previous_response_id\":\"resp_prev\"");

        // Act
        var plan = Translate(json, prior).Plan;

        // Assert
        Assert.Empty(plan.Turn.Input);
        Assert.Equal(
            [
                Canonical("""{"type":"message","role":"user","content":[{"type":"input_text","text":"Weather?"}]}"""),
                Canonical("""{"type":"function_call","call_id":"call_1","name":"get_weather","arguments":"{}"}"""),
                Canonical("""{"type":"function_call_output","call_id":"call_1","output":"sunny"}"""),
            ],
            plan.Turn.History.Select(Canonical));
    }

    [Fact]
    public void ToCodexItem_Reasoning_IsNull()
    {
        // Arrange
        var item = new ResponseItem { Type = "reasoning", Id = "rs_1", Summary = [] };

        // Act
        var codex = ResponsesTranslator.ToCodexItem(item);

        // Assert
        Assert.Null(codex);
    }

    // ---- images ----

    [Fact]
    public void ToPlan_DataUrlImage_BecomesAnInputPartWithDetailAuto()
    {
        // Arrange
        var json = WithInput($$"""[{"role":"user","content":[{"type":"input_text","text":"Describe"},{"type":"input_image","image_url":"{{DataUrl}}"}]}]""");

        // Act
        var result = Translate(json);

        // Assert
        Assert.Equal([TurnInputPart.FromText("Describe"), new TurnInputPart(null, DataUrl, "auto")], result.Plan.Turn.Input);
        Assert.Empty(result.Plan.IgnoredParams);
        var image = Assert.Single(result.InputItems).Content![1];
        Assert.Equal("input_image", image.Type);
        Assert.Equal(DataUrl, image.ImageUrl);
        Assert.Equal("auto", image.Detail);
    }

    [Fact]
    public void ToPlan_ImageDetailLow_IsSentAsAutoAndReported()
    {
        // Arrange
        var json = WithInput($$"""[{"role":"user","content":[{"type":"input_text","text":"Describe"},{"type":"input_image","image_url":"{{DataUrl}}","detail":"low"}]}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(new TurnInputPart(null, DataUrl, "auto"), plan.Turn.Input[1]);
        Assert.Equal(["input[0].content[1].detail"], plan.IgnoredParams);
    }

    [Fact]
    public void ToPlan_ImageDetailHigh_IsKept()
    {
        // Arrange
        var json = WithInput($$"""[{"role":"user","content":[{"type":"input_image","image_url":"{{DataUrl}}","detail":"high"}]}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(new TurnInputPart(null, DataUrl, "high"), Assert.Single(plan.Turn.Input));
        Assert.Empty(plan.IgnoredParams);
    }

    [Fact]
    public void ToPlan_InvalidImageDetail_Rejects400NamingDetail()
    {
        // Arrange
        var json = WithInput($$"""[{"role":"user","content":[{"type":"input_image","image_url":"{{DataUrl}}","detail":"ultra"}]}]""");

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "input[0].content[0].detail", "invalid_value");
    }

    [Fact]
    public void ToPlan_RemoteImageWhilePending_IsAccepted()
    {
        // Arrange
        var json = WithInput($$"""[{"role":"user","content":[{"type":"input_text","text":"Look"},{"type":"input_image","image_url":"{{RemoteUrl}}"}]}]""");

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(new TurnInputPart(null, RemoteUrl, "auto"), plan.Turn.Input[1]);
    }

    [Fact]
    public void ToPlan_RemoteImageResolved_IsReplacedByTheDataUrl()
    {
        // Arrange
        var json = WithInput($$"""[{"role":"user","content":[{"type":"input_text","text":"Look"},{"type":"input_image","image_url":"{{RemoteUrl}}","detail":"high"}]}]""");
        var resolved = new Dictionary<string, string> { [RemoteUrl] = DataUrl };

        // Act
        var result = Translate(json, images: resolved);

        // Assert
        Assert.Equal([TurnInputPart.FromText("Look"), new TurnInputPart(null, DataUrl, "high")], result.Plan.Turn.Input);
        Assert.Equal(DataUrl, result.InputItems[0].Content![1].ImageUrl);
    }

    [Fact]
    public void ToPlan_RemoteImageMissingFromResolvedMap_Rejects400NamingImageUrl()
    {
        // Arrange
        var json = WithInput($$"""[{"role":"user","content":[{"type":"input_image","image_url":"{{RemoteUrl}}"}]}]""");
        var resolved = new Dictionary<string, string> { ["https://example.com/other.png"] = DataUrl };

        // Act
        var error = Reject(json, resolved);

        // Assert
        AssertRejected(error, "input[0].content[0].image_url", "invalid_image_url");
    }

    [Theory]
    [InlineData("ftp://example.com/cat.png")]
    [InlineData("cat.png")]
    public void ToPlan_ImageUrlNeitherDataNorHttp_Rejects400NamingImageUrl(string url)
    {
        // Arrange
        var json = WithInput($$"""[{"role":"user","content":[{"type":"input_image","image_url":"{{url}}"}]}]""");

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "input[0].content[0].image_url", "invalid_image_url");
    }

    [Fact]
    public void ToPlan_ImageByFileId_Rejects400NamingFileId()
    {
        // Arrange
        var json = WithInput("""[{"role":"user","content":[{"type":"input_text","text":"Look"},{"type":"input_image","file_id":"file-abc"}]}]""");

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "input[0].content[1].file_id", "unsupported_value");
    }

    [Fact]
    public void ToPlan_ImageWithoutUrl_Rejects400NamingImageUrl()
    {
        // Arrange
        var json = WithInput("""[{"role":"user","content":[{"type":"input_image"}]}]""");

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "input[0].content[0].image_url", "missing_required_parameter");
    }

    [Theory]
    [InlineData("assistant")]
    [InlineData("system")]
    [InlineData("developer")]
    public void ToPlan_ImageOutsideAUserMessage_Rejects400NamingThePartType(string role)
    {
        // Arrange
        var json = WithInput($$"""[{"role":"{{role}}","content":[{"type":"input_image","image_url":"{{DataUrl}}"}]},{"role":"user","content":"hi"}]""");

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "input[0].content[0].type", "invalid_value");
    }

    [Fact]
    public void ToPlan_ImageInAnEarlierUserMessage_IsReplayedWithDetail()
    {
        // Arrange
        var json = WithInput($$"""
            [{"role":"user","content":[{"type":"input_text","text":"See"},{"type":"input_image","image_url":"{{DataUrl}}","detail":"high"}]},
             {"role":"assistant","content":"A cat."},
             {"role":"user","content":"Color?"}]
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(
            Canonical($$"""{"type":"message","role":"user","content":[{"type":"input_text","text":"See"},{"type":"input_image","image_url":"{{DataUrl}}","detail":"high"}]}"""),
            Canonical(plan.Turn.History[0]));
    }

    [Fact]
    public void RemoteImages_ListsHttpImageUrlsWithTheirParameterPaths()
    {
        // Arrange
        var request = Parse(WithInput($$"""
            [{"role":"user","content":[{"type":"input_text","text":"a"},{"type":"input_image","image_url":"{{RemoteUrl}}"}]},
             {"role":"user","content":[{"type":"input_image","image_url":"{{DataUrl}}"},{"type":"input_image","image_url":"http://example.com/b.png"}]}]
            """));

        // Act
        var remote = ResponsesTranslator.RemoteImages(request).ToList();

        // Assert
        Assert.Equal(
            [(RemoteUrl, "input[0].content[1].image_url"), ("http://example.com/b.png", "input[1].content[1].image_url")],
            remote);
    }

    // ---- content parts ----

    [Theory]
    [InlineData("user", "output_text")]
    [InlineData("user", "refusal")]
    [InlineData("assistant", "input_text")]
    [InlineData("system", "output_text")]
    [InlineData("user", "input_file")]
    public void ToPlan_PartTypeNotAllowedForRole_Rejects400NamingThePartType(string role, string type)
    {
        // Arrange
        var json = WithInput($$"""[{"role":"{{role}}","content":[{"type":"{{type}}","text":"x","refusal":"x"}]},{"role":"user","content":"hi"}]""");

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "input[0].content[0].type", "invalid_value");
    }

    [Fact]
    public void ToPlan_UnknownFieldOnAContentPart_Rejects400NamingIt()
    {
        // Arrange
        var json = WithInput("""[{"role":"user","content":[{"type":"input_text","text":"x","cache_control":{"type":"ephemeral"}}]}]""");

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "input[0].content[0].cache_control", "unknown_parameter");
    }

    [Fact]
    public void ToPlan_MessageWithoutContent_Rejects400NamingContent()
    {
        // Arrange / Act
        var error = Reject(WithInput("""[{"role":"user"}]"""));

        // Assert
        AssertRejected(error, "input[0].content", "missing_required_parameter");
    }

    // ---- errors ----

    [Theory]
    [InlineData("""{"input":"hi"}""")]
    [InlineData("""{"model":null,"input":"hi"}""")]
    [InlineData("""{"model":" ","input":"hi"}""")]
    public void ToPlan_MissingModel_Rejects400NamingModel(string json)
    {
        // Arrange / Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "model", "missing_required_parameter");
    }

    [Fact]
    public void ToPlan_UnknownModel_Returns404ModelNotFound()
    {
        // Arrange / Act
        var error = Reject("""{"model":"gpt-nope","input":"hi"}""");

        // Assert
        AssertRejected(error, "model", "model_not_found", 404);
        Assert.Contains("gpt-nope", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"model":"gpt-5.5"}""")]
    [InlineData("""{"model":"gpt-5.5","input":null}""")]
    public void ToPlan_MissingInput_Rejects400NamingInput(string json)
    {
        // Arrange / Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "input", "missing_required_parameter");
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("[]")]
    [InlineData("""[{"type":"reasoning","id":"rs_1","summary":[]}]""")]
    public void ToPlan_EmptyInput_Rejects400NamingInput(string input)
    {
        // Arrange / Act
        var error = Reject(WithInput(input));

        // Assert
        AssertRejected(error, "input", "invalid_value");
    }

    [Theory]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("""{"role":"user","content":"hi"}""")]
    public void ToPlan_InputNotStringOrArray_Rejects400NamingInput(string input)
    {
        // Arrange / Act
        var error = Reject(WithInput(input));

        // Assert
        AssertRejected(error, "input", "invalid_type");
    }

    [Fact]
    public void ToPlan_InputItemNotAnObject_Rejects400NamingIt()
    {
        // Arrange / Act
        var error = Reject(WithInput("""[{"role":"user","content":"hi"},"hello"]"""));

        // Assert
        AssertRejected(error, "input[1]", "invalid_type");
    }

    [Theory]
    [InlineData("""[{"type":"item_reference","id":"msg_1"}]""")]
    [InlineData("""[{"type":"web_search_call","id":"ws_1"}]""")]
    [InlineData("""[{"content":"hi"}]""")]
    public void ToPlan_UnknownItemType_Rejects400NamingItsType(string input)
    {
        // Arrange / Act
        var error = Reject(WithInput(input));

        // Assert
        AssertRejected(error, "input[0].type", "invalid_value");
    }

    [Theory]
    [InlineData("""[{"role":"user","content":"hi","foo":1}]""", "input[0].foo")]
    [InlineData("""[{"type":"function_call","call_id":"c","name":"f","arguments":"{}","foo":"x"},{"role":"user","content":"hi"}]""", "input[0].foo")]
    [InlineData("""[{"role":"user","content":"hi"},{"type":"function_call_output","call_id":"c","output":"o","name":"f"}]""", "input[1].name")]
    public void ToPlan_UnknownFieldOnAnItem_Rejects400NamingIt(string input, string param)
    {
        // Arrange / Act
        var error = Reject(WithInput(input));

        // Assert
        AssertRejected(error, param, "unknown_parameter");
    }

    [Theory]
    [InlineData("tool")]
    [InlineData("function")]
    [InlineData("User")]
    public void ToPlan_MessageWithInvalidRole_Rejects400NamingRole(string role)
    {
        // Arrange / Act
        var error = Reject(WithInput($$"""[{"role":"{{role}}","content":"hi"}]"""));

        // Assert
        AssertRejected(error, "input[0].role", "invalid_value");
    }

    [Fact]
    public void ToPlan_MessageTypeWithoutRole_Rejects400NamingRole()
    {
        // Arrange / Act
        var error = Reject(WithInput("""[{"type":"message","content":"hi"}]"""));

        // Assert
        AssertRejected(error, "input[0].role", "invalid_value");
    }

    [Theory]
    [InlineData("""{"type":"function_call","name":"f","arguments":"{}"}""", "input[0].call_id")]
    [InlineData("""{"type":"function_call","call_id":"c","arguments":"{}"}""", "input[0].name")]
    [InlineData("""{"type":"function_call","call_id":"c","name":"f"}""", "input[0].arguments")]
    [InlineData("""{"type":"function_call","call_id":"c","name":"f","arguments":{}}""", "input[0].arguments")]
    [InlineData("""{"type":"function_call_output","output":"o"}""", "input[0].call_id")]
    [InlineData("""{"type":"function_call_output","call_id":"c"}""", "input[0].output")]
    public void ToPlan_CallItemMissingARequiredString_Rejects400NamingIt(string item, string param)
    {
        // Arrange / Act
        var error = Reject(WithInput($"[{item}]"));

        // Assert
        AssertRejected(error, param, "missing_required_parameter");
    }

    [Theory]
    [InlineData("42", "input[0].output", "invalid_type")]
    [InlineData("""[{"type":"input_image","image_url":"x"}]""", "input[0].output[0].type", "invalid_value")]
    [InlineData("""["text"]""", "input[0].output[0].type", "invalid_value")]
    [InlineData("""[{"type":"input_text"}]""", "input[0].output[0].text", "missing_required_parameter")]
    public void ToPlan_InvalidFunctionCallOutput_Rejects400NamingIt(string output, string param, string code)
    {
        // Arrange
        var json = WithInput($$"""[{"type":"function_call_output","call_id":"c","output":{{output}}}]""");

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, param, code);
    }

    [Fact]
    public void ToPlan_BackgroundTrue_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request("\"background\":true"));

        // Assert
        AssertRejected(error, "background", "unsupported_value");
    }

    [Fact]
    public void ToPlan_BackgroundFalse_IsAccepted()
    {
        // Arrange / Act
        var plan = Plan(Request("\"background\":false"));

        // Assert
        Assert.Empty(plan.IgnoredParams);
    }

    [Fact]
    public void ToPlan_TopLogprobsPositive_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request("\"top_logprobs\":2"));

        // Assert
        AssertRejected(error, "top_logprobs", "unsupported_value");
    }

    [Fact]
    public void ToPlan_TopLogprobsZero_IsAccepted()
    {
        // Arrange / Act
        var plan = Plan(Request("\"top_logprobs\":0"));

        // Assert
        Assert.Empty(plan.IgnoredParams);
    }

    [Fact]
    public void ToPlan_InvalidTruncation_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request("\"truncation\":\"middle\""));

        // Assert
        AssertRejected(error, "truncation", "invalid_value");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void ToPlan_MaxOutputTokensNotPositive_Rejects400(int value)
    {
        // Arrange / Act
        var error = Reject(Request($"\"max_output_tokens\":{value}"));

        // Assert
        AssertRejected(error, "max_output_tokens", "invalid_value");
    }

    [Fact]
    public void ToPlan_MaxToolCallsZero_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request("\"max_tool_calls\":0"));

        // Assert
        AssertRejected(error, "max_tool_calls", "invalid_value");
    }

    [Theory]
    [InlineData("""{"k":1}""")]
    [InlineData("""{"k":null}""")]
    [InlineData("""{"k":{"nested":"x"}}""")]
    public void ToPlan_MetadataValueNotAString_Rejects400NamingTheKey(string metadata)
    {
        // Arrange / Act
        var error = Reject(Request($"\"metadata\":{metadata}"));

        // Assert
        AssertRejected(error, "metadata.k", "invalid_type");
    }

    [Fact]
    public void ToPlan_MetadataNotAnObject_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request("\"metadata\":[\"a\"]"));

        // Assert
        AssertRejected(error, "metadata", "invalid_type");
    }

    [Fact]
    public void ToPlan_MoreThan16MetadataPairs_Rejects400()
    {
        // Arrange
        var pairs = string.Join(",", Enumerable.Range(1, 17).Select(i => $"\"k{i}\":\"v\""));

        // Act
        var error = Reject(Request($"\"metadata\":{{{pairs}}}"));

        // Assert
        AssertRejected(error, "metadata", "invalid_value");
    }

    [Fact]
    public void ToPlan_Exactly16MetadataPairs_AreEchoed()
    {
        // Arrange
        var pairs = string.Join(",", Enumerable.Range(1, 16).Select(i => $"\"k{i}\":\"v{i}\""));

        // Act
        var template = Translate(Request($"\"metadata\":{{{pairs}}}")).Template;

        // Assert
        Assert.Equal(16, template.Metadata.Count);
        Assert.Equal("v16", template.Metadata["k16"]);
    }

    [Fact]
    public void ToPlan_MetadataKeyLongerThan64_Rejects400NamingTheKey()
    {
        // Arrange
        var key = new string('k', 65);

        // Act
        var error = Reject(Request($$""" "metadata":{"{{key}}":"v"} """));

        // Assert
        AssertRejected(error, $"metadata.{key}", "invalid_value");
    }

    [Fact]
    public void ToPlan_MetadataValueLongerThan512_Rejects400NamingTheKey()
    {
        // Arrange
        var value = new string('v', 513);

        // Act
        var error = Reject(Request($$""" "metadata":{"k":"{{value}}"} """));

        // Assert
        AssertRejected(error, "metadata.k", "invalid_value");
    }

    [Fact]
    public void ToPlan_MetadataAtTheLimits_IsAccepted()
    {
        // Arrange
        var key = new string('k', 64);
        var value = new string('v', 512);

        // Act
        var template = Translate(Request($$""" "metadata":{"{{key}}":"{{value}}"} """)).Template;

        // Assert
        Assert.Equal(value, template.Metadata[key]);
    }

    [Theory]
    [InlineData("""{"summary":"verbose"}""", "reasoning.summary")]
    [InlineData("""{"summary":"Detailed"}""", "reasoning.summary")]
    [InlineData("""{"generate_summary":"verbose"}""", "reasoning.generate_summary")]
    public void ToPlan_InvalidReasoningSummary_Rejects400(string reasoning, string param)
    {
        // Arrange / Act
        var error = Reject(Request($"\"reasoning\":{reasoning}"));

        // Assert
        AssertRejected(error, param, "invalid_value");
    }

    [Fact]
    public void ToPlan_UnknownReasoningField_Rejects400NamingIt()
    {
        // Arrange / Act
        var error = Reject(Request("""
            "reasoning":{"effort":"low","budget":100}
            """));

        // Assert
        AssertRejected(error, "reasoning.budget", "unknown_parameter");
    }

    [Theory]
    [InlineData("gpt-5.5", "xhigh")]
    [InlineData("gpt-5.5", "HIGH")]
    [InlineData("plain", "low")]
    public void ToPlan_ReasoningEffortNotInCatalog_Rejects400NamingEffort(string model, string effort)
    {
        // Arrange
        var json = $$$"""{"model":"{{{model}}}","input":"hi","reasoning":{"effort":"{{{effort}}}"}}""";

        // Act
        var error = Reject(json);

        // Assert
        AssertRejected(error, "reasoning.effort", "unsupported_value");
    }

    [Fact]
    public void ToPlan_JsonSchemaFormatWithoutSchema_Rejects400NamingSchema()
    {
        // Arrange / Act
        var error = Reject(Request("""
            "text":{"format":{"type":"json_schema","name":"out","strict":true}}
            """));

        // Assert
        AssertRejected(error, "text.format.schema", "missing_required_parameter");
    }

    [Fact]
    public void ToPlan_NonStrictSchema_Rejects400NamingSchema()
    {
        // Arrange / Act
        var error = Reject(Request("""
            "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object","properties":{"a":{"type":"string"}}}}}
            """));

        // Assert
        AssertRejected(error, "text.format.schema", "invalid_json_schema");
    }

    [Theory]
    [InlineData("""{"type":"xml"}""", "text.format.type", "invalid_value")]
    [InlineData("""{"name":"x"}""", "text.format", "invalid_type")]
    [InlineData("\"json_object\"", "text.format", "invalid_type")]
    public void ToPlan_InvalidTextFormat_Rejects400(string format, string param, string code)
    {
        // Arrange / Act
        var error = Reject(Request($$""" "text":{"format":{{format}}} """));

        // Assert
        AssertRejected(error, param, code);
    }

    [Fact]
    public void ToPlan_InvalidTextVerbosity_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request("""
            "text":{"verbosity":"loud"}
            """));

        // Assert
        AssertRejected(error, "text.verbosity", "invalid_value");
    }

    [Fact]
    public void ToPlan_UnknownTextField_Rejects400NamingIt()
    {
        // Arrange / Act
        var error = Reject(Request("""
            "text":{"format":{"type":"text"},"style":"terse"}
            """));

        // Assert
        AssertRejected(error, "text.style", "unknown_parameter");
    }

    [Fact]
    public void ToPlan_StreamOptionsWithoutStream_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request("""
            "stream_options":{"include_obfuscation":false}
            """));

        // Assert
        AssertRejected(error, "stream_options", "invalid_value");
    }

    [Fact]
    public void ToPlan_StreamOptionsUnknownKey_Rejects400NamingIt()
    {
        // Arrange / Act
        var error = Reject(Request("""
            "stream":true,"stream_options":{"include_usage":true}
            """));

        // Assert
        AssertRejected(error, "stream_options.include_usage", "unknown_parameter");
    }

    [Fact]
    public void ToPlan_StreamOptionsIncludeObfuscation_IsAccepted()
    {
        // Arrange / Act
        var plan = Plan(Request("""
            "stream":true,"stream_options":{"include_obfuscation":false}
            """));

        // Assert
        Assert.True(plan.Stream);
        Assert.Empty(plan.IgnoredParams);
    }

    [Theory]
    [InlineData("""["usage"]""", "invalid_value")]
    [InlineData("""["reasoning.encrypted_content",7]""", "invalid_value")]
    [InlineData("\"reasoning.encrypted_content\"", "invalid_type")]
    public void ToPlan_InvalidInclude_Rejects400(string include, string code)
    {
        // Arrange / Act
        var error = Reject(Request($"\"include\":{include}"));

        // Assert
        AssertRejected(error, "include", code);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("conversation")]
    [InlineData("prompt")]
    public void ToPlan_UnknownTopLevelField_Rejects400NamingIt(string name)
    {
        // Arrange / Act
        var error = Reject(Request($"\"{name}\":\"x\""));

        // Assert
        AssertRejected(error, name, "unknown_parameter");
    }

    [Fact]
    public void ToPlan_UnknownTopLevelFieldSetToNull_IsAccepted()
    {
        // Arrange / Act
        var plan = Plan(Request("\"frobnicate\":null"));

        // Assert
        Assert.Empty(plan.IgnoredParams);
    }

    [Theory]
    [InlineData("""[{"type":"web_search"}]""", "tools[0].type")]
    [InlineData($$"""[{{TimeTool}},{"type":"file_search","vector_store_ids":[]}]""", "tools[1].type")]
    public void ToPlan_NonFunctionTool_Rejects400NamingItsType(string tools, string param)
    {
        // Arrange / Act
        var error = Reject(Request($"\"tools\":{tools}"));

        // Assert
        AssertRejected(error, param, "invalid_value");
    }

    [Fact]
    public void ToPlan_ToolChoiceNamingAnUnknownTool_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request($$""" "tools":[{{TimeTool}}],"tool_choice":{"type":"function","name":"get_weather"} """));

        // Assert
        AssertRejected(error, "tool_choice", "invalid_value");
    }

    [Fact]
    public void ToPlan_ToolChoiceAllowedTools_Rejects400()
    {
        // Arrange / Act
        var error = Reject(Request($$""" "tools":[{{TimeTool}}],"tool_choice":{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","name":"get_time"}]} """));

        // Assert
        AssertRejected(error, "tool_choice", "invalid_value");
    }

    // ---- ignored and reported ----

    [Theory]
    [InlineData("\"temperature\":0.2", "temperature")]
    [InlineData("\"top_p\":0.5", "top_p")]
    [InlineData("\"user\":\"u-1\"", "user")]
    [InlineData("\"service_tier\":\"flex\"", "service_tier")]
    [InlineData("\"prompt_cache_key\":\"key\"", "prompt_cache_key")]
    [InlineData("\"safety_identifier\":\"sid\"", "safety_identifier")]
    [InlineData("\"truncation\":\"auto\"", "truncation")]
    [InlineData("\"text\":{\"verbosity\":\"high\"}", "text.verbosity")]
    [InlineData("\"text\":{\"verbosity\":\"low\"}", "text.verbosity")]
    [InlineData("\"include\":[\"reasoning.encrypted_content\"]", "include")]
    [InlineData("\"include\":[\"message.output_text.logprobs\"]", "include")]
    [InlineData($"\"tools\":[{TimeTool}],\"tool_choice\":\"required\"", "tool_choice")]
    [InlineData($"\"tools\":[{TimeTool}],\"tool_choice\":{{\"type\":\"function\",\"name\":\"get_time\"}}", "tool_choice")]
    [InlineData("\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"strict\":true}]", "tools[0].strict")]
    public void ToPlan_IgnorableField_IsTheOnlyReportedParameter(string fields, string reported)
    {
        // Arrange / Act
        var plan = Plan(Request(fields));

        // Assert
        Assert.Equal([reported], plan.IgnoredParams);
    }

    [Theory]
    [InlineData("\"truncation\":\"disabled\"")]
    [InlineData("\"text\":{\"verbosity\":\"medium\"}")]
    [InlineData("\"include\":[]")]
    [InlineData("\"tool_choice\":\"auto\"")]
    [InlineData("\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"strict\":false}]")]
    [InlineData("\"store\":false")]
    [InlineData("\"metadata\":{\"a\":\"b\"}")]
    [InlineData("\"parallel_tool_calls\":false")]
    [InlineData("\"max_output_tokens\":10")]
    [InlineData("\"reasoning\":{\"effort\":\"low\",\"summary\":\"auto\"}")]
    [InlineData("\"temperature\":null,\"user\":null")]
    public void ToPlan_HonouredOrDefaultField_IsNotReported(string fields)
    {
        // Arrange / Act
        var plan = Plan(Request(fields));

        // Assert
        Assert.Empty(plan.IgnoredParams);
    }

    [Fact]
    public void ToPlan_ReasoningInputItem_IsReportedByItsIndexAndNotReplayed()
    {
        // Arrange
        var json = WithInput("""
            [{"role":"user","content":"Q"},
             {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"t"}],"encrypted_content":"gAAA"},
             {"role":"assistant","content":"A"},
             {"role":"user","content":"Q2"}]
            """);

        // Act
        var result = Translate(json);

        // Assert
        Assert.Equal(["input[1]"], result.Plan.IgnoredParams);
        Assert.Equal(["user", "assistant", "user"], result.InputItems.Select(i => i.Role));
        Assert.Equal(2, result.Plan.Turn.History.Count);
    }

    [Fact]
    public void ToPlan_SeveralIgnorableFields_AreReportedInValidationOrder()
    {
        // Arrange
        var json = WithInput(
            $$"""[{"role":"user","content":"Q"},{"type":"reasoning","id":"rs_1","summary":[]},{"role":"user","content":[{"type":"input_image","image_url":"{{DataUrl}}","detail":"low"}]}]""",
            """
            "temperature":0.1,"top_p":0.9,"user":"u","service_tier":"auto","prompt_cache_key":"p","safety_identifier":"s",
            "truncation":"auto","include":["reasoning.encrypted_content"],"text":{"verbosity":"high"},
            "tools":[{"type":"function","name":"f","strict":true}],"tool_choice":"required"
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Equal(
            [
                "truncation", "temperature", "top_p", "user", "service_tier", "prompt_cache_key", "safety_identifier", "include",
                "text.verbosity", "tools[0].strict", "tool_choice", "input[1]", "input[2].content[0].detail",
            ],
            plan.IgnoredParams);
    }

    // ---- honoured ----

    [Fact]
    public void ToPlan_ReasoningEffort_SetsTurnEffort()
    {
        // Arrange / Act
        var result = Translate(Request("""
            "reasoning":{"effort":"high"}
            """));

        // Assert
        Assert.Equal("high", result.Plan.Turn.Effort);
        Assert.Equal(new ResponseReasoningEcho("high", null), result.Template.Reasoning);
    }

    [Fact]
    public void ToPlan_NoReasoning_UsesCatalogDefaultEffortAndNoSummary()
    {
        // Arrange / Act
        var result = Translate(Request());

        // Assert
        Assert.Null(result.Plan.Turn.Effort);
        Assert.Equal("none", result.Plan.Turn.Summary);
        Assert.Equal(new ResponseReasoningEcho(null, null), result.Template.Reasoning);
    }

    [Fact]
    public void ToPlan_EffortSuffixModel_ResolvesBaseModelAndEchoesRequestedId()
    {
        // Arrange / Act
        var result = Translate("""{"model":"gpt-5.5-high","input":"hi"}""");

        // Assert
        Assert.Equal("gpt-5.5", result.Plan.Model.Id);
        Assert.Equal("gpt-5.5-upstream", result.Plan.Turn.Model);
        Assert.Equal("high", result.Plan.Turn.Effort);
        Assert.Equal("gpt-5.5-high", result.Plan.ResponseModel);
        Assert.Equal("gpt-5.5-high", result.Template.Model);
        Assert.Equal("high", result.Template.Reasoning.Effort);
    }

    [Fact]
    public void ToPlan_ReasoningEffortWinsOverSuffix()
    {
        // Arrange / Act
        var plan = Plan("""{"model":"gpt-5.5-high","input":"hi","reasoning":{"effort":"low"}}""");

        // Assert
        Assert.Equal("low", plan.Turn.Effort);
    }

    [Theory]
    [InlineData("""{"summary":"detailed"}""", "detailed", "detailed")]
    [InlineData("""{"summary":"concise"}""", "concise", "concise")]
    [InlineData("""{"summary":"auto"}""", "auto", "auto")]
    [InlineData("""{"summary":"none"}""", "none", null)]
    [InlineData("""{"generate_summary":"concise"}""", "concise", "concise")]
    [InlineData("""{"summary":"detailed","generate_summary":"concise"}""", "detailed", "detailed")]
    [InlineData("""{"effort":"low"}""", "none", null)]
    public void ToPlan_ReasoningSummary_SetsTurnSummaryAndEcho(string reasoning, string turnSummary, string? echo)
    {
        // Arrange / Act
        var result = Translate(Request($"\"reasoning\":{reasoning}"));

        // Assert
        Assert.Equal(turnSummary, result.Plan.Turn.Summary);
        Assert.Equal(echo, result.Template.Reasoning.Summary);
    }

    [Fact]
    public void ToPlan_MaxOutputTokens_SetsPlanMaxTokensAndEcho()
    {
        // Arrange / Act
        var result = Translate(Request("\"max_output_tokens\":123"));

        // Assert
        Assert.Equal(123, result.Plan.MaxTokens);
        Assert.Equal(123, result.Template.MaxOutputTokens);
    }

    [Fact]
    public void ToPlan_NoMaxOutputTokens_PlanHasNoLimit()
    {
        // Arrange / Act
        var result = Translate(Request());

        // Assert
        Assert.Null(result.Plan.MaxTokens);
        Assert.Null(result.Template.MaxOutputTokens);
    }

    [Fact]
    public void ToPlan_JsonSchemaFormat_SetsOutputSchemaAndEchoesTheFormat()
    {
        // Arrange
        const string schema = """{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}""";
        var format = $$"""{"type":"json_schema","name":"out","strict":true,"schema":{{schema}}}""";

        // Act
        var result = Translate(Request($$""" "text":{"format":{{format}}} """));

        // Assert
        Assert.NotNull(result.Plan.Turn.OutputSchema);
        Assert.Equal(schema, result.Plan.Turn.OutputSchema.Value.GetRawText());
        Assert.Empty(result.Plan.Turn.History);
        Assert.Equal(
            $$"""{"type":"json_schema","name":"out","description":null,"schema":{{schema}},"strict":true}""",
            result.Template.Text.Format.GetRawText());
        Assert.Equal("medium", result.Template.Text.Verbosity);
    }

    [Fact]
    public void ToPlan_JsonObjectFormat_AppendsTheInstructionToHistory()
    {
        // Arrange
        var json = WithInput("""[{"role":"developer","content":"Rules."},{"role":"user","content":"Give JSON"}]""", """
            "text":{"format":{"type":"json_object"}}
            """);

        // Act
        var plan = Plan(json);

        // Assert
        Assert.Null(plan.Turn.OutputSchema);
        Assert.Equal(
            [
                Canonical("""{"type":"message","role":"developer","content":[{"type":"input_text","text":"Rules."}]}"""),
                Canonical(JsonSerializer.Serialize(new { type = "message", role = "developer", content = new[] { new { type = "input_text", text = ResponseFormats.JsonObjectInstruction } } })),
            ],
            plan.Turn.History.Select(Canonical));
        Assert.Equal([TurnInputPart.FromText("Give JSON")], plan.Turn.Input);
    }

    [Fact]
    public void ToPlan_TextFormatText_HasNoSchemaAndNoInstruction()
    {
        // Arrange / Act
        var plan = Plan(Request("""
            "text":{"format":{"type":"text"}}
            """));

        // Assert
        Assert.Null(plan.Turn.OutputSchema);
        Assert.Empty(plan.Turn.History);
    }

    [Fact]
    public void ToPlan_Tools_BecomeDynamicToolSpecs()
    {
        // Arrange / Act
        var plan = Plan(Request($"\"tools\":[{WeatherTool},{TimeTool}]"));

        // Assert
        Assert.Equal(
            [
                """{"type":"function","name":"get_weather","description":"Current weather","inputSchema":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]}}""",
                """{"type":"function","name":"get_time","description":"","inputSchema":{"type":"object","properties":{}}}""",
            ],
            plan.Turn.DynamicTools.Select(t => t.GetRawText()));
        Assert.Equal(["get_weather", "get_time"], plan.Tools.Select(t => t.Name));
        Assert.Equal(["city", "unit"], plan.Tools[0].ParameterOrder);
        Assert.False(plan.LegacyFunctions);
    }

    [Fact]
    public void ToPlan_ToolChoiceNone_RegistersNoToolsButEchoesThem()
    {
        // Arrange / Act
        var result = Translate(Request($"\"tools\":[{TimeTool}],\"tool_choice\":\"none\""));

        // Assert
        Assert.Empty(result.Plan.Turn.DynamicTools);
        Assert.Empty(result.Plan.Tools);
        Assert.Equal("\"none\"", result.Template.ToolChoice.GetRawText());
        Assert.Equal(
            """[{"type":"function","name":"get_time","description":null,"parameters":null,"strict":false}]""",
            result.Template.Tools.GetRawText());
    }

    [Fact]
    public void ToPlan_ToolChoiceNamed_RegistersOnlyThatTool()
    {
        // Arrange / Act
        var plan = Plan(Request($$""" "tools":[{{WeatherTool}},{{TimeTool}}],"tool_choice":{"type":"function","name":"get_time"} """));

        // Assert
        Assert.Equal("get_time", Assert.Single(plan.Turn.DynamicTools).GetProperty("name").GetString());
        Assert.Equal("get_time", Assert.Single(plan.Tools).Name);
    }

    [Fact]
    public void ToPlan_ParallelToolCallsFalse_IsCarriedToPlanAndEcho()
    {
        // Arrange / Act
        var result = Translate(Request("\"parallel_tool_calls\":false"));

        // Assert
        Assert.False(result.Plan.ParallelToolCalls);
        Assert.False(result.Template.ParallelToolCalls);
    }

    [Fact]
    public void ToPlan_Defaults_OneChoiceSeparateItemsParallelCallsNoStream()
    {
        // Arrange / Act
        var plan = Plan(Request());

        // Assert
        Assert.True(plan.SeparateOutputItems);
        Assert.True(plan.ParallelToolCalls);
        Assert.Equal(1, plan.Choices);
        Assert.False(plan.Stream);
        Assert.False(plan.IncludeUsage);
        Assert.Empty(plan.Stop);
        Assert.Empty(plan.Tools);
        Assert.Empty(plan.Turn.DynamicTools);
        Assert.Equal("gpt-5.5", plan.ResponseModel);
        Assert.Equal("gpt-5.5", plan.Model.Id);
    }

    [Theory]
    [InlineData("\"stream\":true", true)]
    [InlineData("\"stream\":false", false)]
    [InlineData("\"stream\":null", false)]
    public void ToPlan_Stream_FollowsTheRequest(string fields, bool stream)
    {
        // Arrange / Act
        var plan = Plan(Request(fields));

        // Assert
        Assert.Equal(stream, plan.Stream);
    }

    // ---- the response template ----

    [Fact]
    public void ToPlan_MinimalRequest_TemplateHasTheDefaults()
    {
        // Arrange / Act
        var template = Translate(Request()).Template;

        // Assert
        Assert.Equal(ResponseId, template.Id);
        Assert.Equal("response", template.Object);
        Assert.Equal(CreatedAt, template.CreatedAt);
        Assert.Equal("in_progress", template.Status);
        Assert.Equal("gpt-5.5", template.Model);
        Assert.Null(template.Instructions);
        Assert.Empty(template.Metadata);
        Assert.Equal("[]", template.Tools.GetRawText());
        Assert.Equal("\"auto\"", template.ToolChoice.GetRawText());
        Assert.Equal("""{"type":"text"}""", template.Text.Format.GetRawText());
        Assert.Equal("medium", template.Text.Verbosity);
        Assert.True(template.Store);
        Assert.Null(template.PreviousResponseId);
        Assert.Equal(1.0, template.Temperature);
        Assert.Equal(1.0, template.TopP);
        Assert.True(template.ParallelToolCalls);
        Assert.Null(template.MaxOutputTokens);
        Assert.Null(template.MaxToolCalls);
        Assert.Equal("disabled", template.Truncation);
        Assert.Null(template.User);
        Assert.Null(template.PromptCacheKey);
        Assert.Null(template.SafetyIdentifier);
        Assert.False(template.Background);
        Assert.Empty(template.Output);
        Assert.Null(template.Usage);
        Assert.Null(template.Error);
        Assert.Null(template.IncompleteDetails);
        Assert.Null(template.CompletedAt);
    }

    [Fact]
    public void ToPlan_FullRequest_TemplateEchoesTheRequest()
    {
        // Arrange
        var toolChoice = """{"type":"function","name":"get_time"}""";
        var json = $$$"""
            {"model":"gpt-5.5","input":"hi","instructions":"Be terse.","metadata":{"a":"1","b":"2"},
             "tools":[{{{TimeTool}}}],"tool_choice":{{{toolChoice}}},"store":false,"previous_response_id":"resp_prev",
             "temperature":0.2,"top_p":0.5,"parallel_tool_calls":false,"max_output_tokens":50,"max_tool_calls":3,
             "reasoning":{"effort":"low","summary":"auto"},"truncation":"auto","user":"u-1",
             "prompt_cache_key":"pck","safety_identifier":"sid","text":{"verbosity":"low"}}
            """;

        // Act
        var template = Translate(json).Template;

        // Assert
        Assert.Equal("Be terse.", template.Instructions);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, template.Metadata);
        Assert.Equal(
            """[{"type":"function","name":"get_time","description":null,"parameters":null,"strict":false}]""",
            template.Tools.GetRawText());
        Assert.Equal(toolChoice, template.ToolChoice.GetRawText());
        Assert.False(template.Store);
        Assert.Equal("resp_prev", template.PreviousResponseId);
        Assert.Equal(0.2, template.Temperature);
        Assert.Equal(0.5, template.TopP);
        Assert.False(template.ParallelToolCalls);
        Assert.Equal(50, template.MaxOutputTokens);
        Assert.Equal(3, template.MaxToolCalls);
        Assert.Equal(new ResponseReasoningEcho("low", "auto"), template.Reasoning);
        Assert.Equal("auto", template.Truncation);
        Assert.Equal("u-1", template.User);
        Assert.Equal("pck", template.PromptCacheKey);
        Assert.Equal("sid", template.SafetyIdentifier);
        Assert.Equal("""{"type":"text"}""", template.Text.Format.GetRawText());
        Assert.Equal("low", template.Text.Verbosity);
    }

    [Fact]
    public void ToPlan_ToolsEcho_HasAllFiveKeysWithStrictAsSent()
    {
        // Arrange / Act
        var template = Translate(Request($$""" "tools":[{{WeatherTool}},{"type":"function","name":"f","strict":true}] """)).Template;

        // Assert
        Assert.Equal(
            """[{"type":"function","name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]},"strict":false},"""
            + """{"type":"function","name":"f","description":null,"parameters":null,"strict":true}]""",
            template.Tools.GetRawText());
    }

    [Theory]
    [InlineData("""{"type":"json_object"}""", """{"type":"json_object"}""")]
    [InlineData("""{"type":"text"}""", """{"type":"text"}""")]
    [InlineData(
        """{"type":"json_schema","schema":{"type":"object","properties":{},"additionalProperties":false},"description":"d"}""",
        """{"type":"json_schema","name":"response","description":"d","schema":{"type":"object","properties":{},"additionalProperties":false},"strict":true}""")]
    public void ToPlan_TextFormatEcho_IsNormalized(string format, string echo)
    {
        // Arrange / Act
        var template = Translate(Request($$""" "text":{"format":{{format}}} """)).Template;

        // Assert
        Assert.Equal(echo, template.Text.Format.GetRawText());
    }

    [Fact]
    public void ToPlan_StoreTrue_IsEchoed()
    {
        // Arrange / Act
        var template = Translate(Request("\"store\":true")).Template;

        // Assert
        Assert.True(template.Store);
    }

    [Fact]
    public void ToPlan_Template_SerializesWithEveryResponseField()
    {
        // Arrange
        var template = Translate(Request()).Template;

        // Act
        var json = JsonSerializer.Serialize(template, OpenAIJsonContext.Web.ResponseObject);

        // Assert
        using var document = JsonDocument.Parse(json);
        Assert.Equal(
            [
                "id", "object", "created_at", "status", "background", "completed_at", "error", "incomplete_details", "instructions",
                "max_output_tokens", "max_tool_calls", "model", "output", "output_text", "parallel_tool_calls", "presence_penalty",
                "frequency_penalty", "previous_response_id",
                "reasoning", "service_tier", "store", "temperature", "text", "tool_choice", "tools", "top_logprobs", "top_p",
                "truncation", "usage", "user", "metadata", "prompt_cache_key", "safety_identifier",
            ],
            document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("""{"effort":null,"summary":null}""", document.RootElement.GetProperty("reasoning").GetRawText());
        Assert.Equal("""{"format":{"type":"text"},"verbosity":"medium"}""", document.RootElement.GetProperty("text").GetRawText());
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("frequency_penalty")]
    [InlineData("audio")]
    public void ToPlan_ChatOnlyField_IsUnknownHere(string field)
        => AssertRejected(Reject(Request($"\"{field}\":1")), field, "unknown_parameter");

    [Fact]
    public void ToPlan_PromptCacheRetention_IsReported()
        => Assert.Contains("prompt_cache_retention", Plan(Request("\"prompt_cache_retention\":\"24h\"")).IgnoredParams);

    [Fact]
    public void ToPlan_MessageWithoutParts_IsRejected()
        => AssertRejected(Reject(WithInput("""[{"role":"user","content":"a"},{"role":"user","content":[]}]""")), "input[1].content", "invalid_value");
}
