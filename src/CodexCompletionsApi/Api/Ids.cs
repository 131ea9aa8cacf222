using System.Security.Cryptography;

namespace CodexCompletionsApi.Api;

/// <summary>OpenAI-style opaque ids (<c>chatcmpl-…</c>, <c>resp_…</c>).</summary>
internal static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    public static string New(string prefix) => prefix + RandomNumberGenerator.GetString(Alphabet, 29);
}
