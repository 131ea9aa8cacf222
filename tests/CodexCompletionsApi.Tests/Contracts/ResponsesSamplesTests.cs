using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Tests.TestSupport;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Tests.Contracts;

/// <summary>
/// The typed Responses bindings against recorded samples (tests/fixtures/responses): every field of a client's
/// request is bound or kept for the "unknown field" check (nothing is dropped on the way in), every recorded
/// request translates, and every response the service returned survives a deserialize/serialize round trip
/// through <see cref="ResponseObject"/> unchanged.
/// </summary>
public sealed class ResponsesSamplesTests
{
    private static readonly ModelCatalog Catalog = new(
        [new CatalogModel { Id = "gpt-5.5", UpstreamModel = "gpt-5.5", ReasoningEfforts = ["low", "medium", "high"] }],
        null);

    private static string Folder(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "responses", name);

    public static TheoryData<string> Requests() => [.. Directory.GetFiles(Folder("requests"), "*.json").Select(f => Path.GetFileName(f)!).Order()];

    public static TheoryData<string> Responses() => [.. Directory.GetFiles(Folder("responses"), "*.json").Select(f => Path.GetFileName(f)!).Order()];

    [Theory]
    [MemberData(nameof(Requests))]
    public void RecordedRequest_EveryFieldIsBoundAndItTranslates(string file)
    {
        var json = File.ReadAllText(Path.Combine(Folder("requests"), file));
        var request = JsonSerializer.Deserialize(json, OpenAIJsonContext.Web.ResponseCreateRequest)!;

        // Every top-level field is bound to a typed property (present, not left undefined) or kept in Extra.
        var bound = BoundFields(request);
        foreach (var field in JsonNode.Parse(json)!.AsObject().Select(p => p.Key))
        {
            Assert.True(bound.ContainsKey(field) || (request.Extra?.ContainsKey(field) ?? false), $"{file}: '{field}' was dropped");
        }

        var result = ResponsesTranslator.ToPlan(request, Catalog, [], ChatCompletionTranslator.PendingImages, "resp_1", 1, prefix => prefix + "1");
        Assert.Equal(request.PreviousResponseId, result.Template.PreviousResponseId);
        Assert.NotEmpty(result.InputItems);
        Assert.Equal(request.Stream == true, result.Plan.Stream);
    }

    [Theory]
    [MemberData(nameof(Responses))]
    public void RecordedResponse_RoundTripsThroughTheTypedContract(string file)
    {
        var json = File.ReadAllText(Path.Combine(Folder("responses"), file));

        var typed = JsonSerializer.Deserialize(json, OpenAIJsonContext.Web.ResponseObject)!;
        var again = JsonSerializer.Serialize(typed, OpenAIJsonContext.Web.ResponseObject);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(again)), $"{file} changed in the round trip:\n{json}\n{again}");
    }

    /// <summary>The request's bound (non-default) properties, by JSON name.</summary>
    private static JsonObject BoundFields(ResponseCreateRequest request)
    {
        var fields = new JsonObject();
        foreach (var property in OpenAIJsonContext.Web.ResponseCreateRequest.Properties)
        {
            var value = property.Get?.Invoke(request);
            var present = value switch
            {
                null => false,
                JsonElement element => element.ValueKind != JsonValueKind.Undefined,
                _ => true,
            };
            if (present && property.Name != "extra")
            {
                fields[property.Name] = true;
            }
        }

        return fields;
    }
}
