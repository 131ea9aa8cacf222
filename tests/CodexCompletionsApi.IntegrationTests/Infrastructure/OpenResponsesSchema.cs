using System.Globalization;
using System.Text.Json;

namespace CodexCompletionsApi.IntegrationTests.Infrastructure;

/// <summary>
/// The Open Responses <c>ResponseResource</c> schema (openresponses/openresponses, zod
/// <c>responseResourceSchema.ts</c> and the OpenAPI document of 2026-04-24), as the compliance suite's
/// <c>responseResourceSchema.safeParse</c> applies it to every final response. <see cref="Validate(JsonElement)"/> returns the
/// issues as <c>path: message</c> (the suite's format); none means the object passes.
/// </summary>
/// <remarks>
/// What zod checks, and so what is checked here:
/// <list type="bullet">
/// <item>A nullable field (<c>z.union([X, z.null()])</c>) must be <b>present</b>, as <c>null</c> or as X: zod
/// rejects a missing key. Optional fields (<c>z.optional</c>) may be left out, but if present must have their type.</item>
/// <item>Integers (<c>z.number().int()</c>: <c>created_at</c>, <c>completed_at</c>, <c>top_logprobs</c>, token
/// counts, indexes) must be whole numbers; <c>1.5</c> fails. Other numbers may be any JSON number.</item>
/// <item>Objects are not strict: unknown keys are allowed.</item>
/// </list>
/// Where zod and the OpenAPI <c>required</c> list differ (keys with a zod <c>.default</c> such as <c>object</c> and
/// the items' <c>type</c>, and <c>metadata</c>, which zod types as <c>z.any()</c>), the stricter OpenAPI reading
/// is taken: the key must be present. Unions are matched on <c>type</c> (the member named by it must pass), which
/// is how zod's non-discriminated unions resolve for well-typed objects. <c>status</c> is checked against
/// OpenAI's enum (the suite types it as a string; the OpenAI SDKs throw on other values).
/// Members of the unions the service never emits (hosted-tool calls, tools and tool choices) are accepted by
/// their <c>type</c> and <c>id</c> only.
/// </remarks>
public static class ResponseResourceSchema
{
    public static readonly string[] Statuses = ["completed", "failed", "in_progress", "cancelled", "queued", "incomplete"];
    public static readonly string[] ItemStatuses = ["in_progress", "completed", "incomplete"];
    public static readonly string[] Roles = ["user", "assistant", "system", "developer"];
    public static readonly string[] Truncations = ["auto", "disabled"];
    public static readonly string[] ToolChoiceValues = ["none", "auto", "required"];
    public static readonly string[] ReasoningEfforts = ["none", "low", "medium", "high", "xhigh"];
    public static readonly string[] ReasoningSummaries = ["concise", "detailed", "auto"];
    public static readonly string[] Verbosities = ["low", "medium", "high"];
    public static readonly string[] ImageDetails = ["low", "high", "auto"];

    /// <summary>The issues of <paramref name="response"/> against <c>ResponseResource</c>; empty when it passes.</summary>
    public static IReadOnlyList<string> Validate(JsonElement response)
    {
        var c = new SchemaChecker();
        Check(c, response, string.Empty);
        return c.Issues;
    }

    /// <summary>Parses <paramref name="json"/> and validates it.</summary>
    public static IReadOnlyList<string> Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Validate(document.RootElement);
    }

    /// <summary>Fails the test with every issue when <paramref name="response"/> does not pass.</summary>
    public static void AssertValid(JsonElement response, string what = "the response")
    {
        var issues = Validate(response);
        Assert.True(issues.Count == 0, $"{what} does not pass the Open Responses ResponseResource schema:\n  - {string.Join("\n  - ", issues)}\n{response.GetRawText()}");
    }

    internal static void Check(SchemaChecker c, JsonElement r, string path)
    {
        if (!c.Object(r, path))
        {
            return;
        }

        c.Field(r, path, "id", required: true, c.String);
        c.Field(r, path, "object", required: true, (v, p) => c.Enum(v, p, "response"));
        c.Field(r, path, "created_at", required: true, c.Int);
        c.Field(r, path, "completed_at", required: true, (v, p) => c.Nullable(v, p, c.Int));
        c.Field(r, path, "status", required: true, (v, p) => c.Enum(v, p, Statuses));
        c.Field(r, path, "incomplete_details", required: true, (v, p) => c.Nullable(v, p, (d, dp) =>
        {
            if (c.Object(d, dp))
            {
                c.Field(d, dp, "reason", required: true, c.String);
            }
        }));
        c.Field(r, path, "model", required: true, c.String);
        c.Field(r, path, "previous_response_id", required: true, (v, p) => c.Nullable(v, p, c.String));
        c.Field(r, path, "instructions", required: true, (v, p) => c.Nullable(v, p, c.String));
        c.Field(r, path, "output", required: true, (v, p) => c.Array(v, p, (item, ip) => Item(c, item, ip)));
        c.Field(r, path, "error", required: true, (v, p) => c.Nullable(v, p, (e, ep) =>
        {
            if (c.Object(e, ep))
            {
                c.Field(e, ep, "code", required: true, c.String);
                c.Field(e, ep, "message", required: true, c.String);
            }
        }));
        c.Field(r, path, "tools", required: true, (v, p) => c.Array(v, p, (t, tp) => Tool(c, t, tp)));
        c.Field(r, path, "tool_choice", required: true, (v, p) => ToolChoice(c, v, p));
        c.Field(r, path, "truncation", required: true, (v, p) => c.Enum(v, p, Truncations));
        c.Field(r, path, "parallel_tool_calls", required: true, c.Bool);
        c.Field(r, path, "text", required: true, (v, p) => TextField(c, v, p));
        c.Field(r, path, "top_p", required: true, c.Number);
        c.Field(r, path, "presence_penalty", required: true, c.Number);
        c.Field(r, path, "frequency_penalty", required: true, c.Number);
        c.Field(r, path, "top_logprobs", required: true, c.Int);
        c.Field(r, path, "temperature", required: true, c.Number);
        c.Field(r, path, "reasoning", required: true, (v, p) => c.Nullable(v, p, (x, xp) =>
        {
            if (c.Object(x, xp))
            {
                c.Field(x, xp, "effort", required: true, (e, ep) => c.Nullable(e, ep, (s, sp) => c.Enum(s, sp, ReasoningEfforts)));
                c.Field(x, xp, "summary", required: true, (e, ep) => c.Nullable(e, ep, (s, sp) => c.Enum(s, sp, ReasoningSummaries)));
            }
        }));
        c.Field(r, path, "usage", required: true, (v, p) => c.Nullable(v, p, (u, up) => Usage(c, u, up)));
        c.Field(r, path, "max_output_tokens", required: true, (v, p) => c.Nullable(v, p, c.Int));
        c.Field(r, path, "max_tool_calls", required: true, (v, p) => c.Nullable(v, p, c.Int));
        c.Field(r, path, "store", required: true, c.Bool);
        c.Field(r, path, "background", required: true, c.Bool);
        c.Field(r, path, "service_tier", required: true, c.String);
        c.Field(r, path, "metadata", required: true, (_, _) => { });
        c.Field(r, path, "safety_identifier", required: true, (v, p) => c.Nullable(v, p, c.String));
        c.Field(r, path, "prompt_cache_key", required: true, (v, p) => c.Nullable(v, p, c.String));
        c.Field(r, path, "context_edits", required: false, (v, p) => c.Array(v, p, (e, ep) => c.Object(e, ep)));
        c.Field(r, path, "conversation", required: false, (v, p) => c.Nullable(v, p, (x, xp) =>
        {
            if (c.Object(x, xp))
            {
                c.Field(x, xp, "id", required: true, c.String);
            }
        }));
    }

    /// <summary>
    /// An <c>ItemField</c>: <c>message</c>, <c>function_call</c>, <c>function_call_output</c>, <c>reasoning</c>
    /// (and the hosted <c>file_search_call</c> / <c>web_search_call</c>, checked by <c>id</c> and <c>status</c> only).
    /// </summary>
    internal static void Item(SchemaChecker c, JsonElement item, string path)
    {
        if (!c.Object(item, path))
        {
            return;
        }

        var type = c.TypeOf(item, path);
        switch (type)
        {
            case null:
                return;
            case "message":
                c.Field(item, path, "id", required: true, c.String);
                c.Field(item, path, "status", required: true, (v, p) => c.Enum(v, p, ItemStatuses));
                c.Field(item, path, "role", required: true, (v, p) => c.Enum(v, p, Roles));
                c.Field(item, path, "content", required: true, (v, p) => c.Array(v, p, (part, pp) => ContentPart(c, part, pp, allowVideo: true)));
                c.Field(item, path, "phase", required: false, (v, p) => c.Enum(v, p, "commentary", "final_answer"));
                break;
            case "function_call":
                c.Field(item, path, "id", required: true, c.String);
                c.Field(item, path, "call_id", required: true, c.String);
                c.Field(item, path, "name", required: true, c.String);
                c.Field(item, path, "arguments", required: true, c.String);
                c.Field(item, path, "status", required: true, (v, p) => c.Enum(v, p, ItemStatuses));
                c.Field(item, path, "created_by", required: false, c.String);
                break;
            case "function_call_output":
                c.Field(item, path, "id", required: true, c.String);
                c.Field(item, path, "call_id", required: true, c.String);
                c.Field(item, path, "output", required: true, (v, p) =>
                {
                    if (v.ValueKind != JsonValueKind.String)
                    {
                        c.Array(v, p, (part, pp) => ContentPart(c, part, pp, allowed: ["input_text", "input_image", "input_file"]));
                    }
                });
                c.Field(item, path, "status", required: true, (v, p) => c.Enum(v, p, ItemStatuses));
                c.Field(item, path, "created_by", required: false, c.String);
                break;
            case "reasoning":
                c.Field(item, path, "id", required: true, c.String);
                c.Field(item, path, "summary", required: true, (v, p) => c.Array(v, p, (part, pp) => ContentPart(c, part, pp, allowVideo: false)));
                c.Field(item, path, "content", required: false, (v, p) => c.Array(v, p, (part, pp) => ContentPart(c, part, pp, allowVideo: false)));
                c.Field(item, path, "encrypted_content", required: false, c.String);
                c.Field(item, path, "created_by", required: false, c.String);
                break;
            case "file_search_call" or "web_search_call":
                c.Field(item, path, "id", required: true, c.String);
                c.Field(item, path, "status", required: true, c.String);
                break;
            default:
                c.Fail(path, $"Invalid input: '{type}' is not an output item type of the union (message, function_call, function_call_output, reasoning, file_search_call, web_search_call)");
                break;
        }
    }

    /// <summary>
    /// A content part of the message/reasoning union: <c>input_text</c>, <c>output_text</c> (with <c>annotations</c>
    /// and <c>logprobs</c> arrays), <c>text</c>, <c>summary_text</c>, <c>reasoning_text</c>, <c>refusal</c>,
    /// <c>input_image</c>, <c>input_file</c> (and <c>input_video</c> in messages).
    /// </summary>
    internal static void ContentPart(SchemaChecker c, JsonElement part, string path, bool allowVideo = false, string[]? allowed = null)
    {
        if (!c.Object(part, path))
        {
            return;
        }

        var type = c.TypeOf(part, path);
        if (type is null)
        {
            return;
        }

        string[] members = allowed ?? (allowVideo
            ? ["input_text", "output_text", "text", "summary_text", "reasoning_text", "refusal", "input_image", "input_file", "input_video"]
            : ["input_text", "output_text", "text", "summary_text", "reasoning_text", "refusal", "input_image", "input_file"]);
        if (!members.Contains(type, StringComparer.Ordinal))
        {
            c.Fail(path, $"Invalid input: '{type}' is not a content part type of the union ({string.Join(", ", members)})");
            return;
        }

        switch (type)
        {
            case "input_text" or "text" or "summary_text" or "reasoning_text":
                c.Field(part, path, "text", required: true, c.String);
                break;
            case "output_text":
                c.Field(part, path, "text", required: true, c.String);
                c.Field(part, path, "annotations", required: true, (v, p) => c.Array(v, p, (a, ap) => Annotation(c, a, ap)));
                c.Field(part, path, "logprobs", required: true, (v, p) => c.Array(v, p, (l, lp) => LogProb(c, l, lp, top: false)));
                break;
            case "refusal":
                c.Field(part, path, "refusal", required: true, c.String);
                break;
            case "input_image":
                c.Field(part, path, "image_url", required: true, (v, p) => c.Nullable(v, p, c.String));
                c.Field(part, path, "file_id", required: false, (v, p) => c.Nullable(v, p, c.String));
                c.Field(part, path, "detail", required: true, (v, p) => c.Enum(v, p, ImageDetails));
                break;
            case "input_file":
                c.Field(part, path, "file_id", required: false, (v, p) => c.Nullable(v, p, c.String));
                c.Field(part, path, "filename", required: false, c.String);
                c.Field(part, path, "file_url", required: false, c.String);
                break;
            case "input_video":
                c.Field(part, path, "video_url", required: true, c.String);
                break;
        }
    }

    /// <summary>An <c>Annotation</c>: <c>url_citation</c> or <c>file_citation</c>.</summary>
    internal static void Annotation(SchemaChecker c, JsonElement annotation, string path)
    {
        if (!c.Object(annotation, path))
        {
            return;
        }

        switch (c.TypeOf(annotation, path))
        {
            case null:
                return;
            case "url_citation":
                c.Field(annotation, path, "url", required: true, c.String);
                c.Field(annotation, path, "start_index", required: true, c.Int);
                c.Field(annotation, path, "end_index", required: true, c.Int);
                c.Field(annotation, path, "title", required: true, c.String);
                break;
            case "file_citation":
                c.Field(annotation, path, "file_id", required: true, c.String);
                c.Field(annotation, path, "index", required: true, c.Int);
                c.Field(annotation, path, "filename", required: true, c.String);
                break;
            case var other:
                c.Fail(path, $"Invalid input: '{other}' is not an annotation type (url_citation, file_citation)");
                break;
        }
    }

    /// <summary>A <c>LogProb</c> (<c>token</c>, <c>logprob</c>, <c>bytes</c>, <c>top_logprobs</c>) or, with <paramref name="top"/>, a <c>TopLogProb</c>.</summary>
    internal static void LogProb(SchemaChecker c, JsonElement logprob, string path, bool top)
    {
        if (!c.Object(logprob, path))
        {
            return;
        }

        c.Field(logprob, path, "token", required: true, c.String);
        c.Field(logprob, path, "logprob", required: true, c.Number);
        c.Field(logprob, path, "bytes", required: true, (v, p) => c.Array(v, p, c.Int));
        if (!top)
        {
            c.Field(logprob, path, "top_logprobs", required: true, (v, p) => c.Array(v, p, (t, tp) => LogProb(c, t, tp, top: true)));
        }
    }

    /// <summary>A <c>FunctionTool</c>: all of <c>type</c>, <c>name</c>, <c>description</c>, <c>parameters</c>, <c>strict</c> present.</summary>
    private static void Tool(SchemaChecker c, JsonElement tool, string path)
    {
        if (!c.Object(tool, path))
        {
            return;
        }

        switch (c.TypeOf(tool, path))
        {
            case null:
                return;
            case "function":
                c.Field(tool, path, "name", required: true, c.String);
                c.Field(tool, path, "description", required: true, (v, p) => c.Nullable(v, p, c.String));
                c.Field(tool, path, "parameters", required: true, (v, p) => c.Nullable(v, p, (o, op) => c.Object(o, op)));
                c.Field(tool, path, "strict", required: true, (v, p) => c.Nullable(v, p, c.Bool));
                break;
            case "file_search" or "web_search":
                break;
            case var other:
                c.Fail(path, $"Invalid input: '{other}' is not a tool type (function, file_search, web_search)");
                break;
        }
    }

    /// <summary><c>"none" | "auto" | "required"</c>, <c>{type:"function", name?}</c>, <c>{type:"allowed_tools", tools, mode}</c> (or a hosted-tool choice).</summary>
    private static void ToolChoice(SchemaChecker c, JsonElement choice, string path)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            c.Enum(choice, path, ToolChoiceValues);
            return;
        }

        if (!c.Object(choice, path))
        {
            return;
        }

        switch (c.TypeOf(choice, path))
        {
            case null:
                return;
            case "function":
                c.Field(choice, path, "name", required: false, c.String);
                break;
            case "allowed_tools":
                c.Field(choice, path, "tools", required: true, (v, p) => c.Array(v, p, (t, tp) =>
                {
                    if (c.Object(t, tp))
                    {
                        c.Field(t, tp, "type", required: true, (x, xp) => c.Enum(x, xp, "function"));
                        c.Field(t, tp, "name", required: false, c.String);
                    }
                }));
                c.Field(choice, path, "mode", required: true, (v, p) => c.Enum(v, p, ToolChoiceValues));
                break;
            case "file_search" or "web_search":
                break;
            case var other:
                c.Fail(path, $"Invalid input: '{other}' is not a tool choice type (function, allowed_tools, file_search, web_search)");
                break;
        }
    }

    /// <summary><c>TextField</c>: <c>format</c> (text, json_object, or json_schema with all of name/description/schema/strict) and an optional <c>verbosity</c>.</summary>
    private static void TextField(SchemaChecker c, JsonElement text, string path)
    {
        if (!c.Object(text, path))
        {
            return;
        }

        c.Field(text, path, "format", required: true, (format, fp) =>
        {
            if (!c.Object(format, fp))
            {
                return;
            }

            switch (c.TypeOf(format, fp))
            {
                case null or "text" or "json_object":
                    break;
                case "json_schema":
                    c.Field(format, fp, "name", required: true, c.String);
                    c.Field(format, fp, "description", required: true, (v, p) => c.Nullable(v, p, c.String));
                    c.Field(format, fp, "schema", required: true, (v, p) => c.Nullable(v, p, (o, op) => c.Object(o, op)));
                    c.Field(format, fp, "strict", required: true, c.Bool);
                    break;
                case var other:
                    c.Fail(fp, $"Invalid input: '{other}' is not a text format type (text, json_object, json_schema)");
                    break;
            }
        });
        c.Field(text, path, "verbosity", required: false, (v, p) => c.Enum(v, p, Verbosities));
    }

    /// <summary><c>Usage</c>: the three token counts and both details objects, all integers.</summary>
    private static void Usage(SchemaChecker c, JsonElement usage, string path)
    {
        if (!c.Object(usage, path))
        {
            return;
        }

        c.Field(usage, path, "input_tokens", required: true, c.Int);
        c.Field(usage, path, "output_tokens", required: true, c.Int);
        c.Field(usage, path, "total_tokens", required: true, c.Int);
        c.Field(usage, path, "input_tokens_details", required: true, (v, p) =>
        {
            if (c.Object(v, p))
            {
                c.Field(v, p, "cached_tokens", required: true, c.Int);
            }
        });
        c.Field(usage, path, "output_tokens_details", required: true, (v, p) =>
        {
            if (c.Object(v, p))
            {
                c.Field(v, p, "reasoning_tokens", required: true, c.Int);
            }
        });
    }
}

/// <summary>
/// The Open Responses streaming event union (the compliance suite's <c>streamingEventSchema</c>, 24 members):
/// every event needs <c>type</c> (one of <see cref="Types"/>) and an integer <c>sequence_number</c>, plus the
/// fields of its type. An event whose <c>type</c> is not in the union (for example OpenAI's
/// <c>response.reasoning_text.delta</c>) fails, as it fails the suite.
/// </summary>
public static class StreamingEventSchema
{
    /// <summary>The members of the union, by <c>type</c>.</summary>
    public static readonly string[] Types =
    [
        "response.created", "response.queued", "response.in_progress", "response.completed", "response.failed", "response.incomplete",
        "response.output_item.added", "response.output_item.done",
        "response.content_part.added", "response.content_part.done",
        "response.output_text.delta", "response.output_text.done",
        "response.refusal.delta", "response.refusal.done",
        "response.function_call_arguments.delta", "response.function_call_arguments.done",
        "response.reasoning_summary_part.added", "response.reasoning_summary_part.done",
        "response.reasoning.delta", "response.reasoning.done",
        "response.reasoning_summary_text.delta", "response.reasoning_summary_text.done",
        "response.output_text.annotation.added",
        "error",
    ];

    /// <summary>The issues of one event's data object; empty when it is a valid member of the union.</summary>
    public static IReadOnlyList<string> Validate(JsonElement e)
    {
        var c = new SchemaChecker();
        Check(c, e);
        return c.Issues;
    }

    public static IReadOnlyList<string> Validate(string json)
    {
        using var document = JsonDocument.Parse(json);
        return Validate(document.RootElement);
    }

    private static void Check(SchemaChecker c, JsonElement e)
    {
        const string Root = "";
        if (!c.Object(e, Root))
        {
            return;
        }

        var type = c.TypeOf(e, Root);
        if (type is null)
        {
            return;
        }

        if (!Types.Contains(type, StringComparer.Ordinal))
        {
            c.Fail("type", $"Invalid input: '{type}' is not an event type of the Open Responses streaming union");
            return;
        }

        c.Field(e, Root, "sequence_number", required: true, c.Int);
        switch (type)
        {
            case "response.created" or "response.queued" or "response.in_progress" or "response.completed" or "response.failed" or "response.incomplete":
                c.Field(e, Root, "response", required: true, (v, p) => ResponseResourceSchema.Check(c, v, p));
                break;
            case "response.output_item.added" or "response.output_item.done":
                c.Field(e, Root, "output_index", required: true, c.Int);
                c.Field(e, Root, "item", required: true, (v, p) => c.Nullable(v, p, (i, ip) => ResponseResourceSchema.Item(c, i, ip)));
                break;
            case "response.content_part.added" or "response.content_part.done":
                ItemLocation(c, e, "content_index");
                c.Field(e, Root, "part", required: true, (v, p) => ResponseResourceSchema.ContentPart(c, v, p));
                break;
            case "response.output_text.delta":
                ItemLocation(c, e, "content_index");
                c.Field(e, Root, "delta", required: true, c.String);
                c.Field(e, Root, "logprobs", required: true, LogProbs(c));
                c.Field(e, Root, "obfuscation", required: false, c.String);
                break;
            case "response.output_text.done":
                ItemLocation(c, e, "content_index");
                c.Field(e, Root, "text", required: true, c.String);
                c.Field(e, Root, "logprobs", required: true, LogProbs(c));
                break;
            case "response.refusal.delta":
                ItemLocation(c, e, "content_index");
                c.Field(e, Root, "delta", required: true, c.String);
                break;
            case "response.refusal.done":
                ItemLocation(c, e, "content_index");
                c.Field(e, Root, "refusal", required: true, c.String);
                break;
            case "response.function_call_arguments.delta":
                ItemLocation(c, e, null);
                c.Field(e, Root, "delta", required: true, c.String);
                c.Field(e, Root, "obfuscation", required: false, c.String);
                break;
            case "response.function_call_arguments.done":
                ItemLocation(c, e, null);
                c.Field(e, Root, "arguments", required: true, c.String);
                c.Field(e, Root, "name", required: false, c.String);
                break;
            case "response.reasoning_summary_part.added" or "response.reasoning_summary_part.done":
                ItemLocation(c, e, "summary_index");
                c.Field(e, Root, "part", required: true, (v, p) => ResponseResourceSchema.ContentPart(c, v, p));
                break;
            case "response.reasoning_summary_text.delta":
                ItemLocation(c, e, "summary_index");
                c.Field(e, Root, "delta", required: true, c.String);
                c.Field(e, Root, "obfuscation", required: false, c.String);
                break;
            case "response.reasoning_summary_text.done":
                ItemLocation(c, e, "summary_index");
                c.Field(e, Root, "text", required: true, c.String);
                break;
            case "response.reasoning.delta":
                ItemLocation(c, e, "content_index");
                c.Field(e, Root, "delta", required: true, c.String);
                c.Field(e, Root, "obfuscation", required: false, c.String);
                break;
            case "response.reasoning.done":
                ItemLocation(c, e, "content_index");
                c.Field(e, Root, "text", required: true, c.String);
                break;
            case "response.output_text.annotation.added":
                ItemLocation(c, e, "content_index");
                c.Field(e, Root, "annotation_index", required: true, c.Int);
                c.Field(e, Root, "annotation", required: true, (v, p) => c.Nullable(v, p, (a, ap) => ResponseResourceSchema.Annotation(c, a, ap)));
                break;
            case "error":
                c.Field(e, Root, "error", required: true, (v, p) =>
                {
                    if (!c.Object(v, p))
                    {
                        return;
                    }

                    c.Field(v, p, "type", required: true, c.String);
                    c.Field(v, p, "code", required: true, (x, xp) => c.Nullable(x, xp, c.String));
                    c.Field(v, p, "message", required: true, c.String);
                    c.Field(v, p, "param", required: true, (x, xp) => c.Nullable(x, xp, c.String));
                    c.Field(v, p, "headers", required: false, (x, xp) =>
                    {
                        if (c.Object(x, xp))
                        {
                            foreach (var header in x.EnumerateObject())
                            {
                                c.String(header.Value, SchemaChecker.Join(xp, header.Name));
                            }
                        }
                    });
                });
                break;
        }
    }

    /// <summary><c>item_id</c> (string), <c>output_index</c> (int) and, when named, one more index (int).</summary>
    private static void ItemLocation(SchemaChecker c, JsonElement e, string? index)
    {
        c.Field(e, string.Empty, "item_id", required: true, c.String);
        c.Field(e, string.Empty, "output_index", required: true, c.Int);
        if (index is not null)
        {
            c.Field(e, string.Empty, index, required: true, c.Int);
        }
    }

    private static Action<JsonElement, string> LogProbs(SchemaChecker c)
        => (v, p) => c.Array(v, p, (l, lp) => ResponseResourceSchema.LogProb(c, l, lp, top: false));
}

/// <summary>The primitive checks the schemas are made of; issues are collected as <c>path: message</c>.</summary>
public sealed class SchemaChecker
{
    private readonly List<string> _issues = [];

    public IReadOnlyList<string> Issues => _issues;

    public static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;

    public void Fail(string path, string message) => _issues.Add($"{(path.Length == 0 ? "(root)" : path)}: {message}");

    /// <summary>
    /// Checks member <paramref name="key"/> of <paramref name="obj"/>: a missing required key is an issue (zod's
    /// "Required"); a present one (of a required or optional field) goes to <paramref name="check"/>.
    /// </summary>
    public void Field(JsonElement obj, string path, string key, bool required, Action<JsonElement, string> check)
    {
        var at = Join(path, key);
        if (!obj.TryGetProperty(key, out var value))
        {
            if (required)
            {
                Fail(at, "Required (the key is missing)");
            }

            return;
        }

        check(value, at);
    }

    /// <summary>The object's <c>type</c>, a string; null (and an issue) when missing or not a string.</summary>
    public string? TypeOf(JsonElement obj, string path)
    {
        if (!obj.TryGetProperty("type", out var type))
        {
            Fail(Join(path, "type"), "Required (the key is missing)");
            return null;
        }

        if (type.ValueKind != JsonValueKind.String)
        {
            Fail(Join(path, "type"), $"Expected string, received {Kind(type)}");
            return null;
        }

        return type.GetString();
    }

    public bool Object(JsonElement value, string path) => Expect(value, path, JsonValueKind.Object, "object");

    public void String(JsonElement value, string path) => Expect(value, path, JsonValueKind.String, "string");

    public void Number(JsonElement value, string path) => Expect(value, path, JsonValueKind.Number, "number");

    /// <summary>A whole number (zod <c>.int()</c>: <c>Number.isInteger</c>, so <c>2</c> and <c>2.0</c> pass, <c>1.5</c> does not).</summary>
    public void Int(JsonElement value, string path)
    {
        if (!Expect(value, path, JsonValueKind.Number, "number"))
        {
            return;
        }

        if (!value.TryGetDouble(out var number) || !double.IsFinite(number) || Math.Floor(number) != number)
        {
            Fail(path, $"Expected integer, received float ({value.GetRawText()})");
        }
    }

    public void Bool(JsonElement value, string path)
    {
        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Fail(path, $"Expected boolean, received {Kind(value)}");
        }
    }

    public void Array(JsonElement value, string path, Action<JsonElement, string> element)
    {
        if (!Expect(value, path, JsonValueKind.Array, "array"))
        {
            return;
        }

        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            element(item, Join(path, i++.ToString(CultureInfo.InvariantCulture)));
        }
    }

    /// <summary><c>X | null</c>: present (the caller's <see cref="Field"/> saw to that), and null or valid X.</summary>
    public void Nullable(JsonElement value, string path, Action<JsonElement, string> check)
    {
        if (value.ValueKind != JsonValueKind.Null)
        {
            check(value, path);
        }
    }

    /// <summary>One of <paramref name="values"/> (a string).</summary>
    public void Enum(JsonElement value, string path, params string[] values)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            Fail(path, $"Expected one of '{string.Join("' | '", values)}', received {Kind(value)}");
            return;
        }

        var s = value.GetString()!;
        if (!values.Contains(s, StringComparer.Ordinal))
        {
            Fail(path, $"Invalid enum value. Expected '{string.Join("' | '", values)}', received '{s}'");
        }
    }

    private bool Expect(JsonElement value, string path, JsonValueKind kind, string name)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        Fail(path, $"Expected {name}, received {Kind(value)}");
        return false;
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };
}
