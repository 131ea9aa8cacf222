using System.Text.Json;

namespace CodexCompletionsApi.Catalog;

/// <summary>
/// Writes Codex's <c>model_catalog_json</c> (<c>{"models":[ModelInfo…]}</c>, the format of
/// <c>codex debug models --bundled</c>) from the service catalog. Pure: returns bytes.
/// </summary>
/// <remarks>
/// Two values matter beyond the model's own data (docs/app-server-protocol.md §8, §9):
/// a very large <c>context_window</c> stops Codex's silent auto-compaction of long histories (the
/// upstream reports <c>context_length_exceeded</c> instead), and empty <c>base_instructions</c>
/// keeps Codex's coding-agent prompt out of requests. Verbosity is not forced.
/// </remarks>
public static class CodexCatalogWriter
{
    /// <summary>Context window written for every model; see remarks.</summary>
    public const long ContextWindow = 10_000_000;

    public static byte[] Write(ModelCatalog catalog)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("models");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var priority = 1;
            foreach (var model in catalog.Models)
            {
                // Several public ids may share one upstream slug; Codex keys its catalog by slug.
                if (seen.Add(model.UpstreamModel))
                {
                    WriteModel(w, model, priority++);
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteModel(Utf8JsonWriter w, CatalogModel model, int priority)
    {
        var reasoning = model.ReasoningEfforts.Count > 0;
        w.WriteStartObject();
        w.WriteString("slug", model.UpstreamModel);
        w.WriteString("display_name", model.DisplayName ?? model.Id);
        w.WriteString("description", model.Description ?? string.Empty);
        if (model.DefaultReasoningEffort is { } effort)
        {
            w.WriteString("default_reasoning_level", effort);
        }
        else
        {
            w.WriteNull("default_reasoning_level");
        }

        w.WriteStartArray("supported_reasoning_levels");
        foreach (var level in model.ReasoningEfforts)
        {
            w.WriteStartObject();
            w.WriteString("effort", level);
            w.WriteString("description", level);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("shell_type", "unified_exec");
        w.WriteString("visibility", "list");
        w.WriteBoolean("supported_in_api", true);
        w.WriteNumber("priority", priority);
        w.WriteStartArray("additional_speed_tiers");
        w.WriteEndArray();
        w.WriteStartArray("service_tiers");
        w.WriteEndArray();
        w.WriteNull("availability_nux");
        w.WriteNull("upgrade");
        w.WriteNull("model_messages");
        w.WriteBoolean("include_skills_usage_instructions", false);
        w.WriteBoolean("include_plugin_usage_instructions", false);
        w.WriteBoolean("include_apps_usage_instructions", false);
        w.WriteString("default_reasoning_summary", reasoning ? "auto" : "none");
        w.WriteBoolean("support_verbosity", false);
        w.WriteNull("default_verbosity");
        w.WriteNull("apply_patch_tool_type");
        w.WriteString("web_search_tool_type", "text");
        w.WriteStartObject("truncation_policy");
        w.WriteString("mode", "tokens");
        w.WriteNumber("limit", 1_000_000);
        w.WriteEndObject();
        w.WriteBoolean("supports_image_detail_original", false);
        w.WriteNumber("context_window", ContextWindow);
        w.WriteNumber("max_context_window", ContextWindow);
        w.WriteNumber("effective_context_window_percent", 100);
        w.WriteStartArray("experimental_supported_tools");
        w.WriteEndArray();
        w.WriteStartArray("input_modalities");
        foreach (var modality in model.InputModalities)
        {
            w.WriteStringValue(modality);
        }

        w.WriteEndArray();
        w.WriteBoolean("supports_search_tool", false);
        w.WriteString("base_instructions", string.Empty);
        w.WriteEndObject();
    }
}
