using System.Net;
using CodexCompletionsApi.Api;

namespace CodexCompletionsApi.Tests.Api;

public sealed class AddressPolicyTests
{
    [Theory]
    // unspecified and "this network" 0.0.0.0/8
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("0.255.255.255")]
    // loopback 127.0.0.0/8
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.0")]
    [InlineData("127.1.2.3")]
    [InlineData("127.255.255.255")]
    // RFC 1918
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.0")]
    [InlineData("172.20.1.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.0.0")]
    [InlineData("192.168.1.1")]
    [InlineData("192.168.255.255")]
    // CGNAT 100.64.0.0/10 (Alibaba Cloud metadata sits at 100.100.100.200)
    [InlineData("100.64.0.0")]
    [InlineData("100.100.100.200")]
    [InlineData("100.127.255.255")]
    // link-local 169.254.0.0/16 (cloud metadata)
    [InlineData("169.254.0.0")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.255.255")]
    // IETF protocol assignments 192.0.0.0/24 (Oracle Cloud metadata 192.0.0.192), documentation, benchmarking
    [InlineData("192.0.0.0")]
    [InlineData("192.0.0.192")]
    [InlineData("192.0.0.255")]
    [InlineData("192.0.2.1")]
    [InlineData("198.18.0.0")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.9")]
    // multicast 224.0.0.0/4, reserved 240.0.0.0/4, limited broadcast
    [InlineData("224.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.255")]
    [InlineData("240.0.0.0")]
    [InlineData("250.1.2.3")]
    [InlineData("255.255.255.255")]
    public void IsForbidden_NonPublicIPv4_ReturnsTrue(string address)
    {
        // Arrange
        var ip = IPAddress.Parse(address);

        // Act
        var forbidden = AddressPolicy.IsForbidden(ip);

        // Assert
        Assert.True(forbidden, address);
    }

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("93.184.216.34")]
    [InlineData("1.0.0.0")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("169.255.0.0")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.0.1.0")]
    [InlineData("192.0.3.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("198.51.101.0")]
    [InlineData("203.0.112.255")]
    [InlineData("223.255.255.255")]
    public void IsForbidden_PublicIPv4_ReturnsFalse(string address)
    {
        // Arrange
        var ip = IPAddress.Parse(address);

        // Act
        var forbidden = AddressPolicy.IsForbidden(ip);

        // Assert
        Assert.False(forbidden, address);
    }

    [Theory]
    // unspecified and loopback
    [InlineData("::")]
    [InlineData("::1")]
    // IPv4-mapped forms of forbidden IPv4 addresses
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:100.64.0.1")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::ffff:0.0.0.0")]
    [InlineData("::ffff:224.0.0.1")]
    // deprecated IPv4-compatible
    [InlineData("::127.0.0.1")]
    [InlineData("::8.8.8.8")]
    // NAT64 well-known prefix with a forbidden IPv4 address, and the local-use NAT64 prefix
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b:1::808:808")]
    // 6to4 with a forbidden IPv4 address
    [InlineData("2002:7f00:1::1")]
    [InlineData("2002:a00:1::")]
    // unique local fc00::/7 (AWS IMDS over IPv6 is fd00:ec2::254)
    [InlineData("fc00::")]
    [InlineData("fc00::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    // link-local fe80::/10, with and without a scope
    [InlineData("fe80::")]
    [InlineData("fe80::1")]
    [InlineData("fe80::1%2")]
    [InlineData("febf:ffff::1")]
    // deprecated site-local fec0::/10
    [InlineData("fec0::1")]
    // multicast ff00::/8
    [InlineData("ff02::1")]
    [InlineData("ff05::1:3")]
    [InlineData("ff0e::1")]
    // documentation, discard-only, and the rest of the space outside global unicast 2000::/3
    [InlineData("2001:db8::1")]
    [InlineData("2001:db8:ffff::1")]
    [InlineData("100::1")]
    [InlineData("1fff:ffff::1")]
    [InlineData("4000::1")]
    [InlineData("e000::1")]
    public void IsForbidden_NonPublicIPv6_ReturnsTrue(string address)
    {
        // Arrange
        var ip = IPAddress.Parse(address);

        // Act
        var forbidden = AddressPolicy.IsForbidden(ip);

        // Assert
        Assert.True(forbidden, address);
    }

    [Theory]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("2000::1")]
    [InlineData("3fff:ffff::1")]
    [InlineData("2001:db7:ffff::1")]
    [InlineData("2001:db9::1")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("::ffff:93.184.216.34")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void IsForbidden_PublicIPv6_ReturnsFalse(string address)
    {
        // Arrange
        var ip = IPAddress.Parse(address);

        // Act
        var forbidden = AddressPolicy.IsForbidden(ip);

        // Assert
        Assert.False(forbidden, address);
    }

    [Fact]
    public void IsForbidden_FrameworkConstants_MatchTheirCategories()
    {
        // Arrange
        var forbidden = new[] { IPAddress.Any, IPAddress.Loopback, IPAddress.Broadcast, IPAddress.None, IPAddress.IPv6Any, IPAddress.IPv6Loopback, IPAddress.IPv6None };

        // Act
        var results = forbidden.Select(AddressPolicy.IsForbidden).ToList();

        // Assert
        Assert.All(results, Assert.True);
    }

    [Fact]
    public void IsForbidden_EveryMappedIPv4_AgreesWithItsIPv4Form()
    {
        // Arrange: one address in every /8, plus the edges of each special block
        var samples = Enumerable.Range(0, 256).Select(first => new IPAddress([(byte)first, 1, 2, 3]))
            .Concat(new[] { "100.64.0.0", "100.127.255.255", "172.16.0.0", "172.31.255.255", "169.254.0.1", "192.168.0.1", "192.0.0.1", "198.18.0.1" }.Select(IPAddress.Parse))
            .ToList();

        // Act
        var disagreements = samples.Where(ip => AddressPolicy.IsForbidden(ip) != AddressPolicy.IsForbidden(ip.MapToIPv6())).ToList();

        // Assert
        Assert.Empty(disagreements);
        Assert.Contains(samples, AddressPolicy.IsForbidden);
        Assert.Contains(samples, ip => !AddressPolicy.IsForbidden(ip));
    }

    [Fact]
    public void IsForbidden_Null_Throws()
    {
        // Act
        var error = Record.Exception(() => AddressPolicy.IsForbidden(null!));

        // Assert
        Assert.IsType<ArgumentNullException>(error);
    }
}
