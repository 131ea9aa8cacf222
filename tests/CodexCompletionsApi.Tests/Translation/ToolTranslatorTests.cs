using System.Text.Json;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ToolTranslatorTests
{
    private const string WeatherTool = """
        {"type":"function","function":{"name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]}}}
        """;

    private const string WeatherDynamicTool = """
        {"type":"function","name":"get_weather","description":"Current weather","inputSchema":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]}}
        """;

    private const string TimeTool = """{"type":"function","function":{"name":"get_time"}}""";

    private static readonly ModelCatalog Catalog = new([new CatalogModel { Id = "public-model", UpstreamModel = "upstream-slug" }], null);

    private static readonly RequestLimits Limits = new(MaxChoices: 4);

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static ToolTranslator.Result ParseTools(string tools, string? toolChoice = null, List<string>? ignored = null)
        => ToolTranslator.Parse(Json(tools), toolChoice is null ? default : Json(toolChoice), default, default, ignored ?? []);

    private static ToolTranslator.Result ParseFunctions(string functions, string? functionCall = null, List<string>? ignored = null)
        => ToolTranslator.Parse(default, default, Json(functions), functionCall is null ? default : Json(functionCall), ignored ?? []);

    private static InvalidRequestException RejectTools(string tools, string? toolChoice = null)
        => Assert.Throws<InvalidRequestException>(() => ParseTools(tools, toolChoice));

    private static InvalidRequestException RejectFunctions(string functions, string? functionCall = null)
        => Assert.Throws<InvalidRequestException>(() => ParseFunctions(functions, functionCall));

    private static CompletionPlan Plan(string fields)
    {
        var json = $$"""{"model":"public-model","messages":[{"role":"user","content":"hi"}],{{fields}} }""";
        var request = JsonSerializer.Deserialize(json, OpenAIJsonContext.Default.ChatCompletionRequest)!;
        return ChatCompletionTranslator.ToPlan(request, Catalog, Limits);
    }

    private static void AssertRejected(InvalidRequestException error, string param, string code)
    {
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal(code, error.Code);
    }

    // ---- tools: conversion ----

    [Fact]
    public void Parse_FullFunction_ReturnsExactDynamicToolJson()
    {
        // Arrange
        var tools = $"[{WeatherTool}]";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(WeatherDynamicTool, Assert.Single(result.DynamicTools).GetRawText());
        Assert.False(result.Legacy);
    }

    [Fact]
    public void Parse_FullFunction_ReturnsToolDefinitionWithNameAndParameterOrder()
    {
        // Arrange
        var tools = $"[{WeatherTool}]";

        // Act
        var result = ParseTools(tools);

        // Assert
        var definition = Assert.Single(result.Tools);
        Assert.Equal("get_weather", definition.Name);
        Assert.Equal(["city", "unit"], definition.ParameterOrder);
    }

    [Fact]
    public void Parse_MissingDescription_WritesEmptyDescription()
    {
        // Arrange
        const string tools = """[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"integer"}}}}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(
            """{"type":"function","name":"f","description":"","inputSchema":{"type":"object","properties":{"a":{"type":"integer"}}}}""",
            Assert.Single(result.DynamicTools).GetRawText());
    }

    [Fact]
    public void Parse_NullDescription_WritesEmptyDescription()
    {
        // Arrange
        const string tools = """[{"type":"function","function":{"name":"f","description":null}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(string.Empty, Assert.Single(result.DynamicTools).GetProperty("description").GetString());
    }

    [Fact]
    public void Parse_MissingParameters_WritesEmptyObjectSchema()
    {
        // Arrange
        const string tools = """[{"type":"function","function":{"name":"f","description":"d"}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(
            """{"type":"function","name":"f","description":"d","inputSchema":{"type":"object","properties":{}}}""",
            Assert.Single(result.DynamicTools).GetRawText());
        Assert.Empty(Assert.Single(result.Tools).ParameterOrder);
    }

    [Fact]
    public void Parse_NullParameters_WritesEmptyObjectSchema()
    {
        // Arrange
        const string tools = """[{"type":"function","function":{"name":"f","parameters":null}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal("""{"type":"object","properties":{}}""", Assert.Single(result.DynamicTools).GetProperty("inputSchema").GetRawText());
    }

    [Fact]
    public void Parse_DescriptionWithMarkup_KeepsTheTextUnchanged()
    {
        // Arrange
        const string tools = """[{"type":"function","function":{"name":"f","description":"a < b & \"c\" °"}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal("a < b & \"c\" °", Assert.Single(result.DynamicTools).GetProperty("description").GetString());
    }

    [Fact]
    public void Parse_SeveralTools_KeepsRequestOrder()
    {
        // Arrange
        var tools = $"[{WeatherTool},{TimeTool}]";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(["get_weather", "get_time"], result.DynamicTools.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["get_weather", "get_time"], result.Tools.Select(t => t.Name));
    }

    [Fact]
    public void Parse_NoToolsNoFunctions_ReturnsEmptyResult()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ToolTranslator.Parse(default, default, default, default, ignored);

        // Assert
        Assert.Empty(result.DynamicTools);
        Assert.Empty(result.Tools);
        Assert.False(result.Legacy);
        Assert.Empty(ignored);
    }

    [Fact]
    public void Parse_NullToolsAndFunctions_ReturnsEmptyResult()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ToolTranslator.Parse(Json("null"), Json("null"), Json("null"), Json("null"), ignored);

        // Assert
        Assert.Empty(result.DynamicTools);
        Assert.False(result.Legacy);
        Assert.Empty(ignored);
    }

    [Fact]
    public void Parse_EmptyToolsArray_ReturnsNoTools()
    {
        // Arrange / Act
        var result = ParseTools("[]");

        // Assert
        Assert.Empty(result.DynamicTools);
        Assert.Empty(result.Tools);
    }

    // ---- legacy functions ----

    [Fact]
    public void Parse_LegacyFunctions_ReturnsSameDynamicToolAndLegacyTrue()
    {
        // Arrange
        const string functions = """
            [{"name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]}}]
            """;

        // Act
        var result = ParseFunctions(functions);

        // Assert
        Assert.Equal(WeatherDynamicTool, Assert.Single(result.DynamicTools).GetRawText());
        Assert.Equal(["city", "unit"], Assert.Single(result.Tools).ParameterOrder);
        Assert.True(result.Legacy);
    }

    [Fact]
    public void Parse_LegacyFunctionWithNameOnly_WritesDefaults()
    {
        // Arrange / Act
        var result = ParseFunctions("""[{"name":"f"}]""");

        // Assert
        Assert.Equal(
            """{"type":"function","name":"f","description":"","inputSchema":{"type":"object","properties":{}}}""",
            Assert.Single(result.DynamicTools).GetRawText());
    }

    [Fact]
    public void Parse_ToolsAndFunctions_Rejects400NamingFunctions()
    {
        // Arrange
        var tools = Json($"[{TimeTool}]");
        var functions = Json("""[{"name":"f"}]""");

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => ToolTranslator.Parse(tools, default, functions, default, []));

        // Assert
        AssertRejected(error, "functions", "invalid_value");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("\"get_time\"")]
    [InlineData("42")]
    public void Parse_ToolsNotAnArray_Rejects400NamingTools(string tools)
    {
        // Arrange / Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, "tools", "invalid_type");
    }

    [Fact]
    public void Parse_FunctionsNotAnArray_Rejects400NamingFunctions()
    {
        // Arrange / Act
        var error = RejectFunctions("""{"name":"f"}""");

        // Assert
        AssertRejected(error, "functions", "invalid_type");
    }

    [Fact]
    public void Parse_LegacyFunctionNotAnObject_Rejects400NamingIt()
    {
        // Arrange / Act
        var error = RejectFunctions("""["f"]""");

        // Assert
        Assert.Equal(400, error.Status);
        Assert.StartsWith("functions[0]", error.Param, StringComparison.Ordinal);
    }

    // ---- tools: structure ----

    [Theory]
    [InlineData("""[{"type":"code_interpreter"}]""", "tools[0].type")]
    [InlineData("""[{"type":"custom","custom":{"name":"f"}}]""", "tools[0].type")]
    [InlineData("""[{"function":{"name":"f"}}]""", "tools[0].type")]
    [InlineData("""["f"]""", "tools[0].type")]
    [InlineData("""[{"type":"function","function":{"name":"f"}},{"type":"web_search"}]""", "tools[1].type")]
    public void Parse_ToolNotOfTypeFunction_Rejects400NamingItsType(string tools, string param)
    {
        // Arrange / Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, param, "invalid_value");
    }

    [Theory]
    [InlineData("""[{"type":"function"}]""", "tools[0].function")]
    [InlineData("""[{"type":"function","function":null}]""", "tools[0].function")]
    [InlineData("""[{"type":"function","function":"f"}]""", "tools[0].function")]
    [InlineData("""[{"type":"function","function":{"name":"f"}},{"type":"function"}]""", "tools[1].function")]
    public void Parse_ToolWithoutFunctionObject_Rejects400NamingFunction(string tools, string param)
    {
        // Arrange / Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, param, "missing_required_parameter");
    }

    [Theory]
    [InlineData("""[{"type":"function","function":{}}]""")]
    [InlineData("""[{"type":"function","function":{"name":null}}]""")]
    [InlineData("""[{"type":"function","function":{"name":7}}]""")]
    public void Parse_FunctionWithoutStringName_Rejects400NamingName(string tools)
    {
        // Arrange / Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, "tools[0].function.name", "missing_required_parameter");
    }

    // ---- names ----

    [Theory]
    [InlineData("")]
    [InlineData("get weather")]
    [InlineData("get.weather")]
    [InlineData("ns/get")]
    [InlineData("wetter_ä")]
    public void Parse_InvalidName_Rejects400NamingName(string name)
    {
        // Arrange
        var tools = $$$"""[{"type":"function","function":{"name":{{{JsonSerializer.Serialize(name)}}}}}]""";

        // Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, "tools[0].function.name", "invalid_value");
    }

    [Fact]
    public void Parse_NameOf65Characters_Rejects400NamingName()
    {
        // Arrange
        var tools = $$$"""[{"type":"function","function":{"name":"{{{new string('a', 65)}}}"}}]""";

        // Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, "tools[0].function.name", "invalid_value");
    }

    [Fact]
    public void Parse_NameWithTrailingNewline_Rejects400NamingName()
    {
        // Arrange
        const string tools = """[{"type":"function","function":{"name":"get_time\n"}}]""";

        // Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, "tools[0].function.name", "invalid_value");
    }

    [Fact]
    public void Parse_InvalidNameInSecondTool_NamesItsIndex()
    {
        // Arrange
        var tools = $$$"""[{{{TimeTool}}},{"type":"function","function":{"name":"a.b"}}]""";

        // Act
        var error = RejectTools(tools);

        // Assert
        Assert.Equal("tools[1].function.name", error.Param);
    }

    [Fact]
    public void Parse_InvalidLegacyName_Rejects400NamingFunctionsName()
    {
        // Arrange / Act
        var error = RejectFunctions("""[{"name":"ok"},{"name":"not ok"}]""");

        // Assert
        AssertRejected(error, "functions[1].name", "invalid_value");
    }

    [Theory]
    [InlineData("get-weather")]
    [InlineData("get_weather")]
    [InlineData("_-_")]
    [InlineData("A9")]
    [InlineData("x")]
    public void Parse_ValidName_IsRegistered(string name)
    {
        // Arrange
        var tools = $$$"""[{"type":"function","function":{"name":"{{{name}}}"}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(name, Assert.Single(result.DynamicTools).GetProperty("name").GetString());
        Assert.Equal(name, Assert.Single(result.Tools).Name);
    }

    [Fact]
    public void Parse_NameOf64Characters_IsRegistered()
    {
        // Arrange
        var name = new string('b', 64);
        var tools = $$$"""[{"type":"function","function":{"name":"{{{name}}}"}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(name, Assert.Single(result.Tools).Name);
    }

    [Fact]
    public void Parse_DuplicateToolNames_Rejects400()
    {
        // Arrange
        var tools = $"[{TimeTool},{WeatherTool},{TimeTool}]";

        // Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, "tools", "invalid_value");
        Assert.Contains("get_time", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateLegacyFunctionNames_Rejects400NamingFunctions()
    {
        // Arrange / Act
        var error = RejectFunctions("""[{"name":"f"},{"name":"f"}]""");

        // Assert
        AssertRejected(error, "functions", "invalid_value");
    }

    [Fact]
    public void Parse_NamesDifferingOnlyInCase_AreBothRegistered()
    {
        // Arrange
        const string tools = """[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"F"}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(["f", "F"], result.Tools.Select(t => t.Name));
    }

    // ---- description / parameters ----

    [Theory]
    [InlineData("42")]
    [InlineData("true")]
    [InlineData("""["d"]""")]
    [InlineData("""{"text":"d"}""")]
    public void Parse_DescriptionNotAString_Rejects400NamingDescription(string description)
    {
        // Arrange
        var tools = $$$"""[{"type":"function","function":{"name":"f","description":{{{description}}}}}]""";

        // Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, "tools[0].function.description", "invalid_type");
    }

    [Theory]
    [InlineData("\"object\"")]
    [InlineData("[]")]
    [InlineData("1")]
    [InlineData("false")]
    public void Parse_ParametersNotAnObject_Rejects400NamingParameters(string parameters)
    {
        // Arrange
        var tools = $$$"""[{"type":"function","function":{"name":"f","parameters":{{{parameters}}}}}]""";

        // Act
        var error = RejectTools(tools);

        // Assert
        AssertRejected(error, "tools[0].function.parameters", "invalid_type");
    }

    [Fact]
    public void Parse_LegacyParametersNotAnObject_Rejects400NamingParameters()
    {
        // Arrange / Act
        var error = RejectFunctions("""[{"name":"f","parameters":"x"}]""");

        // Assert
        AssertRejected(error, "functions[0].parameters", "invalid_type");
    }

    [Fact]
    public void Parse_LegacyDescriptionNotAString_Rejects400NamingDescription()
    {
        // Arrange / Act
        var error = RejectFunctions("""[{"name":"f","description":1}]""");

        // Assert
        AssertRejected(error, "functions[0].description", "invalid_type");
    }

    // ---- parameter order ----

    [Fact]
    public void Parse_SchemaProperties_ParameterOrderFollowsSchemaOrder()
    {
        // Arrange
        const string tools = """
            [{"type":"function","function":{"name":"f","parameters":{"type":"object","required":["a"],"properties":{"zeta":{},"a":{},"mid":{}}}}}]
            """;

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Equal(["zeta", "a", "mid"], Assert.Single(result.Tools).ParameterOrder);
    }

    [Theory]
    [InlineData("""{"type":"object"}""")]
    [InlineData("""{"type":"object","properties":[]}""")]
    [InlineData("""{"type":"object","properties":{}}""")]
    public void Parse_SchemaWithoutPropertiesObject_ParameterOrderIsEmpty(string parameters)
    {
        // Arrange
        var tools = $$$"""[{"type":"function","function":{"name":"f","parameters":{{{parameters}}}}}]""";

        // Act
        var result = ParseTools(tools);

        // Assert
        Assert.Empty(Assert.Single(result.Tools).ParameterOrder);
    }

    // ---- tool_choice ----

    [Fact]
    public void Parse_ToolChoiceNone_RegistersNoDynamicTools()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseTools($"[{WeatherTool},{TimeTool}]", "\"none\"", ignored);

        // Assert
        Assert.Empty(result.DynamicTools);
        Assert.Empty(result.Tools);
        Assert.Empty(ignored);
    }

    [Fact]
    public void Parse_ToolChoiceNoneWithInvalidTool_StillRejects()
    {
        // Arrange / Act
        var error = RejectTools("""[{"type":"function","function":{"name":"a b"}}]""", "\"none\"");

        // Assert
        Assert.Equal("tools[0].function.name", error.Param);
    }

    [Fact]
    public void Parse_ToolChoiceAuto_RegistersAllTools()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseTools($"[{WeatherTool},{TimeTool}]", "\"auto\"", ignored);

        // Assert
        Assert.Equal(2, result.DynamicTools.Count);
        Assert.Equal(["get_weather", "get_time"], result.Tools.Select(t => t.Name));
        Assert.Empty(ignored);
    }

    [Fact]
    public void Parse_ToolChoiceAbsent_RegistersAllToolsWithoutReporting()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseTools($"[{WeatherTool},{TimeTool}]", null, ignored);

        // Assert
        Assert.Equal(2, result.DynamicTools.Count);
        Assert.Empty(ignored);
    }

    [Fact]
    public void Parse_ToolChoiceRequired_RegistersAllToolsAndReportsToolChoice()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseTools($"[{WeatherTool},{TimeTool}]", "\"required\"", ignored);

        // Assert
        Assert.Equal(["get_weather", "get_time"], result.DynamicTools.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["tool_choice"], ignored);
    }

    [Fact]
    public void Parse_ToolChoiceNamed_RegistersOnlyThatToolAndReportsToolChoice()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseTools($"[{WeatherTool},{TimeTool}]", """{"type":"function","function":{"name":"get_time"}}""", ignored);

        // Assert
        Assert.Equal(
            """{"type":"function","name":"get_time","description":"","inputSchema":{"type":"object","properties":{}}}""",
            Assert.Single(result.DynamicTools).GetRawText());
        Assert.Equal("get_time", Assert.Single(result.Tools).Name);
        Assert.Equal(["tool_choice"], ignored);
    }

    [Theory]
    [InlineData("""{"type":"function","function":{"name":"nope"}}""")]
    [InlineData("""{"type":"function","function":{"name":"GET_TIME"}}""")]
    [InlineData("""{"type":"function","function":{}}""")]
    [InlineData("""{"type":"function"}""")]
    [InlineData("""{"type":"function","function":"get_time"}""")]
    [InlineData("""{"type":"function","function":{"name":1}}""")]
    [InlineData("{}")]
    public void Parse_ToolChoiceNamedUnknownOrMalformed_Rejects400NamingToolChoice(string toolChoice)
    {
        // Arrange / Act
        var error = RejectTools($"[{WeatherTool},{TimeTool}]", toolChoice);

        // Assert
        AssertRejected(error, "tool_choice", "invalid_value");
    }

    [Fact]
    public void Parse_ToolChoiceNamedWithoutTools_Rejects400NamingToolChoice()
    {
        // Arrange
        var toolChoice = Json("""{"type":"function","function":{"name":"get_time"}}""");

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => ToolTranslator.Parse(default, toolChoice, default, default, []));

        // Assert
        AssertRejected(error, "tool_choice", "invalid_value");
    }

    [Theory]
    [InlineData("\"any\"")]
    [InlineData("\"Auto\"")]
    [InlineData("\"\"")]
    [InlineData("\"get_time\"")]
    public void Parse_ToolChoiceInvalidString_Rejects400NamingToolChoice(string toolChoice)
    {
        // Arrange / Act
        var error = RejectTools($"[{TimeTool}]", toolChoice);

        // Assert
        AssertRejected(error, "tool_choice", "invalid_value");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("""["auto"]""")]
    public void Parse_ToolChoiceNotStringOrObject_Rejects400NamingToolChoice(string toolChoice)
    {
        // Arrange / Act
        var error = RejectTools($"[{TimeTool}]", toolChoice);

        // Assert
        AssertRejected(error, "tool_choice", "invalid_type");
    }

    // ---- legacy function_call ----

    [Fact]
    public void Parse_FunctionCallNone_RegistersNoDynamicTools()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseFunctions("""[{"name":"f"},{"name":"g"}]""", "\"none\"", ignored);

        // Assert
        Assert.Empty(result.DynamicTools);
        Assert.True(result.Legacy);
        Assert.Empty(ignored);
    }

    [Fact]
    public void Parse_FunctionCallAuto_RegistersAllFunctions()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseFunctions("""[{"name":"f"},{"name":"g"}]""", "\"auto\"", ignored);

        // Assert
        Assert.Equal(["f", "g"], result.Tools.Select(t => t.Name));
        Assert.Equal(2, result.DynamicTools.Count);
        Assert.Empty(ignored);
    }

    [Fact]
    public void Parse_FunctionCallNamed_RegistersOnlyThatFunctionAndReportsFunctionCall()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseFunctions("""[{"name":"f"},{"name":"g"}]""", """{"name":"g"}""", ignored);

        // Assert
        Assert.Equal("g", Assert.Single(result.DynamicTools).GetProperty("name").GetString());
        Assert.Equal("g", Assert.Single(result.Tools).Name);
        Assert.Equal(["function_call"], ignored);
    }

    [Theory]
    [InlineData("""{"name":"h"}""", "invalid_value")]
    [InlineData("""{"function":{"name":"f"}}""", "invalid_value")]
    [InlineData("\"required\"", "invalid_value")]
    [InlineData("\"f\"", "invalid_value")]
    [InlineData("7", "invalid_type")]
    public void Parse_FunctionCallUnknownOrInvalid_Rejects400NamingFunctionCall(string functionCall, string code)
    {
        // Arrange / Act
        var error = RejectFunctions("""[{"name":"f"},{"name":"g"}]""", functionCall);

        // Assert
        AssertRejected(error, "function_call", code);
    }

    [Fact]
    public void Parse_ToolChoiceWithLegacyFunctions_IsRejectedOrReported()
    {
        // Arrange
        var ignored = new List<string>();
        var functions = Json("""[{"name":"f"}]""");
        var toolChoice = Json("\"none\"");
        InvalidRequestException? error = null;

        // Act
        try
        {
            ToolTranslator.Parse(default, toolChoice, functions, default, ignored);
        }
        catch (InvalidRequestException e)
        {
            error = e;
        }

        // Assert
        Assert.True(error?.Param == "tool_choice" || ignored.Contains("tool_choice"), "tool_choice was silently dropped");
    }

    // ---- through ChatCompletionTranslator.ToPlan ----

    [Fact]
    public void ToPlan_Tools_PlanCarriesDynamicToolsAndDefinitions()
    {
        // Arrange
        var fields = $""" "tools":[{WeatherTool},{TimeTool}] """;

        // Act
        var plan = Plan(fields);

        // Assert
        Assert.Equal(2, plan.Turn.DynamicTools.Count);
        Assert.Equal(WeatherDynamicTool, plan.Turn.DynamicTools[0].GetRawText());
        Assert.Equal(["get_weather", "get_time"], plan.Tools.Select(t => t.Name));
        Assert.Equal(["city", "unit"], plan.Tools[0].ParameterOrder);
        Assert.False(plan.LegacyFunctions);
        Assert.Empty(plan.IgnoredParams);
    }

    [Fact]
    public void ToPlan_LegacyFunctions_PlanIsLegacy()
    {
        // Arrange
        const string fields = """ "functions":[{"name":"f","parameters":{"type":"object","properties":{"q":{}}}}],"function_call":"auto" """;

        // Act
        var plan = Plan(fields);

        // Assert
        Assert.True(plan.LegacyFunctions);
        Assert.Equal("f", Assert.Single(plan.Turn.DynamicTools).GetProperty("name").GetString());
        Assert.Equal(["q"], Assert.Single(plan.Tools).ParameterOrder);
    }

    [Fact]
    public void ToPlan_NoTools_PlanHasNoToolsAndIsNotLegacy()
    {
        // Arrange / Act
        var plan = Plan(""" "n":1 """);

        // Assert
        Assert.Empty(plan.Turn.DynamicTools);
        Assert.Empty(plan.Tools);
        Assert.False(plan.LegacyFunctions);
    }

    [Theory]
    [InlineData(""" "parallel_tool_calls":false """, false)]
    [InlineData(""" "parallel_tool_calls":true """, true)]
    [InlineData(""" "parallel_tool_calls":null """, true)]
    [InlineData(""" "n":1 """, true)]
    public void ToPlan_ParallelToolCalls_FalseOnlyWhenRequestSaysFalse(string parallel, bool expected)
    {
        // Arrange
        var fields = $""" "tools":[{TimeTool}],{parallel} """;

        // Act
        var plan = Plan(fields);

        // Assert
        Assert.Equal(expected, plan.ParallelToolCalls);
    }

    [Fact]
    public void ToPlan_ToolChoiceRequired_ReportsToolChoiceInIgnoredParams()
    {
        // Arrange
        var fields = $""" "tools":[{TimeTool}],"tool_choice":"required" """;

        // Act
        var plan = Plan(fields);

        // Assert
        Assert.Contains("tool_choice", plan.IgnoredParams);
        Assert.Single(plan.Turn.DynamicTools);
    }

    [Fact]
    public void ToPlan_ToolChoiceNone_TurnHasNoDynamicTools()
    {
        // Arrange
        var fields = $""" "tools":[{TimeTool}],"tool_choice":"none" """;

        // Act
        var plan = Plan(fields);

        // Assert
        Assert.Empty(plan.Turn.DynamicTools);
        Assert.Empty(plan.Tools);
    }

    [Fact]
    public void ToPlan_ToolsAndFunctions_Rejects400NamingFunctions()
    {
        // Arrange
        var fields = $$""" "tools":[{{TimeTool}}],"functions":[{"name":"f"}] """;

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => Plan(fields));

        // Assert
        AssertRejected(error, "functions", "invalid_value");
    }

    // ---- Responses API: ParseResponses ----

    private const string ResponsesWeatherTool = """
        {"type":"function","name":"get_weather","description":"Current weather","parameters":{"type":"object","properties":{"city":{"type":"string"},"unit":{"type":"string"}},"required":["city"]},"strict":false}
        """;

    private const string ResponsesTimeTool = """{"type":"function","name":"get_time"}""";

    private static ToolTranslator.Result ParseResponses(string? tools, string? toolChoice = null, List<string>? ignored = null)
        => ToolTranslator.ParseResponses(tools is null ? default : Json(tools), toolChoice is null ? default : Json(toolChoice), ignored ?? []);

    private static InvalidRequestException RejectResponses(string? tools, string? toolChoice = null)
        => Assert.Throws<InvalidRequestException>(() => ParseResponses(tools, toolChoice));

    [Fact]
    public void ParseResponses_FlatFunctionTool_ReturnsExactDynamicToolJson()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseResponses($"[{ResponsesWeatherTool}]", ignored: ignored);

        // Assert
        Assert.Equal(WeatherDynamicTool, Assert.Single(result.DynamicTools).GetRawText());
        var definition = Assert.Single(result.Tools);
        Assert.Equal("get_weather", definition.Name);
        Assert.Equal(["city", "unit"], definition.ParameterOrder);
        Assert.False(result.Legacy);
        Assert.Empty(ignored);
    }

    [Fact]
    public void ParseResponses_NameOnly_WritesDefaults()
    {
        // Arrange / Act
        var result = ParseResponses($"[{ResponsesTimeTool}]");

        // Assert
        Assert.Equal(
            """{"type":"function","name":"get_time","description":"","inputSchema":{"type":"object","properties":{}}}""",
            Assert.Single(result.DynamicTools).GetRawText());
        Assert.Empty(Assert.Single(result.Tools).ParameterOrder);
    }

    [Fact]
    public void ParseResponses_SeveralTools_KeepRequestOrder()
    {
        // Arrange / Act
        var result = ParseResponses($"[{ResponsesWeatherTool},{ResponsesTimeTool}]");

        // Assert
        Assert.Equal(["get_weather", "get_time"], result.DynamicTools.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(["get_weather", "get_time"], result.Tools.Select(t => t.Name));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("null")]
    [InlineData("[]")]
    public void ParseResponses_NoTools_ReturnsEmptyResult(string? tools)
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseResponses(tools, ignored: ignored);

        // Assert
        Assert.Empty(result.DynamicTools);
        Assert.Empty(result.Tools);
        Assert.Empty(ignored);
    }

    [Fact]
    public void ParseResponses_StrictTrue_IsReportedByToolIndex()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        ParseResponses($$"""[{{ResponsesTimeTool}},{"type":"function","name":"f","strict":true}]""", ignored: ignored);

        // Assert
        Assert.Equal(["tools[1].strict"], ignored);
    }

    [Theory]
    [InlineData("""[{"type":"web_search"}]""", "tools[0].type")]
    [InlineData("""[{"type":"file_search","vector_store_ids":["vs_1"]}]""", "tools[0].type")]
    [InlineData("""[{"type":"mcp","server_label":"x"}]""", "tools[0].type")]
    [InlineData("""[{"type":"custom","name":"f"}]""", "tools[0].type")]
    [InlineData("""[{"name":"f"}]""", "tools[0].type")]
    [InlineData("""[{"type":7,"name":"f"}]""", "tools[0].type")]
    [InlineData("""["f"]""", "tools[0].type")]
    [InlineData("""[{"type":"function","name":"f"},{"type":"code_interpreter"}]""", "tools[1].type")]
    public void ParseResponses_NonFunctionTool_Rejects400NamingItsType(string tools, string param)
    {
        // Arrange / Act
        var error = RejectResponses(tools);

        // Assert
        AssertRejected(error, param, "invalid_value");
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("\"get_time\"")]
    public void ParseResponses_ToolsNotAnArray_Rejects400NamingTools(string tools)
    {
        // Arrange / Act
        var error = RejectResponses(tools);

        // Assert
        AssertRejected(error, "tools", "invalid_type");
    }

    [Theory]
    [InlineData("""[{"type":"function"}]""")]
    [InlineData("""[{"type":"function","name":null}]""")]
    [InlineData("""[{"type":"function","function":{"name":"f"}}]""")]
    public void ParseResponses_ToolWithoutTopLevelName_Rejects400NamingName(string tools)
    {
        // Arrange / Act
        var error = RejectResponses(tools);

        // Assert
        AssertRejected(error, "tools[0].name", "missing_required_parameter");
    }

    [Theory]
    [InlineData("get weather")]
    [InlineData("a.b")]
    public void ParseResponses_InvalidName_Rejects400NamingName(string name)
    {
        // Arrange / Act
        var error = RejectResponses($$"""[{"type":"function","name":"{{name}}"}]""");

        // Assert
        AssertRejected(error, "tools[0].name", "invalid_value");
    }

    [Fact]
    public void ParseResponses_DescriptionNotAString_Rejects400NamingDescription()
    {
        // Arrange / Act
        var error = RejectResponses("""[{"type":"function","name":"f","description":7}]""");

        // Assert
        AssertRejected(error, "tools[0].description", "invalid_type");
    }

    [Fact]
    public void ParseResponses_ParametersNotAnObject_Rejects400NamingParameters()
    {
        // Arrange / Act
        var error = RejectResponses("""[{"type":"function","name":"f","parameters":"{}"}]""");

        // Assert
        AssertRejected(error, "tools[0].parameters", "invalid_type");
    }

    [Fact]
    public void ParseResponses_DuplicateNames_Rejects400NamingTools()
    {
        // Arrange / Act
        var error = RejectResponses($"[{ResponsesTimeTool},{ResponsesTimeTool}]");

        // Assert
        AssertRejected(error, "tools", "invalid_value");
    }

    [Fact]
    public void ParseResponses_ToolChoiceNone_RegistersNoTools()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseResponses($"[{ResponsesWeatherTool},{ResponsesTimeTool}]", "\"none\"", ignored);

        // Assert
        Assert.Empty(result.DynamicTools);
        Assert.Empty(result.Tools);
        Assert.Empty(ignored);
    }

    [Fact]
    public void ParseResponses_ToolChoiceAuto_RegistersAllToolsWithoutReporting()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseResponses($"[{ResponsesWeatherTool},{ResponsesTimeTool}]", "\"auto\"", ignored);

        // Assert
        Assert.Equal(2, result.DynamicTools.Count);
        Assert.Empty(ignored);
    }

    [Fact]
    public void ParseResponses_ToolChoiceRequired_RegistersAllToolsAndReportsToolChoice()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseResponses($"[{ResponsesWeatherTool},{ResponsesTimeTool}]", "\"required\"", ignored);

        // Assert
        Assert.Equal(2, result.DynamicTools.Count);
        Assert.Equal(["tool_choice"], ignored);
    }

    [Fact]
    public void ParseResponses_ToolChoiceNamed_RegistersOnlyThatToolAndReportsToolChoice()
    {
        // Arrange
        var ignored = new List<string>();

        // Act
        var result = ParseResponses($"[{ResponsesWeatherTool},{ResponsesTimeTool}]", """{"type":"function","name":"get_time"}""", ignored);

        // Assert
        Assert.Equal("get_time", Assert.Single(result.DynamicTools).GetProperty("name").GetString());
        Assert.Equal("get_time", Assert.Single(result.Tools).Name);
        Assert.Equal(["tool_choice"], ignored);
    }

    [Theory]
    [InlineData("""{"type":"function","name":"get_weather"}""")]
    [InlineData("""{"type":"function"}""")]
    [InlineData("""{"type":"function","function":{"name":"get_time"}}""")]
    [InlineData("""{"type":"allowed_tools","mode":"auto","tools":[{"type":"function","name":"get_time"}]}""")]
    [InlineData("""{"type":"web_search"}""")]
    [InlineData("""{"name":"get_time"}""")]
    public void ParseResponses_ToolChoiceObjectNotNamingAKnownFunction_Rejects400NamingToolChoice(string toolChoice)
    {
        // Arrange / Act
        var error = RejectResponses($"[{ResponsesTimeTool}]", toolChoice);

        // Assert
        AssertRejected(error, "tool_choice", "invalid_value");
    }

    [Fact]
    public void ParseResponses_ToolChoiceNamedWithoutTools_Rejects400NamingToolChoice()
    {
        // Arrange / Act
        var error = RejectResponses(null, """{"type":"function","name":"get_time"}""");

        // Assert
        AssertRejected(error, "tool_choice", "invalid_value");
    }

    [Theory]
    [InlineData("\"any\"")]
    [InlineData("\"AUTO\"")]
    public void ParseResponses_ToolChoiceInvalidString_Rejects400NamingToolChoice(string toolChoice)
    {
        // Arrange / Act
        var error = RejectResponses($"[{ResponsesTimeTool}]", toolChoice);

        // Assert
        AssertRejected(error, "tool_choice", "invalid_value");
    }

    [Fact]
    public void ParseResponses_ToolChoiceNotStringOrObject_Rejects400NamingToolChoice()
    {
        // Arrange / Act
        var error = RejectResponses($"[{ResponsesTimeTool}]", "true");

        // Assert
        AssertRejected(error, "tool_choice", "invalid_type");
    }
}
