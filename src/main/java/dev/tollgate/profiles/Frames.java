package dev.tollgate.profiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The record framing of segment files:
 * {@code magic(4) | payloadLength(4) | crc32c(payload)(4) | payload}, payload =
 * {@code headerLength(4) | header JSON | blob bytes}. A torn or overwritten tail fails the magic,
 * length or checksum test and is cut off on start.
 */
final class Frames {
  static final int MAGIC = 0x54474c31; // "TGL1"
  static final int PREFIX = 12;

  private Frames() {}

  static ByteBuffer encode(FrameHeader header, byte[] blob) throws IOException {
    byte[] h = Json.MAPPER.writeValueAsBytes(header);
    int payload = 4 + h.length + blob.length;
    ByteBuffer buf = ByteBuffer.allocate(PREFIX + payload);
    buf.putInt(MAGIC).putInt(payload).putInt(0);
    buf.putInt(h.length).put(h).put(blob);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), PREFIX, payload);
    buf.putInt(8, (int) crc.getValue());
    return buf.flip();
  }

  /** The payload length announced by a frame prefix, or -1 when the prefix is not a frame's. */
  static int payloadLength(ByteBuffer prefix) {
    if (prefix.remaining() < PREFIX || prefix.getInt(prefix.position()) != MAGIC) {
      return -1;
    }
    int len = prefix.getInt(prefix.position() + 4);
    return len < 4 ? -1 : len;
  }

  /** True when {@code payload} matches the checksum in {@code prefix}. */
  static boolean checksumMatches(ByteBuffer prefix, byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    return (int) crc.getValue() == prefix.getInt(prefix.position() + 8);
  }

  static FrameHeader header(byte[] payload) throws IOException {
    int len = ByteBuffer.wrap(payload).getInt();
    if (len < 0 || len > payload.length - 4) {
      throw new IOException("frame header length " + len + " out of range");
    }
    return Json.MAPPER.readValue(payload, 4, len, FrameHeader.class);
  }

  static byte[] blob(byte[] payload) {
    int len = ByteBuffer.wrap(payload).getInt();
    byte[] out = new byte[payload.length - 4 - len];
    System.arraycopy(payload, 4 + len, out, 0, out.length);
    return out;
  }
}
