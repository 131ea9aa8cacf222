using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using CodexCompletionsApi.Api;
using CodexCompletionsApi.Configuration;
using CodexCompletionsApi.Translation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CodexCompletionsApi.Tests.Api;

public sealed class ImageFetcherTests(ImageServer server) : IClassFixture<ImageServer>
{
    private const string Param = "messages[1].content[0].image_url.url";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // ---- successful fetches ----

    [Fact]
    public async Task ToDataUrlAsync_PngWithImageType_ReturnsExactDataUrl()
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var dataUrl = await FetchAsync(fetcher, server.Url("/png"));

        // Assert
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(ImageServer.Png), dataUrl);
    }

    [Fact]
    public async Task ToDataUrlAsync_PngAsOctetStream_SniffsPng()
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var dataUrl = await FetchAsync(fetcher, server.Url("/octet"));

        // Assert
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(ImageServer.Png), dataUrl);
    }

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("gif87", "image/gif")]
    [InlineData("gif89", "image/gif")]
    [InlineData("webp", "image/webp")]
    public async Task ToDataUrlAsync_NoContentType_SniffsMagicBytes(string kind, string expectedType)
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var dataUrl = await FetchAsync(fetcher, server.Url($"/untyped?kind={kind}"));

        // Assert
        Assert.Equal($"data:{expectedType};base64,{Convert.ToBase64String(ImageServer.Sample(kind))}", dataUrl);
    }

    [Fact]
    public async Task ToDataUrlAsync_ImageJpgAlias_ReportsImageJpeg()
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var dataUrl = await FetchAsync(fetcher, server.Url("/typed?type=image/jpg&kind=jpeg"));

        // Assert
        Assert.StartsWith("data:image/jpeg;base64,", dataUrl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToDataUrlAsync_Request_SendsUserAgentAndOriginalHost()
    {
        // Arrange: images.test resolves to the test server
        using var fetcher = Create(resolve: (_, _) => Task.FromResult(new[] { IPAddress.Loopback }));
        var url = $"http://images.test:{server.Port}/png?id={Guid.NewGuid():N}";

        // Act
        await FetchAsync(fetcher, url);

        // Assert
        var seen = Assert.Single(server.Requests(new Uri(url).PathAndQuery));
        Assert.Equal(ImageFetcher.UserAgent, seen.UserAgent);
        Assert.Equal($"images.test:{server.Port}", seen.Host);
    }

    [Theory]
    [InlineData("data:image/png;base64,iVBORw0KGgo=")]
    [InlineData("DATA:image/jpeg;base64,/9j/")]
    public async Task ToDataUrlAsync_DataUrl_ReturnsItUnchangedEvenWhenDisabled(string url)
    {
        // Arrange
        using var fetcher = Create(o => o.Enabled = false);

        // Act
        var result = await FetchAsync(fetcher, url);

        // Assert
        Assert.Same(url, result);
    }

    // ---- content type ----

    [Theory]
    [InlineData("/html", "text/html")]
    [InlineData("/typed?type=image/svg%2Bxml&kind=png", "image/svg+xml")]
    [InlineData("/typed?type=application/json&kind=png", "application/json")]
    public async Task ToDataUrlAsync_DeclaredTypeNotAllowed_ThrowsUnsupportedImageType(string path, string reported)
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var error = await FailAsync(fetcher, server.Url(path));

        // Assert
        Assert.Equal(ImageFetcher.UnsupportedTypeCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Equal(400, error.Status);
        Assert.Contains(reported, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/octet-text")]
    [InlineData("/untyped?kind=text")]
    public async Task ToDataUrlAsync_UnrecognizableBinary_ThrowsUnsupportedImageType(string path)
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var error = await FailAsync(fetcher, server.Url(path));

        // Assert
        Assert.Equal(ImageFetcher.UnsupportedTypeCode, error.Code);
        Assert.Equal(Param, error.Param);
    }

    [Theory]
    [InlineData("/typed?type=image/gif&kind=gif89")]
    [InlineData("/untyped?kind=gif89")]
    public async Task ToDataUrlAsync_TypeOutsideConfiguredList_ThrowsUnsupportedImageType(string path)
    {
        // Arrange
        using var fetcher = Create(o => o.AllowedContentTypes = "image/png");

        // Act
        var error = await FailAsync(fetcher, server.Url(path));

        // Assert
        Assert.Equal(ImageFetcher.UnsupportedTypeCode, error.Code);
    }

    // ---- HTTP failures ----

    [Theory]
    [InlineData("/status?code=404", "404")]
    [InlineData("/status?code=500", "500")]
    [InlineData("/status?code=403", "403")]
    public async Task ToDataUrlAsync_NonSuccessStatus_ThrowsImageFetchFailed(string path, string status)
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var error = await FailAsync(fetcher, server.Url(path));

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Contains(status, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToDataUrlAsync_EmptyBody_ThrowsImageFetchFailed()
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var error = await FailAsync(fetcher, server.Url("/empty"));

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
    }

    [Fact]
    public async Task ToDataUrlAsync_ConnectionRefused_ThrowsImageFetchFailed()
    {
        // Arrange: a port nobody listens on
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var fetcher = Create();

        // Act
        var error = await FailAsync(fetcher, $"http://127.0.0.1:{port}/png");

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
        Assert.Equal(Param, error.Param);
    }

    [Fact]
    public async Task ToDataUrlAsync_DnsFailure_ThrowsImageFetchFailed()
    {
        // Arrange
        using var fetcher = Create(resolve: (_, _) => throw new SocketException((int)SocketError.HostNotFound));

        // Act
        var error = await FailAsync(fetcher, "http://no-such-host.test/a.png");

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Contains("no-such-host.test", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToDataUrlAsync_DnsReturnsNothing_ThrowsImageFetchFailed()
    {
        // Arrange
        using var fetcher = Create(resolve: (_, _) => Task.FromResult(Array.Empty<IPAddress>()));

        // Act
        var error = await FailAsync(fetcher, "http://empty-answer.test/a.png");

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
        Assert.Contains("resolve", error.Message, StringComparison.Ordinal);
    }

    // ---- timeout and cancellation ----

    [Fact]
    public async Task ToDataUrlAsync_SlowServer_TimesOutOnTheTimeProvider()
    {
        // Arrange
        var time = new FakeTimeProvider();
        using var fetcher = Create(o => o.Timeout = TimeSpan.FromSeconds(5), time);
        var path = $"/slow?id={Guid.NewGuid():N}";
        var fetch = fetcher.ToDataUrlAsync(server.Url(path), Param, Ct);
        await server.WaitForRequestAsync(path).WaitAsync(Bound, Ct);

        // Act
        time.Advance(TimeSpan.FromSeconds(4.9));
        await Task.Delay(100, Ct);
        var completedEarly = fetch.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(0.1));
        var error = await Assert.ThrowsAsync<InvalidRequestException>(() => fetch.WaitAsync(Bound, Ct));

        // Assert
        Assert.False(completedEarly);
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToDataUrlAsync_SlowServerRealClock_TimesOut()
    {
        // Arrange
        using var fetcher = Create(o => o.Timeout = TimeSpan.FromMilliseconds(300));

        // Act
        var error = await FailAsync(fetcher, server.Url($"/slow?id={Guid.NewGuid():N}"));

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
        Assert.Contains("timed out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToDataUrlAsync_CallerCancels_ThrowsOperationCanceled()
    {
        // Arrange
        using var fetcher = Create();
        using var caller = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var path = $"/slow?id={Guid.NewGuid():N}";
        var fetch = fetcher.ToDataUrlAsync(server.Url(path), Param, caller.Token);
        await server.WaitForRequestAsync(path).WaitAsync(Bound, Ct);

        // Act
        await caller.CancelAsync();
        var error = await Record.ExceptionAsync(() => fetch.WaitAsync(Bound, Ct));

        // Assert
        Assert.IsAssignableFrom<OperationCanceledException>(error);
    }

    // ---- size ----

    [Fact]
    public async Task ToDataUrlAsync_ContentLengthAtLimit_Succeeds()
    {
        // Arrange
        using var fetcher = Create(o => o.MaxBytes = 1000);

        // Act
        var dataUrl = await FetchAsync(fetcher, server.Url("/sized?n=1000"));

        // Assert
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(ImageServer.PngOfLength(1000)), dataUrl);
    }

    [Fact]
    public async Task ToDataUrlAsync_ContentLengthOverLimit_ThrowsImageTooLarge()
    {
        // Arrange
        using var fetcher = Create(o => o.MaxBytes = 1000);

        // Act
        var error = await FailAsync(fetcher, server.Url("/sized?n=1001"));

        // Assert
        Assert.Equal(ImageFetcher.TooLargeCode, error.Code);
        Assert.Equal(Param, error.Param);
    }

    [Fact]
    public async Task ToDataUrlAsync_ContentLengthOverLimit_RejectsBeforeReadingTheBody()
    {
        // Arrange: the server declares 1 MB and then never sends it; reading would run into the timeout
        using var fetcher = Create(o => (o.MaxBytes, o.Timeout) = (1000, TimeSpan.FromSeconds(10)));

        // Act
        var error = await FailAsync(fetcher, server.Url($"/declared-big?id={Guid.NewGuid():N}"));

        // Assert
        Assert.Equal(ImageFetcher.TooLargeCode, error.Code);
    }

    [Fact]
    public async Task ToDataUrlAsync_ChunkedBodyAtLimit_Succeeds()
    {
        // Arrange
        using var fetcher = Create(o => o.MaxBytes = 100_000);

        // Act
        var dataUrl = await FetchAsync(fetcher, server.Url("/chunked?n=100000"));

        // Assert
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(ImageServer.PngOfLength(100_000)), dataUrl);
    }

    [Fact]
    public async Task ToDataUrlAsync_ChunkedBodyOverLimit_ThrowsImageTooLarge()
    {
        // Arrange
        using var fetcher = Create(o => o.MaxBytes = 100_000);

        // Act
        var error = await FailAsync(fetcher, server.Url("/chunked?n=100001"));

        // Assert
        Assert.Equal(ImageFetcher.TooLargeCode, error.Code);
    }

    [Fact]
    public async Task ToDataUrlAsync_EndlessChunkedBody_StopsAtTheLimit()
    {
        // Arrange: no Content-Length, the body never ends; only the streaming check can stop it
        using var fetcher = Create(o => (o.MaxBytes, o.Timeout) = (100_000, TimeSpan.FromSeconds(10)));

        // Act
        var error = await FailAsync(fetcher, server.Url($"/endless?id={Guid.NewGuid():N}"));

        // Assert
        Assert.Equal(ImageFetcher.TooLargeCode, error.Code);
        Assert.Equal(Param, error.Param);
    }

    // ---- redirects ----

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ToDataUrlAsync_RedirectChainWithinLimit_FollowsToTheImage(int hops)
    {
        // Arrange
        using var fetcher = Create(o => o.MaxRedirects = 3);
        var id = Guid.NewGuid().ToString("N");

        // Act
        var dataUrl = await FetchAsync(fetcher, server.Url($"/redirect/{hops}?id={id}"));

        // Assert
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(ImageServer.Png), dataUrl);
        Assert.Equal(hops + 1, server.Requests(r => r.PathAndQuery.EndsWith($"?id={id}", StringComparison.Ordinal)).Count);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    public async Task ToDataUrlAsync_RedirectChainOverLimit_ThrowsImageFetchFailed(int hops)
    {
        // Arrange
        using var fetcher = Create(o => o.MaxRedirects = 3);
        var id = Guid.NewGuid().ToString("N");

        // Act
        var error = await FailAsync(fetcher, server.Url($"/redirect/{hops}?id={id}"));

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Contains("redirect", error.Message, StringComparison.Ordinal);
        Assert.Equal(4, server.Requests(r => r.PathAndQuery.EndsWith($"?id={id}", StringComparison.Ordinal)).Count);
    }

    [Fact]
    public async Task ToDataUrlAsync_MaxRedirectsZero_RefusesAnyRedirect()
    {
        // Arrange
        using var fetcher = Create(o => o.MaxRedirects = 0);

        // Act
        var error = await FailAsync(fetcher, server.Url("/redirect/1"));

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
    }

    [Theory]
    [InlineData("/png")]
    [InlineData("png")]
    [InlineData("./sub/../png")]
    public async Task ToDataUrlAsync_RelativeRedirect_ResolvesAgainstTheCurrentUrl(string location)
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var dataUrl = await FetchAsync(fetcher, server.Url($"/redirect-to?location={Uri.EscapeDataString(location)}"));

        // Assert
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(ImageServer.Png), dataUrl);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://[::1]:{port}/png")]
    [InlineData("http://metadata.test:{port}/png")]
    public async Task ToDataUrlAsync_RedirectToForbiddenAddress_ThrowsImageUrlForbidden(string target)
    {
        // Arrange: only 127.0.0.1 (the test server) counts as public; metadata.test resolves to 169.254.169.254
        using var fetcher = Create(
            o => o.AllowPrivateNetworks = false,
            resolve: (host, _) => Task.FromResult(new[] { host == "metadata.test" ? IPAddress.Parse("169.254.169.254") : IPAddress.Loopback }),
            isForbidden: ip => !ip.Equals(IPAddress.Loopback) && AddressPolicy.IsForbidden(ip));
        var location = target.Replace("{port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // Act
        var error = await FailAsync(fetcher, server.Url($"/redirect-to?location={Uri.EscapeDataString(location)}"));

        // Assert
        Assert.Equal(ImageFetcher.ForbiddenCode, error.Code);
        Assert.Equal(Param, error.Param);
    }

    [Theory]
    [InlineData("ftp://example.com/a.png")]
    [InlineData("file:///etc/passwd")]
    public async Task ToDataUrlAsync_RedirectToOtherScheme_ThrowsInvalidImageUrl(string target)
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var error = await FailAsync(fetcher, server.Url($"/redirect-to?location={Uri.EscapeDataString(target)}"));

        // Assert
        Assert.Equal(ImageFetcher.InvalidUrlCode, error.Code);
        Assert.Equal(Param, error.Param);
    }

    [Fact]
    public void ResolveRedirect_HttpsToHttp_ThrowsImageUrlForbidden()
    {
        // Act
        var error = Assert.Throws<InvalidRequestException>(
            () => ImageFetcher.ResolveRedirect(new Uri("https://a.example/x.png"), new Uri("http://a.example/x.png"), Param));

        // Assert
        Assert.Equal(ImageFetcher.ForbiddenCode, error.Code);
        Assert.Equal(Param, error.Param);
    }

    [Theory]
    [InlineData("https://a.example/x.png", "https://b.example/y.png", "https://b.example/y.png")]
    [InlineData("http://a.example/x.png", "https://b.example/y.png", "https://b.example/y.png")]
    [InlineData("http://a.example/x.png", "http://b.example/y.png", "http://b.example/y.png")]
    [InlineData("https://a.example/dir/x.png", "y.png", "https://a.example/dir/y.png")]
    [InlineData("https://a.example/dir/x.png", "/y.png", "https://a.example/y.png")]
    [InlineData("https://a.example/dir/x.png", "//b.example/y.png", "https://b.example/y.png")]
    public void ResolveRedirect_AllowedTarget_ReturnsAbsoluteUrl(string current, string location, string expected)
    {
        // Act
        var next = ImageFetcher.ResolveRedirect(new Uri(current), new Uri(location, UriKind.RelativeOrAbsolute), Param);

        // Assert
        Assert.Equal(new Uri(expected), next);
    }

    [Fact]
    public void ResolveRedirect_NoLocation_ThrowsImageFetchFailed()
    {
        // Act
        var error = Assert.Throws<InvalidRequestException>(() => ImageFetcher.ResolveRedirect(new Uri("https://a.example/"), null, Param));

        // Assert
        Assert.Equal(ImageFetcher.FetchFailedCode, error.Code);
    }

    // ---- URL validation ----

    [Theory]
    [InlineData("ftp://example.com/a.png")]
    [InlineData("file:///etc/passwd")]
    [InlineData("/etc/passwd")]
    [InlineData("gopher://example.com/")]
    [InlineData("ws://example.com/a.png")]
    [InlineData("javascript:alert(1)")]
    [InlineData("not a url")]
    [InlineData("//example.com/a.png")]
    [InlineData("")]
    public async Task ToDataUrlAsync_NotAnHttpUrl_ThrowsInvalidImageUrl(string url)
    {
        // Arrange
        using var fetcher = Create();

        // Act
        var error = await FailAsync(fetcher, url);

        // Assert
        Assert.Equal(ImageFetcher.InvalidUrlCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Equal(400, error.Status);
    }

    // ---- SSRF: the real address policy ----

    [Theory]
    [InlineData("http://127.0.0.1:{port}")]
    [InlineData("http://localhost:{port}")]
    [InlineData("http://[::1]:{port}")]
    [InlineData("http://[::ffff:127.0.0.1]:{port}")]
    [InlineData("http://127.1:{port}")]
    [InlineData("http://2130706433:{port}")]
    [InlineData("http://0x7f000001:{port}")]
    [InlineData("http://0.0.0.0:{port}")]
    public async Task ToDataUrlAsync_LoopbackWithDefaultPolicy_RefusedWithoutConnecting(string origin)
    {
        // Arrange
        using var fetcher = Create(o => o.AllowPrivateNetworks = false);
        var path = $"/png?probe={Guid.NewGuid():N}";
        var url = origin.Replace("{port}", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) + path;

        // Act
        var error = await FailAsync(fetcher, url);

        // Assert
        Assert.Equal(ImageFetcher.ForbiddenCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Equal(400, error.Status);
        Assert.Empty(server.Requests(path));
    }

    [Fact]
    public async Task ToDataUrlAsync_LoopbackWithAllowPrivateNetworks_Connects()
    {
        // Arrange: the control for the test above — the same URL works once private networks are allowed
        using var fetcher = Create(o => o.AllowPrivateNetworks = true);
        var path = $"/png?probe={Guid.NewGuid():N}";

        // Act
        await FetchAsync(fetcher, server.Url(path));

        // Assert
        Assert.Single(server.Requests(path));
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://10.0.0.1/")]
    [InlineData("http://172.16.0.1/a.png")]
    [InlineData("http://192.168.1.1/a.png")]
    [InlineData("http://100.100.100.200/latest/meta-data")]
    [InlineData("https://[fd00:ec2::254]/latest/meta-data")]
    [InlineData("http://[fe80::1]/a.png")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://224.0.0.1/a.png")]
    public async Task ToDataUrlAsync_PrivateAddressLiteral_ThrowsImageUrlForbidden(string url)
    {
        // Arrange: a short timeout so that an attempted connection would fail as image_fetch_failed instead
        using var fetcher = Create(o => (o.AllowPrivateNetworks, o.Timeout) = (false, TimeSpan.FromSeconds(2)));

        // Act
        var error = await FailAsync(fetcher, url);

        // Assert
        Assert.Equal(ImageFetcher.ForbiddenCode, error.Code);
        Assert.Equal(Param, error.Param);
    }

    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("10.1.2.3")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("::ffff:192.168.0.1")]
    public async Task ToDataUrlAsync_HostResolvingToPrivateAddress_ThrowsImageUrlForbidden(string answer)
    {
        // Arrange
        var logger = new FakeLogger<ImageFetcher>();
        using var fetcher = Create(
            o => (o.AllowPrivateNetworks, o.Timeout) = (false, TimeSpan.FromSeconds(2)),
            resolve: (_, _) => Task.FromResult(new[] { IPAddress.Parse(answer) }),
            logger: logger);

        // Act
        var error = await FailAsync(fetcher, "https://innocent.test/cat.png");

        // Assert
        Assert.Equal(ImageFetcher.ForbiddenCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.DoesNotContain(answer, error.Message, StringComparison.Ordinal);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains(answer, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToDataUrlAsync_AnyResolvedAddressForbidden_RefusesWithoutConnecting()
    {
        // Arrange: 127.0.0.1 stands in for a public address; the answer also carries a private one
        using var fetcher = Create(
            o => o.AllowPrivateNetworks = false,
            resolve: (_, _) => Task.FromResult(new[] { IPAddress.Loopback, IPAddress.Parse("10.0.0.1") }),
            isForbidden: ip => !ip.Equals(IPAddress.Loopback) && AddressPolicy.IsForbidden(ip));
        var path = $"/png?probe={Guid.NewGuid():N}";

        // Act
        var error = await FailAsync(fetcher, $"http://mixed.test:{server.Port}{path}");

        // Assert
        Assert.Equal(ImageFetcher.ForbiddenCode, error.Code);
        Assert.Empty(server.Requests(path));
    }

    [Fact]
    public async Task ToDataUrlAsync_DnsRebinding_ConnectsToTheAddressItVetted()
    {
        // Arrange: the first answer is "public" (127.0.0.1 here), later answers are private
        var calls = 0;
        using var fetcher = Create(
            o => o.AllowPrivateNetworks = false,
            resolve: (_, _) => Task.FromResult(new[] { Interlocked.Increment(ref calls) == 1 ? IPAddress.Loopback : IPAddress.Parse("10.0.0.1") }),
            isForbidden: ip => !ip.Equals(IPAddress.Loopback) && AddressPolicy.IsForbidden(ip));
        var path = $"/png?probe={Guid.NewGuid():N}";

        // Act
        var dataUrl = await FetchAsync(fetcher, $"http://rebind.test:{server.Port}{path}");

        // Assert
        Assert.StartsWith("data:image/png;base64,", dataUrl, StringComparison.Ordinal);
        Assert.Equal(1, calls);
        Assert.Single(server.Requests(path));
    }

    [Fact]
    public async Task ToDataUrlAsync_Disabled_RefusesRemoteUrlWithoutConnecting()
    {
        // Arrange
        using var fetcher = Create(o => o.Enabled = false);
        var path = $"/png?probe={Guid.NewGuid():N}";

        // Act
        var error = await FailAsync(fetcher, server.Url(path));

        // Assert
        Assert.Equal(ImageFetcher.ForbiddenCode, error.Code);
        Assert.Equal(Param, error.Param);
        Assert.Contains("data URL", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests(path));
    }

    // ---- sniffing ----

    [Theory]
    [InlineData("png", "image/png")]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("gif87", "image/gif")]
    [InlineData("gif89", "image/gif")]
    [InlineData("webp", "image/webp")]
    [InlineData("text", null)]
    [InlineData("riff-wave", null)]
    [InlineData("short-png", null)]
    [InlineData("none", null)]
    public void SniffMediaType_LeadingBytes_IdentifiesImageType(string kind, string? expected)
    {
        // Act
        var type = ImageFetcher.SniffMediaType(ImageServer.Sample(kind));

        // Assert
        Assert.Equal(expected, type);
    }

    // ---- options ----

    [Fact]
    public void ImageFetchOptions_Defaults_MatchTheDocumentation()
    {
        // Act
        var options = new ImageFetchOptions();

        // Assert
        Assert.True(options.Enabled);
        Assert.Equal(20 * 1024 * 1024, options.MaxBytes);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(3, options.MaxRedirects);
        Assert.False(options.AllowPrivateNetworks);
        Assert.Equal(["image/png", "image/jpeg", "image/gif", "image/webp"], options.ParsedAllowedContentTypes());
    }

    [Fact]
    public void ImageFetchOptions_ParsedAllowedContentTypes_TrimsSplitsAndLowers()
    {
        // Arrange
        var options = new ImageFetchOptions { AllowedContentTypes = " Image/PNG , ,image/avif," };

        // Act
        var types = options.ParsedAllowedContentTypes();

        // Assert
        Assert.Equal(["image/png", "image/avif"], types);
    }

    private static ImageFetcher Create(
        Action<ImageFetchOptions>? configure = null,
        TimeProvider? time = null,
        Func<string, CancellationToken, Task<IPAddress[]>>? resolve = null,
        Func<IPAddress, bool>? isForbidden = null,
        ILogger<ImageFetcher>? logger = null)
    {
        // The test server listens on 127.0.0.1, so private networks are allowed unless a test says otherwise.
        var options = new ImageFetchOptions { AllowPrivateNetworks = true };
        configure?.Invoke(options);
        return new ImageFetcher(Options.Create(options), time ?? TimeProvider.System, logger ?? new FakeLogger<ImageFetcher>(), resolve, isForbidden);
    }

    private static Task<string> FetchAsync(ImageFetcher fetcher, string url)
        => fetcher.ToDataUrlAsync(url, Param, Ct).WaitAsync(Bound, Ct);

    private static Task<InvalidRequestException> FailAsync(ImageFetcher fetcher, string url)
        => Assert.ThrowsAsync<InvalidRequestException>(() => FetchAsync(fetcher, url));
}

/// <summary>A Kestrel server on 127.0.0.1 serving the images and failures the fetcher tests need.</summary>
public sealed class ImageServer : IAsyncLifetime
{
    /// <summary>A 1×1 transparent PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    private readonly ConcurrentQueue<SeenRequest> _requests = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrivals = new();
    private WebApplication? _app;

    public sealed record SeenRequest(string PathAndQuery, string? Host, string? UserAgent);

    public int Port { get; private set; }

    public string Url(string pathAndQuery) => $"http://127.0.0.1:{Port}{pathAndQuery}";

    public IReadOnlyList<SeenRequest> Requests(string pathAndQuery)
        => Requests(r => r.PathAndQuery == pathAndQuery);

    public IReadOnlyList<SeenRequest> Requests(Func<SeenRequest, bool> predicate) => [.. _requests.Where(predicate)];

    /// <summary>Completes when a request for <paramref name="pathAndQuery"/> has reached the server.</summary>
    public Task WaitForRequestAsync(string pathAndQuery) => Arrival(pathAndQuery).Task;

    /// <summary>Test bodies: <paramref name="kind"/> names an image format or a non-image.</summary>
    public static byte[] Sample(string kind) => kind switch
    {
        "png" => Png,
        "jpeg" => [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00],
        "gif87" => "GIF87a\u0001\u0000\u0001\u0000"u8.ToArray(),
        "gif89" => "GIF89a\u0001\u0000\u0001\u0000"u8.ToArray(),
        "webp" => [.. "RIFF"u8, 0x1A, 0x00, 0x00, 0x00, .. "WEBPVP8L"u8, 0x0D, 0x00, 0x00, 0x00],
        "text" => "hello, this is not an image"u8.ToArray(),
        "riff-wave" => [.. "RIFF"u8, 0x1A, 0x00, 0x00, 0x00, .. "WAVEfmt "u8],
        "short-png" => [0x89, 0x50, 0x4E, 0x47],
        "none" => [],
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A body of exactly <paramref name="length"/> bytes that starts like a PNG.</summary>
    public static byte[] PngOfLength(int length)
    {
        var body = new byte[length];
        for (var i = 0; i < length; i++)
        {
            body[i] = (byte)(i * 31);
        }

        Png.AsSpan(0, Math.Min(8, length)).CopyTo(body);
        return body;
    }

    public async ValueTask InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Testing",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        app.Use(async (context, next) =>
        {
            var pathAndQuery = context.Request.Path + context.Request.QueryString;
            _requests.Enqueue(new SeenRequest(pathAndQuery, context.Request.Headers.Host, context.Request.Headers.UserAgent));
            Arrival(pathAndQuery).TrySetResult();
            await next(context);
        });
        app.Run(HandleAsync);

        using var startup = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        startup.CancelAfter(TimeSpan.FromSeconds(30));
        await app.StartAsync(startup.Token);
        _app = app;
        Port = new Uri(app.Urls.Single()).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var shutdown = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(shutdown.Token);
            await _app.DisposeAsync();
        }
    }

    private TaskCompletionSource Arrival(string pathAndQuery)
        => _arrivals.GetOrAdd(pathAndQuery, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private static async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var aborted = context.RequestAborted;
        var path = request.Path.Value ?? "/";
        try
        {
            switch (path)
            {
                case "/png":
                    await WriteAsync(response, "image/png", Png);
                    break;
                case "/octet":
                    await WriteAsync(response, "application/octet-stream", Png);
                    break;
                case "/octet-text":
                    await WriteAsync(response, "application/octet-stream", Sample("text"));
                    break;
                case "/untyped":
                    await WriteAsync(response, null, Sample(request.Query["kind"].ToString()));
                    break;
                case "/typed":
                    await WriteAsync(response, request.Query["type"].ToString(), Sample(request.Query["kind"].ToString()));
                    break;
                case "/html":
                    await WriteAsync(response, "text/html; charset=utf-8", "<html><body>not an image</body></html>"u8.ToArray());
                    break;
                case "/empty":
                    await WriteAsync(response, "image/png", []);
                    break;
                case "/status":
                    response.StatusCode = int.Parse(request.Query["code"].ToString(), System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "/sized":
                    await WriteAsync(response, "image/png", PngOfLength(QueryInt(request, "n")));
                    break;
                case "/chunked":
                    {
                        // No Content-Length: Kestrel frames the body as chunks.
                        var body = PngOfLength(QueryInt(request, "n"));
                        response.ContentType = "image/png";
                        for (var offset = 0; offset < body.Length; offset += 8192)
                        {
                            await response.Body.WriteAsync(body.AsMemory(offset, Math.Min(8192, body.Length - offset)), aborted);
                            await response.Body.FlushAsync(aborted);
                        }

                        break;
                    }

                case "/endless":
                    {
                        response.ContentType = "image/png";
                        var chunk = PngOfLength(16 * 1024);
                        while (!aborted.IsCancellationRequested)
                        {
                            await response.Body.WriteAsync(chunk, aborted);
                            await response.Body.FlushAsync(aborted);
                        }

                        break;
                    }

                case "/declared-big":
                    response.ContentType = "image/png";
                    response.ContentLength = 1_000_000;
                    await response.StartAsync(aborted);
                    await response.Body.FlushAsync(aborted);
                    await Task.Delay(Timeout.InfiniteTimeSpan, aborted);
                    break;
                case "/slow":
                    await Task.Delay(Timeout.InfiniteTimeSpan, aborted);
                    break;
                case "/redirect-to":
                    response.StatusCode = StatusCodes.Status302Found;
                    response.Headers.Location = request.Query["location"].ToString();
                    break;
                default:
                    if (path.StartsWith("/redirect/", StringComparison.Ordinal))
                    {
                        var remaining = int.Parse(path["/redirect/".Length..], System.Globalization.CultureInfo.InvariantCulture);
                        if (remaining == 0)
                        {
                            await WriteAsync(response, "image/png", Png);
                        }
                        else
                        {
                            response.StatusCode = remaining % 2 == 0 ? StatusCodes.Status302Found : StatusCodes.Status307TemporaryRedirect;
                            response.Headers.Location = $"/redirect/{remaining - 1}{request.QueryString}";
                        }

                        break;
                    }

                    response.StatusCode = StatusCodes.Status404NotFound;
                    break;
            }
        }
        catch (Exception) when (aborted.IsCancellationRequested)
        {
            // The fetcher hung up, as the size and timeout tests intend.
        }
    }

    private static int QueryInt(HttpRequest request, string name)
        => int.Parse(request.Query[name].ToString(), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task WriteAsync(HttpResponse response, string? contentType, byte[] body)
    {
        if (contentType is not null)
        {
            response.ContentType = contentType;
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
    }
}
