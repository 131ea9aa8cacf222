using CodexCompletionsApi.Contracts.OpenAI;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Api;

/// <summary>Puts a choice's tool calls into the non-streamed message, per output mode.</summary>
internal static class ToolCalls
{
    public static ChoiceResult Apply(ChoiceResult choice, IReadOnlyList<ChoiceToolCall> calls, ToolOutput output)
    {
        if (calls.Count == 0)
        {
            return choice;
        }

        if (output.Legacy && calls.Count > 1)
        {
            calls = [calls[0]]; // a legacy function_call holds exactly one call
        }

        var content = choice.Content ?? string.Empty;
        var pending = calls.Where(c => !c.BlockInContent).ToList(); // textual blocks are already in the content, in place
        if (output.Mode == ToolOutputMode.ObsidianXml && pending.Count > 0)
        {
            var blocks = string.Join(ObsidianXml.BlockSeparator, pending.Select(c => ObsidianXml.ToBlock(c.Name, c.Arguments, output.ParameterOrder(c.Name))));
            content += (content.Length > 0 ? ObsidianXml.BlockSeparator : string.Empty) + blocks;
        }

        if (output.Legacy)
        {
            var first = calls[0];
            return choice with { Content = content.Length == 0 ? null : content, FunctionCall = new FunctionCall(first.Name, first.Arguments) };
        }

        return choice with
        {
            Content = content.Length == 0 ? null : content,
            ToolCalls = [.. calls.Select(c => new ToolCall(c.Id, new FunctionCall(c.Name, c.Arguments)))],
        };
    }
}
