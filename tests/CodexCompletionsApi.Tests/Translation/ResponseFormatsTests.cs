using System.Text.Json;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Translation;

public sealed class ResponseFormatsTests
{
    private const string StrictSchema = """
        {
          "type": "object",
          "properties": {
            "name": { "type": "string" },
            "address": {
              "type": "object",
              "properties": { "city": { "type": "string" }, "zip": { "type": ["string", "null"] } },
              "required": ["city", "zip"],
              "additionalProperties": false
            },
            "tags": {
              "type": "array",
              "items": {
                "type": "object",
                "properties": { "label": { "type": "string" } },
                "required": ["label"],
                "additionalProperties": false
              }
            },
            "contact": {
              "anyOf": [
                { "type": "string" },
                {
                  "type": "object",
                  "properties": { "email": { "type": "string" } },
                  "required": ["email"],
                  "additionalProperties": false
                }
              ]
            },
            "tree": { "$ref": "#/$defs/node" }
          },
          "required": ["name", "address", "tags", "contact", "tree"],
          "additionalProperties": false,
          "$defs": {
            "node": {
              "type": "object",
              "properties": { "value": { "type": "number" }, "children": { "type": "array", "items": { "$ref": "#/$defs/node" } } },
              "required": ["value", "children"],
              "additionalProperties": false
            }
          }
        }
        """;

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static string? Problem(string schema) => ResponseFormats.StrictModeProblem(Json(schema), "schema");

    // ---- Parse ----

    [Theory]
    [InlineData("null")]
    [InlineData("""{"type":"text"}""")]
    public void Parse_AbsentNullOrText_HasNoSchemaAndNoJsonObject(string format)
    {
        // Arrange
        var element = Json(format);

        // Act
        var parsed = ResponseFormats.Parse(element, "response_format", nested: true);

        // Assert
        Assert.Equal(new ResponseFormats.Format(null, false), parsed);
    }

    [Fact]
    public void Parse_Undefined_HasNoSchemaAndNoJsonObject()
    {
        // Arrange
        var element = default(JsonElement);

        // Act
        var parsed = ResponseFormats.Parse(element, "response_format", nested: true);

        // Assert
        Assert.Null(parsed.Schema);
        Assert.False(parsed.JsonObject);
    }

    [Fact]
    public void Parse_JsonObject_SetsJsonObject()
    {
        // Arrange
        var element = Json("""{"type":"json_object"}""");

        // Act
        var parsed = ResponseFormats.Parse(element, "response_format", nested: true);

        // Assert
        Assert.True(parsed.JsonObject);
        Assert.Null(parsed.Schema);
    }

    [Fact]
    public void Parse_NestedJsonSchema_ReturnsSchema()
    {
        // Arrange
        var element = Json($$"""{"type":"json_schema","json_schema":{"name":"person","strict":true,"schema":{{StrictSchema}} } }""");

        // Act
        var parsed = ResponseFormats.Parse(element, "response_format", nested: true);

        // Assert
        Assert.False(parsed.JsonObject);
        Assert.NotNull(parsed.Schema);
        Assert.True(JsonElement.DeepEquals(Json(StrictSchema), parsed.Schema.Value));
    }

    [Fact]
    public void Parse_FlatJsonSchema_ReturnsSchemaFromFormatItself()
    {
        // Arrange
        var element = Json($$"""{"type":"json_schema","name":"person","strict":true,"schema":{{StrictSchema}} }""");

        // Act
        var parsed = ResponseFormats.Parse(element, "text.format", nested: false);

        // Assert
        Assert.NotNull(parsed.Schema);
        Assert.True(JsonElement.DeepEquals(Json(StrictSchema), parsed.Schema.Value));
    }

    [Fact]
    public void Parse_JsonSchema_SchemaOutlivesTheParsedDocument()
    {
        // Arrange
        ResponseFormats.Format parsed;
        using (var document = JsonDocument.Parse("""{"type":"json_schema","json_schema":{"schema":{"type":"string"}}}"""))
        {
            parsed = ResponseFormats.Parse(document.RootElement, "response_format", nested: true);
        }

        // Act
        var text = parsed.Schema!.Value.GetRawText();

        // Assert
        Assert.Equal("""{"type":"string"}""", text);
    }

    [Theory]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a"}}""", true, "response_format.json_schema.schema")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a","schema":"{}"}}""", true, "response_format.json_schema.schema")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a","schema":true}}""", true, "response_format.json_schema.schema")]
    [InlineData("""{"type":"json_schema"}""", true, "response_format.json_schema")]
    [InlineData("""{"type":"json_schema","json_schema":"x"}""", true, "response_format.json_schema")]
    [InlineData("""{"type":"json_schema","name":"a","schema":{}}""", true, "response_format.json_schema")]
    [InlineData("""{"type":"json_schema","name":"a"}""", false, "text.format.schema")]
    public void Parse_JsonSchemaWithoutSchema_Rejects400NamingMissingParam(string format, bool nested, string param)
    {
        // Arrange
        var element = Json(format);
        var name = nested ? "response_format" : "text.format";

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => ResponseFormats.Parse(element, name, nested));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal(param, error.Param);
        Assert.Equal("missing_required_parameter", error.Code);
    }

    [Theory]
    [InlineData("\"json_object\"")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"type":3}""")]
    public void Parse_NotAnObjectWithType_Rejects400InvalidType(string format)
    {
        // Arrange
        var element = Json(format);

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => ResponseFormats.Parse(element, "response_format", nested: true));

        // Assert
        Assert.Equal("response_format", error.Param);
        Assert.Equal("invalid_type", error.Code);
    }

    [Theory]
    [InlineData("xml")]
    [InlineData("JSON_OBJECT")]
    [InlineData("")]
    public void Parse_UnknownType_Rejects400NamingType(string type)
    {
        // Arrange
        var element = Json($$"""{"type":"{{type}}"}""");

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => ResponseFormats.Parse(element, "response_format", nested: true));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("response_format.type", error.Param);
        Assert.Equal("invalid_value", error.Code);
    }

    [Fact]
    public void Parse_NonStrictNestedSchema_Rejects400InvalidJsonSchemaWithReason()
    {
        // Arrange
        var element = Json("""
            {"type":"json_schema","json_schema":{"name":"a","schema":
              {"type":"object","properties":{"inner":{"type":"object","properties":{}}},"required":["inner"],"additionalProperties":false}}}
            """);

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => ResponseFormats.Parse(element, "response_format", nested: true));

        // Assert
        Assert.Equal(400, error.Status);
        Assert.Equal("response_format.json_schema.schema", error.Param);
        Assert.Equal("invalid_json_schema", error.Code);
        Assert.Contains("context=schema.properties.inner", error.Message, StringComparison.Ordinal);
        Assert.Contains("additionalProperties", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NonStrictFlatSchema_NamesFormatSchemaParam()
    {
        // Arrange
        var element = Json("""{"type":"json_schema","name":"a","schema":{"type":"object"}}""");

        // Act
        var error = Assert.Throws<InvalidRequestException>(() => ResponseFormats.Parse(element, "text.format", nested: false));

        // Assert
        Assert.Equal("text.format.schema", error.Param);
        Assert.Equal("invalid_json_schema", error.Code);
    }

    // ---- StrictModeProblem ----

    [Fact]
    public void StrictModeProblem_StrictNestedSchema_ReturnsNull()
    {
        // Arrange
        var schema = Json(StrictSchema);

        // Act
        var problem = ResponseFormats.StrictModeProblem(schema, "schema");

        // Assert
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("""{"type":"string"}""")]
    [InlineData("""{"type":"array","items":{"type":"integer"}}""")]
    [InlineData("""{"type":"object","additionalProperties":false}""")]
    [InlineData("""{"type":"object","properties":{},"additionalProperties":false}""")]
    [InlineData("""{"enum":["a","b"]}""")]
    public void StrictModeProblem_SimpleStrictSchemas_ReturnsNull(string schema)
    {
        // Arrange / Act
        var problem = Problem(schema);

        // Assert
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public void StrictModeProblem_BooleanSchema_ReturnsNull(string schema)
    {
        // Arrange / Act
        var problem = Problem(schema);

        // Assert
        Assert.Null(problem);
    }

    [Fact]
    public void StrictModeProblem_BooleanSubschemas_ReturnsNull()
    {
        // Arrange
        const string schema = """
            {"type":"object","properties":{"any":true,"never":false},"required":["any","never"],"additionalProperties":false,
             "$defs":{"t":true},"anyOf":[true]}
            """;

        // Act
        var problem = Problem(schema);

        // Assert
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":true}""")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":{"type":"string"}}""")]
    [InlineData("""{"type":"object"}""")]
    [InlineData("""{"properties":{"a":{"type":"string"}},"required":["a"]}""")]
    public void StrictModeProblem_TopLevelWithoutAdditionalPropertiesFalse_NamesAdditionalProperties(string schema)
    {
        // Arrange / Act
        var problem = Problem(schema);

        // Assert
        Assert.NotNull(problem);
        Assert.Contains("context=schema,", problem, StringComparison.Ordinal);
        Assert.Contains("'additionalProperties'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(
        """{"type":"object","properties":{"address":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},"required":["address"],"additionalProperties":false}""",
        "context=schema.properties.address,")]
    [InlineData(
        """{"type":"array","items":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}}""",
        "context=schema.items,")]
    [InlineData(
        """{"anyOf":[{"type":"string"},{"type":"object","properties":{}}]}""",
        "context=schema.anyOf[1],")]
    [InlineData(
        """{"allOf":[{"type":"object"}]}""",
        "context=schema.allOf[0],")]
    [InlineData(
        """{"oneOf":[{"type":"null"},{"type":"object"}]}""",
        "context=schema.oneOf[1],")]
    [InlineData(
        """{"type":"array","prefixItems":[{"type":"object"}]}""",
        "context=schema.prefixItems[0],")]
    [InlineData(
        """{"not":{"type":"object"}}""",
        "context=schema.not,")]
    [InlineData(
        """{"type":"object","properties":{"n":{"$ref":"#/$defs/node"}},"required":["n"],"additionalProperties":false,"$defs":{"node":{"type":"object","properties":{"v":{"type":"number"}},"required":["v"]}}}""",
        "context=schema.$defs.node,")]
    [InlineData(
        """{"$ref":"#/definitions/d","definitions":{"d":{"type":"object"}}}""",
        "context=schema.definitions.d,")]
    public void StrictModeProblem_NestedObjectWithoutAdditionalPropertiesFalse_NamesItsPath(string schema, string context)
    {
        // Arrange / Act
        var problem = Problem(schema);

        // Assert
        Assert.NotNull(problem);
        Assert.Contains(context, problem, StringComparison.Ordinal);
        Assert.Contains("'additionalProperties'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["a"],"additionalProperties":false}""", "context=schema,", "'b'")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}""", "context=schema,", "'a'")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":"a","additionalProperties":false}""", "context=schema,", "'a'")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"string"}},"required":["A"],"additionalProperties":false}""", "context=schema,", "'a'")]
    [InlineData(
        """{"type":"object","properties":{"o":{"type":"object","properties":{"x":{"type":"string"},"y":{"type":"string"}},"required":["x"],"additionalProperties":false}},"required":["o"],"additionalProperties":false}""",
        "context=schema.properties.o,",
        "'y'")]
    public void StrictModeProblem_PropertyMissingFromRequired_NamesProperty(string schema, string context, string property)
    {
        // Arrange / Act
        var problem = Problem(schema);

        // Assert
        Assert.NotNull(problem);
        Assert.Contains(context, problem, StringComparison.Ordinal);
        Assert.Contains("'required'", problem, StringComparison.Ordinal);
        Assert.Contains($"Missing {property}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void StrictModeProblem_NullableObjectTypeWithoutAdditionalProperties_IsTreatedAsObject()
    {
        // Arrange
        const string schema = """{"type":["object","null"],"properties":{"a":{"type":"string"}},"required":["a"]}""";

        // Act
        var problem = Problem(schema);

        // Assert
        Assert.NotNull(problem);
        Assert.Contains("'additionalProperties'", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void StrictModeProblem_NullableObjectTypeWithoutPropertiesKeyword_IsTreatedAsObject()
    {
        // Arrange
        const string schema = """{"type":["null","object"]}""";

        // Act
        var problem = Problem(schema);

        // Assert
        Assert.NotNull(problem);
        Assert.Contains("context=schema,", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void StrictModeProblem_StrictNullableObjectType_ReturnsNull()
    {
        // Arrange
        const string schema = """{"type":["object","null"],"properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false}""";

        // Act
        var problem = Problem(schema);

        // Assert
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("\"object\"")]
    [InlineData("null")]
    [InlineData("[]")]
    public void StrictModeProblem_NonObjectNonBooleanSchema_SaysMustBeObject(string schema)
    {
        // Arrange / Act
        var problem = Problem(schema);

        // Assert
        Assert.Equal("schema must be an object.", problem);
    }

    [Fact]
    public void StrictModeProblem_NonObjectPropertySchema_NamesPropertyPath()
    {
        // Arrange
        const string schema = """{"type":"object","properties":{"a":"string"},"required":["a"],"additionalProperties":false}""";

        // Act
        var problem = Problem(schema);

        // Assert
        Assert.Equal("schema.properties.a must be an object.", problem);
    }

    [Fact]
    public void StrictModeProblem_CustomPath_IsUsedInContext()
    {
        // Arrange
        var schema = Json("""{"type":"object"}""");

        // Act
        var problem = ResponseFormats.StrictModeProblem(schema, "root");

        // Assert
        Assert.NotNull(problem);
        Assert.StartsWith("In context=root,", problem, StringComparison.Ordinal);
    }
}
