using CodexCompletionsApi.Catalog;
using CodexCompletionsApi.Contracts.OpenAI;

namespace CodexCompletionsApi.Api;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>, served from the catalog.</summary>
public static class ModelsEndpoints
{
    public static RouteGroupBuilder MapModels(this RouteGroupBuilder v1)
    {
        v1.MapGet("/models", (ModelCatalog catalog)
            => TypedResults.Json(new ModelList([.. catalog.Models.Select(ToObject)]), OpenAIJsonContext.Web.ModelList));
        v1.MapGet("/models/{id}", (string id, ModelCatalog catalog)
            => catalog.TryGet(id, out var model)
                ? TypedResults.Json(ToObject(model), OpenAIJsonContext.Web.ModelObject)
                : OpenAIErrors.Error(404, $"The model '{id}' does not exist", "invalid_request_error", "model", "model_not_found"));
        return v1;
    }

    private static ModelObject ToObject(CatalogModel model) => new(model.Id, model.Created, model.OwnedBy);
}
