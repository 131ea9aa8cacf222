namespace CodexCompletionsApi.ScriptedModel;

/// <summary>A <c>SCRIPT:</c> directive that cannot be played; the message is sent back in a 400 error body.</summary>
internal sealed class DirectiveException(string message) : Exception(message);
