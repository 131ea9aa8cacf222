using System.Net;
using System.Net.Sockets;

namespace CodexCompletionsApi.Api;

/// <summary>
/// Which addresses the service refuses to connect to on a client's behalf (server-side request forgery).
/// </summary>
/// <remarks>
/// IPv4: every block the IANA special-purpose registry marks as not globally reachable —
/// <c>0.0.0.0/8</c> (includes unspecified), <c>10.0.0.0/8</c>, <c>100.64.0.0/10</c> (CGNAT),
/// <c>127.0.0.0/8</c>, <c>169.254.0.0/16</c> (link-local, cloud metadata), <c>172.16.0.0/12</c>,
/// <c>192.0.0.0/24</c> (protocol assignments, Oracle Cloud metadata), <c>192.0.2.0/24</c>,
/// <c>192.168.0.0/16</c>, <c>198.18.0.0/15</c>, <c>198.51.100.0/24</c>, <c>203.0.113.0/24</c> — plus
/// <c>224.0.0.0/4</c> (multicast) and <c>240.0.0.0/4</c> (reserved, broadcast).
/// IPv6: only global unicast <c>2000::/3</c> is allowed, minus documentation <c>2001:db8::/32</c>; that
/// excludes unspecified, loopback, ULA <c>fc00::/7</c>, link-local <c>fe80::/10</c>, site-local and
/// multicast. Addresses that embed an IPv4 address — IPv4-mapped <c>::ffff:0:0/96</c>, NAT64
/// <c>64:ff9b::/96</c> and 6to4 <c>2002::/16</c> — are judged by the embedded IPv4 address.
/// </remarks>
internal static class AddressPolicy
{
    /// <summary>Whether <paramref name="address"/> must not be connected to.</summary>
    public static bool IsForbidden(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        if (!address.TryWriteBytes(bytes, out var written))
        {
            return true;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork when written == 4 => IsForbiddenV4(bytes[..4]),
            AddressFamily.InterNetworkV6 when written == 16 => IsForbiddenV6(bytes),
            _ => true,
        };
    }

    private static bool IsForbiddenV4(ReadOnlySpan<byte> b) => b[0] switch
    {
        0 => true,                                  // 0.0.0.0/8 "this network", includes 0.0.0.0
        10 => true,                                 // 10.0.0.0/8 private
        100 => (b[1] & 0xC0) == 64,                 // 100.64.0.0/10 shared address space (CGNAT)
        127 => true,                                // 127.0.0.0/8 loopback
        169 => b[1] == 254,                         // 169.254.0.0/16 link-local
        172 => (b[1] & 0xF0) == 16,                 // 172.16.0.0/12 private
        192 => (b[1] == 0 && (b[2] == 0 || b[2] == 2)) // 192.0.0.0/24 protocol assignments, 192.0.2.0/24 TEST-NET-1
               || b[1] == 168,                      // 192.168.0.0/16 private
        198 => (b[1] & 0xFE) == 18                  // 198.18.0.0/15 benchmarking
               || (b[1] == 51 && b[2] == 100),      // 198.51.100.0/24 TEST-NET-2
        203 => b[1] == 0 && b[2] == 113,            // 203.0.113.0/24 TEST-NET-3
        >= 224 => true,                             // 224.0.0.0/4 multicast, 240.0.0.0/4 reserved, broadcast
        _ => false,
    };

    private static bool IsForbiddenV6(ReadOnlySpan<byte> b)
    {
        // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64 well-known prefix) reach the embedded IPv4 address.
        if (b[..10].IndexOfAnyExcept((byte)0) < 0 && b[10] == 0xFF && b[11] == 0xFF)
        {
            return IsForbiddenV4(b[12..]);
        }

        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..12].IndexOfAnyExcept((byte)0) < 0)
        {
            return IsForbiddenV4(b[12..]);
        }

        // Outside global unicast 2000::/3: ::, ::1, IPv4-compatible, fc00::/7, fe80::/10, fec0::/10, ff00::/8, ...
        if ((b[0] & 0xE0) != 0x20)
        {
            return true;
        }

        // 2001:db8::/32 documentation.
        if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0D && b[3] == 0xB8)
        {
            return true;
        }

        // 2002::/16 6to4 embeds the IPv4 address of the site.
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return IsForbiddenV4(b[2..6]);
        }

        return false;
    }
}
