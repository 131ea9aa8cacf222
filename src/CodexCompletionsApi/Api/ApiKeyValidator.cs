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
}
