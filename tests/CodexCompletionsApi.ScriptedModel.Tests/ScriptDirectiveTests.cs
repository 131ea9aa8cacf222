using System.Text.Json.Nodes;

namespace CodexCompletionsApi.ScriptedModel.Tests;

public sealed class ScriptDirectiveTests
{
    [Fact]
    public void Text_OmitsUnsetFields()
    {
        Assert.Equal("SCRIPT:{\"reply\":\"text\",\"text\":\"hi\",\"deltas\":3}", ScriptDirective.Text("hi", deltas: 3));
        Assert.Equal("SCRIPT:{\"reply\":\"text\"}", ScriptDirective.Text());
    }

    [Fact]
    public void HttpError_RoundTripsThroughTheParser()
    {
        var directive = Parse(ScriptDirective.HttpError(429, code: "insufficient_quota", retryAfter: 2));

        Assert.Equal(ReplyKind.HttpError, directive.Reply);
        Assert.Equal(429, directive.Status);
        Assert.Equal("insufficient_quota", directive.Code);
        Assert.Equal(2, directive.RetryAfter);
        Assert.Null(directive.Message);
    }

    [Fact]
    public void ToolCalls_RoundTripObjectAndRawArguments()
    {
        var args = new JsonObject { ["query"] = "x" };
        var text = ScriptDirective.ToolCalls(
            [new ScriptedToolCall("lookup", args, "call_a"), ScriptedToolCall.WithRawArguments("raw", "not json"), new ScriptedToolCall("crm_find", Namespace: "crm")],
            text: "pre",
            afterToolText: "post",
            argumentsDeltas: 2);

        var directive = Parse(text);

        Assert.Equal(ReplyKind.ToolCalls, directive.Reply);
        Assert.Equal(
            [new ScriptedCall("lookup", "{\"query\":\"x\"}", "call_a", null), new ScriptedCall("raw", "not json", null, null), new ScriptedCall("crm_find", "{}", null, "crm")],
            directive.Calls);
        Assert.Equal("pre", directive.Text);
        Assert.Equal("post", directive.AfterToolText);
        Assert.Equal(2, directive.ArgumentsDeltas);
        Assert.Null(args.Parent);
        Assert.Equal(text, ScriptDirective.ToolCalls([new ScriptedToolCall("lookup", args, "call_a"), ScriptedToolCall.WithRawArguments("raw", "not json"), new ScriptedToolCall("crm_find", Namespace: "crm")], "pre", "post", 2));
    }

    [Fact]
    public void OtherHelpers_ProduceTheirReplyKinds()
    {
        Assert.Equal(ReplyKind.Echo, Parse(ScriptDirective.Echo("t")).Reply);
        Assert.Equal(["a", "b"], Parse(ScriptDirective.Reasoning(["a", "b"])).Summary);
        Assert.Equal(["m1", "m2"], Parse(ScriptDirective.MultiMessage("m1", "m2")).Messages);
        Assert.Equal(ReplyKind.Incomplete, Parse(ScriptDirective.Incomplete()).Reply);
        Assert.Equal("boom", Parse(ScriptDirective.Failed(message: "boom")).Message);
        Assert.Equal(5, Parse(ScriptDirective.Cut(deltas: 5)).Deltas);
        Assert.Equal(2, Parse(ScriptDirective.Stall(afterDeltas: 2)).AfterDeltas);
    }

    [Fact]
    public void Parse_KeepsTheDirectiveJsonAndSource()
    {
        const string Text = "x SCRIPT: {\"reply\":\"echo\",\"token\":\"a\"} tail";

        var directive = DirectiveParser.Parse(Text, Text.IndexOf("SCRIPT:", StringComparison.Ordinal));

        Assert.Equal("{\"reply\":\"echo\",\"token\":\"a\"}", directive.Json);
        Assert.Equal("SCRIPT: {\"reply\":\"echo\",\"token\":\"a\"}", directive.Source);
    }

    private static Directive Parse(string text) => DirectiveParser.Parse(text, 0);
}
