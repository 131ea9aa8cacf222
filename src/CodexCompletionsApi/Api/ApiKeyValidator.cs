using System.Security.Cryptography;
using System.Text;
using CodexCompletionsApi.Configuration;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Api;

/// <summary>
/// Checks bearer keys in constant time: the presented key and every configured key are hashed to
/// 32 bytes and compared with <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the
/// key length nor the position of a mismatch leaks through timing.
/// </summary>
public sealed class ApiKeyValidator
{
    private readonly byte[][] _keyHashes;

    public ApiKeyValidator(IOptions<ProxyOptions> options)
    {
        _keyHashes = [.. options.Value.ParsedApiKeys().Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k)))];
    }

    /// <summary>No key configured: authentication is off (allowed only on loopback binds).</summary>
    public bool Disabled => _keyHashes.Length == 0;

    public bool IsValid(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        var match = false;
        foreach (var key in _keyHashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, key);
        }

        return match;
    }

    /// <summary>An endpoint filter enforcing <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
    public static async ValueTask<object?> RequireKeyAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var validator = context.HttpContext.RequestServices.GetRequiredService<ApiKeyValidator>();
        if (validator.Disabled)
        {
            return await next(context);
        }

        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var presented = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
        if (!validator.IsValid(presented))
        {
            return OpenAIErrors.Error(
                401,
                presented is null ? "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'." : "Incorrect API key provided.",
                "invalid_request_error",
                null,
                "invalid_api_key");
        }

        return await next(context);
    }
}
