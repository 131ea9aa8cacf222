using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CodexCompletionsApi.ScriptedModel;

namespace CodexCompletionsApi.IntegrationTests.Golden;

/// <summary>
/// Renders one golden scenario's exchange as text: a header (the pinned Codex CLI version and the summary fields
/// docs/parity/transcripts.md is generated from), the request, the response (status, relevant headers, body; an
/// event stream one event per line) and the upstream requests the scripted model received; a scenario with a
/// <see cref="GoldenScenario.Setup"/> request shows that exchange first. Dynamic values become stable placeholders:
/// ids (<c>chatcmpl-</c>, <c>cmpl-</c>, <c>call_</c>, and the Responses API's <c>resp_</c>, <c>msg_</c>, <c>fc_</c>,
/// <c>fco_</c>, <c>rs_</c>) numbered in order of appearance, <c>created</c> / <c>created_at</c> / <c>completed_at</c>
/// timestamps and the scripted model's port.
/// </summary>
internal static partial class Transcript
{
    /// <summary>Response headers worth pinning, in this order, when present.</summary>
    private static readonly string[] ResponseHeaders = ["content-type", "x-proxy-ignored-params", "retry-after"];

    /// <summary>Upstream body fields that differ per run or per thread.</summary>
    private static readonly string[] DroppedUpstreamFields = ["prompt_cache_key", "client_metadata"];

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, IndentSize = 2 };

    public const string SummaryKey = "summary: ";
    public const string StatusKey = "status: ";
    public const string FinishReasonKey = "finish_reason: ";
    public const string UsageKey = "usage: ";
    public const string CodexKey = "# codex-cli: ";

    public static string Render(GoldenScenario scenario, string codexVersion, HttpResponseMessage response, string body, IReadOnlyList<RecordedRequest> upstream, SetupExchange? setup = null)
    {
        var ids = new IdMap();

        // The setup exchange comes first, so its ids get the first numbers.
        var normalizedSetup = setup is null ? null : ids.Normalize(setup.Body);
        var normalizedBody = ids.Normalize(body);
        var isStream = response.Content.Headers.ContentType?.MediaType == "text/event-stream";
        var events = isStream ? SplitEvents(normalizedBody) : [];

        // The summary reads the body as sent (the placeholders are not JSON).
        var responsesApi = scenario.Path.EndsWith("/v1/responses", StringComparison.Ordinal);
        var (finishReason, usage) = responsesApi
            ? SummarizeResponse(isStream ? TerminalResponse(body) : body, (int)response.StatusCode)
            : isStream ? SummarizeStream(SplitEvents(body)) : SummarizeJson(body, (int)response.StatusCode);

        var text = new StringBuilder();
        text.Append("# golden transcript: ").Append(scenario.Name).Append('\n');
        text.Append(CodexKey).Append(codexVersion).Append('\n');
        text.Append("# re-record: scripts/record-golden\n");
        text.Append(SummaryKey).Append(scenario.Summary).Append('\n');
        text.Append(StatusKey).Append((int)response.StatusCode).Append('\n');
        text.Append(FinishReasonKey).Append(finishReason).Append('\n');
        text.Append(UsageKey).Append(usage).Append('\n');

        if (setup is not null)
        {
            text.Append("\n=== setup request\n");
            text.Append("POST ").Append(setup.Scenario.Path).Append('\n');
            text.Append(setup.Scenario.Body).Append('\n');
            text.Append("\n=== setup response\n");
            text.Append("status: ").Append(setup.Status).Append('\n');
            text.Append(normalizedSetup).Append('\n');
        }

        text.Append("\n=== request\n");
        text.Append("POST ").Append(scenario.Path).Append('\n');
        foreach (var (name, value) in scenario.Headers)
        {
            text.Append(name).Append(": ").Append(value).Append('\n');
        }

        text.Append(scenario.Body).Append('\n');

        text.Append("\n=== response\n");
        text.Append("status: ").Append((int)response.StatusCode).Append('\n');
        foreach (var name in ResponseHeaders)
        {
            if (HeaderValue(response, name) is { } value)
            {
                text.Append(name).Append(": ").Append(value).Append('\n');
            }
        }

        text.Append('\n');
        if (isStream)
        {
            foreach (var e in events)
            {
                text.Append(e).Append('\n');
            }

            if (!normalizedBody.EndsWith("\n\n", StringComparison.Ordinal))
            {
                text.Append("(the body does not end with a blank line)\n");
            }
        }
        else
        {
            text.Append(normalizedBody).Append('\n');
        }

        // Parallel choices reach the model in any order: sort the (normalized) requests so the order is stable.
        var upstreamTexts = upstream.Select(r => $"{r.Method} {r.Path}\n{NormalizeUpstream(r, ids)}").Order(StringComparer.Ordinal).ToList();
        text.Append("\n=== upstream requests: ").Append(upstreamTexts.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        for (var i = 0; i < upstreamTexts.Count; i++)
        {
            text.Append("--- upstream ").Append((i + 1).ToString(CultureInfo.InvariantCulture)).Append(": ").Append(upstreamTexts[i]).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The value of a <c>key: </c> header line of a transcript, or null.</summary>
    public static string? HeaderField(string transcript, string key)
    {
        foreach (var line in transcript.Split('\n'))
        {
            if (line.StartsWith("=== ", StringComparison.Ordinal))
            {
                break;
            }

            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                return line[key.Length..];
            }
        }

        return null;
    }

    private static string? HeaderValue(HttpResponseMessage response, string name)
    {
        if (response.Headers.NonValidated.TryGetValues(name, out var values) || response.Content.Headers.NonValidated.TryGetValues(name, out values))
        {
            return string.Join(", ", values);
        }

        return null;
    }

    /// <summary>SSE events, one per line (an event's own line breaks shown as <c>\n</c>).</summary>
    private static List<string> SplitEvents(string body)
        => [.. body.Split("\n\n").Where(e => e.Length > 0).Select(e => e.Replace("\n", "\\n", StringComparison.Ordinal))];

    private static (string FinishReason, string Usage) SummarizeJson(string body, int status)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return ("-", "-");
        }

        if (status >= 400 || root?["error"] is not null)
        {
            return ($"error {root?["error"]?["code"]?.ToJsonString() ?? "null"}", "-");
        }

        var reasons = root?["choices"]?.AsArray().Select(c => c?["finish_reason"]?.GetValue<string>() ?? "null") ?? [];
        return (string.Join(", ", reasons), Usage(root?["usage"]));
    }

    /// <summary>The <c>response</c> of a Responses stream's terminal event (JSON text), or null.</summary>
    private static string? TerminalResponse(string body)
    {
        string? terminal = null;
        foreach (var e in body.Split("\n\n"))
        {
            var data = e.Split('\n').FirstOrDefault(l => l.StartsWith("data: {", StringComparison.Ordinal));
            if (data is not null && JsonNode.Parse(data["data: ".Length..]) is JsonObject o
                && o["type"]?.GetValue<string>() is "response.completed" or "response.incomplete" or "response.failed")
            {
                terminal = o["response"]?.ToJsonString();
            }
        }

        return terminal;
    }

    /// <summary>
    /// A Responses API response (JSON, or the terminal event's response): the status column shows its
    /// <c>status</c> (with the incomplete reason or the error code), the usage column its token counts.
    /// </summary>
    private static (string Status, string Usage) SummarizeResponse(string? json, int status)
    {
        JsonNode? root;
        try
        {
            root = json is null ? null : JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return ("-", "-");
        }

        if (root is null)
        {
            return ("(no terminal event)", "-");
        }

        if (status >= 400 || root["object"]?.GetValue<string>() != "response")
        {
            return ($"error {root["error"]?["code"]?.ToJsonString() ?? "null"}", "-");
        }

        var state = root["status"]?.GetValue<string>() ?? "null";
        var detail = root["incomplete_details"]?["reason"]?.GetValue<string>() ?? root["error"]?["code"]?.GetValue<string>();
        var text = detail is null ? state : $"{state} ({detail})";
        if (root["usage"] is not JsonObject u)
        {
            return (text, "-");
        }

        var counts = $"input {u["input_tokens"]}, output {u["output_tokens"]}, total {u["total_tokens"]}";
        var reasoning = u["output_tokens_details"]?["reasoning_tokens"]?.GetValue<long>() ?? 0;
        return (text, reasoning > 0 ? $"{counts} (reasoning {reasoning})" : counts);
    }

    private static (string FinishReason, string Usage) SummarizeStream(IReadOnlyList<string> events)
    {
        var reasons = new SortedDictionary<int, string>();
        var usage = "-";
        string? error = null;
        foreach (var e in events)
        {
            if (!e.StartsWith("data: {", StringComparison.Ordinal))
            {
                continue;
            }

            var chunk = JsonNode.Parse(e["data: ".Length..]);
            if (chunk?["error"] is { } err)
            {
                error = $"in-band error {err["code"]?.ToJsonString() ?? "null"}";
                continue;
            }

            foreach (var choice in chunk?["choices"]?.AsArray() ?? [])
            {
                if (choice?["finish_reason"] is JsonValue reason)
                {
                    reasons[choice["index"]!.GetValue<int>()] = reason.GetValue<string>();
                }
            }

            if (chunk?["usage"] is JsonObject u)
            {
                usage = Usage(u);
            }
        }

        var finish = string.Join(", ", reasons.Values);
        return (error is null ? finish : finish.Length == 0 ? error : $"{finish}; {error}", usage);
    }

    private static string Usage(JsonNode? usage)
    {
        if (usage is not JsonObject u)
        {
            return "-";
        }

        var text = $"prompt {u["prompt_tokens"]}, completion {u["completion_tokens"]}, total {u["total_tokens"]}";
        var reasoning = u["completion_tokens_details"]?["reasoning_tokens"]?.GetValue<long>() ?? 0;
        return reasoning > 0 ? $"{text} (reasoning {reasoning})" : text;
    }

    /// <summary>The upstream body without per-run fields and item ids, indented.</summary>
    private static string NormalizeUpstream(RecordedRequest request, IdMap ids)
    {
        var body = request.Json is { } json ? JsonNode.Parse(json.GetRawText()) : null;
        if (body is not JsonObject root)
        {
            return ids.Normalize(request.Body);
        }

        foreach (var field in DroppedUpstreamFields)
        {
            root.Remove(field);
        }

        DropIds(root);
        return ids.Normalize(root.ToJsonString(Indented));
    }

    private static void DropIds(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("id");
                foreach (var (_, value) in o)
                {
                    DropIds(value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    DropIds(item);
                }

                break;
        }
    }

    // (?!id") keeps the key "call_id" (Responses items) from being taken for an id.
    [GeneratedRegex(@"(?<![A-Za-z0-9_])(?<prefix>chatcmpl-|cmpl-|call_|resp_|msg_|fco_|fc_|rs_)(?!id"")[A-Za-z0-9_-]+")]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"""(?<key>created|created_at|completed_at)"":\d+")]
    private static partial Regex CreatedPattern();

    [GeneratedRegex(@"(127\.0\.0\.1|localhost):\d+")]
    private static partial Regex PortPattern();

    /// <summary>Numbers each distinct id per prefix in order of appearance: <c>chatcmpl-&lt;1&gt;</c>.</summary>
    private sealed class IdMap
    {
        private readonly Dictionary<string, string> _ids = new(StringComparer.Ordinal);

        public string Normalize(string text)
        {
            text = IdPattern().Replace(text, m =>
            {
                if (!_ids.TryGetValue(m.Value, out var placeholder))
                {
                    var prefix = m.Groups["prefix"].Value;
                    var n = _ids.Values.Count(v => v.StartsWith(prefix, StringComparison.Ordinal)) + 1;
                    placeholder = $"{prefix}<{n}>";
                    _ids[m.Value] = placeholder;
                }

                return placeholder;
            });
            text = CreatedPattern().Replace(text, m => $"\"{m.Groups["key"].Value}\":<{m.Groups["key"].Value}>");
            return PortPattern().Replace(text, "$1:<port>");
        }
    }
}

/// <summary>The exchange of a scenario's <see cref="GoldenScenario.Setup"/> request: its status and body as received.</summary>
internal sealed record SetupExchange(GoldenScenario Scenario, int Status, string Body);
