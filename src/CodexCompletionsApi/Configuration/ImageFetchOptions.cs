using System.ComponentModel.DataAnnotations;

namespace CodexCompletionsApi.Configuration;

/// <summary>
/// Remote images in chat messages: Codex accepts only inline data URLs, so the service downloads
/// <c>http(s)</c> image URLs itself and inlines them. These settings bound that download.
/// </summary>
public sealed class ImageFetchOptions
{
    public const string SectionName = "Images";

    /// <summary>
    /// Download <c>http(s)</c> image URLs. When <see langword="false"/>, messages carrying a remote image
    /// URL are refused with a 400; inline <c>data:</c> URLs are always accepted.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Most remote images one request may reference; more get 400. At most four are fetched at a time.</summary>
    /// <value>The default value is 16.</value>
    [Range(1, 1000)]
    public int MaxPerRequest { get; set; } = 16;

    /// <summary>Largest image accepted, in bytes, checked against <c>Content-Length</c> and while downloading.</summary>
    /// <value>The default value is 20 MiB (20,971,520 bytes).</value>
    [Range(1, 512 * 1024 * 1024)]
    public int MaxBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Deadline for one whole download: connecting, every redirect and the body.</summary>
    /// <value>The default value is 10 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Redirects followed per download; each hop is checked like the original URL. 0 refuses every redirect.</summary>
    /// <value>The default value is 3.</value>
    [Range(0, 20)]
    public int MaxRedirects { get; set; } = 3;

    /// <summary>
    /// Allow image hosts that resolve to non-public addresses: loopback, private (RFC 1918, CGNAT
    /// <c>100.64.0.0/10</c>, ULA <c>fc00::/7</c>), link-local (<c>169.254.0.0/16</c>, <c>fe80::/10</c>,
    /// including cloud metadata endpoints), unspecified, multicast, reserved, and their IPv4-mapped forms.
    /// Leave off on any service reachable by untrusted clients: it guards against server-side request forgery.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>
    /// Media types accepted, comma separated. A response without a <c>Content-Type</c>, or with
    /// <c>application/octet-stream</c>, is identified by its first bytes (PNG, JPEG, GIF, WebP).
    /// </summary>
    /// <value>The default value is <c>image/png,image/jpeg,image/gif,image/webp</c>.</value>
    [Required]
    public string AllowedContentTypes { get; set; } = "image/png,image/jpeg,image/gif,image/webp";

    /// <summary>The accepted media types, lower case, parsed from <see cref="AllowedContentTypes"/>.</summary>
    public IReadOnlyList<string> ParsedAllowedContentTypes()
        => [.. AllowedContentTypes
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(static type => type.ToLowerInvariant())];
}
