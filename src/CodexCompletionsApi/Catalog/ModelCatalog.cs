using System.Text.Json;

namespace CodexCompletionsApi.Catalog;

/// <summary>The loaded model catalog: public ids, their upstream slugs and capabilities.</summary>
public sealed class ModelCatalog
{
    private readonly Dictionary<string, CatalogModel> _byId;

    public ModelCatalog(IReadOnlyList<CatalogModel> models, string? defaultModelId)
    {
        if (models.Count == 0)
        {
            throw new InvalidDataException("The model catalog lists no models.");
        }

        _byId = new Dictionary<string, CatalogModel>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            if (string.IsNullOrWhiteSpace(model.Id) || string.IsNullOrWhiteSpace(model.UpstreamModel))
            {
                throw new InvalidDataException("Every catalog model needs an id and an upstreamModel.");
            }

            if (!_byId.TryAdd(model.Id, model))
            {
                throw new InvalidDataException($"The model catalog lists '{model.Id}' twice.");
            }

            if (model.DefaultReasoningEffort is { } effort && !model.ReasoningEfforts.Contains(effort))
            {
                throw new InvalidDataException($"Model '{model.Id}': defaultReasoningEffort '{effort}' is not among its reasoningEfforts.");
            }
        }

        Models = models;
        DefaultModel = defaultModelId is null ? models[0]
            : _byId.GetValueOrDefault(defaultModelId) ?? throw new InvalidDataException($"defaultModel '{defaultModelId}' is not in the catalog.");
    }

    public IReadOnlyList<CatalogModel> Models { get; }

    public CatalogModel DefaultModel { get; }

    public bool TryGet(string id, out CatalogModel model) => _byId.TryGetValue(id, out model!);

    public static ModelCatalog Load(string path)
    {
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogFile)
            ?? throw new InvalidDataException($"{path} is empty.");
        return new ModelCatalog(file.Models, file.DefaultModel);
    }
}
