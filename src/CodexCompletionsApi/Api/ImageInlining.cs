using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Translation;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Api;

/// <summary>Fetches a request's remote images (in parallel) before the pure translation runs.</summary>
internal static class ImageInlining
{
    private const int MaxParallelFetches = 4;

    /// <returns>URL → data URL for every http(s) image of the request.</returns>
    /// <exception cref="InvalidRequestException">An image could not be fetched or is not allowed.</exception>
    public static async Task<IReadOnlyDictionary<string, string>> ResolveAsync(HttpContext context, IEnumerable<(string Url, string Param)> images)
    {
        var distinct = images.DistinctBy(i => i.Url, StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        var limit = context.RequestServices.GetRequiredService<IOptions<ImageFetchOptions>>().Value.MaxPerRequest;
        if (distinct.Count > limit)
        {
            throw new InvalidRequestException($"The request references {distinct.Count} remote images; this server fetches at most {limit} per request. Send the rest as data: URLs.", distinct[limit].Param, "too_many_images");
        }

        var fetcher = context.RequestServices.GetRequiredService<ImageFetcher>();
        using var gate = new SemaphoreSlim(MaxParallelFetches);
        var fetched = await Task.WhenAll(distinct.Select(async i =>
        {
            await gate.WaitAsync(context.RequestAborted);
            try
            {
                return (i.Url, Data: await fetcher.ToDataUrlAsync(i.Url, i.Param, context.RequestAborted));
            }
            finally
            {
                gate.Release();
            }
        }));
        return fetched.ToDictionary(f => f.Url, f => f.Data, StringComparer.Ordinal);
    }
}
