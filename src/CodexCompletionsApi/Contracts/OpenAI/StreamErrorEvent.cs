namespace CodexCompletionsApi.Contracts.OpenAI;

/// <summary>The in-band error written into a stream after headers were sent: <c>data: {"error":{…}}</c>.</summary>
public sealed record StreamErrorEvent(ErrorBody Error);
