package dev.tollgate.api;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import dev.tollgate.audit.ClientAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The reverse proxies ({@code --trusted-proxies}) whose {@code X-Forwarded-For} header is
 * believed. A request from any other peer is that peer, whatever it sends; a request from a
 * trusted proxy is the right-most address of the header that is not itself a trusted proxy
 * (proxies append the address they received from, so everything left of that is the client's
 * own claim and may be forged). Addresses or CIDR ranges, IPv4 or IPv6.
 */
public final class TrustedProxies {
  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  private record Range(byte[] network, int prefix) {
    boolean contains(InetAddress a) {
      byte[] b = normalized(a);
      if (b.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (b[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (b[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Range> ranges;
  private final List<String> spelled;

  private TrustedProxies(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
    this.spelled = ranges.stream().map(r -> {
      try {
        return ClientAddresses.display(InetAddress.getByAddress(r.network())) + "/" + r.prefix();
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
  }

  /**
   * Parses {@code 10.0.0.1}, {@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8} (comma-separated
   * in the flag). Host names are refused: they would be looked up once and go stale.
   */
  public static TrustedProxies parse(List<String> entries) {
    List<Range> out = new ArrayList<>();
    for (String raw : entries) {
      String e = raw.strip();
      if (e.isEmpty()) {
        continue;
      }
      int slash = e.indexOf('/');
      String host = slash < 0 ? e : e.substring(0, slash);
      InetAddress a = literal(host);
      if (a == null) {
        throw new IllegalArgumentException("--trusted-proxies: " + e + " is not an IP address or CIDR range");
      }
      byte[] b = normalized(a);
      int prefix = b.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(e.substring(slash + 1));
        } catch (NumberFormatException x) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > b.length * 8) {
          throw new IllegalArgumentException("--trusted-proxies: " + e + " has a bad prefix length");
        }
      }
      out.add(new Range(b, prefix));
    }
    return new TrustedProxies(out);
  }

  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  public boolean trusts(InetAddress a) {
    return a != null && ranges.stream().anyMatch(r -> r.contains(a));
  }

  /** The client of a request that {@code peer} sent with this {@code X-Forwarded-For} (null: none). */
  public InetAddress client(InetAddress peer, List<String> forwardedFor) {
    if (!trusts(peer) || forwardedFor == null || forwardedFor.isEmpty()) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String part : header.split(",")) {
        hops.add(part.strip());
      }
    }
    InetAddress client = peer;
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = literal(stripPort(hops.get(i)));
      if (hop == null) {
        // Garbage in the chain: stop at the last address a trusted proxy vouched for.
        return client;
      }
      client = hop;
      if (!trusts(hop)) {
        return hop;
      }
    }
    return client;
  }

  /**
   * A server-wide decorator that resolves each request's client ({@link ClientAddresses#CLIENT_IP})
   * before any service sees it: REST, the web UI and gRPC (agents behind a load balancer that
   * appends {@code X-Forwarded-For}) then record the same address.
   */
  public DecoratingHttpServiceFunction decorator() {
    return (delegate, ctx, req) -> {
      ctx.setAttr(ClientAddresses.CLIENT_IP, ClientAddresses.display(
          client(ctx.remoteAddress().getAddress(), req.headers().getAll(HttpHeaderNames.X_FORWARDED_FOR))));
      return delegate.serve(ctx, req);
    };
  }

  @Override
  public String toString() {
    return String.join(",", spelled);
  }

  /** {@code [::1]:80} and {@code 1.2.3.4:80} -> the address; anything else as it is. */
  private static String stripPort(String s) {
    if (s.startsWith("[")) {
      int end = s.indexOf(']');
      return end < 0 ? s : s.substring(1, end);
    }
    int colon = s.indexOf(':');
    return colon > 0 && colon == s.lastIndexOf(':') ? s.substring(0, colon) : s;
  }

  /** An IP literal without any DNS look-up, or null. */
  private static InetAddress literal(String s) {
    if (s.isEmpty() || !(s.matches("[0-9.]+") || s.matches("[0-9a-fA-F:.]+") && s.contains(":"))) {
      return null;
    }
    if (s.matches("[0-9.]+") && !s.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
      return null;
    }
    try {
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** IPv4-mapped IPv6 addresses compare as IPv4. */
  private static byte[] normalized(InetAddress a) {
    byte[] b = a.getAddress();
    if (b.length == 16) {
      boolean mapped = (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      for (int i = 0; i < 10 && mapped; i++) {
        mapped = b[i] == 0;
      }
      if (mapped) {
        return new byte[] {b[12], b[13], b[14], b[15]};
      }
    }
    return b;
  }
}
