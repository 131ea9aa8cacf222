using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Translation;
using Microsoft.Extensions.Options;

namespace CodexCompletionsApi.Api;

/// <summary>
/// Downloads an <c>http(s)</c> image URL from a chat message and returns it as a <c>data:</c> URL,
/// because Codex's app-server accepts only inline images.
/// </summary>
/// <remarks>
/// Server-side request forgery: the handler resolves each host itself inside its connect callback, refuses
/// the connection when any resolved address is forbidden (<see cref="AddressPolicy"/>, unless
/// <see cref="ImageFetchOptions.AllowPrivateNetworks"/>) and connects to the vetted address, so a DNS
/// answer cannot change between the check and the connection. No proxy is used (it would be the peer
/// instead of the vetted host), redirects are followed by hand and every hop goes through the same
/// callback; an <c>https</c> to <c>http</c> redirect is refused. Every failure the client can cause is an
/// <see cref="InvalidRequestException"/> naming the caller's <c>param</c>.
/// </remarks>
internal sealed partial class ImageFetcher : IDisposable
{
    public const string UserAgent = "codex-completions-api";

    public const string InvalidUrlCode = "invalid_image_url";
    public const string FetchFailedCode = "image_fetch_failed";
    public const string TooLargeCode = "image_too_large";
    public const string UnsupportedTypeCode = "unsupported_image_type";
    public const string ForbiddenCode = "image_url_forbidden";

    private const int InitialBufferSize = 64 * 1024;

    private readonly HttpClient _client;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<ImageFetcher> _logger;
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;
    private readonly Func<IPAddress, bool> _isForbidden;
    private readonly bool _enabled;
    private readonly int _maxBytes;
    private readonly TimeSpan _timeout;
    private readonly int _maxRedirects;
    private readonly HashSet<string> _allowedTypes;

    public ImageFetcher(IOptions<ImageFetchOptions> options, TimeProvider timeProvider, ILogger<ImageFetcher> logger)
        : this(options, timeProvider, logger, resolve: null, isForbidden: null)
    {
    }

    /// <summary>Test seam: replaces DNS resolution and the address policy (both default to the real ones).</summary>
    internal ImageFetcher(
        IOptions<ImageFetchOptions> options,
        TimeProvider timeProvider,
        ILogger<ImageFetcher> logger,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve,
        Func<IPAddress, bool>? isForbidden)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        _resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
        _isForbidden = isForbidden ?? (settings.AllowPrivateNetworks ? static _ => false : AddressPolicy.IsForbidden);
        _enabled = settings.Enabled;
        _maxBytes = settings.MaxBytes;
        _timeout = settings.Timeout;
        _maxRedirects = settings.MaxRedirects;
        _allowedTypes = new HashSet<string>(settings.ParsedAllowedContentTypes(), StringComparer.OrdinalIgnoreCase);

        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        foreach (var type in _allowedTypes)
        {
            _client.DefaultRequestHeaders.Accept.TryParseAdd(type);
        }

        _client.DefaultRequestHeaders.Accept.TryParseAdd("*/*;q=0.1");
    }

    /// <summary>
    /// Returns <paramref name="url"/> as <c>data:&lt;content-type&gt;;base64,&lt;bytes&gt;</c>; a <c>data:</c> URL is
    /// returned unchanged.
    /// </summary>
    /// <param name="url">The image URL from the message.</param>
    /// <param name="param">Where the URL sits in the request (e.g. <c>messages[1].content[0].image_url.url</c>), for errors.</param>
    /// <param name="ct">The request's cancellation; cancelling it throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="InvalidRequestException">The URL cannot be fetched or is not an acceptable image.</exception>
    public async Task<string> ToDataUrlAsync(string url, string param, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            return url;
        }

        var uri = ParseRemoteUrl(url, param);
        if (!_enabled)
        {
            throw new InvalidRequestException(
                "Remote image URLs are disabled on this server; send the image inline as a base64 data URL.", param, ForbiddenCode);
        }

        var started = _timeProvider.GetTimestamp();
        using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            var (mediaType, body, length) = await FetchAsync(uri, param, linked.Token);
            Log.Fetched(_logger, uri.IdnHost, length, mediaType, _timeProvider.GetElapsedTime(started).TotalMilliseconds);
            return ToDataUrl(mediaType, body, length);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Log.Failed(_logger, uri.IdnHost, FetchFailedCode, "timed out");
            throw new InvalidRequestException(
                $"Fetching the image timed out after {_timeout.TotalSeconds:0.###} s.", param, FetchFailedCode);
        }
        catch (InvalidRequestException e)
        {
            Log.Failed(_logger, uri.IdnHost, e.Code ?? string.Empty, e.Message);
            throw;
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Parses an absolute <c>http(s)</c> URL with a host, or throws <c>invalid_image_url</c>.</summary>
    internal static Uri ParseRemoteUrl(string url, string param)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            throw new InvalidRequestException("The image URL is not a valid absolute URL.", param, InvalidUrlCode);
        }

        if (!IsHttp(uri))
        {
            throw new InvalidRequestException(
                $"Unsupported image URL scheme '{uri.Scheme}': use http(s) or an inline data URL.", param, InvalidUrlCode);
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            throw new InvalidRequestException("The image URL has no host.", param, InvalidUrlCode);
        }

        return uri;
    }

    /// <summary>The target of a redirect from <paramref name="current"/>, checked like the original URL.</summary>
    internal static Uri ResolveRedirect(Uri current, Uri? location, string param)
    {
        if (location is null)
        {
            throw new InvalidRequestException("The image host sent a redirect without a Location.", param, FetchFailedCode);
        }

        // On Unix a Location of "/path" parses as an absolute file URI; it is a path on the same host.
        var next = location.IsAbsoluteUri && !(location.IsFile && location.OriginalString.StartsWith('/'))
            ? location
            : new Uri(current, location.OriginalString);
        if (!IsHttp(next) || string.IsNullOrEmpty(next.Host))
        {
            throw new InvalidRequestException(
                $"The image URL redirects to an unsupported URL (scheme '{next.Scheme}').", param, InvalidUrlCode);
        }

        if (current.Scheme == Uri.UriSchemeHttps && next.Scheme == Uri.UriSchemeHttp)
        {
            throw new InvalidRequestException("The image URL redirects from https to http; refused.", param, ForbiddenCode);
        }

        return next;
    }

    /// <summary>The image type given by the leading bytes (PNG, JPEG, GIF, WebP), or <see langword="null"/>.</summary>
    internal static string? SniffMediaType(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (body.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (body.StartsWith("GIF87a"u8) || body.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        if (body.Length >= 12 && body.StartsWith("RIFF"u8) && body[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        return null;
    }

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;

    private async Task<(string MediaType, byte[] Body, int Length)> FetchAsync(Uri uri, string param, CancellationToken ct)
    {
        var current = uri;
        for (var redirects = 0; ; redirects++)
        {
            CheckLiteralHost(current, param);
            using var response = await SendAsync(current, param, ct);
            if (IsRedirect(response.StatusCode))
            {
                if (redirects >= _maxRedirects)
                {
                    throw new InvalidRequestException(
                        $"The image URL redirects more than {_maxRedirects} times.", param, FetchFailedCode);
                }

                current = ResolveRedirect(current, response.Headers.Location, param);
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidRequestException(
                    $"The image host answered HTTP {(int)response.StatusCode}.", param, FetchFailedCode);
            }

            var content = response.Content;
            if (content.Headers.ContentLength > _maxBytes)
            {
                throw TooLarge(param);
            }

            var declared = DeclaredMediaType(content.Headers.ContentType);
            if (declared is not null && !_allowedTypes.Contains(declared))
            {
                throw Unsupported(declared, param);
            }

            var (body, length) = await ReadBodyAsync(content, param, ct);
            if (length == 0)
            {
                throw new InvalidRequestException("The image URL returned an empty body.", param, FetchFailedCode);
            }

            var mediaType = declared ?? SniffMediaType(body.AsSpan(0, length));
            if (mediaType is null || !_allowedTypes.Contains(mediaType))
            {
                throw Unsupported(mediaType ?? content.Headers.ContentType?.MediaType ?? "unknown", param);
            }

            return (mediaType, body, length);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, string param, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            ct.ThrowIfCancellationRequested();
            throw MapConnectFailure(e, uri, param);
        }
    }

    private async Task<(byte[] Body, int Length)> ReadBodyAsync(HttpContent content, string param, CancellationToken ct)
    {
        var buffer = new byte[(int)Math.Clamp(content.Headers.ContentLength ?? InitialBufferSize, 1, _maxBytes)];
        var length = 0;
        try
        {
            await using var stream = await content.ReadAsStreamAsync(ct);
            while (true)
            {
                if (length == buffer.Length)
                {
                    // Room for one byte past the limit is enough to see that a body is too large.
                    Array.Resize(ref buffer, (int)Math.Min(2L * buffer.Length, _maxBytes + 1L));
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
                if (length > _maxBytes)
                {
                    throw TooLarge(param);
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            ct.ThrowIfCancellationRequested();
            throw new InvalidRequestException("The image download was interrupted.", param, FetchFailedCode);
        }
    }

    /// <summary>Fast path for IP-literal hosts; the connect callback checks every connection regardless.</summary>
    private void CheckLiteralHost(Uri uri, string param)
    {
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6
            && IPAddress.TryParse(uri.Host.AsSpan().Trim("[]"), out var address)
            && _isForbidden(address))
        {
            Log.Refused(_logger, uri.IdnHost, address.ToString());
            throw Forbidden(param);
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses;
        if (IPAddress.TryParse(host.AsSpan().Trim("[]"), out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await _resolve(host, ct);
            }
            catch (SocketException e)
            {
                throw new UnresolvedHostException(host, e);
            }

            if (addresses.Length == 0)
            {
                throw new UnresolvedHostException(host, null);
            }
        }

        // Any forbidden answer refuses the host: a public decoy next to a private target is still an attack.
        var forbidden = Array.Find(addresses, address => _isForbidden(address));
        if (forbidden is not null)
        {
            Log.Refused(_logger, host, forbidden.ToString());
            throw new ForbiddenAddressException(host);
        }

        SocketException? lastError = null;
        foreach (var address in addresses)
        {
            var target = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                lastError = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw lastError!;
    }

    private static InvalidRequestException MapConnectFailure(HttpRequestException error, Uri uri, string param)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ForbiddenAddressException:
                    return Forbidden(param);
                case UnresolvedHostException:
                    return new InvalidRequestException($"Could not resolve the image host '{uri.IdnHost}'.", param, FetchFailedCode);
            }
        }

        return new InvalidRequestException(
            $"Could not fetch the image from '{uri.IdnHost}' ({error.HttpRequestError}).", param, FetchFailedCode);
    }

    private static bool IsRedirect(HttpStatusCode status) => status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found
        or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The declared type, lower case, or <see langword="null"/> when absent or generic binary (then the body is sniffed).</summary>
    private static string? DeclaredMediaType(MediaTypeHeaderValue? contentType)
    {
        var mediaType = contentType?.MediaType?.Trim().ToLowerInvariant();
        return mediaType switch
        {
            null or "" or "application/octet-stream" or "binary/octet-stream" => null,
            "image/jpg" or "image/pjpeg" => "image/jpeg",
            _ => mediaType,
        };
    }

    private static string ToDataUrl(string mediaType, byte[] body, int length)
    {
        var prefix = $"data:{mediaType};base64,";
        var encodedLength = checked((length + 2) / 3 * 4);
        return string.Create(prefix.Length + encodedLength, (prefix, body, length), static (span, state) =>
        {
            state.prefix.CopyTo(span);
            Convert.TryToBase64Chars(state.body.AsSpan(0, state.length), span[state.prefix.Length..], out _);
        });
    }

    private InvalidRequestException TooLarge(string param)
        => new($"The image is larger than {_maxBytes} bytes.", param, TooLargeCode);

    private static InvalidRequestException Unsupported(string mediaType, string param)
        => new($"Unsupported image content type '{mediaType}': use PNG, JPEG, GIF or WebP.", param, UnsupportedTypeCode);

    private static InvalidRequestException Forbidden(string param)
        => new("The image URL points to a private or reserved network address; refused.", param, ForbiddenCode);

    private sealed class ForbiddenAddressException(string host) : IOException($"Host '{host}' resolves to a forbidden address.");

    private sealed class UnresolvedHostException(string host, Exception? inner) : IOException($"Could not resolve host '{host}'.", inner);

    private static partial class Log
    {
        [LoggerMessage(480, LogLevel.Debug, "Fetched image from {Host}: {Bytes} bytes of {ContentType} in {ElapsedMs} ms", EventName = "ImageFetched")]
        public static partial void Fetched(ILogger logger, string host, int bytes, string contentType, double elapsedMs);

        [LoggerMessage(481, LogLevel.Warning, "Refused image host {Host}: it resolves to {Address}, which is not a public address", EventName = "ImageHostRefused")]
        public static partial void Refused(ILogger logger, string host, string address);

        [LoggerMessage(482, LogLevel.Information, "Image fetch from {Host} failed ({Code}): {Reason}", EventName = "ImageFetchFailed")]
        public static partial void Failed(ILogger logger, string host, string code, string reason);
    }
}
