namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary><c>GET /v1/models</c>.</summary>
public sealed record ModelList(IReadOnlyList<ModelObject> Data)
{
    public string Object { get; init; } = "list";
}

/// <summary>One model, as OpenAI lists it.</summary>
public sealed record ModelObject(string Id, long Created, string OwnedBy)
{
    public string Object { get; init; } = "model";
}
