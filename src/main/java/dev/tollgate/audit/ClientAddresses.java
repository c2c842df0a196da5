package dev.tollgate.audit;

import com.linecorp.armeria.server.ServiceRequestContext;
import io.netty.util.AttributeKey;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A client's address as people write it, for the audit log and statistics: IPv4 dotted
 * ({@code 127.0.0.1}, also for an IPv4-mapped IPv6 address) and IPv6 in the RFC 5952 short form
 * ({@code ::1}, not Java's {@code 0:0:0:0:0:0:0:1}), without a scope id.
 */
public final class ClientAddresses {
  /**
   * The request's client, resolved once at the edge for REST and gRPC alike (see
   * {@code TrustedProxies#decorator}), so a trusted proxy's {@code X-Forwarded-For} means the
   * same on every path.
   */
  public static final AttributeKey<String> CLIENT_IP = AttributeKey.valueOf(ClientAddresses.class, "CLIENT_IP");

  private ClientAddresses() {}

  /** The client of the request in {@code ctx}: as resolved at the edge, else the peer's address. */
  public static String of(ServiceRequestContext ctx) {
    String ip = ctx.attr(CLIENT_IP);
    return ip != null ? ip : display(ctx.remoteAddress().getAddress());
  }

  /** The address in its usual text form; null for null. */
  public static String display(InetAddress a) {
    if (a == null) {
      return null;
    }
    if (a instanceof Inet4Address) {
      return a.getHostAddress();
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet6Address && isMappedIpv4(b)) {
      return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    // The longest run of two or more zero groups (the first of equal ones) becomes "::".
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      if (groups[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j;
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLength - 1;
        continue;
      }
      if (!s.isEmpty() && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(groups[i]));
    }
    return s.toString();
  }

  private static boolean isMappedIpv4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
  }
}
