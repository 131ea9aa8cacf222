namespace CodexCompletionsApi.Translation;

/// <summary>The client's request is invalid; becomes a 400 (or the given status) naming <see cref="Param"/>.</summary>
public sealed class InvalidRequestException(string message, string? param, string? code = null, int status = 400) : Exception(message)
{
    public string? Param { get; } = param;

    public string? Code { get; } = code;

    public int Status { get; } = status;
}
