using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests.Golden;

/// <summary>One golden scenario: a fixed raw HTTP request to the service (the directive in it fixes the model's reply).</summary>
/// <param name="Name">File name of the transcript (<c>Golden/transcripts/{Name}.txt</c>).</param>
/// <param name="Summary">What the request is, for the transcript header and docs/parity/transcripts.md.</param>
/// <param name="Path">Request path.</param>
/// <param name="Body">Request body, sent exactly as given.</param>
/// <param name="Headers">Extra request headers.</param>
public sealed record GoldenScenario(string Name, string Summary, string Path, string Body, IReadOnlyList<(string Name, string Value)> Headers)
{
    /// <summary>The placeholder in <see cref="Body"/> for the <c>id</c> of the <see cref="Setup"/> response.</summary>
    public const string SetupId = "{{setup.id}}";

    /// <summary>The placeholder in <see cref="Body"/> for the <c>call_id</c> of the first <c>function_call</c> of the <see cref="Setup"/> response.</summary>
    public const string SetupCallId = "{{setup.call_id}}";

    /// <summary>
    /// A request sent first (a <c>/v1/responses</c> continuation needs a stored response): its exchange is part of
    /// the transcript, and its <see cref="SetupId"/> and <see cref="SetupCallId"/> are put into <see cref="Body"/>.
    /// </summary>
    public GoldenScenario? Setup { get; init; }

    public override string ToString() => Name;
}

/// <summary>The golden scenarios, in the order of docs/parity/transcripts.md.</summary>
public static class GoldenScenarios
{
    private const string Model = "gpt-5.5";
    private const string Chat = "/v1/chat/completions";
    private const string Responses = "/v1/responses";

    /// <summary>Compact JSON that keeps quotes as <c>\"</c> (the default encoder writes <c>\u0022</c>). Declared before <see cref="All"/>, which uses it while initializing.</summary>
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IReadOnlyList<GoldenScenario> All { get; } =
    [
        Scenario(
            "plain_chat",
            "chat, non-stream, one user message",
            Chat,
            new JsonObject { ["model"] = Model, ["messages"] = Messages(("user", "Name the capital of France. " + ScriptDirective.Text("Paris is the capital of France.", deltas: 3))) }),
        Scenario(
            "streaming",
            "chat, stream",
            Chat,
            new JsonObject { ["model"] = Model, ["stream"] = true, ["messages"] = Messages(("user", "Count to three. " + ScriptDirective.Text("One, two, three.", deltas: 4))) }),
        Scenario(
            "multi_turn",
            "chat, user/assistant/user history",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["messages"] = Messages(
                    ("user", "What is the capital of France?"),
                    ("assistant", "Paris."),
                    ("user", "And of Italy? " + ScriptDirective.Text("Rome.", deltas: 2))),
            }),
        Scenario(
            "system_prompt",
            "chat, system + user, temperature and seed (ignored)",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["temperature"] = 0.2,
                ["seed"] = 7,
                ["messages"] = Messages(("system", "You are terse."), ("user", "Greet me. " + ScriptDirective.Text("Hi.", deltas: 2))),
            }),
        Scenario(
            "image_input",
            "chat, user text + data: URL image (PNG, detail low)",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["messages"] = new JsonArray(new JsonObject
                {
                    ["role"] = "user",
                    ["content"] = new JsonArray(
                        new JsonObject { ["type"] = "text", ["text"] = "What colour is this? " + ScriptDirective.Text("Red.", deltas: 2) },
                        new JsonObject { ["type"] = "image_url", ["image_url"] = new JsonObject { ["url"] = "data:image/png;base64," + Png2x2Red, ["detail"] = "low" } }),
                }),
            }),
        Scenario(
            "reasoning",
            "chat, non-stream, reasoning reply, header x-proxy-reasoning-output: reasoning_content",
            Chat,
            new JsonObject { ["model"] = Model, ["messages"] = Messages(("user", "Think first. " + ReasoningDirective)) },
            ("x-proxy-reasoning-output", "reasoning_content")),
        Scenario(
            "reasoning_stream",
            "chat, stream, reasoning reply, header x-proxy-reasoning-output: reasoning_content",
            Chat,
            new JsonObject { ["model"] = Model, ["stream"] = true, ["messages"] = Messages(("user", "Think first. " + ReasoningDirective)) },
            ("x-proxy-reasoning-output", "reasoning_content")),
        Scenario(
            "include_usage",
            "chat, stream, stream_options.include_usage",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["stream"] = true,
                ["stream_options"] = new JsonObject { ["include_usage"] = true },
                ["messages"] = Messages(("user", "Count to three. " + ScriptDirective.Text("One, two, three.", deltas: 3))),
            }),
        Scenario(
            "n_2",
            "chat, non-stream, n=2 (same directive for both choices)",
            Chat,
            new JsonObject { ["model"] = Model, ["n"] = 2, ["messages"] = Messages(("user", "Answer twice. " + ScriptDirective.Text("Same answer.", deltas: 2))) }),
        Scenario(
            "stop",
            "chat, non-stream, stop [\"END\", \"###\"]",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["stop"] = new JsonArray("END", "###"),
                ["messages"] = Messages(("user", "List until END. " + ScriptDirective.Text("alpha beta END gamma", deltas: 5))),
            }),
        Scenario(
            "max_tokens",
            "chat, non-stream, max_tokens 3",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["max_tokens"] = 3,
                ["messages"] = Messages(("user", "Count. " + ScriptDirective.Text("one two three four five six", deltas: 6))),
            }),
        Scenario(
            "json_schema",
            "chat, non-stream, response_format json_schema (strict)",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["response_format"] = new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject { ["name"] = "city_info", ["strict"] = true, ["schema"] = CitySchema(strict: true) },
                },
                ["messages"] = Messages(("user", "Describe Paris. " + ScriptDirective.Text("""{"city":"Paris","population":2102650}""", deltas: 4))),
            }),
        Scenario(
            "completions",
            "legacy /v1/completions, non-stream",
            "/v1/completions",
            new JsonObject { ["model"] = Model, ["prompt"] = "Say hello. " + ScriptDirective.Text("Hello there.", deltas: 3) }),
        Scenario(
            "completions_stream",
            "legacy /v1/completions, stream, include_usage",
            "/v1/completions",
            new JsonObject
            {
                ["model"] = Model,
                ["stream"] = true,
                ["stream_options"] = new JsonObject { ["include_usage"] = true },
                ["prompt"] = "Say hello. " + ScriptDirective.Text("Hello there.", deltas: 3),
            }),
        Scenario(
            "error_400_bad_param",
            "chat, n=99 (above the server's maximum)",
            Chat,
            new JsonObject { ["model"] = Model, ["n"] = 99, ["messages"] = Messages(("user", "Hi. " + ScriptDirective.Text("never sent"))) }),
        Scenario(
            "error_400_json_schema",
            "chat, response_format json_schema that strict mode cannot take",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["response_format"] = new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject { ["name"] = "city_info", ["schema"] = CitySchema(strict: false) },
                },
                ["messages"] = Messages(("user", "Describe Paris. " + ScriptDirective.Text("{}"))),
            }),
        Scenario(
            "error_404_model",
            "chat, unknown model",
            Chat,
            new JsonObject { ["model"] = "no-such-model", ["messages"] = Messages(("user", "Hi. " + ScriptDirective.Text("never sent"))) }),
        Scenario(
            "error_429_upstream",
            "chat, non-stream, upstream answers 429 (every attempt)",
            Chat,
            new JsonObject { ["model"] = Model, ["messages"] = Messages(("user", "Hi. " + ScriptDirective.HttpError(429))) }),
        Scenario(
            "error_502_upstream_auth",
            "chat, non-stream, upstream answers 401",
            Chat,
            new JsonObject { ["model"] = Model, ["messages"] = Messages(("user", "Hi. " + ScriptDirective.HttpError(401))) }),
        Scenario(
            "error_in_band_cut",
            "chat, stream, upstream connection dropped after 2 deltas",
            Chat,
            new JsonObject { ["model"] = Model, ["stream"] = true, ["messages"] = Messages(("user", "Tell me. " + ScriptDirective.Cut("partial answer", deltas: 2))) }),
        Scenario(
            "tool_calls_openai_json",
            "chat, non-stream, tools, 2 parallel calls, header x-proxy-output-mode: openai-json",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["tools"] = GoldenTools(),
                ["messages"] = Messages(("user", "Weather in Paris and Oslo? " + ScriptDirective.ToolCalls(
                    [new ScriptedToolCall("weather", new JsonObject { ["city"] = "Paris" }), new ScriptedToolCall("weather", new JsonObject { ["city"] = "Oslo" })],
                    argumentsDeltas: 2))),
            },
            ("x-proxy-output-mode", "openai-json")),
        Scenario(
            "tool_calls_stream",
            "chat, stream, tools, one call after a text preamble (obsidian-xml, the default)",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["stream"] = true,
                ["tools"] = GoldenTools(),
                ["messages"] = Messages(("user", "Look up caf\u00e9. " + ScriptDirective.ToolCalls(
                    [new ScriptedToolCall("lookup", new JsonObject { ["q"] = "caf\u00e9 & tea", ["n"] = 2 })], text: "Checking.", argumentsDeltas: 3))),
            }),
        Scenario(
            "tool_result_round_trip",
            "chat, non-stream, tools, history with assistant tool_calls and the tool message",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["tools"] = GoldenTools(),
                ["messages"] = new JsonArray(
                    new JsonObject { ["role"] = "user", ["content"] = "Weather in Paris? " + ScriptDirective.ToolCalls([new ScriptedToolCall("weather", new JsonObject { ["city"] = "Paris" })], afterToolText: "It is 21C and sunny in Paris.") },
                    new JsonObject
                    {
                        ["role"] = "assistant",
                        ["content"] = null,
                        ["tool_calls"] = new JsonArray(new JsonObject
                        {
                            ["id"] = "call_client_1",
                            ["type"] = "function",
                            ["function"] = new JsonObject { ["name"] = "weather", ["arguments"] = """{"city":"Paris"}""" },
                        }),
                    },
                    new JsonObject { ["role"] = "tool", ["tool_call_id"] = "call_client_1", ["content"] = "21C sunny" }),
            }),
        Scenario(
            "textual_use_tool_stream",
            "chat, stream, no tools, a `<use_tool>` block in the text (obsidian-xml textual tool call)",
            Chat,
            new JsonObject
            {
                ["model"] = Model,
                ["stream"] = true,
                ["messages"] = Messages(("user", "Search my notes. " + ScriptDirective.Text(
                    "Searching. <use_tool>\n<name>localSearch</name>\n<query>tea &amp; cake</query>\n</use_tool> dropped tail", deltas: 8))),
            }),
        Scenario(
            "responses_text",
            "responses, non-stream, string input",
            Responses,
            new JsonObject { ["model"] = Model, ["input"] = "Name the capital of France. " + ScriptDirective.Text("Paris is the capital of France.", deltas: 3) }),
        Scenario(
            "responses_text_stream",
            "responses, stream, one user message item",
            Responses,
            new JsonObject { ["model"] = Model, ["stream"] = true, ["input"] = Items(("user", "Count to three. " + ScriptDirective.Text("One, two, three.", deltas: 4))) }),
        Scenario(
            "responses_multi_message",
            "responses, non-stream, instructions + user/assistant/user history, the model writes two messages",
            Responses,
            new JsonObject
            {
                ["model"] = Model,
                ["instructions"] = "You are terse.",
                ["input"] = Items(
                    ("user", "What is the capital of France?"),
                    ("assistant", "Paris."),
                    ("user", "And of Italy and Spain? " + ScriptDirective.MultiMessage("Rome.", "Madrid."))),
            }),
        Scenario(
            "responses_reasoning_stream",
            "responses, stream, reasoning.summary auto, reasoning reply",
            Responses,
            new JsonObject
            {
                ["model"] = Model,
                ["stream"] = true,
                ["reasoning"] = new JsonObject { ["summary"] = "auto" },
                ["input"] = "Think first. " + ReasoningDirective,
            }),
        Scenario(
            "responses_tool_calls",
            "responses, non-stream, function tools, 2 parallel calls",
            Responses,
            new JsonObject
            {
                ["model"] = Model,
                ["tools"] = ResponsesTools(),
                ["input"] = "Weather in Paris and Oslo? " + ScriptDirective.ToolCalls(
                    [new ScriptedToolCall("weather", new JsonObject { ["city"] = "Paris" }), new ScriptedToolCall("weather", new JsonObject { ["city"] = "Oslo" })],
                    argumentsDeltas: 2),
            }),
        Scenario(
            "responses_tool_call_stream",
            "responses, stream, function tools, one call after a text preamble",
            Responses,
            new JsonObject
            {
                ["model"] = Model,
                ["stream"] = true,
                ["tools"] = ResponsesTools(),
                ["input"] = "Look up caf\u00e9. " + ScriptDirective.ToolCalls(
                    [new ScriptedToolCall("lookup", new JsonObject { ["q"] = "caf\u00e9 & tea", ["n"] = 2 })], text: "Checking.", argumentsDeltas: 3),
            }),
        Scenario(
            "responses_tool_output_continuation",
            "responses, non-stream, function_call_output with previous_response_id (after a stored call)",
            Responses,
            new JsonObject
            {
                ["model"] = Model,
                ["previous_response_id"] = GoldenScenario.SetupId,
                ["tools"] = ResponsesTools(),
                ["input"] = new JsonArray(new JsonObject { ["type"] = "function_call_output", ["call_id"] = GoldenScenario.SetupCallId, ["output"] = "21C sunny" }),
            }) with
        {
            Setup = Scenario(
                "responses_tool_output_continuation.setup",
                "responses, non-stream, one call",
                Responses,
                new JsonObject
                {
                    ["model"] = Model,
                    ["tools"] = ResponsesTools(),
                    ["input"] = "Weather in Paris? " + ScriptDirective.ToolCalls([new ScriptedToolCall("weather", new JsonObject { ["city"] = "Paris" })], afterToolText: "It is 21C and sunny in Paris."),
                }),
        },
        Scenario(
            "responses_max_output_tokens",
            "responses, non-stream, max_output_tokens 3 (incomplete)",
            Responses,
            new JsonObject
            {
                ["model"] = Model,
                ["max_output_tokens"] = 3,
                ["input"] = "Count. " + ScriptDirective.Text("one two three four five six", deltas: 6),
            }),
        Scenario(
            "responses_json_schema",
            "responses, non-stream, text.format json_schema (strict)",
            Responses,
            new JsonObject
            {
                ["model"] = Model,
                ["text"] = new JsonObject
                {
                    ["format"] = new JsonObject { ["type"] = "json_schema", ["name"] = "city_info", ["strict"] = true, ["schema"] = CitySchema(strict: true) },
                },
                ["input"] = "Describe Paris. " + ScriptDirective.Text("""{"city":"Paris","population":2102650}""", deltas: 4),
            }),
        Scenario(
            "responses_failed_stream",
            "responses, stream, upstream response.failed after partial text",
            Responses,
            new JsonObject { ["model"] = Model, ["stream"] = true, ["input"] = "Tell me. " + ScriptDirective.Failed(message: "The upstream model failed.", text: "partial answer") }),
    ];

    /// <summary>A 2×2 red PNG, base64.</summary>
    public const string Png2x2Red = "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR42mP4z8AARAwQCgAf7gP9Y167WwAAAABJRU5ErkJggg==";

    private static string ReasoningDirective => ScriptDirective.Reasoning(["**Plan**", "Check"], text: "Answer: 42", reasoningText: "raw", deltas: 2);

    public static GoldenScenario Get(string name) => All.Single(s => s.Name == name);

    private static GoldenScenario Scenario(string name, string summary, string path, JsonObject body, params (string Name, string Value)[] headers)
        => new(name, summary, path, body.ToJsonString(Compact), headers);

    private static JsonArray GoldenTools() => (JsonArray)JsonNode.Parse("""
        [{"type":"function","function":{"name":"lookup","description":"Look something up","parameters":{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}},"required":["q"]}}},
         {"type":"function","function":{"name":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}]
        """)!;

    /// <summary>The function tools of <see cref="GoldenTools"/> in the Responses API's flat form.</summary>
    private static JsonArray ResponsesTools() => (JsonArray)JsonNode.Parse("""
        [{"type":"function","name":"lookup","description":"Look something up","parameters":{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer"}},"required":["q"]}},
         {"type":"function","name":"weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}]
        """)!;

    /// <summary>Responses input message items with string content.</summary>
    private static JsonArray Items(params (string Role, string Content)[] messages)
        => new([.. messages.Select(m => (JsonNode)new JsonObject { ["type"] = "message", ["role"] = m.Role, ["content"] = m.Content })]);

    private static JsonArray Messages(params (string Role, string Content)[] messages)
        => new([.. messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content })]);

    private static JsonObject CitySchema(bool strict)
    {
        var schema = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["city"] = new JsonObject { ["type"] = "string" },
                ["population"] = new JsonObject { ["type"] = "integer" },
            },
        };
        if (strict)
        {
            schema["required"] = new JsonArray("city", "population");
            schema["additionalProperties"] = false;
        }

        return schema;
    }
}
