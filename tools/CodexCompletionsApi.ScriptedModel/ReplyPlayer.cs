using Microsoft.AspNetCore.Http;

namespace CodexCompletionsApi.ScriptedModel;

/// <summary>Plays one directive as a Responses API answer.</summary>
internal static class ReplyPlayer
{
    private const int QuoteLimit = 200;

    private static readonly string[] DefaultSummary = ["**Reading the request**\n\nThe scripted model pretends to think.", "Writing the scripted answer."];
    private static readonly string[] DefaultMessages = ["First scripted message.", "Second scripted message."];
    private static readonly ScriptedCall DefaultCall = new("lookup", """{"query":"weather in Paris"}""", null, null);

    public static async Task PlayAsync(
        HttpResponse response,
        Directive directive,
        InputView input,
        string model,
        int requestNumber,
        ScriptedModelOptions options,
        CancellationToken cancellationToken)
    {
        var deltas = directive.Deltas ?? options.DefaultDeltas;
        var firstDelay = TimeSpan.FromMilliseconds(directive.FirstDelayMs ?? 0);
        if (directive.Reply == ReplyKind.HttpError)
        {
            if (firstDelay > TimeSpan.Zero)
            {
                await Task.Delay(firstDelay, options.TimeProvider, cancellationToken);
            }

            var status = directive.Status ?? StatusCodes.Status500InternalServerError;
            var defaults = OpenAIErrors.ForStatus(status, directive.Code, model, directive.RetryAfter);
            var error = new ScriptedError(
                directive.Message ?? defaults.Message,
                directive.Type ?? defaults.Type,
                directive.Code ?? defaults.Code,
                directive.Param ?? defaults.Param);
            await OpenAIErrors.WriteAsync(response, status, error, directive.RetryAfter, cancellationToken);
            return;
        }

        using var emitter = new ResponseEmitter(
            response,
            requestNumber,
            model,
            input.InputBytes,
            TimeSpan.FromMilliseconds(directive.DelayMs ?? options.DefaultDelayMs),
            options.TimeProvider,
            cancellationToken);
        await emitter.StartAsync();
        await emitter.DelayAsync(firstDelay);
        var text = directive.Text ?? DemoText(input, directive);
        switch (directive.Reply)
        {
            case ReplyKind.Text:
                await emitter.MessageAsync(text, deltas);
                await emitter.CompletedAsync(directive.Usage);
                break;
            case ReplyKind.Echo:
                await emitter.MessageAsync("echo:" + directive.Token, deltas);
                await emitter.CompletedAsync(directive.Usage);
                break;
            case ReplyKind.Reasoning:
                await emitter.ReasoningAsync(directive.Summary ?? DefaultSummary, directive.ReasoningText, deltas);
                await emitter.MessageAsync(text, deltas);
                await emitter.CompletedAsync(directive.Usage);
                break;
            case ReplyKind.ToolCalls:
                await ToolCallsAsync(emitter, directive, input, deltas);
                break;
            case ReplyKind.MultiMessage:
                foreach (var message in directive.Messages ?? DefaultMessages)
                {
                    await emitter.MessageAsync(message, deltas);
                }

                await emitter.CompletedAsync(directive.Usage);
                break;
            case ReplyKind.Incomplete:
                await emitter.MessageAsync(text, deltas, doneStatus: "incomplete");
                await emitter.IncompleteAsync(directive.Usage);
                break;
            case ReplyKind.Failed:
                if (directive.Text is not null)
                {
                    await emitter.PartialMessageAsync(directive.Text, deltas, deltas);
                }

                await emitter.FailedAsync(
                    directive.Code ?? "server_error",
                    directive.Message ?? "The scripted model failed this response on purpose.");
                break;
            case ReplyKind.Cut:
                await emitter.PartialMessageAsync(text, deltas, deltas);
                await emitter.AbortAsync();
                break;
            case ReplyKind.Stall:
                var afterDeltas = directive.AfterDeltas ?? 0;
                if (afterDeltas > 0)
                {
                    await emitter.PartialMessageAsync(text, afterDeltas, afterDeltas);
                }

                await emitter.StallAsync();
                break;
            case ReplyKind.HttpError:
            default:
                throw new InvalidOperationException($"Unhandled reply {directive.Reply}.");
        }
    }

    /// <summary>The default reply: says what it is and quotes the user's last message.</summary>
    public static string DemoText(InputView input, Directive directive)
    {
        const string Intro = "Hello! I'm the offline demo model of codex-completions-api.";
        var said = input.LastUserText();
        if (said is not null && directive.Source is not null)
        {
            said = said.Replace(directive.Source, "", StringComparison.Ordinal);
        }

        said = said?.ReplaceLineEndings(" ").Trim();
        return string.IsNullOrEmpty(said)
            ? $"{Intro} There was no user text to quote. This is a canned reply from a scripted stand-in; no real model is involved."
            : $"{Intro} You said: \"{TextSplitter.Truncate(said, QuoteLimit)}\". This is a canned reply from a scripted stand-in; no real model is involved.";
    }

    private static async Task ToolCallsAsync(ResponseEmitter emitter, Directive directive, InputView input, int deltas)
    {
        // A function_call_output after the last user message means the tools already ran: answer with text.
        var outputs = input.ToolOutputsAfterLastUser();
        if (outputs.Count > 0)
        {
            await emitter.MessageAsync(directive.AfterToolText ?? "Tool results: " + string.Join("; ", outputs), deltas);
            await emitter.CompletedAsync(directive.Usage);
            return;
        }

        if (directive.Text is not null)
        {
            await emitter.MessageAsync(directive.Text, deltas);
        }

        var calls = directive.Calls ?? [DefaultCall];
        for (var i = 0; i < calls.Count; i++)
        {
            await emitter.FunctionCallAsync(calls[i], calls[i].CallId ?? emitter.DefaultCallId(i), directive.ArgumentsDeltas ?? 1);
        }

        await emitter.CompletedAsync(directive.Usage);
    }
}
