using System.Text;
using CodexCompletionsApi.Backend;
using CodexCompletionsApi.Translation;

namespace CodexCompletionsApi.Api;

/// <summary>Collects every choice of a non-streaming request: text, reasoning, finish reason, usage.</summary>
internal static class ChoiceCollector
{
    public sealed record Collected(IReadOnlyList<Choice> Choices, TokenUsage Usage);

    public sealed record Choice(int Index, string Content, string Reasoning, string FinishReason, IReadOnlyList<ChoiceToolCall> ToolCalls);

    /// <exception cref="BackendException">Any choice failed.</exception>
    public static async Task<Collected> CollectAsync(ChoiceRunner runner, CompletionPlan plan, CancellationToken cancellationToken)
    {
        var content = new StringBuilder[plan.Choices];
        var reasoning = new StringBuilder[plan.Choices];
        var finish = new string[plan.Choices];
        var calls = new List<ChoiceToolCall>[plan.Choices];
        var usage = new TokenUsage(0, 0, 0, 0, 0);
        for (var i = 0; i < plan.Choices; i++)
        {
            content[i] = new StringBuilder(plan.EchoPrefix);
            reasoning[i] = new StringBuilder();
            calls[i] = [];
        }

        await foreach (var choiceEvent in runner.RunAsync(plan, cancellationToken))
        {
            switch (choiceEvent)
            {
                case ChoiceText text:
                    content[text.Index].Append(text.Text);
                    break;
                case ChoiceReasoning r:
                    reasoning[r.Index].Append(r.Text);
                    break;
                case ChoiceToolCall call:
                    calls[call.Index].Add(call);
                    break;
                case ChoiceFinished f:
                    finish[f.Index] = f.FinishReason;
                    usage = Add(usage, f.Usage);
                    break;
                case ChoiceFailed failed:
                    throw failed.Error;
            }
        }

        return new Collected([.. Enumerable.Range(0, plan.Choices).Select(i => new Choice(i, content[i].ToString(), reasoning[i].ToString(), finish[i] ?? "stop", calls[i]))], usage);
    }

    /// <summary>Usage of several choices: every turn's tokens are counted (each choice is its own upstream request).</summary>
    public static TokenUsage Add(TokenUsage a, TokenUsage b)
        => new(a.InputTokens + b.InputTokens, a.CachedInputTokens + b.CachedInputTokens, a.OutputTokens + b.OutputTokens, a.ReasoningOutputTokens + b.ReasoningOutputTokens, a.TotalTokens + b.TotalTokens);
}
